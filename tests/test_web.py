"""The web page in a real browser: Playwright drives Debian's chromium against the real server.

The server (`create_app`) runs with uvicorn in a thread on a free loopback port, over the demo
catalog and the demo studies ingested into a temporary data dir with the fake embedder. Needs the
`playwright` Python package and a `chromium` binary on PATH (`apt-get install chromium`); the browser
tests are skipped with a message when either is missing (never `playwright install`: no downloads).
Screenshots go to tests/web_artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from api_support import demo_data
from conftest import REPO, fake_embedder

pytestmark = pytest.mark.browser

STATIC = REPO / "api" / "static"
ARTIFACTS = Path(__file__).resolve().parent / "web_artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
KEYS = {"advisor": "csl_test_advisor_key", "analyst": "csl_test_analyst_key"}
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
# The page's Content-Security-Policy forbids eval, so the tests wait with locators and `expect`, not
# with wait_for_function (which evaluates its text in the page).


# -- no browser needed ----------------------------------------------------------------------------

def test_page_loads_nothing_from_the_network_and_never_uses_innerhtml() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    for text in (html, css, js):
        assert not re.search(r"(src|href)=\"(https?:)?//", text), "no external resource"
        assert "@import" not in text and "@font-face" not in text and "url(http" not in text
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", js)
    for script in ("product-card.js", "ingredient-card.js", "desk.js"):  # issue 15's scripts, held to the same rules
        text = (STATIC / script).read_text(encoding="utf-8")
        assert f'<script src="{script}" defer></script>' in html and not re.search(r"https?://", text)
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", text)
    assert not (STATIC / "axe.min.js").exists(), "axe-core is injected by the tests, never served"


# -- the server and the browser -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_browser() -> None:
    pytest.importorskip("playwright.sync_api", reason="the browser tests need `pip install playwright`")
    if shutil.which("chromium") is None:
        pytest.skip("the browser tests need chromium on PATH (apt-get install -y chromium)")


@contextmanager
def demo_server(data_dir: Path) -> Iterator[str]:
    """The real server over `data_dir`, a copy of the demo products and studies ingested with the fake
    embedder (api_support.demo_data: ingested once a session), on a free loopback port, with an advisor
    (Alice) and an analyst (Bob) key; yields its base URL."""
    import uvicorn
    from conseil.api.auth import ApiKey, Role, hash_key
    from conseil.api.config import ApiSettings
    from conseil.api.server import create_app
    from conseil.search.settings import Settings

    settings = Settings(data_dir=data_dir, embedding_model="hash-test")
    assert (data_dir / "index" / "products").is_dir() and (data_dir / "index" / "studies" / "meta.json").is_file()
    keys = [ApiKey(name="Alice", role=Role.ADVISOR, sha256=hash_key(KEYS["advisor"])),
            ApiKey(name="Bob", role=Role.ANALYST, sha256=hash_key(KEYS["analyst"]))]
    # The demo studies' folder is served to analysts (a cited PDF opens at its page).
    api_settings = ApiSettings(study_dirs=[REPO / "corpora" / "studies"])
    app = create_app(settings, embedder_factory=fake_embedder, keys=keys, api_settings=api_settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="conseil-web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    with demo_server(demo_data(tmp_path_factory, "web")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import expect as playwright_expect
    from playwright.sync_api import sync_playwright

    playwright_expect.set_options(timeout=TIMEOUT_MS)

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Page:
    """A fresh browser context (own sessionStorage) on the page, collecting script errors."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int], init_script: str | None = None) -> None:
        self.context = browser.new_context(viewport=viewport, locale="en-US", base_url=base_url)
        self.context.set_default_timeout(TIMEOUT_MS)
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)

    def _console(self, msg: Any) -> None:
        # A refused request (401, 403, 400) is logged by the browser itself; the page shows it.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(msg.text)

    def sign_in(self, role: str) -> Any:
        page = self.page
        page.goto("/")
        page.fill("#key", KEYS[role])
        page.press("#key", "Enter")
        page.wait_for_selector("#app:not([hidden])")
        return page

    def search(self, query: str) -> Any:
        page = self.page
        page.fill("#q", query)
        with page.expect_response("**/v1/search/products"):
            page.press("#q", "Enter")
        page.wait_for_selector("#interpretation:not([hidden])")
        facets_settled(page)
        return page


def facets_settled(page: Any) -> None:
    """The facets, asked for after the results (their own request), have come (or failed)."""
    page.wait_for_selector("#facets:not([aria-busy])", state="attached")


@pytest.fixture
def make_page(browser: Any, base_url: str) -> Iterator[Any]:
    pages: list[Page] = []

    def make(viewport: dict[str, int] = TABLET, init_script: str | None = None) -> Page:
        p = Page(browser, base_url, viewport, init_script)
        pages.append(p)
        return p

    yield make
    for p in pages:
        errors = list(p.errors)
        p.context.close()
        assert not errors, f"script errors on the page: {errors}"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def chip_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#chips .chip-label").all_inner_texts()]


def card_names(page: Any) -> list[str]:
    return page.locator("#hits .card-title").all_inner_texts()


def total(page: Any) -> int:
    return int(re.search(r"\d+", page.inner_text("#total")).group())  # type: ignore[union-attr]


def shot(page: Any, name: str) -> Path:
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path


# -- advisor --------------------------------------------------------------------------------------

def test_search_shows_chips_verified_badges_and_results(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    assert page.is_hidden("#tabs"), "an advisor sees products only"
    assert "Alice" in page.inner_text("#whoami")
    p.search("shampoo without sulfates")
    assert chip_texts(page) == ["shampoo", "no sulfates"]
    names = card_names(page)
    assert names and all("shampoo" in n.lower() for n in names)
    badges = page.locator("#hits .card").first.locator(".badge").all_inner_texts()
    assert "free of sulfates ✓ verified" in [b.strip() for b in badges]
    assert total(page) == len(names)
    assert page.is_hidden("#took"), "no timings for advisors (issue 15)"
    assert page.locator("#facets .facet-value").count() > 0
    shot(page, "advisor-tablet.png")


def test_results_show_before_their_facets_and_a_newer_search_wins(make_page: Any) -> None:
    """The page asks for the results without facets and for the facets after them: held facets
    delay nothing, arrive later, and an older search's facets never replace a newer one's."""
    p = make_page()
    page = p.sign_in("advisor")
    held: list[Any] = []
    page.route("**/v1/search/products/facets", lambda route: held.append(route))
    page.fill("#q", "shampoo")
    with page.expect_request("**/v1/search/products") as searched:
        page.press("#q", "Enter")
    assert json.loads(searched.value.post_data)["facets"] is False
    expect(page.locator("#hits .card").first).to_be_visible()
    for _ in range(300):  # the facets request, held by the route (asked right after the results)
        if held:
            break
        page.wait_for_timeout(50)
    assert json.loads(held[0].request.post_data)["query"] == "shampoo"
    assert page.locator("#facets button.facet-value").count() == 0, "no facet values before their answer"
    assert page.get_attribute("#facets", "aria-busy") == "true"
    stale = held.pop()
    page.unroute("**/v1/search/products/facets")
    p.search("moisturizer")  # a newer search: its facets come from the server
    expect(page.locator("#facets button.facet-value").first).to_be_visible()
    newer = page.locator("#facets button.facet-value").all_inner_texts()
    from playwright.sync_api import Error as PlaywrightError

    # The older list's facets, answered late: the page has aborted that request and ignores it (the
    # browser may already have dropped the aborted request: Playwright then refuses the answer).
    with contextlib.suppress(PlaywrightError):
        stale.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"facets": {"brand": [{"value": "STALE BRAND", "count": 1}]}, "total": 9}))
    page.wait_for_timeout(300)
    assert "STALE BRAND" not in page.inner_text("#facets")
    assert page.locator("#facets button.facet-value").all_inner_texts() == newer


def test_removing_a_chip_reruns_without_it(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    before, before_total = set(card_names(page)), total(page)
    with page.expect_request("**/v1/search/products") as request:
        page.get_by_role("button", name="Remove “no sulfates”").click()
    body = json.loads(request.value.post_data)
    assert body["parse"] is False and body["query"] == "shampoo"
    assert body["category"] == ["shampoo"] and body["exclude"] == []
    expect(page.locator("#chips .chip")).to_have_count(1)
    assert chip_texts(page) == ["shampoo"]
    assert total(page) > before_total, "without the exclusion, the sulfate shampoos come back"
    assert set(card_names(page)) != before
    assert page.locator(".badge", has_text="free of sulfates").count() == 0


@pytest.mark.parametrize("query,chip,badge,lang", [
    ("shampooing sans sulfates", "sans sulfates", "sans sulfates ✓ vérifié", "fr"),
    ("champú sin sulfatos", "sin sulfatos", "sin sulfatos ✓ verificado", "es"),
    ("Shampoo ohne Sulfate", "ohne Sulfate", "ohne Sulfate ✓ geprüft", "de"),
    ("szampon bez siarczanów", "bez siarczanów", "bez siarczanów ✓ zweryfikowane", "pl"),
    ("σαμπουάν χωρίς θειικά", "χωρίς θειικά", "χωρίς θειικά ✓ επαληθευμένο", "el"),
])
def test_chips_and_badges_speak_the_query_language(make_page: Any, query: str, chip: str, badge: str,
                                                    lang: str) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search(query)
    assert chip in chip_texts(page)
    assert page.get_attribute("html", "lang") == lang
    assert page.locator(".badge", has_text=badge).count() > 0
    if lang == "fr":
        assert page.inner_text("#understood-title").strip().lower() == "compris"
        assert page.get_by_role("button", name="Retirer « sans sulfates »").count() == 1
        # Removing a chip re-runs without parsing: the labels stay in the client's language.
        page.get_by_role("button", name="Retirer « Shampooing »").click()  # the category, in French
        expect(page.locator("#chips .chip")).to_have_count(1)
        assert chip_texts(page) == ["sans sulfates"]
        shot(page, "advisor-french.png")


def test_words_the_search_could_not_use_are_said(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampoo xyzzy without water")
    notes = page.locator("#notes li").all_inner_texts()
    assert "Not understood, left out: “xyzzy”" in notes, notes
    assert "“without water”: not an ingredient, nothing excluded (kept as search text)" in notes, notes


def test_price_chip_keeps_its_currency_when_another_chip_is_removed(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("crème sans parfum moins de 30 €")
    def chips() -> list[str]:
        return [re.sub(r"[\u00a0\u202f]", " ", c) for c in chip_texts(page)]
    assert "jusqu'à 30,00 €" in chips() and "sans parfum" in chips()
    with page.expect_request("**/v1/search/products") as request:
        page.get_by_role("button", name="Retirer « sans parfum »").click()
    assert json.loads(request.value.post_data)["price_max"] == 30
    expect(page.locator("#chips .chip-price_max")).to_have_count(1)
    expect(page.locator("#chips .chip-exclude_family")).to_have_count(0)
    assert "jusqu'à 30,00 €" in chips()


def test_language_picker_turns_the_page_to_another_language(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("moisturizer without parabens for dry skin")
    assert set(chip_texts(page)) >= {"no parabens", "for dry skin"}
    page.select_option("#lang", "cs")
    assert set(chip_texts(page)) >= {"bez parabenů", "pro suchou pleť"}
    assert page.locator(".badge", has_text="bez parabenů ✓ ověřeno").count() > 0
    page.select_option("#lang", "it")
    assert set(chip_texts(page)) >= {"senza parabeni", "per pelle secca"}


def test_facet_and_add_control_add_chips(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampoo")
    facet = page.locator("#facets .facet-value[data-kind='brand']").first
    brand = facet.get_attribute("data-value")
    with page.expect_response("**/v1/search/products"):
        facet.click()
    page.wait_for_selector("#chips .chip-brand")
    assert all(b == brand for b in page.locator("#hits .brand").all_inner_texts())
    # The add control (folded behind "+ Add a constraint"): an exclusion typed as a family name, then a skin type.
    page.click("#add-toggle")
    page.select_option("#add-kind", "exclude")
    page.fill("#add-text", "parabens")
    with page.expect_response("**/v1/search/products"):
        page.press("#add-text", "Enter")
    page.wait_for_selector("#chips .chip-exclude_family")
    assert "no parabens" in chip_texts(page)
    page.select_option("#add-kind", "skin_type")
    page.select_option("#add-choice", "sensitive")
    with page.expect_response("**/v1/search/products") as response:
        page.click("#add-form button[type=submit]")
    assert response.value.ok
    page.wait_for_selector("#chips .chip-skin_type")
    assert "for sensitive skin" in chip_texts(page)


def test_a_refused_constraint_shows_the_servers_sentence(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("serum")
    before = chip_texts(page)  # the product type's chip (its label is the catalog vocabulary's)
    assert len(before) == 1
    page.click("#add-toggle")
    page.select_option("#add-kind", "include")
    page.fill("#add-text", "parabens")
    with page.expect_response("**/v1/search/products") as response:
        page.press("#add-text", "Enter")
    assert response.value.status == 400
    page.wait_for_selector("#products-error:not([hidden])")
    # The client's sentence (the server's `message`), which on an English page is a clear English one.
    assert page.inner_text("#products-error") == (
        'Error: "parabens" is an ingredient family: a required ingredient must be a single ingredient, '
        "for example niacinamide or retinol.")
    assert response.value.json()["message"] in page.inner_text("#products-error")
    assert chip_texts(page) == before, "the chips stay as they were"
    assert page.input_value("#q") == "serum", "and so does the box"


def test_product_card_opens_ingredients_and_details(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    card = page.locator("#hits .card").filter(has_text="Color Protect Shampoo")
    assert card.count() == 1
    # Opening the list fetches the product once (to mark the unidentified items); details reuse it.
    with page.expect_response(re.compile(r".*/v1/products/DEMO-055.*")) as response:
        card.locator("details.ingredients > summary").click()
    assert response.value.ok
    ingredients = card.locator(".ingredient-list li")
    assert ingredients.count() == 17
    allergens = card.locator(".ingredient.allergen").all_text_contents()  # name, then its families for screen readers
    assert [a.split(" (")[0] for a in allergens] == ["Limonene", "Geraniol"]
    assert "fragrance allergens" in allergens[0]
    assert card.locator(".ingredient.excluded").count() == 0, "no ingredient of an excluded family"
    assert "Fragrance allergens: Limonene, Geraniol" in card.inner_text()
    card.locator("details.more-details > summary").click()
    card.locator("details.more-details dt", has_text="Declared ingredients").wait_for()
    assert "Water/Aqua/Eau, Sodium Lauroyl Sarcosinate" in card.locator("details.more-details").inner_text()


def test_claim_audit_warning_is_shown(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("curl defining conditioner")
    card = page.locator("#hits .card").filter(has_text="Curl Defining Conditioner")
    warning = card.locator(".warning")
    assert warning.inner_text() == "⚠ claims to be free of silicones, but lists Dimethicone"


def test_more_loads_the_next_page(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    p.search("cream")
    assert page.locator("#hits > li").count() == 10 and total(page) > 10
    with page.expect_request("**/v1/search/products") as request:
        page.click("#more")
    assert json.loads(request.value.post_data)["offset"] == 10
    expect(page.locator("#hits > li")).to_have_count(20)
    assert len(set(card_names(page))) == len(card_names(page)), "no product twice"


def test_keyboard_only_search(make_page: Any) -> None:
    p = make_page()
    page = p.page
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "key"
    page.keyboard.type(KEYS["advisor"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#app:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "q", "signed in: the search box has the focus"
    page.keyboard.type("shampoo without sulfates")
    with page.expect_response("**/v1/search/products"):
        page.keyboard.press("Enter")
    page.wait_for_selector("#chips .chip")
    for _ in range(12):  # Tab forward to the first chip's remove button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chip-remove')"):
            break
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label == "Remove “shampoo”"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focus is visible"
    with page.expect_response("**/v1/search/products"):
        page.keyboard.press("Enter")
    expect(page.locator("#chips .chip")).to_have_count(1)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Remove “no sulfates”"
    shot(page, "keyboard-focus.png")


def test_phone_layout_has_no_sideways_scroll(make_page: Any) -> None:
    p = make_page(PHONE)
    page = p.sign_in("advisor")
    p.search("moisturizer without fragrance for dry skin")
    page.wait_for_selector("#hits .card")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "advisor-phone.png")


# -- sign-in and roles ----------------------------------------------------------------------------

def test_bad_key_then_sign_out(make_page: Any) -> None:
    p = make_page()
    page = p.page
    page.goto("/")
    page.fill("#key", "not-a-key")
    page.press("#key", "Enter")
    page.wait_for_selector("#signin-error:not([hidden])")
    assert "not valid" in page.inner_text("#signin-error")
    page = p.sign_in("advisor")
    assert page.evaluate("sessionStorage.getItem('conseil.key')") == KEYS["advisor"]
    page.reload()  # the key survives a reload of the tab
    page.wait_for_selector("#app:not([hidden])")
    page.click("#signout")
    assert page.is_visible("#signin") and page.is_hidden("#app")
    assert page.evaluate("sessionStorage.getItem('conseil.key')") is None


def test_advisor_has_no_studies_tab_and_is_refused(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    assert page.is_hidden("#tabs") and page.is_hidden("#studies")
    page.goto("/#studies")
    page.wait_for_selector("#products-error:not([hidden])")
    assert "analysts only" in page.inner_text("#products-error")
    assert page.is_hidden("#studies")
    status = page.evaluate("""async (key) => (await fetch('/v1/search/studies', {method: 'POST',
        headers: {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json'},
        body: JSON.stringify({query: 'sensitive skin'})})).status""", KEYS["advisor"])
    assert status == 403


# -- analyst --------------------------------------------------------------------------------------

def test_analyst_searches_studies_and_sees_citations(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("analyst")
    assert page.is_visible("#tabs")
    page.click("#tab-studies")
    assert page.is_visible("#studies") and page.is_hidden("#products")
    page.fill("#study-q", "sensitive skin")
    with page.expect_response("**/v1/search/studies"):
        page.press("#study-q", "Enter")
    page.wait_for_selector("#study-hits .citation")
    citations = page.locator("#study-hits .citation").all_inner_texts()
    assert any(re.search(r"\(\d{4}\), pp?\. \d", c) for c in citations), citations
    assert page.locator("#study-hits .snippet mark").count() > 0
    first = page.locator("#study-hits .snippet").first
    assert "**" not in first.inner_text() and not first.inner_text().startswith("#"), "no ** nor ## shown"
    marked = {m.lower() for m in first.locator("mark").all_inner_texts()}
    assert marked and marked <= {"sensitive", "skin", "sensitive skin"}, marked
    assert re.search(r"\d+ passages in \d+ documents", page.inner_text("#study-total"))
    shot(page, "analyst-studies.png")
    # Filters: French documents only, one passage per document.
    page.select_option("#study-language", "fr")  # offered from the index, with counts
    page.check("#study-group")
    with page.expect_request("**/v1/search/studies") as request:
        page.press("#study-q", "Enter")
    body = json.loads(request.value.post_data)
    assert body["language"] == ["fr"] and body["group_by_document"] is True
    expect(page.locator("#study-hits .card")).to_have_count(1)
    assert "Français" in page.inner_text("#study-hits .meta"), "the language by name, not code"
    page.fill("#study-year-from", "2030")
    with page.expect_response("**/v1/search/studies"):
        page.press("#study-q", "Enter")
    page.wait_for_selector("#study-none:not([hidden])")


# -- safety: data is text, never markup -----------------------------------------------------------

EVIL = '<img src=x onerror="window.__pwned=1">'


def _evil_products(request_json: dict[str, Any]) -> dict[str, Any]:
    chip = {"kind": "exclude_ingredient", "value": EVIL, "label": EVIL, "source_text": EVIL, "known": False}
    return {
        "query": EVIL,
        "interpretation": {"language": "en", "semantic_text": EVIL, "summary": EVIL, "chips": [chip],
                           "constraints": {"currency": EVIL}, "warnings": [EVIL]},
        "hits": [{"id": EVIL, "source": "demo", "name": EVIL, "brand": EVIL, "category": [EVIL], "price": 12,
                  "currency": EVIL, "skin_types": [EVIL], "concerns": [EVIL], "claims": [EVIL], "score": 1,
                  "why": [{"constraint": "exclude_family:" + EVIL, "text": EVIL}],
                  "warnings": [{"claim": "without:" + EVIL, "text": EVIL, "offending": [EVIL]}],
                  "ingredients": [EVIL], "matched_families": {"fragrance_allergens": [EVIL]}}],
        "facets": {"brand": [{"value": EVIL, "count": 1}]}, "total": 1, "limit": 10, "offset": 0,
        "took_ms": 1, "dropped_violations": 0}


def test_data_is_never_injected_as_html(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("analyst")
    page.route("**/v1/search/products", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(_evil_products({}))))
    page.route("**/v1/search/products/facets", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"facets": {"brand": [{"value": EVIL, "count": 1}]}, "total": 2})))
    page.route("**/v1/search/studies", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({
            "query": "x", "mode": "hybrid", "grouped": False, "limit": 10, "offset": 0, "took_ms": 1, "total": 1,
            "total_documents": 1, "filters": {},
            "hits": [{"doc_id": "d", "path": "p", "title": EVIL, "year": 2020, "market": EVIL, "language": "en",
                      "study_type": EVIL, "kind": "pdf", "page": 1, "page_end": 1, "section": EVIL,
                      "chunk_index": 0, "score": 0.5, "citation": EVIL, "passage": "**" + EVIL + "** tail",
                      "snippet": "a **<b>bold</b>** " + EVIL, "matched_terms": [EVIL], "also_on_pages": [2]}]})))
    p.search("anything")
    page.wait_for_selector("#hits .card")
    page.locator("#hits details.ingredients > summary").click()
    assert page.locator("#hits .card-title").inner_text() == EVIL
    assert EVIL in page.inner_text("#chips") and EVIL in page.inner_text("#notes")
    page.click("#tab-studies")
    page.fill("#study-q", "x")
    page.press("#study-q", "Enter")
    page.wait_for_selector("#study-hits .citation")
    assert page.locator("#study-hits .snippet mark").inner_text() == "<b>bold</b>"
    assert page.locator("#study-hits .passage-text mark").all_text_contents() == [EVIL], "a leading mark stays a mark"
    assert page.locator("#study-hits .citation").inner_text() == EVIL
    assert page.locator("#facets .facet-value .verbatim").inner_text() == EVIL
    assert page.locator("main img, main b, main script").count() == 0
    assert page.evaluate("window.__pwned") is None


# -- dictation ------------------------------------------------------------------------------------

NO_SPEECH = "delete window.SpeechRecognition; delete window.webkitSpeechRecognition;"
FAKE_SPEECH = """
window.__recognizers = [];
class FakeRecognition {
  constructor() { window.__recognizers.push(this); }
  start() {
    setTimeout(() => {
      const result = Object.assign([{ transcript: 'shampoo without sulfates' }], { isFinal: true });
      this.onresult && this.onresult({ resultIndex: 0, results: [result] });
      this.onend && this.onend();
    }, 50);
  }
  stop() { this.onend && this.onend(); }
}
window.SpeechRecognition = FakeRecognition;
"""


def test_dictation_button_only_where_the_browser_offers_it(make_page: Any) -> None:
    page = make_page(init_script=NO_SPEECH).sign_in("advisor")
    assert page.is_hidden("#mic") and page.is_hidden("#dictation")


def test_dictation_fills_the_box_and_searches(make_page: Any) -> None:
    p = make_page(init_script=FAKE_SPEECH)
    page = p.sign_in("advisor")
    assert page.is_visible("#mic")
    assert page.input_value("#dictation-lang") == "en", "defaults to the page language"
    page.select_option("#dictation-lang", "fr")
    with page.expect_response("**/v1/search/products"):
        page.click("#mic")
    assert page.evaluate("window.__recognizers[0].lang") == "fr-FR"
    assert page.input_value("#q") == "shampoo without sulfates"
    page.wait_for_selector("#chips .chip")
    assert "no sulfates" in chip_texts(page)


def test_every_language_has_every_interface_string(make_page: Any) -> None:
    page = make_page().page
    page.goto("/")
    missing = page.evaluate("""() => {
        const { UI, KB, LANGUAGES } = window.ConseilI18n;
        const out = [];
        for (const lang of LANGUAGES) {
          for (const key of Object.keys(UI.en)) if (!(key in UI[lang])) out.push(lang + ':' + key);
          for (const [id, names] of Object.entries(KB.families)) if (!names[lang]) out.push(lang + ':' + id);
        }
        return out;
    }""")
    assert missing == []
