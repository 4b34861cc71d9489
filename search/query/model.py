"""The values query understanding produces and consumes: chips, constraints, interpretations.

They live apart from the parser so that the parser, `merge_explicit` and the engine can all import
them without import cycles; `conseil.search.query` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

# Longest query text accepted, in characters (the HTTP contract uses the same limit).
MAX_QUERY_CHARS = 500

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "it", "de", "pl", "cs")

CHIP_KINDS: tuple[str, ...] = (
    "exclude_family",
    "exclude_ingredient",
    "include_ingredient",
    "skin_type",
    "concern",
    "category",
    "brand",
    "price_max",
    "price_min",
)


@dataclass(frozen=True)
class Chip:
    """One understood constraint, shown to the advisor as a removable chip."""

    kind: str  # one of CHIP_KINDS
    value: str  # family id, ingredient key, skin type code, category key, brand, or number as str
    source_text: str  # the words of the query it came from ("" when given explicitly)
    known: bool = True  # False for an exclusion X that is not in the knowledge base (excluded by name)


@dataclass(frozen=True)
class Constraints:
    """Structured filters; every tuple is deduplicated and in the order the constraints were stated."""

    exclude_families: tuple[str, ...] = ()
    exclude_ingredients: tuple[str, ...] = ()  # ingredient keys, or normalize_name(X) for an unknown X
    include_ingredients: tuple[str, ...] = ()
    skin_types: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # category keys from the vocabulary passed in
    brands: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    currency: str | None = None  # "USD", "EUR", "PLN", "CZK", "GBP" if stated


@dataclass(frozen=True)
class Interpretation:
    """What a query means: the text left for semantic matching plus the constraints understood."""

    query: str
    language: str  # best guess among LANGUAGES ("en" by default)
    semantic_text: str  # constraint phrases removed, product type words kept
    constraints: Constraints
    chips: tuple[Chip, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class QueryVocabulary:
    """The catalog's own names, built by the engine from the index facets and passed in."""

    categories: Mapping[str, str]  # fold()ed category name -> category key
    brands: Mapping[str, str]  # fold()ed brand name -> brand key

    # What is compiled from it (`vocabulary.vocabulary_index`, `parser.parser_for`) is cached on this
    # value by the modules that compile it, outside equality and repr: this module imports neither.


class IngredientLike(Protocol):
    """The parts of `knowledge.Ingredient` that query understanding reads."""

    @property
    def canonical(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def families(self) -> Collection[str]: ...


class KnowledgeVocabulary(Protocol):
    """The parts of `knowledge.IngredientKnowledge` that query understanding reads.

    Coding against this protocol keeps the parser testable with a small fake knowledge base.
    """

    def resolve(self, name: str) -> IngredientLike | None: ...

    def families_of_name(self, name: str) -> frozenset[str]: ...

    def family_name_index(self) -> Mapping[str, str]: ...

    @property
    def skin_types(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...

    @property
    def concerns(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...
