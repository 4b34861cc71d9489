"""Issue 15 in a real browser: the advisor's page on a tablet (768x1024 portrait, 1024x768 landscape).

Reuses tests/test_web.py's server (demo catalog + demo studies, fake embedder), browser and page
helpers. The race runs under a throttled network (Chrome DevTools Protocol); the keyboard test counts
Tab presses; axe-core (tests/vendor/axe-core, MPL-2.0, injected by the test, never served) must find 0
violations. Screenshots go to tests/web_artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import test_web
from test_web import card_names, chip_texts, expect, shot, total

pytestmark = pytest.mark.browser

browser = test_web.browser
make_page = test_web.make_page
base_url = test_web.base_url

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
MAX_TABS_TO_FIRST_PRODUCT = 10


def throttle(page: Any, latency_ms: int) -> Any:
    """Every request answered `latency_ms` later (CDP network emulation), as on a store's slow Wi-Fi."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": -1, "uploadThroughput": -1})
    return cdp


def first_card_top(page: Any) -> float:
    return float(page.locator("#hits .card").first.bounding_box()["y"])


def tabs_to_first_product(page: Any, limit: int = 40) -> int:
    """Tab presses from the search box until the focus is inside the first product card."""
    page.focus("#q")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#hits > li:first-child')"):
            return presses
    return limit + 1


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is (WCAG 2.x A and AA rules and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return list(result)


# -- 1. one query, one result set -------------------------------------------------------------------

def test_a_new_search_cancels_the_one_in_flight_under_a_slow_network(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("cream")  # results on screen before the race
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.failure or "") if "/v1/search/products" in r.url else None)
    throttle(page, 3000)
    page.fill("#q", "crème sans parfum pour peau sensible")
    page.press("#q", "Enter")
    expect(page.locator("#layout")).to_have_class(re.compile(r"\bloading\b"))
    assert page.evaluate("document.getElementById('layout').inert"), "old results cannot be acted on while loading"
    shot(page, "race-loading.png")
    page.fill("#q", "šampon bez sulfátů")
    with page.expect_response("**/v1/search/products") as response:
        page.press("#q", "Enter")
    assert json.loads(response.value.request.post_data)["query"] == "šampon bez sulfátů"
    expect(page.locator("#layout")).not_to_have_class(re.compile(r"\bloading\b"))
    assert failed and all("ABORTED" in f.upper() for f in failed), failed
    page.wait_for_timeout(3500)  # long enough for the first answer to have arrived, had it not been cancelled
    assert page.input_value("#q") == "šampon bez sulfátů"
    chips = chip_texts(page)
    assert "bez sulfátů" in chips and not any("parfum" in c or "peau" in c for c in chips), chips
    assert page.get_attribute("html", "lang") == "cs"
    names = card_names(page)
    assert names and not any("cream" in n.lower() or "crème" in n.lower() for n in names)
    shot(page, "race-done.png")


def test_an_error_replaces_its_results_in_the_page_language(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("crème sans parfum")
    assert page.locator("#hits .card").count() > 0
    page.route("**/v1/search/products", lambda route: route.fulfill(
        status=503, content_type="application/json", body=json.dumps({"error": "unavailable", "detail": "index busy"})))
    page.fill("#q", "crème hydratante")
    page.press("#q", "Enter")
    page.wait_for_selector("#products-error:not([hidden])")
    assert page.inner_text("#products-error") == "Erreur : La recherche a échoué sur le serveur (503). Réessayez dans un instant."
    assert page.locator("#hits .card").count() == 0 and page.is_hidden("#interpretation"), "no results of another query"


def test_removing_a_chip_keeps_the_order_and_the_box_follows(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("moisturizer without parabens for dry skin under 60 dollars")
    before = chip_texts(page)
    assert len(before) >= 3, before
    removed = before[1]
    with page.expect_response("**/v1/search/products"):
        page.get_by_role("button", name=f"Remove “{removed}”").click()
    expect(page.locator("#chips .chip")).to_have_count(len(before) - 1)
    assert chip_texts(page) == [c for c in before if c != removed], "the other chips keep their places"
    assert "parabens" not in page.input_value("#q"), page.input_value("#q")


# -- 2. results first on a tablet --------------------------------------------------------------------

@pytest.mark.parametrize("viewport,name", [(PORTRAIT, "portrait"), (LANDSCAPE, "landscape")])
def test_results_come_first_on_a_tablet(make_page: Any, viewport: dict[str, int], name: str) -> None:
    p = make_page(viewport)
    page = p.sign_in("advisor")
    p.search("moisturizer for dry skin")
    page.wait_for_selector("#hits .card")
    top = first_card_top(page)
    assert top < viewport["height"] - 150, f"the first product starts at {top:.0f} px ({name})"
    if name == "portrait":
        toggle = page.locator("#refine-toggle")
        expect(toggle).to_be_visible()
        assert re.fullmatch(r"Refine \(\d+\)", toggle.inner_text().strip())
        assert page.is_hidden("#facets-block"), "the facets are folded"
        toggle.click()
        expect(page.locator("#facets-block")).to_be_visible()
        assert page.locator("#refine-slot #facets-block").count() == 1, "the panel opens above the cards"
        shot(page, "tablet-portrait-refine.png")
        page.keyboard.press("Escape")
        expect(page.locator("#facets-block")).to_be_hidden()
    else:
        assert page.is_hidden("#refine-toggle") and page.is_visible("#facets-block")
        assert page.locator("#facets-block").bounding_box()["x"] > page.locator("#hits").bounding_box()["x"]
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('#hits > li:first-child *')]
        .filter(n => n.childNodes.length && [...n.childNodes].some(c => c.nodeType === 3 && c.textContent.trim()))
        .map(n => parseFloat(getComputedStyle(n).fontSize)))""")
    assert smallest >= 16, f"card text at {smallest} px"
    assert page.is_hidden("#took"), "no timings for advisors"
    shot(page, f"tablet-{name}.png")


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE])
def test_keyboard_reaches_the_first_product_in_few_tab_presses(make_page: Any, viewport: dict[str, int]) -> None:
    p = make_page(viewport)
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    page.wait_for_selector("#hits .card")
    presses = tabs_to_first_product(page)
    assert presses <= MAX_TABS_TO_FIRST_PRODUCT, f"{presses} Tab presses from the search box to the first product"
    # The skip link: two Tabs and Enter put the focus on the first product.
    page.focus("#q")
    for _ in range(4):  # the search button (and the dictation controls where the browser has them)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "skip-results":
            break
    assert page.evaluate("document.activeElement.id") == "skip-results"
    page.keyboard.press("Enter")
    assert page.evaluate("!!document.activeElement.closest('#hits > li:first-child')")


# -- 3. refine means narrow --------------------------------------------------------------------------

def test_every_offered_refinement_narrows_the_list(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("moisturizer for dry skin")
    start = total(page)
    values = page.locator("#facets button.facet-value")
    assert values.count() > 0
    counts = [int(c) for c in page.locator("#facets button.facet-value .count").all_inner_texts()]
    assert all(0 < c < start for c in counts), (start, counts)
    skin = page.locator("#facets button.facet-value[data-kind='skin_type']")
    target = skin.first if skin.count() else values.first
    kind = target.get_attribute("data-kind")
    expected = int(target.locator(".count").inner_text())
    chosen = page.locator("#facets .facet-value.chosen").count()
    with page.expect_response("**/v1/search/products"):
        target.click()
    expect(page.locator("#facets .facet-value.chosen")).to_have_count(chosen + 1)
    assert total(page) == expected < start
    assert page.locator(f"#facets button.facet-value[data-kind='{kind}']").count() == 0, \
        "a second value of the same group would widen the list: not offered"
    heading = page.locator(f"#facet-{'skin_type' if kind == 'skin_type' else kind}").inner_text()
    assert "(chosen)" in heading


# -- 4. retailer standards are not families ----------------------------------------------------------

def test_clean_at_sephora_is_a_standard_not_a_family(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("face serum")
    cards = page.locator("#hits .card").filter(has=page.locator("details.ingredients"))
    found = False
    for i in range(cards.count()):
        card = cards.nth(i)
        card.locator("details.ingredients > summary").click()
        if card.locator(".standards").count():
            found = True
            text = card.locator(".standards").inner_text()
            assert re.search(r"Not allowed under Clean at Sephora: \S", text), text
            families = card.locator(".families").inner_text() if card.locator(".families").count() else ""
            assert "Clean at Sephora" not in families
            break
    assert found, "a demo serum lists an ingredient Clean at Sephora does not allow"
    assert "claims to be free of Clean at Sephora" not in page.inner_text("#hits")


def test_a_clean_at_sephora_chip_reads_as_a_standard(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("clean at sephora moisturizer")
    assert "meets Clean at Sephora" in chip_texts(page)
    if page.locator("#hits .badge").count():
        assert page.locator(".badge", has_text="meets Clean at Sephora").count() > 0
    assert "no Clean at Sephora" not in page.inner_text("#products")


# -- 5. ingredient cards -----------------------------------------------------------------------------

def test_tapping_an_ingredient_opens_its_card(make_page: Any) -> None:
    p = make_page(PORTRAIT)
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    card = page.locator("#hits .card").filter(has_text="Color Protect Shampoo")
    with page.expect_response(re.compile(r".*/v1/products/DEMO-055.*")):
        card.locator("details.ingredients > summary").click()
    legend = card.locator(".legend").inner_text()
    assert "fragrance allergen" in legend and "Tap an ingredient" in legend
    with page.expect_response(re.compile(r".*/v1/ingredients/Limonene")):
        card.get_by_role("button", name="Limonene", exact=True).click()
    dialog = page.locator("#ingredient-card")
    expect(dialog).to_be_visible()
    expect(page.locator("#ingredient-card-body .ingredient-section").first).to_be_visible()
    body = dialog.inner_text()
    assert "fragrance allergens" in body and "EU restrictions" in body and "null" not in body
    shot(page, "ingredient-card.png")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Limonene", "the focus returns to the ingredient"


def test_declared_ingredients_read_as_text_not_list_syntax(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    page.route(re.compile(r".*/v1/products/DEMO-055.*"), lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({
            "ingredients_raw": "['Water (Aqua), Glycerin', 'Parfum (Fragrance)']", "families": ["clean_at_sephora"],
            "unknown_ingredients": ["a", "b", "c"], "highlights": []})))
    p.search("shampoo without sulfates")
    card = page.locator("#hits .card").filter(has_text="Color Protect Shampoo")
    card.locator("details.more-details > summary").click()
    card.locator("details.more-details dt", has_text="Declared ingredients").wait_for()
    text = card.locator("details.more-details").inner_text()
    assert "Water (Aqua), Glycerin Parfum (Fragrance)" in text and "['" not in text
    assert "3 items not identified" in text and "Clean at Sephora" not in text


# -- 6 and 8. sort, price range, currency ------------------------------------------------------------

def prices(page: Any) -> list[float]:
    return [float(re.sub(r"[^\d.]", "", t.replace(",", "."))) for t in page.locator("#hits .price").all_inner_texts()]


def test_sort_by_price_and_a_price_range_in_the_catalogs_currency(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("advisor")
    p.search("face cream")
    with page.expect_request("**/v1/search/products") as request:
        page.select_option("#sort", "price_asc")
    assert json.loads(request.value.post_data)["sort"] == "price_asc"
    page.wait_for_selector("#layout:not(.loading)")
    shown = prices(page)
    assert shown == sorted(shown) and len(shown) > 1
    legend = page.inner_text("#price-legend")
    assert re.fullmatch(r"Price \((USD|EUR)\)", legend), legend
    page.fill("#price-max", "30")
    with page.expect_request("**/v1/search/products") as request:
        page.click("#price-form button[type=submit]")
    assert json.loads(request.value.post_data)["price_max"] == 30
    expect(page.locator("#chips .chip-price_max")).to_have_count(1)
    assert all(x <= 30 for x in prices(page))
    currencies = {c for c in page.evaluate("window.ConseilPage.state.hits.map(h => h.currency)") if c}
    note = page.locator("#currency-note")
    if len(currencies) > 1:
        expect(note).to_be_visible()
        assert all(c in note.inner_text() for c in currencies) and "not converted" in note.inner_text()
    else:
        assert note.is_hidden()


# -- axe-core ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE])
def test_axe_finds_no_violation_on_the_advisor_view(make_page: Any, viewport: dict[str, int]) -> None:
    p = make_page(viewport)
    page = p.sign_in("advisor")
    p.search("shampoo without sulfates")
    card = page.locator("#hits .card").first
    card.locator("details.ingredients > summary").click()
    card.locator(".legend").wait_for()
    assert axe_violations(page) == []
    card.locator(".ingredient-name").first.click()
    page.locator("#ingredient-card-body .ingredient-section, #ingredient-card-body p").first.wait_for()
    assert axe_violations(page) == [], "with the ingredient card open"


def test_axe_finds_no_violation_on_the_analyst_view(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("analyst")
    page.click("#tab-studies")
    page.fill("#study-q", "sensitive skin")
    with page.expect_response("**/v1/search/studies"):
        page.press("#study-q", "Enter")
    page.wait_for_selector("#study-hits .citation")
    assert axe_violations(page) == []
    shot(page, "analyst-desk.png")


# -- 7. the analyst desk -----------------------------------------------------------------------------

def test_the_desk_offers_filter_values_with_counts_and_counts_what_the_query_found(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("analyst")
    page.click("#tab-studies")
    expect(page.locator("#study-language option")).not_to_have_count(1)
    languages = page.locator("#study-language option").all_inner_texts()
    assert "Any" in languages and any(re.fullmatch(r"Français \(\d+\)", o) for o in languages), languages
    markets = page.locator("#study-market option").all_inner_texts()
    assert all(not re.fullmatch(r"[A-Z]{2} \(\d+\)", m) for m in markets), "markets by name, not code"
    totals = []
    for query in ("sensitive skin", "questionnaire methodology"):
        page.fill("#study-q", query)
        with page.expect_response("**/v1/search/studies") as response:
            page.press("#study-q", "Enter")
        body = response.value.json()
        assert body["matching"] is not None and body["matching"] <= body["total"]
        page.wait_for_selector("#study-hits .citation")
        totals.append(page.inner_text("#study-total"))
        assert re.search(r"\d+ passages? in \d+ documents? contains? the query's words", totals[-1]), totals[-1]
    assert totals[0] != totals[1], "the counts follow the query"


def test_an_analyst_opens_a_cited_pdf_at_its_page_and_an_advisor_is_refused(make_page: Any) -> None:
    p = make_page(LANDSCAPE)
    page = p.sign_in("analyst")
    page.click("#tab-studies")
    page.fill("#study-q", "sensitive skin")
    with page.expect_response("**/v1/search/studies") as response:
        page.press("#study-q", "Enter")
    hit = next(h for h in response.value.json()["hits"] if h["kind"] == "pdf")
    card = page.locator("#study-hits .card").filter(has_text=hit["citation"]).first
    button = card.get_by_role("button", name=f"Open the PDF at page {hit['page']}")
    with page.expect_popup() as popup, page.expect_response(f"**/v1/studies/{hit['doc_id']}/file") as file:
        button.click()
    assert file.value.status == 200 and file.value.headers["content-type"] == "application/pdf"
    fetched = page.request.get(f"/v1/studies/{hit['doc_id']}/file",
                               headers={"Authorization": f"Bearer {test_web.KEYS['analyst']}"})
    assert fetched.body()[:5] == b"%PDF-"
    popup.value.wait_for_url(re.compile(r"^blob:.*#page=\d+$"))
    assert popup.value.url.endswith(f"#page={hit['page']}")
    advisor = make_page(LANDSCAPE)
    apage = advisor.sign_in("advisor")
    status = apage.evaluate("""async ([key, id]) => (await fetch('/v1/studies/' + id + '/file',
        {headers: {'Authorization': 'Bearer ' + key}})).status""", [test_web.KEYS["advisor"], hit["doc_id"]])
    assert status == 403
    assert apage.locator(".open-file").count() == 0


def test_cited_and_uncited_sources_apart_and_an_unanswered_question_flagged(make_page: Any) -> None:
    from test_web_feedback import ANSWER

    p = make_page(LANDSCAPE)
    page = p.sign_in("analyst")
    study = {"n": 3, "kind": "study", "id": "abc123#4", "title": "Retrieved, not cited (2020)", "page": 4,
             "locator": "Retrieved, not cited (2020), p. 4", "text": "unrelated", "cited": False}
    answer = {**ANSWER, "fallback": None, "citations": ANSWER["citations"] + [study]}
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(answer)))
    page.fill("#ask-q", "Which shampoo has no sulfates?")
    page.press("#ask-q", "Enter")
    expect(page.locator("#citations .citation-item")).to_have_count(2)
    expect(page.locator("#uncited .citation-item")).to_have_count(1)
    assert page.is_visible("#uncited-title") and "not cited" in page.inner_text("#uncited-title").lower()
    assert page.is_hidden("#answer-note")
    unanswered = {**answer, "answered": False, "answer": "",
                  "route": {**ANSWER["route"], "domains": ["studies"]},
                  "citations": [{**study, "n": 1}]}
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(unanswered)))
    page.fill("#ask-q", "What do Korean consumers pay for sunscreen in 1990?")
    page.press("#ask-q", "Enter")
    expect(page.locator("#answer-note")).to_have_text("The studies do not answer this question.")
    expect(page.locator("#citations .citation-item")).to_have_count(0)
    assert page.locator("#answer.unanswered").count() == 1
    assert axe_violations(page) == []
    shot(page, "analyst-unanswered.png")
