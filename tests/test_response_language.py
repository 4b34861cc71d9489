"""Every text the client reads comes back in the query's language (or the one the request names).

A real Qdrant Edge index of the demo catalog with the fake embedder (marker `index`). Product,
brand and ingredient (INCI) names stay as the retailer wrote them, so only the sentences and the
knowledge base's names are checked for English here; tests/test_no_english_leak.py walks every text
field (category and claim labels, facets...) over the product suite's queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest.products import ingest_products
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest, SearchResponse
from conseil.search.products.engine import ProductSearch
from conseil.search.query.messages import MESSAGES
from conseil.search.settings import Settings

pytestmark = pytest.mark.index

# Words of the English sentences that must not appear in another language's response.
ENGLISH = re.compile(r"\b(free of|none of|listed|ingredients|excluding|skin type|tagged|product data|claims|"
                     r"price|good for|not among|allergens|INCI names|no product)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductSearch]:
    kb = IngredientKnowledge.load()
    settings = Settings(data_dir=tmp_path_factory.mktemp("lang") / "data", embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    with open_index(settings, products_schema(32), create=False) as index:
        yield ProductSearch(index, fake_embedder(), kb)


def client_texts(response: SearchResponse) -> list[str]:
    interp = response.interpretation
    texts = [interp.summary, *interp.warnings, *(c.label for c in interp.chips)]
    for hit in response.hits:
        texts += [w.text for w in hit.why] + [w.text for w in hit.warnings]
    return [t for t in texts if t]


QUERIES = {
    "fr": "crème sans parabènes ni parfum pour peau sèche",
    "pl": "krem bez parabenów i substancji zapachowych do skóry suchej",
    "el": "κρέμα χωρίς παραβένια και άρωμα για ξηρή επιδερμίδα",
    "de": "Creme ohne Parabene und Duftstoffe für trockene Haut",
}


@pytest.mark.parametrize("lang", sorted(QUERIES))
def test_no_english_sentence_in_a_response_in_another_language(engine: ProductSearch, lang: str) -> None:
    response = engine.search(SearchRequest(query=QUERIES[lang]))
    assert response.interpretation.language == lang
    texts = client_texts(response)
    assert response.hits and any(w.constraint.startswith("exclude_family") for h in response.hits for w in h.why)
    leaks = [t for t in texts if ENGLISH.search(t)]
    assert not leaks, leaks


def test_the_request_may_name_the_language_the_client_reads(engine: ProductSearch) -> None:
    """An advisor types in Polish; the Greek client reads Greek."""
    response = engine.search(SearchRequest(query=QUERIES["pl"], language="el"))
    why = [w.text for h in response.hits for w in h.why if w.constraint == "exclude_family:parabens"]
    assert why and all(t.startswith("χωρίς παραβένια:") for t in why), why
    assert response.interpretation.chips[0].label == "χωρίς παραβένια"


def test_english_texts_are_unchanged(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="cream without parabens for dry skin"))
    why = [w.text for h in response.hits for w in h.why if w.constraint == "exclude_family:parabens"]
    assert why and all(re.fullmatch(r"free of parabens: none of its \d+ listed ingredients is one", t) for t in why)
    assert response.interpretation.summary.startswith("excluding parabens (")
    assert response.interpretation.chips[0].label == "no parabens"


def test_a_language_without_data_reads_english(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="cream without parabens", language="nl"))
    assert response.interpretation.chips[0].label == "no parabens"
    assert set(MESSAGES) >= {"en", "el"}
