"""Claim audit: a product's own marketing claims checked against its ingredient list.

Marketing claims are not evidence; the ingredient list is. A claim such as "Without Parabens"
(`without:parabens`) contradicted by a listed paraben is stored on the product and reported by
`conseil audit`, so an advisor is warned before repeating it to a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from conseil.search.knowledge.analysis import Analysis

FAMILY_CLAIM = "without:"
INGREDIENT_CLAIM = "without_ingredient:"
CLEAN_CLAIM = "clean_at_sephora"


@dataclass(frozen=True)
class Contradiction:
    claim: str  # claim code, e.g. "without:parabens"
    offending: tuple[str, ...]  # ingredient names as listed (canonical where known)

    def to_payload(self) -> dict[str, object]:
        data = asdict(self)
        data["offending"] = list(self.offending)
        return data


def claimed_absent_family(claim: str) -> str | None:
    if claim.startswith(FAMILY_CLAIM):
        return claim[len(FAMILY_CLAIM):]
    if claim == CLEAN_CLAIM:
        return "clean_at_sephora"
    return None


def audit_claims(claims: Iterable[str], analysis: Analysis) -> list[Contradiction]:
    """Every claim of absence that the ingredient list contradicts, with the offending items."""
    found: list[Contradiction] = []
    for claim in claims:
        family = claimed_absent_family(claim)
        if family is not None:
            offending = [_display(r.canonical, r.item.raw) for r in analysis.items if family in r.families]
        elif claim.startswith(INGREDIENT_CLAIM):
            key = claim[len(INGREDIENT_CLAIM):]
            offending = [
                _display(r.canonical, r.item.raw)
                for r in analysis.items
                if r.key == key or r.item.name == key or key in r.item.alternatives
            ]
        else:
            continue
        if offending:
            found.append(Contradiction(claim=claim, offending=tuple(dict.fromkeys(offending))))
    return found


def _display(canonical: str | None, raw: str) -> str:
    return canonical or raw
