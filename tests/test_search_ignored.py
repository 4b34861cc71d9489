"""Say what was not understood: ignored words with their reason, and no products for a query with no usable word.

A real Qdrant Edge index of the demo catalog with the fake embedder (marker `index`); the pure parts
(`with_unusable_words`, `nothing_usable`) are tested with a word list standing for the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest.products import ingest_products
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.query.ignored import nothing_usable, with_unusable_words
from conseil.search.query.messages import message
from conseil.search.settings import Settings
from test_query_support import parse

CATALOG = {"serum", "cream", "shampoo", "glow", "water"}


def known(word: str) -> bool:
    return word.lower() in CATALOG


@pytest.mark.parametrize("query,ignored", [
    ("shampoo without water", [("without water", "not_an_ingredient")]),
    ("shampooing sans rinçage", [("sans rinçage", "not_an_ingredient")]),
    ("sunscreen with no white cast", [("with no white cast", "not_an_ingredient")]),
    ("σαμπουάν χωρίς νερό", [("χωρίς νερό", "not_an_ingredient")]),
    ("no-rinse cleanser", []),
    ("cream without parabens", []),
])
def test_negated_product_properties_are_said(query: str, ignored: list[tuple[str, str]]) -> None:
    assert [(i.text, i.reason) for i in parse(query).ignored] == ignored


def test_unknown_words_are_ignored_and_a_query_of_them_is_unusable() -> None:
    interp = with_unusable_words(parse("xyzzy plugh"), known)
    assert [(i.text, i.reason) for i in interp.ignored] == [("xyzzy", "not_understood"), ("plugh", "not_understood")]
    assert nothing_usable(interp)
    partly = with_unusable_words(parse("serum xyzzy"), known)
    assert [i.text for i in partly.ignored] == ["xyzzy"] and not nothing_usable(partly)
    constrained = with_unusable_words(parse("xyzzy without parabens"), known)
    assert [i.text for i in constrained.ignored] == ["xyzzy"] and not nothing_usable(constrained)


def test_words_the_gloss_translates_are_usable_in_other_languages() -> None:
    interp = with_unusable_words(parse("κρέμα για το σπίτι"), known)  # "κρέμα" -> "cream"; "σπίτι" (home)
    assert [i.text for i in interp.ignored] == ["σπίτι"] and not nothing_usable(interp)
    assert nothing_usable(with_unusable_words(parse("σπίτι"), known))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductSearch]:
    kb = IngredientKnowledge.load()
    settings = Settings(data_dir=tmp_path_factory.mktemp("ignored") / "data", embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    with open_index(settings, products_schema(32), create=False) as index:
        yield ProductSearch(index, fake_embedder(), kb)


@pytest.mark.index
def test_a_query_with_no_usable_word_returns_no_products_and_says_why(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="xyzzy plugh"))
    assert response.hits == [] and response.total == 0
    assert message("en", "nothing_usable") in response.interpretation.warnings
    assert [(i.text, i.reason) for i in response.interpretation.ignored] == [
        ("xyzzy", "not_understood"), ("plugh", "not_understood")]


@pytest.mark.index
def test_known_words_still_search_and_the_unknown_one_is_named(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="cream xyzzy"))
    assert response.hits and response.total > 0
    assert [i.text for i in response.interpretation.ignored] == ["xyzzy"]
    assert engine.search(SearchRequest(query="moisturizer")).interpretation.ignored == []
