"""Ratings, reviews, loves, size and image of a product, and sorting a result list by price or rating.

The Sephora export carries `rating`, `reviews`, `loves_count` and `size`; a generic catalog may carry
`rating`, `reviews`, `loves` (or `loves_count`), `size` and `image_url` columns (ingest/generic-schema.md).
Ingestion keeps them in the payload's `extra`; CSV cells arrive as text, so they are read here with
their type, and a value that is not one (a rating outside 0..5, "n/a") is left out, never shown wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

SortOrder = Literal["relevance", "price_asc", "price_desc", "rating"]
# Sorting re-orders the most relevant products, not the whole catalog: "cheapest moisturizer" must
# still be a moisturizer when the query names no category.
SORT_POOL = 100


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number == int(number) else None


def _text(value: Any, limit: int = 200) -> str | None:
    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    return text[:limit] if text else None


def popularity(extra: Any) -> dict[str, Any]:
    """The card's rating/reviews/loves/size/image_url from a payload's `extra` (absent ones omitted)."""
    if not isinstance(extra, dict):
        return {}
    extra = {str(key).lower(): value for key, value in extra.items()}  # generic column names: any case
    out: dict[str, Any] = {}
    rating = _number(extra.get("rating"))
    if rating is not None and 0 <= rating <= 5:
        out["rating"] = round(rating, 2)
    reviews = _count(extra.get("reviews"))
    if reviews is not None:
        out["reviews"] = reviews
    loves = _count(extra.get("loves", extra.get("loves_count")))
    if loves is not None:
        out["loves"] = loves
    if size := _text(extra.get("size"), 80):
        out["size"] = size
    image = _text(extra.get("image_url"), 2000)
    if image and image.lower().startswith(("https://", "http://")):
        out["image_url"] = image
    return out


T = TypeVar("T")


def sort_hits(hits: Sequence[T], order: SortOrder, price: Callable[[T], float | None],
              rating: Callable[[T], float | None]) -> list[T]:
    """Stable sort (relevance breaks ties); products without the value go last, in relevance order."""
    if order == "relevance":
        return list(hits)
    if order == "rating":
        return sorted(hits, key=lambda h: (rating(h) is None, -(rating(h) or 0.0)))
    sign = 1.0 if order == "price_asc" else -1.0
    return sorted(hits, key=lambda h: (price(h) is None, sign * (price(h) or 0.0)))
