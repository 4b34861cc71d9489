"""Ingredient coverage of a catalog: how much of its ingredient lists the knowledge base resolves.

The ingest preview reports it so that a user sees, before embedding anything, whether exclusions
will have something to work on. This is the stand-in until the knowledge room's own coverage
function exists; `preview_products` takes the function as a parameter, so pointing it there is
one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from conseil.search.knowledge.analysis import CachedKnowledge, KnowledgeLike, analyze


@dataclass(frozen=True)
class Coverage:
    products: int  # products read
    with_ingredients: int  # of which with an ingredient list
    items: int  # ingredient items over all lists
    items_resolved: int  # of which the knowledge base knows (by name, alternative or pattern)
    fully_resolved: int  # products whose every item is known

    @property
    def item_share(self) -> float:
        return self.items_resolved / self.items if self.items else 0.0

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "item_share": round(self.item_share, 4)}


CoverageFunction = Callable[[Iterable[str | None], KnowledgeLike], Coverage]


def ingredient_coverage(ingredient_lists: Iterable[str | None], kb: KnowledgeLike) -> Coverage:
    """Parse and resolve every list as ingestion would (one memo for the whole catalog)."""
    cached = CachedKnowledge(kb)
    products = with_list = items = resolved = full = 0
    for raw in ingredient_lists:
        products += 1
        if not raw:
            continue
        with_list += 1
        analysis = analyze(raw, cached)
        known = sum(1 for r in analysis.items if r.via != "unknown")
        items += len(analysis.items)
        resolved += known
        full += bool(analysis.items) and known == len(analysis.items)
    return Coverage(products, with_list, items, resolved, full)
