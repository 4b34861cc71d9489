"""Ratings, reviews, loves, size and image read from a product's `extra`, and sorting by price or rating."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conseil.search.products.popularity import popularity, sort_hits


def test_sephora_fields_typed_at_ingest() -> None:
    extra = {"rating": 4.3571, "reviews": 1200, "loves_count": 56000, "size": "1.7 oz / 50 mL"}
    assert popularity(extra) == {"rating": 4.36, "reviews": 1200, "loves": 56000, "size": "1.7 oz / 50 mL"}


def test_generic_csv_cells_arrive_as_text() -> None:
    extra = {"rating": "4.5", "reviews": "1,024", "loves": "12", "image_url": "https://cdn.example/p.jpg"}
    assert popularity(extra) == {"rating": 4.5, "reviews": 1024, "loves": 12, "image_url": "https://cdn.example/p.jpg"}


def test_bad_values_are_left_out_never_shown_wrong() -> None:
    extra = {"rating": "7", "reviews": "-3", "loves": "n/a", "size": "  ", "image_url": "javascript:alert(1)"}
    assert popularity(extra) == {}
    assert popularity(None) == {} and popularity({"rating": float("nan"), "reviews": 2.5}) == {}


def test_sorting_keeps_relevance_for_ties_and_puts_missing_values_last() -> None:
    hits = [("a", 30.0, 4.0), ("b", None, 4.8), ("c", 10.0, None), ("d", 30.0, 4.8)]
    price = lambda h: h[1]
    rating = lambda h: h[2]
    assert [h[0] for h in sort_hits(hits, "price_asc", price, rating)] == ["c", "a", "d", "b"]
    assert [h[0] for h in sort_hits(hits, "price_desc", price, rating)] == ["a", "d", "c", "b"]
    assert [h[0] for h in sort_hits(hits, "rating", price, rating)] == ["b", "d", "a", "c"]
    assert [h[0] for h in sort_hits(hits, "relevance", price, rating)] == ["a", "b", "c", "d"]


def test_column_names_in_any_case() -> None:
    assert popularity({"Rating": "4", "Reviews": "3", "Size": "50 ml"}) == {"rating": 4.0, "reviews": 3, "size": "50 ml"}


# -- through ingestion and the engine (a real Qdrant Edge index, fake embedder) ----------------------

@pytest.mark.index
def test_generic_columns_reach_the_hits_and_sort_by_rating(tmp_path: Path) -> None:
    from conftest import fake_embedder
    from conseil.ingest.products import ingest_products
    from conseil.search.index.store import open_index, products_schema
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.products.contract import SearchRequest
    from conseil.search.products.engine import ProductSearch
    from conseil.search.settings import Settings

    rows = [{"id": "A", "name": "Calm face cream", "price": 30, "rating": "3.9", "reviews": "12", "loves": "40",
             "size": "50 ml", "image_url": "https://img.example/a.jpg", "ingredients": "Aqua, Glycerin"},
            {"id": "B", "name": "Rich face cream", "price": 12, "Rating": 4.8, "reviews": 3,
             "ingredients": "Aqua, Glycerin, Parfum"},
            {"id": "C", "name": "Light face cream", "price": 20, "ingredients": "Aqua"}]
    catalog = tmp_path / "shop.jsonl"
    catalog.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test")
    ingest_products(settings, catalog, source="shop", embedder_factory=fake_embedder)
    with open_index(settings, products_schema(32), create=False) as index:
        engine = ProductSearch(index, fake_embedder(), IngredientKnowledge.load())
        by_id = {h.id: h for h in engine.search(SearchRequest(query="face cream", limit=10)).hits}
        assert (by_id["A"].rating, by_id["A"].reviews, by_id["A"].loves, by_id["A"].size) == (3.9, 12, 40, "50 ml")
        assert by_id["A"].image_url == "https://img.example/a.jpg" and by_id["C"].rating is None
        ranked = engine.search(SearchRequest(query="face cream", sort="rating")).hits
        assert [h.id for h in ranked] == ["B", "A", "C"]
        cheapest = engine.search(SearchRequest(query="face cream", sort="price_asc", limit=2)).hits
        assert [h.id for h in cheapest] == ["B", "C"]


@pytest.mark.shared
@pytest.mark.index
def test_sephora_ratings_reach_the_hits(shared_data: Path, tmp_path: Path) -> None:
    """A slice of the real export, ingested as the Sephora format: the hits carry rating, reviews, loves."""
    from conftest import fake_embedder
    from conseil.ingest.products import ingest_products
    from conseil.search.index.store import open_index, products_schema
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.products.contract import SearchRequest
    from conseil.search.products.engine import ProductSearch
    from conseil.search.settings import Settings

    with (shared_data / "sephora-products" / "product_info.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])][:300]
    sample = tmp_path / "product_info.csv"
    with sample.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *body])
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test")
    ingest_products(settings, sample, fmt="sephora", embedder_factory=fake_embedder)
    rated = {r[header.index("product_id")]: float(r[header.index("rating")]) for r in body if r[header.index("rating")]}
    with open_index(settings, products_schema(32), create=False) as index:
        engine = ProductSearch(index, fake_embedder(), IngredientKnowledge.load())
        hits = engine.search(SearchRequest(query="eau de parfum", limit=50)).hits
        assert hits
        for hit in hits:
            assert hit.loves is not None
            assert hit.rating == (round(rated[hit.id], 2) if hit.id in rated else None)
        by_rating = engine.search(SearchRequest(query="eau de parfum", sort="rating", limit=20)).hits
        ratings = [h.rating for h in by_rating if h.rating is not None]
        assert ratings == sorted(ratings, reverse=True)
