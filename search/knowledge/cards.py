"""Ingredient cards: what the page, `GET /v1/ingredients/{name}` and `conseil knowledge explain` show.

A card is built for any label name, identified or not: how it resolved (each step tried), its CosIng
functions and family names in the requested language, CAS numbers and EU regulatory notes.
"""

from __future__ import annotations

from typing import Any

from conseil.search.knowledge.base import IngredientKnowledge


def ingredient_card(kb: IngredientKnowledge, name: str, language: str = "en") -> dict[str, Any]:
    """JSON-ready card for a label name; function and family names in `language` (English fallback)."""
    facts = kb.describe(name)
    functions = [{"id": f, "name": kb.function_names(f).get(language) or f} for f in facts["functions"]]
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
    }
