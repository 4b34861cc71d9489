"""Issue 14 in a real browser: one recommendation, two readers, each in their own language.

The client's query decides the language the results are shown in; the advisor's language is a setting
the page remembers; a switch shows the same recommendation in either. On a Greek and on a Polish result
page, in both views, no English word may be read, product and brand names and ingredient lists
excepted (the page marks what it shows as the retailer wrote it with class "verbatim"). Errors the
browser words in English (dictation, network) must be said in the page's language.

English is recognised by vocabulary: the words of the page's English strings, of the server's
English messages and labels (categories, claims, ingredient functions), of the knowledge base's
English names and of the demo catalog's categories, less the words the language under test uses
itself ("serum", "INCI"). Reuses tests/test_web.py's server
(demo catalog, fake embedder), browser and page helpers.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import test_web
from conftest import REPO
from conseil.search.query.messages import message
from test_web import chip_texts, expect, shot
from test_web_tablet import axe_violations

pytestmark = pytest.mark.browser

browser = test_web.browser
make_page = test_web.make_page
base_url = test_web.base_url

LANGUAGE = REPO / "corpora" / "language"
WORD = re.compile(r"[^\W\d_]{3,}")
# The regions that hold the recommendation, and what in them is written as the retailer wrote it.
REGIONS = ["view-langs", "interpretation", "results", "facets-block", "products-error"]

QUERIES = {
    "el": "κρέμα χωρίς παραβένια για ξηρή επιδερμίδα xyzzy",
    "pl": "krem bez parabenów do skóry suchej xyzzy",
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _words(texts: list[str]) -> set[str]:
    return {w.lower() for text in texts for w in WORD.findall(re.sub(r"\{\w+\}", " ", text))}


def _kb_names(page: Any, lang: str) -> list[str]:
    return [str(s) for s in page.evaluate("""(lang) => {
        const KB = window.ConseilI18n.KB, out = [];
        for (const table of Object.values(KB)) for (const names of Object.values(table)) out.push(names[lang]);
        return out.flat().filter(Boolean);
    }""", lang)]


def english_words(page: Any, lang: str) -> set[str]:
    """Words that are English and not also words of `lang` (as the page and the server write it)."""
    ui = json.loads((LANGUAGE / "page.json").read_text(encoding="utf-8"))["ui"]
    messages = json.loads((LANGUAGE / "messages.json").read_text(encoding="utf-8"))["messages"]
    labels = [entry for name in ("categories", "claims", "functions")
              for entry in json.loads((LANGUAGE / f"{name}.json").read_text(encoding="utf-8"))[name]]
    categories = [c for line in (REPO / "corpora" / "demo" / "products.jsonl").read_text(encoding="utf-8").splitlines()
                  if line.strip() for c in _strings(json.loads(line).get("category", []))]
    english = _words(_strings(ui["en"]) + _strings(messages["en"]) + _kb_names(page, "en") + categories
                     + [e["en"] for e in labels])
    own = _words(_strings(ui[lang]) + _strings(messages.get(lang, {})) + _kb_names(page, lang)
                 + [e[lang] for e in labels])
    assert len(english - own) > 300, "the English vocabulary is too small to catch anything"
    return english - own


def shown_texts(page: Any) -> list[dict[str, str]]:
    """Every text the result regions show or say (text, tooltip, accessible name), with its lang,
    verbatim retailer text left out (also where an attribute quotes it: "Helpful — <product name>")."""
    return [dict(x) for x in page.evaluate("""(ids) => {
        const skip = ".verbatim";
        const out = [];
        const kept = [...document.querySelectorAll(ids.map((id) => "#" + id).join(", "))]
          .flatMap((root) => [...root.querySelectorAll(skip)]).map((node) => node.textContent.trim()).filter(Boolean)
          .sort((a, b) => b.length - a.length);
        const unquoted = (text) => kept.reduce((rest, name) => rest.split(name).join(" "), text);
        const langOf = (node) => (node.closest("[lang]") || document.documentElement).lang;
        for (const id of ids) {
          const root = document.getElementById(id);
          if (!root || root.hidden) continue;
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!node.textContent.trim() || parent.closest(skip) || !parent.checkVisibility()) continue;
            out.push({ text: node.textContent, lang: langOf(parent), where: parent.className || parent.tagName });
          }
          for (const node of root.querySelectorAll("[title], [aria-label]")) {
            if (node.closest(skip) || !node.checkVisibility()) continue;
            for (const name of ["title", "aria-label"]) {
              const value = node.getAttribute(name);
              if (value) out.push({ text: unquoted(value), lang: langOf(node), where: name + " of " + (node.className || node.tagName) });
            }
          }
        }
        return out;
    }""", REGIONS)]


def open_every_card(page: Any) -> None:
    for details in page.locator("#hits details").all():
        details.evaluate("d => { d.open = true; }")
    expect(page.locator("#hits .more-details .extra dl").first).to_be_visible()
    expect(page.locator("#hits .more-details .extra", has_text="…")).to_have_count(0)


def english_leaks(page: Any, lang: str) -> list[str]:
    english = english_words(page, lang)
    leaks = []
    for item in shown_texts(page):
        found = sorted({w for w in WORD.findall(item["text"]) if w.lower() in english})
        if found:
            leaks.append(f"{found} in {item['where']}: {item['text'].strip()[:120]!r}")
    return leaks


def in_another_language(page: Any, lang: str) -> list[str]:
    """Texts whose nearest lang attribute is not `lang` (the language names of the switch aside)."""
    return [f"{item['where']} ({item['lang']}): {item['text'].strip()[:60]!r}" for item in shown_texts(page)
            if item["lang"] != lang and "view-lang-name" not in item["where"]]


def card_ids(page: Any) -> list[str]:
    return [str(x) for x in page.locator("#hits .card").evaluate_all("cards => cards.map((c) => c.dataset.id)")]


def choose_advisor_language(page: Any, lang: str) -> None:
    page.select_option("#lang", lang)
    assert page.get_attribute("html", "lang") == lang


def search(page: Any, query: str, language: str | None = None) -> Any:
    page.fill("#q", query)
    with page.expect_response("**/v1/search/products") as response:
        page.press("#q", "Enter")
    body = json.loads(response.value.request.post_data)
    assert body.get("language") == language, body
    page.wait_for_selector("#interpretation:not([hidden])")
    expect(page.locator("#layout")).not_to_have_class(re.compile(r"\bloading\b"))
    return response.value


def switch_view(page: Any, view: str, lang: str) -> None:
    with page.expect_response("**/v1/search/products") as response:
        page.click(f"#view-{view}")
    assert json.loads(response.value.request.post_data)["language"] == lang
    expect(page.locator(f"#view-{view}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#layout")).not_to_have_class(re.compile(r"\bloading\b"))
    expect(page.locator("#results")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("client,advisor", [("el", "pl"), ("pl", "el")])
def test_the_client_and_the_advisor_each_read_the_recommendation_in_their_language(
        make_page: Any, client: str, advisor: str) -> None:
    p = make_page(test_web.TABLET)
    page = p.sign_in("advisor")
    choose_advisor_language(page, advisor)
    page.reload()  # the advisor's language is remembered on the device
    page.wait_for_selector("#app:not([hidden])")
    assert page.input_value("#lang") == advisor and page.get_attribute("html", "lang") == advisor

    search(page, QUERIES[client])
    # The client's view first: the whole page in her language, each region saying so.
    assert page.get_attribute("html", "lang") == client
    for region in ("interpretation", "results"):
        assert page.get_attribute("#" + region, "lang") == client
    expect(page.locator("#view-langs")).to_be_visible()
    assert page.get_attribute("#view-client", "aria-pressed") == "true"
    assert page.get_attribute("#view-client .view-lang-name", "lang") == client
    assert page.get_attribute("#view-advisor .view-lang-name", "lang") == advisor
    assert page.locator("#summary").inner_text().strip(), "the summary of what was understood is shown"
    assert page.locator("#notes li.ignored").count() == 1, "the word not understood is said"
    client_ids = card_ids(page)
    client_chips = chip_texts(page)
    assert client_ids and page.locator(".badge").count() > 0
    open_every_card(page)
    client_reasons = page.locator("#hits .why-list li").all_inner_texts()
    assert len(client_reasons) >= len(client_ids), "every card says why it matches"
    leaks = english_leaks(page, client)
    assert not leaks, "\n".join(leaks)
    assert in_another_language(page, client) == []
    shot(page, f"client-{client}.png")

    # The advisor's view: the same products, in the same order, every text in the advisor's language.
    switch_view(page, "advisor", advisor)
    assert page.get_attribute("html", "lang") == advisor
    assert card_ids(page) == client_ids
    assert chip_texts(page) != client_chips and len(chip_texts(page)) == len(client_chips)
    open_every_card(page)
    reasons = page.locator("#hits .why-list li").all_inner_texts()
    assert len(reasons) == len(client_reasons) and not set(reasons) & set(client_reasons), reasons
    leaks = english_leaks(page, advisor)
    assert not leaks, "\n".join(leaks)
    assert in_another_language(page, advisor) == []
    assert axe_violations(page) == [], "the switch and the regions' languages are accessible"
    shot(page, f"advisor-{advisor}.png")

    # And back to the client, without a new question.
    switch_view(page, "client", client)
    assert page.get_attribute("html", "lang") == client and card_ids(page) == client_ids
    assert chip_texts(page) == client_chips


def test_the_vocabulary_check_finds_english(make_page: Any) -> None:
    """The check above can fail: an English query's page is full of English words."""
    page = make_page().sign_in("advisor")
    choose_advisor_language(page, "en")
    search(page, "cream without parabens for dry skin")
    leaks = english_leaks(page, "el")
    assert any("free" in leak or "parabens" in leak for leak in leaks), leaks


def test_a_new_question_is_shown_in_its_own_language_again(make_page: Any) -> None:
    page = make_page().sign_in("advisor")
    choose_advisor_language(page, "fr")
    search(page, QUERIES["pl"])
    switch_view(page, "advisor", "fr")
    assert "sans parabènes" in chip_texts(page)
    # Refining in the advisor's view keeps the advisor's language...
    with page.expect_request("**/v1/search/products") as request:
        page.get_by_role("button", name="Retirer « sans parabènes »").click()
    assert json.loads(request.value.post_data)["language"] == "fr"
    expect(page.locator("#chips .chip-exclude_family")).to_have_count(0)
    # ...a new question goes back to the client's, detected by the server.
    search(page, "σαμπουάν χωρίς θειικά", language=None)
    assert page.get_attribute("html", "lang") == "el"
    assert page.get_attribute("#view-client", "aria-pressed") == "true"
    assert "χωρίς θειικά" in chip_texts(page)


def test_one_language_needs_no_switch(make_page: Any) -> None:
    page = make_page().sign_in("advisor")
    choose_advisor_language(page, "pl")
    search(page, QUERIES["pl"])
    expect(page.locator("#view-langs")).to_be_hidden()


def test_an_ingredient_card_is_asked_for_in_the_language_shown(make_page: Any) -> None:
    page = make_page().sign_in("advisor")
    search(page, QUERIES["el"])
    page.locator("#hits .card").first.locator("details.ingredients summary").click()
    with page.expect_request("**/v1/ingredients/**") as request:
        page.locator("#hits .card").first.locator("button.ingredient-name").first.click()
    assert request.value.url.endswith("?language=el"), request.value.url
    expect(page.locator("#ingredient-card-body h3").first).to_be_visible()
    assert "Σφάλμα" not in page.inner_text("#ingredient-card-body"), "a language the route lacks still gets a card"
    page.click("#ingredient-card-close")


ANSWERS = {"el": "Η κρέμα Α δεν περιέχει παραβένια [1].", "pl": "Krem A nie zawiera parabenów [1]."}


def answer_in(language: str, question: str) -> dict[str, Any]:
    return {"answer_id": "ans-" + language, "question": question, "language": language, "answered": True,
            "route": {"domains": ["products"], "reason": "product words", "method": "rules"},
            "answer": ANSWERS[language], "citations": []}


def test_the_answer_follows_the_reader(make_page: Any) -> None:
    page = make_page().sign_in("advisor")
    choose_advisor_language(page, "pl")
    asked: list[dict[str, Any]] = []

    def fulfil(route: Any) -> None:
        body = json.loads(route.request.post_data)
        asked.append(body)
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps(answer_in(body.get("language", "el"), body["question"])))

    page.route("**/v1/ask", fulfil)
    search(page, QUERIES["el"])
    question = "ποιες κρέμες δεν έχουν παραβένια;"
    page.fill("#ask-q", question)
    page.press("#ask-q", "Enter")
    expect(page.locator("#answer-text")).to_have_text(ANSWERS["el"])
    assert page.get_attribute("#answer-text", "lang") == "el" and asked == [{"question": question}]
    switch_view(page, "advisor", "pl")
    expect(page.locator("#answer-text")).to_have_text(ANSWERS["pl"])
    assert page.get_attribute("#answer-text", "lang") == "pl" and page.get_attribute("#answer", "lang") == "pl"
    assert asked[-1] == {"question": question, "language": "pl"}
    # A server without a per-request language for answers (422): the answer stays, no error.
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.fulfill(status=422, content_type="application/json",
                                                         body=json.dumps({"detail": "language: extra field"})))
    with page.expect_response("**/v1/ask") as refused:
        switch_view(page, "client", "el")
    assert refused.value.status == 422
    expect(page.locator("#ask")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#answer-text")).to_have_text(ANSWERS["pl"])
    assert page.is_hidden("#ask-error")


# -- errors the browser words in English ----------------------------------------------------------

DICTATION = """
window.__recognizers = [];
window.__speech = %s;
class FakeRecognition {
  constructor() { window.__recognizers.push(this); }
  start() {
    const step = window.__speech.shift();
    setTimeout(() => {
      if (step.error) this.onerror && this.onerror({ error: step.error });
      else this.onresult && this.onresult({ resultIndex: 0,
        results: [Object.assign([{ transcript: step.text }], { isFinal: true })] });
      this.onend && this.onend();
    }, 30);
  }
  stop() { this.onend && this.onend(); }
}
window.SpeechRecognition = FakeRecognition;
"""


def test_dictation_errors_are_said_in_the_page_language(make_page: Any) -> None:
    steps = [{"error": "not-allowed"}, {"error": "no-speech"}, {"error": "some-new-error"}]
    page = make_page(init_script=DICTATION % json.dumps(steps)).sign_in("advisor")
    choose_advisor_language(page, "el")
    expected = ["Σφάλμα: Η υπαγόρευση απέτυχε: το μικρόφωνο δεν επιτρέπεται",
                "Σφάλμα: Η υπαγόρευση απέτυχε: δεν ακούστηκε ομιλία",
                "Σφάλμα: Η υπαγόρευση απέτυχε: άγνωστο σφάλμα"]
    for text in expected:
        page.click("#mic")
        expect(page.locator("#products-error")).to_have_text(text)
        assert page.get_attribute("#products-error", "lang") == "el"


def test_a_cut_dictation_says_so_in_the_clients_language(make_page: Any) -> None:
    dictated = " ".join(["szampon bez siarczanów do włosów farbowanych"] * 14)
    assert len(dictated) > 500
    page = make_page(init_script=DICTATION % json.dumps([{"text": dictated}])).sign_in("advisor")
    page.select_option("#dictation-lang", "pl")
    with page.expect_response("**/v1/search/products") as response:
        page.click("#mic")
    assert len(json.loads(response.value.request.post_data)["query"]) == 500
    page.wait_for_selector("#interpretation:not([hidden])")
    expect(page.locator("#notes li.truncated")).to_have_text(
        f"Dyktowany tekst miał {len(dictated)} znaków: wyszukiwane jest tylko pierwsze 500.")


def test_network_errors_are_said_in_the_page_language(make_page: Any) -> None:
    p = make_page()
    page = p.sign_in("advisor")
    choose_advisor_language(page, "el")
    page.route("**/v1/search/products", lambda route: route.abort("internetdisconnected"))
    page.fill("#q", "κρέμα")
    page.press("#q", "Enter")
    error = page.locator("#products-error")
    expect(error).to_have_text("Σφάλμα: Ο διακομιστής δεν είναι προσβάσιμος: ελέγξτε τη σύνδεση δικτύου και δοκιμάστε ξανά.")
    page.route("**/v1/ask", lambda route: route.abort("internetdisconnected"))
    page.fill("#ask-q", "τι κάνει η νιασιναμίδη;")
    page.press("#ask-q", "Enter")
    expect(page.locator("#ask-error")).to_contain_text("Ο διακομιστής δεν είναι προσβάσιμος")
    for region in ("#products-error", "#ask-error"):
        assert "fetch" not in page.inner_text(region).lower()
    # The browser logs the refused requests itself; that is not a script error of the page.
    p.errors[:] = [e for e in p.errors if "ERR_INTERNET_DISCONNECTED" not in e]


# -- refused searches: the server's sentence for the client, not its English detail ------------------

@pytest.mark.parametrize("lang,family", [("el", "σιλικόνες"), ("pl", "silikony")])
def test_a_refused_constraint_is_said_in_the_clients_language(make_page: Any, lang: str, family: str) -> None:
    page = make_page().sign_in("advisor")
    choose_advisor_language(page, lang)
    search(page, QUERIES[lang])
    before = chip_texts(page)
    page.click("#add-toggle")
    page.select_option("#add-kind", "include")
    page.fill("#add-text", family)
    with page.expect_response("**/v1/search/products") as response:
        page.press("#add-text", "Enter")
    refused = response.value.json()
    assert response.value.status == 400 and "ingredient family" in refused["detail"]
    sentence = message(lang, "error_include_family", x=family)
    assert refused["message"] == sentence
    error = page.locator("#products-error")
    expect(error).to_contain_text(sentence)
    assert "ingredient family" not in error.inner_text(), "the English detail is for the advisor's logs"
    assert page.get_attribute("#products-error", "lang") == lang
    leaks = english_leaks(page, lang)
    assert not leaks, "\n".join(leaks)
    assert chip_texts(page) == before, "the refused constraint changed nothing"
