"""Ingredient knowledge: what a label's ingredient list says, name by name.

    base.py       IngredientKnowledge: the packaged knowledge base (CosIng inventory, families, synonyms)
    resolve.py    LabelResolver: one resolution for every label name, each step recorded as `via`
    variants.py   the forms a name may take before look-up: qualifiers, grades, words set aside, respellings
    typos.py      the last step's misprint matching (rapidfuzz OSA distance, with its thresholds)
    label_names.py the curated label names: botanical synonyms, common and everyday names, French label words
    inci.py       parse_declaration: raw ingredient text -> items, kit variants, set-aside notes
    cutting.py    the list cutter under it: repairs, clauses, label colons, comma pieces
    prose.py      sentences, claims and marketing bullets told from lists (set aside as notes)
    fields.py     one comma piece -> its name, alternative names, percentage, "nano"
    analysis.py   analyze: a parsed list resolved against the knowledge base (families, unidentified items)
    cards.py      ingredient_card: what an ingredient does, its families and EU restrictions, per language
    coverage.py   measure: the share of a catalog's mentions the knowledge base resolves
    text.py       fold / normalize_name: the one text folding both sides of the index use
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conseil.search._exports import lazy_exports

if TYPE_CHECKING:  # the real classes for type checkers; at run time they load on first use
    from conseil.search.knowledge.analysis import Analysis, CachedKnowledge, analyze  # noqa: F401
    from conseil.search.knowledge.base import IngredientKnowledge  # noqa: F401
    from conseil.search.knowledge.cards import ingredient_card  # noqa: F401
    from conseil.search.knowledge.inci import parse_declaration  # noqa: F401
    from conseil.search.knowledge.resolve import LabelResolver, Resolution  # noqa: F401
    from conseil.search.knowledge.text import fold, normalize_name  # noqa: F401

__all__, __getattr__ = lazy_exports(__name__, {
    "analysis": ("Analysis", "CachedKnowledge", "analyze"),
    "base": ("IngredientKnowledge",),
    "cards": ("ingredient_card",),
    "inci": ("parse_declaration",),
    "resolve": ("LabelResolver", "Resolution"),
    "text": ("fold", "normalize_name"),
})
