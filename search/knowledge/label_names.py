"""The curated label names of the knowledge file (`label_names` in curation.json, each list with its
source): botanical synonyms, common and everyday names, and text that is certainly no substance.
Read by the resolver (resolve.py), which records each use as its own `via` step."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conseil.search.knowledge.text import normalize_name


@dataclass(frozen=True)
class LabelNames:
    """The curated label names of the knowledge file (`label_names`, from curation.json): botanical
    synonyms (older genus names, common misspellings), common names, and text that is no substance."""

    botanical_synonyms: Mapping[str, str] = field(default_factory=dict)  # "citrullus vulgaris" -> "citrullus lanatus"
    common_names: Mapping[str, str] = field(default_factory=dict)  # "beet" -> "beta vulgaris"
    everyday_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "vitamin e" -> canonical names
    ambiguous_common_names: frozenset[str] = frozenset()  # "rose": several species; never learned
    not_ingredients: frozenset[str] = frozenset()
    not_ingredient_patterns: tuple[re.Pattern[str], ...] = ()
    translation_words: frozenset[str] = frozenset()  # "eau", "huile": the French part of "Water/Aqua/Eau"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LabelNames:
        return cls({normalize_name(k): normalize_name(v) for k, v in data.get("botanical_synonyms", {}).items()},
                   {normalize_name(k): normalize_name(v) for k, v in data.get("common_names", {}).items()},
                   {normalize_name(k): tuple(v) for k, v in data.get("everyday_names", {}).items()},
                   frozenset(normalize_name(n) for n in data.get("ambiguous_common_names", ())),
                   frozenset(normalize_name(n) for n in data.get("not_ingredients", ())),
                   tuple(re.compile(p) for p in data.get("not_ingredient_patterns", ())),
                   frozenset(normalize_name(w) for w in data.get("translation_words", ())))

    def rename_plant(self, key: str) -> str:
        """'citrullus vulgaris fruit extract' -> 'citrullus lanatus fruit extract'."""
        words = key.split()
        for n in (3, 2):
            new = self.botanical_synonyms.get(" ".join(words[:n])) if len(words) >= n else None
            if new:
                return " ".join([new, *words[n:]])
        return key

    def not_ingredient(self, key: str) -> bool:
        return key in self.not_ingredients or any(p.fullmatch(key) for p in self.not_ingredient_patterns)

    def translation(self, key: str) -> bool:
        """Is this slashed part only the French words of a bilingual label ("huile vegetale", "cire d'abeille")?"""
        words = key.replace("'", " ").split()
        return bool(words) and all(w in self.translation_words for w in words)
