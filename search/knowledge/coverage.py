"""How much of a catalog's ingredient lists the knowledge base identifies (no index, no model).

A mention is one parsed item of one product's declaration. It is *resolved* when its name (or a name it
gives in brackets) is identified by a resolution step; the step is counted (`exact`, `synonym`, `typo`...).
Text identified as no substance at all (`not_ingredient`: "Cotton Wick", "FDA Approved") counts as resolved
but has a row of its own, and `resolved_share_substances` leaves it out of both sides of the share.
The rest is counted by what still sees it: `scan` (known names found inside a merged item, e.g. a missing
comma), `pattern` (only a family rule), or `unidentified`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conseil.search.knowledge.analysis import CachedKnowledge, analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.resolve import NOT_INGREDIENT, UNIDENTIFIED, VIA_STEPS

ITEM_STEPS = (*VIA_STEPS, "split", "joined", "unglued", "slash", NOT_INGREDIENT)  # split...slash: see merged.py


@dataclass
class Coverage:
    products: int = 0
    with_list: int = 0
    mentions: int = 0
    by_step: Counter[str] = field(default_factory=Counter)
    unresolved: Counter[str] = field(default_factory=Counter)  # item name as written (normalised)
    repairs: Counter[str] = field(default_factory=Counter)  # mentions per parse repair (fields.REPAIR_*)

    @property
    def resolved(self) -> int:
        return sum(self.by_step[s] for s in ITEM_STEPS)

    @property
    def share(self) -> float:
        return self.resolved / self.mentions if self.mentions else 0.0

    @property
    def share_of_substances(self) -> float:
        """The share among mentions that name a substance (not_ingredient set aside on both sides)."""
        text = self.by_step[NOT_INGREDIENT]
        return (self.resolved - text) / (self.mentions - text) if self.mentions > text else 0.0

    def as_dict(self, top: int = 30) -> dict[str, Any]:
        return {
            "products": self.products, "products_with_list": self.with_list, "mentions": self.mentions,
            "resolved": self.resolved, "resolved_share": round(self.share, 4),
            "not_ingredient": self.by_step[NOT_INGREDIENT],
            "resolved_share_substances": round(self.share_of_substances, 4),
            "by_step": {s: self.by_step[s] for s in (*ITEM_STEPS, "scan", "pattern", UNIDENTIFIED)
                        if self.by_step[s]},
            "repairs": dict(self.repairs.most_common()),
            "top_unresolved": [{"name": n, "mentions": c} for n, c in self.unresolved.most_common(top)],
        }


def measure(declarations: Iterable[str | None], kb: IngredientKnowledge) -> Coverage:
    """Coverage over raw ingredient declarations (one per product; None or "" for a product without)."""
    cached = CachedKnowledge(kb)
    result = Coverage()
    for raw in declarations:
        result.products += 1
        if not raw or not raw.strip():
            continue
        analysis = analyze(raw, cached)
        if analysis.items:
            result.with_list += 1
        for item in analysis.items:
            result.mentions += 1
            result.repairs.update(r.split(":")[0] for r in item.item.repairs)
            if item.canonical is not None or item.via in ("split", NOT_INGREDIENT):
                result.by_step[item.step] += 1
            else:
                kind = item.via if item.via in ("scan", "pattern") else UNIDENTIFIED
                result.by_step[kind] += 1
                result.unresolved[item.item.name] += 1
    return result
