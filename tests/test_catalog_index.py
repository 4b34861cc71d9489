"""Round trip of a UK-shaped catalog (corpora/examples/uk-shop.csv) through ingestion and search:
product-type words set the shared category filter, totals count that type only, exclusions hold.
Real Qdrant Edge index, fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import fake_embedder
from conseil.ingest.products import ingest_products
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings

pytestmark = pytest.mark.index

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductSearch]:
    kb = IngredientKnowledge.load()
    settings = Settings(data_dir=tmp_path_factory.mktemp("uk") / "data", embedding_model="hash-test")
    report = ingest_products(settings, EXAMPLES / "uk-shop.csv", mapping=EXAMPLES / "uk-shop-mapping.json",
                             embedder_factory=fake_embedder, kb=kb)
    assert (report.new, report.rejected, report.typed) == (26, 0, 25)
    assert report.unmapped_categories == {"Hygiene": 1} and report.currencies == {"GBP": 26}
    with open_index(settings, products_schema(32), create=False) as index:
        yield ProductSearch(index, fake_embedder(), kb)


@pytest.mark.parametrize(("query", "category", "total", "family"), [
    ("toner without alcohol", "toner", 3, "drying_alcohols"),  # 5 toners, 2 with a drying alcohol
    ("face oil", "face oil", 3, None),  # the shop's "Oil", mapped in the mapping file
    ("mist without fragrance", "mist", 3, "fragrance"),  # 4 mists (2 size variants), 1 perfumed
    ("huile visage", "face oil", 3, None),
    ("olejek do kąpieli", "bath", 2, None),
])
def test_product_type_words_filter_and_count_that_type(engine: ProductSearch, query: str, category: str,
                                                       total: int, family: str | None) -> None:
    response = engine.search(SearchRequest(query=query, limit=10))
    assert response.interpretation.constraints["categories"] == [category]
    assert response.total == total and len(response.hits) == total
    for hit in response.hits:
        assert category in engine.index.retrieve([_point(hit.source, hit.id)])[0].payload["category"]
        if family:
            raw = engine.index.retrieve([_point(hit.source, hit.id)])[0].payload["ingredients_raw"]
            assert family not in analyze(raw, engine.kb).families, hit.name
        assert hit.currency == "GBP"


def test_explicit_sephora_style_category_still_filters(engine: ProductSearch) -> None:
    """The shop's own category name stays a filter too ("Eye Care" as the shop wrote it)."""
    response = engine.search(SearchRequest(query="", category=["Eye Care"]))
    assert response.total == 1


def test_a_price_in_zloty_is_applied_in_pounds_with_a_note(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="serum do 20 zł"))
    assert response.interpretation.constraints["price_max"] == 20
    # the note is written in the query's language (Polish here), the bound and the currency as numbers
    assert any("Filtr ceny użył ≤ 20.00 GBP" in w for w in response.interpretation.warnings), \
        response.interpretation.warnings
    english = engine.search(SearchRequest(query="serum do 20 zł", language="en"))
    assert any("used ≤ 20.00 GBP" in w for w in english.interpretation.warnings), english.interpretation.warnings


def _point(source: str, product_id: str) -> str:
    from conseil.search.index.schema import point_id

    return point_id(source, product_id)
