"""Ingredient cards: what the page, `GET /v1/ingredients/{name}` and `conseil knowledge explain` show.

A card is built for any label name, identified or not: how it resolved (each step tried), its CosIng
functions and family names in the requested language, CAS numbers and EU regulatory notes. Function
names come from `corpora/language/functions.json` (reviewed, every language); the notes themselves
are the regulation's English text, so a card also gives each note's short form in the language
(`regulatory_summary`: the annex and what it means, from messages.json).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.query.language_data import language_file
from conseil.search.query.messages import message

# "EU Annex V/12: allowed preservative; max conc ..." and "SCCS/1459/11 fragrance-allergen opinion: ..."
_ANNEX = re.compile(r"EU Annex ([IVX]+/[^:\s]+): ([^;(]+)")
_SCCS = re.compile(r"(SCCS/[\d/]+)[^:]*: (.+)")
_KINDS = (("prohibited", "reg_prohibited"), ("restricted", "reg_restricted"), ("colorant", "reg_colorant"),
          ("preservative", "reg_preservative"), ("uv filter", "reg_uv_filter"), ("allergen", "reg_allergen"))
_SCCS_KINDS = (("established", "reg_established"), ("likely", "reg_likely"), ("possible", "reg_possible"))


@cache
def _functions() -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({str(e["id"]): e for e in language_file("functions.json").get("functions", ())})


def function_name(kb: IngredientKnowledge, function: str, language: str) -> str:
    """A CosIng function's name in `language`: the reviewed table, else Open Beauty Facts', else English."""
    entry = _functions().get(function)
    if entry is not None and entry.get(language):
        return str(entry[language])
    return kb.function_names(function).get(language) or function


def regulatory_summary(note: str, language: str) -> str:
    """'EU Annex V/12: allowed preservative; max conc 0,4% ...' -> 'Annexe V/12 (UE) : conservateur
    autorisé'. A note of another shape is returned as written (it is the regulation's text)."""
    found = _ANNEX.match(note)
    if found is not None:
        kind = found.group(2).lower()
        key = next((k for word, k in _KINDS if word in kind), None)
        if key is not None:
            return message(language, "reg_annex", ref=found.group(1), kind=message(language, key))
    found = _SCCS.match(note)
    if found is not None:
        key = next((k for word, k in _SCCS_KINDS if word in found.group(2).lower()), None)
        if key is not None:
            return message(language, "reg_sccs", ref=found.group(1), kind=message(language, key))
    return note


def ingredient_card(kb: IngredientKnowledge, name: str, language: str = "en") -> dict[str, Any]:
    """JSON-ready card for a label name; function and family names in `language` (English fallback)."""
    facts = kb.describe(name)
    functions = [{"id": f, "name": function_name(kb, f, language)} for f in facts["functions"]]
    families = []
    for fid in facts["families"]:
        names = kb.family(fid).names
        families.append({"id": fid, "name": (names.get(language) or names["en"])[0]})
    return {
        "query": name, "language": language, "known": facts["known"], "canonical": facts["canonical"],
        "via": facts["via"], "matched": facts["matched"], "trail": facts["trail"],
        "candidates": facts["candidates"], "synonyms": facts["synonyms"], "cas": facts["cas"],
        "groups": facts["groups"],
        "functions": functions, "families": families, "regulatory": facts["regulatory"],
        "regulatory_summary": [regulatory_summary(note, language) for note in facts["regulatory"]],
    }
