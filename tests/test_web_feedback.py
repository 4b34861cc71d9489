"""The page's 👍/👎 buttons and its "Ask" box, in a real browser against the real server.

Reuses tests/test_web.py's browser, page and helpers; the server fixture here is its own (same demo
data, fake embedder) so that the tests can read the feedback file it writes. The ask tests answer
`/v1/ask` from the browser side with the contract's events (search/answer_contract.py) where the
server has no such route yet, and use the real route when it exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_web
from api_support import demo_data
from conftest import REPO
from test_web import expect, shot

pytestmark = pytest.mark.browser

# test_web's fixtures, over this module's server (its `base_url` below replaces test_web's).
browser = test_web.browser
make_page = test_web.make_page

def test_ask_script_loads_nothing_from_the_network_and_never_uses_innerhtml() -> None:
    js = (REPO / "api" / "static" / "ask.js").read_text(encoding="utf-8")
    html = (REPO / "api" / "static" / "index.html").read_text(encoding="utf-8")
    assert '<script src="ask.js" defer></script>' in html
    assert not re.search(r"https?://", js)
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", js)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory, "web-feedback")


@pytest.fixture(scope="module")
def base_url(data_dir: Path) -> Iterator[str]:
    """test_web's server, over a data directory these tests read the feedback file from."""
    test_web.require_browser()
    with test_web.demo_server(data_dir) as url:
        yield url


def records(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "feedback" / "feedback.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def record_with_id(data_dir: Path, stored_id: str) -> dict[str, Any]:
    return next(r for r in records(data_dir) if r["id"] == stored_id)


def click_and_store(page: Any, button: Any, data_dir: Path) -> dict[str, Any]:
    with page.expect_response("**/v1/feedback") as response:
        button.click()
    assert response.value.status == 201, response.value.text()
    return record_with_id(data_dir, response.value.json()["id"])


# -- product results and study passages -------------------------------------------------------------

def test_thumbs_up_on_a_result_stores_the_role_target_and_rank(make_page: Any, data_dir: Path) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    card = page.locator("#hits .card").nth(1)
    product_id = card.get_attribute("data-id")
    up = card.get_by_role("button", name=f"Helpful — {card.locator('.card-title').inner_text()}", exact=True)
    record = click_and_store(page, up, data_dir)
    assert (record["role"], record["key_name"], record["kind"]) == ("advisor", "Alice", "search")
    assert (record["target_id"], record["rank"], record["helpful"]) == (product_id, 2, True)
    assert record["query"] == "shampoo without sulfates" and record["language"] == "en"
    expect(card.locator(".fb-note")).to_have_text("Thanks for your feedback")
    assert up.get_attribute("aria-pressed") == "true"
    assert card.locator("button.fb:disabled").count() == 2, "one vote per result shown"
    shot(page, "feedback-result.png")


def test_feedback_buttons_work_from_the_keyboard_in_the_page_language(make_page: Any, data_dir: Path) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampooing sans sulfates")
    card = page.locator("#hits .card").first
    down = card.locator("button.fb-down")
    assert down.get_attribute("aria-label").startswith("Pas utile — ")
    assert card.locator(".feedback").get_attribute("aria-label") == "Était-ce utile ?"
    down.focus()
    with page.expect_response("**/v1/feedback") as response:
        page.keyboard.press("Enter")
    record = record_with_id(data_dir, response.value.json()["id"])
    assert (record["helpful"], record["language"], record["rank"]) == (False, "fr", 1)
    expect(card.locator(".fb-note")).to_have_text("Merci pour votre avis")


def test_analyst_judges_a_study_passage(make_page: Any, data_dir: Path) -> None:
    p = make_page()
    page = p.sign_in("analyst")
    page.click("#tab-studies")
    page.fill("#study-q", "sensitive skin")
    with page.expect_response("**/v1/search/studies") as search:
        page.press("#study-q", "Enter")
    first = search.value.json()["hits"][0]
    page.wait_for_selector("#study-hits .citation")
    record = click_and_store(page, page.locator("#study-hits .card").first.locator("button.fb-up"), data_dir)
    assert (record["role"], record["kind"]) == ("analyst", "study")
    page_part = f"#{first['page']}" if first["page"] else ""
    assert record["target_id"] == first["doc_id"] + page_part and record["query"] == "sensitive skin"


# -- the ask box ------------------------------------------------------------------------------------

ANSWER: dict[str, Any] = {
    "answer_id": "ans-7f3a", "question": "Which shampoo has no sulfates?", "language": "en",
    "route": {"domains": ["products", "studies"], "reason": "names a product type and asks about consumers",
              "method": "rules", "refused": []},
    "answer": "Color Protect Shampoo is sulfate-free [1]; consumers with sensitive skin avoid sulfates [2].",
    "citations": [
        {"n": 1, "kind": "product", "id": "DEMO-055", "title": "Demo Color Protect Shampoo", "page": None,
         "locator": "Demo Color Protect Shampoo (DEMO-055)", "text": "Free of sulfates: none of its ingredients is one."},
        {"n": 2, "kind": "study", "id": "studies/skin.md#3", "title": "Sensitive skin survey (2021)", "page": 3,
         "locator": "Sensitive skin survey (2021), p. 3", "text": "Respondents with **sensitive** skin avoid sulfates."}],
    "answered": True, "synthesizer": "provider:model", "fallback": "the model did not cite its sources",
    "took_ms": 12.5,
}


def sse(*events: tuple[str, dict[str, Any]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def streamed_answer() -> str:
    text = ANSWER["answer"]
    half = len(text) // 2
    return sse(("route", ANSWER["route"]), ("delta", {"text": text[:half]}), ("delta", {"text": text[half:]}),
               ("done", ANSWER))


def ask(page: Any, question: str) -> Any:
    page.fill("#ask-q", question)
    with page.expect_response("**/v1/ask") as response:
        page.press("#ask-q", "Enter")
    return response.value


def test_streamed_answer_links_its_markers_to_the_sources(make_page: Any, data_dir: Path) -> None:
    p = make_page()
    page = p.sign_in("analyst")
    seen: list[Any] = []

    def fulfil(route: Any) -> None:
        seen.append(route.request)
        route.fulfill(status=200, content_type="text/event-stream", body=streamed_answer())

    page.route("**/v1/ask", fulfil)
    ask(page, "Which shampoo has no sulfates?")
    expect(page.locator("#answer-text")).to_contain_text("sulfate-free [1]")
    request = seen[0]
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.post_data) == {"question": "Which shampoo has no sulfates?"}
    assert page.locator("#answer-text a.cite-ref").all_inner_texts() == ["1", "2"]
    # A plain sentence (issue 15); the router's reason stays as the tooltip.
    assert page.inner_text("#answer-route") == "Answer drawn from: products, studies"
    assert page.get_attribute("#answer-route", "title").startswith("names a product type")
    assert "the model did not cite its sources" in page.inner_text("#answer-fallback")
    items = page.locator("#citations .citation-item")
    expect(items).to_have_count(2)
    assert items.nth(1).locator(".cite-locator").inner_text() == "Sensitive skin survey (2021), p. 3"
    assert items.nth(1).locator(".cite-text mark").inner_text() == "sensitive"
    # [1] opens the product's details (fetched from the real server) and takes the focus there.
    with page.expect_response(re.compile(r".*/v1/products/DEMO-055.*")) as product:
        page.get_by_role("link", name="Source 1").click()
    assert product.value.ok
    assert page.evaluate("document.activeElement.id") == "cite-1"
    items.first.locator("dt", has_text="Declared ingredients").wait_for()
    shot(page, "ask-answer.png")
    record = click_and_store(page, page.locator("#answer-feedback button.fb-up"), data_dir)
    assert (record["kind"], record["target_id"], record["role"]) == ("answer", "ans-7f3a", "analyst")
    assert record["query"] == "Which shampoo has no sulfates?"


def test_an_answer_sent_as_json_and_an_error_event(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps({**ANSWER, "fallback": None})))
    ask(page, "Which shampoo has no sulfates?")
    expect(page.locator("#citations .citation-item")).to_have_count(2)
    assert page.is_hidden("#answer-fallback")
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=sse(
        ("route", ANSWER["route"]), ("error", {"error": "llm_error", "detail": "The model did not answer in time."}))))
    ask(page, "and now?")
    expect(page.locator("#ask-error")).to_contain_text("The model did not answer in time.")
    assert page.locator("#citations .citation-item").count() == 0


def _has_ask_route(page: Any) -> bool:
    spec = page.evaluate("async () => (await fetch('/openapi.json')).json()")
    return "/v1/ask" in spec["paths"]


def test_real_ask_route_answers_with_numbered_sources(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    if not _has_ask_route(page):
        pytest.skip("the server has no /v1/ask route yet")
    response = ask(page, "Which shampoo is free of sulfates?")
    assert response.ok, response.text()
    page.wait_for_selector("#citations .citation-item")
    assert "[1]" in page.inner_text("#answer-text")
    assert page.locator("#answer-text a.cite-ref").count() >= 1
    assert page.locator("#citations .cite-study").count() == 0, "no study ever reaches an advisor"
