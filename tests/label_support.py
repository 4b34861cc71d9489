"""Helpers shared by the label tests: a product payload's verification part built from a declaration,
and whether a verdict says "free of"."""

from __future__ import annotations

from typing import Any

from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.verify import stored_items


def payload(kb: IngredientKnowledge, declaration: str) -> dict[str, Any]:
    """The verification part of a product payload, as ingest/documents.py stores it."""
    return {"ingredients_raw": declaration, "ingredient_items": stored_items(analyze(declaration, kb))}


def says_free_of(verdict: Any) -> bool:
    return any(w.text.startswith("free of") for w in verdict.why)
