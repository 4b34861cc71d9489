"""Push-down: a query's constraints as one Qdrant filter, applied inside the index search.

This is the middle of the exclusion path a newcomer can follow in three modules:

    search/query/parser.py      "sans parabènes" -> Constraints(exclude_families=("parabens",))
    search/products/filters.py  Constraints -> Filter(must_not=[families ∋ parabens], ...)   (here)
    search/products/verify.py   every hit's ingredient list re-resolved: a contradiction drops the hit

Exclusions are `must_not` on payload indexes written at ingest (`families`, `ingredients`,
`ingredient_names`); a product with no ingredient list is never a candidate while something is
excluded, since nothing could prove it free of anything.
"""

from __future__ import annotations

from conseil.search.index.contract import Condition, Filter, MatchAny, Range
from conseil.search.query import Constraints


def build_filter(c: Constraints) -> Filter:
    """Constraints as one Qdrant filter: exclusions are `must_not` on the payload indexes."""
    must: list[Condition] = []
    must_not: list[Condition] = []
    if c.exclude_families:
        must_not.append(MatchAny("families", tuple(c.exclude_families)))
    if c.exclude_ingredients:
        keys = tuple(c.exclude_ingredients)
        must_not.append(MatchAny("ingredients", keys))  # canonical keys
        must_not.append(MatchAny("ingredient_names", keys))  # names as written, known or not
    if c.exclude_families or c.exclude_ingredients:
        # A product with no ingredient list can never be proven free of anything.
        must.append(Range("ingredient_count", gte=1))
    for key in c.include_ingredients:  # each required ingredient separately: all of them
        must.append(MatchAny("ingredients", (key,)))
    if c.skin_types:
        must.append(MatchAny("skin_types", tuple(c.skin_types)))
    if c.concerns:
        must.append(MatchAny("concerns", tuple(c.concerns)))
    if c.categories:
        must.append(MatchAny("category", tuple(c.categories)))
    if c.brands:
        must.append(MatchAny("brand_key", tuple(c.brands)))
    if c.price_min is not None or c.price_max is not None:
        must.append(Range("price", gte=c.price_min, lte=c.price_max))
    return Filter(must=tuple(must), must_not=tuple(must_not))
