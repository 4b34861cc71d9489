"""Every hit is checked against the knowledge base before it is returned, and says why it is safe.

The engine already filters exclusions inside Qdrant (`must_not` on payload indexes). This second,
independent check runs in Python over the product's parsed ingredient items (stored at ingest:
display name, canonical key, every name as written, families including those found by scanning
merged items) and re-derives each name's families from the *current* knowledge base. So an engine
bug (e.g. qdrant/qdrant#7855 on `must_not`) cannot put an excluded ingredient in front of a client,
and neither can a payload filtered on an older family definition. It avoids re-parsing the
declaration, which would cost ~1.5 ms per hit on every query.

Every written name of every item is re-resolved through the knowledge base's one label-name
resolution (synonyms, spellings, typos...), so this last line of defence sees what ingestion sees.

Fail closed: an item no step identifies can never support a "free of" statement. Such a product is
kept (its identified items contain nothing excluded) but it is not called "free of X": its `why` says
"no listed ingredient is X, but 2 of 31 could not be identified: ...", `unidentified` lists them, and
the engine ranks it after the fully verified hits. A request may ask for `strict` exclusions, which
drop it instead. Text identified as no substance at all ("Cotton Wick", resolve.py's `not_ingredient`) is
not an unidentified item: it neither blocks nor supports the statement (a family rule that fires on its
words still counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conseil.search.errors import KnowledgeBaseError
from conseil.search.knowledge.analysis import Analysis
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.merged import split_merged
from conseil.search.knowledge.text import normalize_name
from conseil.search.products.contract import AuditWarning, Why
from conseil.search.query import Constraints
from conseil.search.query.messages import concern_name, family_without, message, skin_type_name


@dataclass
class Verdict:
    ok: bool
    violations: list[str] = field(default_factory=list)
    why: list[Why] = field(default_factory=list)
    matched_families: dict[str, list[str]] = field(default_factory=dict)
    ingredients: list[str] = field(default_factory=list)
    unidentified: list[str] = field(default_factory=list)  # items no resolution step identifies
    matched_ingredients: dict[str, list[str]] = field(default_factory=dict)  # included key -> items

    @property
    def fully_verified(self) -> bool:
        return self.ok and not self.unidentified


@dataclass(frozen=True)
class IngredientItem:
    display: str
    key: str
    names: frozenset[str]
    families: frozenset[str]
    keys: frozenset[str] = frozenset()  # canonical keys its names resolve to now
    identified: bool = True


def _family_label(kb: IngredientKnowledge, family_id: str) -> str:
    try:
        names = kb.family(family_id).names.get("en") or (family_id,)
        return names[0].lower()
    except KnowledgeBaseError:  # an unknown id still gets a readable label
        return family_id.replace("_", " ")


def stored_items(analysis: Analysis) -> list[list[Any]]:
    """The payload's `ingredient_items`, as ingestion stores them and `ingredient_items` reads them back:
    per item [display name, key, every name as written, families]."""
    return [[r.canonical or r.item.raw, r.key, sorted({r.item.name, *r.item.alternatives}), sorted(r.families)]
            for r in analysis.items]


def ingredient_items(payload: dict[str, Any], kb: IngredientKnowledge) -> list[IngredientItem]:
    """The hit's stored ingredient items, each with its families re-derived from `kb`. Depends only on
    the payload and the KB, so the engine may memoise it per point, KB version and index generation."""
    items = []
    for display, key, names, families in payload.get("ingredient_items") or ():
        every = frozenset(names) | {key}
        # identified by its key (the canonical key stored at ingest, else the name as written) or its
        # display text (the raw item): a slashed name's parts alone do not identify it; or as names run
        # together ("Butylene Glycol Menthol"), each part then counting as a name of the item
        identified = kb.resolve(str(key)) is not None or kb.resolve(str(display)) is not None \
            or kb.not_an_ingredient(str(display))  # "Cotton Wick": no substance, nothing left unidentified
        if not identified:
            parts = split_merged(str(key), lambda n: kb.resolve_label(n).via)
            identified, every = bool(parts), every | frozenset(parts)
        current = frozenset(families).union(*(kb.families_of_name(n) for n in every))
        resolved = [found for found in map(kb.resolve, every) if found is not None]
        keys = frozenset(k for found in resolved for k in (found.key, *found.groups))
        items.append(IngredientItem(str(display), str(key), every, current, keys, identified))
    return items


def _mentions(items: list[IngredientItem], raw_key: str, key: str) -> list[str]:
    """Items naming `key` as canonical, as written or as an alternative; and word-boundary text hits."""
    found = [i.display for i in items if i.key == key or key in i.keys or key in i.names]
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
    verdict = Verdict(ok=True, ingredients=[i.display for i in items],
                      unidentified=list(dict.fromkeys(i.display for i in items if not i.identified)))
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
        # "brak parabenów", "nepřítomnost parabenů": the genitive the unverified sentence asks for
        family = label if language == "en" else family_without(kb, family_id, language)
        if offenders:
            verdict.ok = False
            verdict.violations.append(f"contains {label}: {', '.join(dict.fromkeys(offenders))}")
        elif verdict.unidentified:
            verdict.why.append(Why(constraint=f"exclude_family:{family_id}",
                                   text=_unverified(family, verdict, count, language)))
        else:
            verdict.why.append(Why(constraint=f"exclude_family:{family_id}",
                                   text=message(language, "why_free_of_family", count=count, family=(
                                       label if language == "en" else family_without(kb, family_id, language)))))
    for key in constraints.exclude_ingredients:
        offenders = _mentions(items, raw_key, key)
        if offenders:
            verdict.ok = False
            verdict.violations.append(f"contains {key}: {', '.join(dict.fromkeys(offenders))}")
        elif verdict.unidentified:
            verdict.why.append(Why(constraint=f"exclude_ingredient:{key}",
                                   text=_unverified(key, verdict, count, language, "why_unverified_ingredient")))
        else:
            verdict.why.append(Why(constraint=f"exclude_ingredient:{key}",
                                   text=message(language, "why_free_of_ingredient", name=key, count=count)))
    for key in constraints.include_ingredients:
        present = _mentions(items, raw_key, key)
        if not present:
            verdict.ok = False
            verdict.violations.append(f"does not list {key}")
        else:
            verdict.matched_ingredients[key] = list(dict.fromkeys(present))
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


def _unverified(label: str, verdict: Verdict, count: int, language: str, key: str = "why_unverified") -> str:
    """The text that replaces "free of X" while an item cannot be identified (never a "free of"). An
    ingredient's name is not declined: its sentence quotes it after a noun in the right case."""
    missing = verdict.unidentified
    shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
    return message(language, key, subject=label, missing=len(missing), count=count, items=shown)


def audit_warnings(payload: dict[str, Any], kb: IngredientKnowledge | None = None,
                   language: str = "en") -> list[AuditWarning]:
    """The product's own claims that its ingredient list contradicts (stored at ingest); with `kb`, the
    family named in `language`."""
    warnings = []
    for item in payload.get("audit") or ():
        claim = str(item.get("claim", ""))
        kind, _, code = claim.rpartition(":")
        # The warning reads "claims to be free of …", "deklaruje brak …": the form after "without". An
        # ingredient's name is not declined: its sentence quotes it after a declined noun ("składnika").
        key = "claim_warning_ingredient" if kind == "without_ingredient" else "claim_warning"
        if key == "claim_warning_ingredient":
            subject = code
        elif kb is not None and language != "en":
            subject = family_without(kb, code, language)
        else:
            subject = code.replace("_", " ")
        offending = [str(x) for x in item.get("offending", [])]
        warnings.append(AuditWarning(
            claim=claim, offending=offending,
            text=message(language, key, subject=subject, offending=", ".join(offending))))
    return warnings
