"""Ratings, reviews, loves, size and image read from a product's `extra`, and sorting by price or rating."""

from __future__ import annotations

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
