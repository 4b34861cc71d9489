"""The interpretation as the client reads it: summary, chips and notes in the response language.

Family, skin-type and concern names come from the knowledge base, category names from
`corpora/language/categories.json` (search/products/labels.py), sentences from messages.json;
ingredient (INCI) and brand names stay as written.
"""

from __future__ import annotations

from dataclasses import fields

from conseil.search.errors import KnowledgeBaseError
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import ChipModel, IgnoredModel, InterpretationModel
from conseil.search.products.labels import category_label
from conseil.search.query import Interpretation
from conseil.search.query.messages import concern_name, family_without, join_and, message, skin_type_name


def describe(interp: Interpretation, kb: IngredientKnowledge, language: str = "en") -> InterpretationModel:
    c = interp.constraints
    parts: list[str] = []
    excluded = [family_phrase(kb, f, language) for f in c.exclude_families] + list(c.exclude_ingredients)
    if excluded:
        parts.append(message(language, "summary_excluding", x=join_and(excluded, language)))
    if c.include_ingredients:
        parts.append(message(language, "summary_with", x=", ".join(c.include_ingredients)))
    if c.skin_types:
        parts.append(message(language, "summary_skin_type", x=", ".join(
            c.skin_types if language == "en" else [skin_type_name(kb, s, language) for s in c.skin_types])))
    if c.concerns:
        parts.append(message(language, "summary_concern", x=", ".join(
            concern_name(kb, x, language) for x in c.concerns)))
    if c.categories:
        parts.append(message(language, "summary_category", x=", ".join(
            c.categories if language == "en" else [category_label(x, language) for x in c.categories])))
    if c.brands:
        parts.append(message(language, "summary_brand", x=", ".join(c.brands)))
    if c.price_min is not None:
        parts.append(message(language, "price_min", x=f"{c.price_min:g}"))
    if c.price_max is not None:
        parts.append(message(language, "price_max", x=f"{c.price_max:g}"))
    chips = [ChipModel(kind=ch.kind, value=ch.value, label=chip_label(kb, ch.kind, ch.value, language),
                       source_text=ch.source_text, known=ch.known) for ch in interp.chips]
    constraints = {f.name: (list(v) if isinstance(v := getattr(c, f.name), tuple) else v)
                   for f in fields(c)}  # flat: asdict's deep copy cost more than the rest
    return InterpretationModel(language=interp.language, semantic_text=interp.semantic_text,
                               summary=" · ".join(parts), chips=chips, constraints=constraints,
                               warnings=list(interp.warnings),
                               ignored=[IgnoredModel(text=i.text, reason=i.reason) for i in interp.ignored])


def family_phrase(kb: IngredientKnowledge, family_id: str, language: str = "en") -> str:
    try:
        kb.family(family_id)
    except KnowledgeBaseError:
        return family_id
    name = family_without(kb, family_id, language)  # the summary reads "excluding …", "bez …"
    if family_id == "fragrance":
        allergens = len(kb.members("fragrance_allergens"))
        return message(language, "family_fragrance", name=name, count=allergens)
    return message(language, "family_count", name=name, count=len(kb.members(family_id)))


def chip_label(kb: IngredientKnowledge, kind: str, value: str, language: str = "en") -> str:
    if kind == "exclude_family":
        return message(language, "chip_no", x=family_without(kb, value, language))
    if kind == "exclude_ingredient":
        return message(language, "chip_no", x=value)
    if kind == "include_ingredient":
        return message(language, "chip_with", x=value)
    if kind == "skin_type" and language != "en":
        return skin_type_name(kb, value, language)
    if kind == "concern" and language != "en":
        return concern_name(kb, value, language)
    if kind == "category" and language != "en":
        return category_label(value, language)
    if kind in ("price_max", "price_min"):
        return ("≤ " if kind == "price_max" else "≥ ") + value
    return value.replace("_", " ")
