"""Every hit is checked against the knowledge base before it is returned, and says why it is safe.

The engine already filters exclusions inside Qdrant (`must_not` on payload indexes). This second,
independent check runs in Python over the product's parsed ingredient items (stored at ingest:
display name, canonical key, every name as written, families including those found by scanning
merged items) and re-derives each name's families from the *current* knowledge base. So an engine
bug (e.g. qdrant/qdrant#7855 on `must_not`) cannot put an excluded ingredient in front of a client,
and neither can a payload filtered on an older family definition. It avoids re-parsing the
declaration, which would cost ~1.5 ms per hit on every query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conseil.search.products.contract import AuditWarning, Why
from conseil.search.errors import KnowledgeBaseError
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.query import Constraints
from conseil.search.knowledge.text import normalize_name
from conseil.search.query.messages import concern_name, family_name, message, skin_type_name


@dataclass
class Verdict:
    ok: bool
    violations: list[str] = field(default_factory=list)
    why: list[Why] = field(default_factory=list)
    matched_families: dict[str, list[str]] = field(default_factory=dict)
    ingredients: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IngredientItem:
    display: str
    key: str
    names: frozenset[str]
    families: frozenset[str]


def _family_label(kb: IngredientKnowledge, family_id: str) -> str:
    try:
        names = kb.family(family_id).names.get("en") or (family_id,)
        return names[0].lower()
    except KnowledgeBaseError:  # an unknown id still gets a readable label
        return family_id.replace("_", " ")


def ingredient_items(payload: dict[str, Any], kb: IngredientKnowledge) -> list[IngredientItem]:
    """The hit's stored ingredient items, each with its families re-derived from `kb`. Depends only on
    the payload and the KB, so the engine may memoise it per point, KB version and index generation."""
    items = []
    for display, key, names, families in payload.get("ingredient_items") or ():
        every = frozenset(names) | {key}
        current = frozenset(families).union(*(kb.families_of_name(n) for n in every))
        items.append(IngredientItem(str(display), str(key), every, current))
    return items


def _mentions(items: list[IngredientItem], raw_key: str, key: str) -> list[str]:
    """Items naming `key` as canonical, as written or as an alternative; and word-boundary text hits."""
    found = [i.display for i in items if i.key == key or key in i.names]
    if not found and key and re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", raw_key):
        found.append(key)
    return found


def verify(payload: dict[str, Any], constraints: Constraints, kb: IngredientKnowledge,
           items: list[IngredientItem] | None = None, language: str = "en") -> Verdict:
    """`items`: `ingredient_items(payload, kb)` if already computed for this very payload and KB.
    `language`: of the why texts (`corpora/language/messages.json`); violations stay English (logs)."""
    if items is None:
        items = ingredient_items(payload, kb)
    count = len(items)
    verdict = Verdict(ok=True, ingredients=[i.display for i in items])
    for item in items:
        for fam in item.families:
            verdict.matched_families.setdefault(fam, []).append(item.display)

    excluding = bool(constraints.exclude_families or constraints.exclude_ingredients)
    if excluding and count == 0:
        verdict.ok = False
        verdict.violations.append("no ingredient list: an exclusion cannot be verified")
        return verdict
    raw_key = normalize_name(payload.get("ingredients_raw") or "") if (
        constraints.exclude_ingredients or constraints.include_ingredients) else ""

    for family_id in constraints.exclude_families:
        offenders = [i.display for i in items if family_id in i.families]
        label = _family_label(kb, family_id)
        if offenders:
            verdict.ok = False
            verdict.violations.append(f"contains {label}: {', '.join(dict.fromkeys(offenders))}")
        else:
            family = label if language == "en" else family_name(kb, family_id, language)
            verdict.why.append(Why(constraint=f"exclude_family:{family_id}",
                                   text=message(language, "why_free_of_family", family=family, count=count)))
    for key in constraints.exclude_ingredients:
        offenders = _mentions(items, raw_key, key)
        if offenders:
            verdict.ok = False
            verdict.violations.append(f"contains {key}: {', '.join(dict.fromkeys(offenders))}")
        else:
            verdict.why.append(Why(constraint=f"exclude_ingredient:{key}",
                                   text=message(language, "why_free_of_ingredient", name=key, count=count)))
    for key in constraints.include_ingredients:
        present = _mentions(items, raw_key, key)
        if not present:
            verdict.ok = False
            verdict.violations.append(f"does not list {key}")
        else:
            verdict.why.append(Why(constraint=f"include_ingredient:{key}",
                                   text=message(language, "why_contains", name=key, listed=repr(present[0]))))

    origin = message(language, "origin_brand" if payload.get("skin_types_origin") == "highlights" else "origin_data")
    skin_types = set(payload.get("skin_types") or ())
    for skin in constraints.skin_types:
        if skin in skin_types:
            verdict.why.append(Why(constraint=f"skin_type:{skin}", text=message(
                language, "why_skin_type", skin=skin_type_name(kb, skin, language), origin=origin)))
    concerns = set(payload.get("concerns") or ())
    for concern in constraints.concerns:
        if concern in concerns:
            verdict.why.append(Why(constraint=f"concern:{concern}", text=message(
                language, "why_concern", concern=concern_name(kb, concern, language), origin=origin)))
    price = payload.get("price")
    if constraints.price_max is not None and price is not None:
        verdict.why.append(Why(constraint="price_max", text=message(
            language, "why_price_max", price=f"{price:g}", limit=f"{constraints.price_max:g}")))
    if constraints.price_min is not None and price is not None:
        verdict.why.append(Why(constraint="price_min", text=message(
            language, "why_price_min", price=f"{price:g}", limit=f"{constraints.price_min:g}")))
    return verdict


def audit_warnings(payload: dict[str, Any], kb: IngredientKnowledge | None = None,
                   language: str = "en") -> list[AuditWarning]:
    """The product's own claims that its ingredient list contradicts (stored at ingest); with `kb`, the
    family named in `language`."""
    warnings = []
    for item in payload.get("audit") or ():
        claim = str(item.get("claim", ""))
        code = claim.split(":", 1)[-1]
        subject = family_name(kb, code, language) if kb is not None and language != "en" else code.replace("_", " ")
        offending = [str(x) for x in item.get("offending", [])]
        warnings.append(AuditWarning(
            claim=claim, offending=offending,
            text=message(language, "claim_warning", subject=subject, offending=", ".join(offending))))
    return warnings
