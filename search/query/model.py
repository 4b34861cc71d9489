"""The values query understanding produces and consumes: chips, constraints, interpretations.

They live apart from the parser so that the parser, `merge_explicit` and the engine can all import
them without import cycles; `conseil.search.query` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from conseil.search.query.language_data import LANGUAGES

# Longest query text accepted, in characters: the one definition (the HTTP contracts and the feedback
# log import it).
MAX_QUERY_CHARS = 500

__all__ = ["CHIP_KINDS", "IGNORED_REASONS", "LANGUAGES", "MAX_QUERY_CHARS", "Chip", "Constraints", "Ignored",
           "IngredientLike", "Interpretation", "KnowledgeVocabulary", "QueryVocabulary"]

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


# Why words of a query were not used: after a negation, a product property rather than an ingredient
# ("without water", "sans rinçage": kept as text, nothing excluded); a word neither the parser nor
# retrieval knows ("xyzzy"; in another language, a word the English gloss cannot translate either).
IGNORED_REASONS: tuple[str, ...] = ("not_an_ingredient", "not_understood")


@dataclass(frozen=True)
class Ignored:
    """Words of the query that no constraint and no retrieval could use, as typed, with the reason."""

    text: str
    reason: str  # one of IGNORED_REASONS


@dataclass(frozen=True)
class Interpretation:
    """What a query means: the text left for semantic matching plus the constraints understood."""

    query: str
    language: str  # best guess among LANGUAGES ("en" by default)
    semantic_text: str  # constraint phrases removed, product type words kept
    constraints: Constraints
    chips: tuple[Chip, ...]
    warnings: tuple[str, ...]
    ignored: tuple[Ignored, ...] = ()  # the parser's; the engine adds the words retrieval cannot use


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


class FamilyLike(Protocol):
    """The part of `knowledge.Family` that query understanding reads."""

    @property
    def names(self) -> Mapping[str, tuple[str, ...]]: ...  # language -> names


class KnowledgeVocabulary(Protocol):
    """The parts of `knowledge.IngredientKnowledge` that query understanding reads.

    Coding against this protocol keeps the parser testable with a small fake knowledge base.
    """

    def resolve(self, name: str) -> IngredientLike | None: ...

    def families_of_name(self, name: str) -> frozenset[str]: ...

    def family_name_index(self) -> Mapping[str, str]: ...

    @property
    def families(self) -> Mapping[str, FamilyLike]: ...  # the one source of family names, by language

    @property
    def skin_types(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...

    @property
    def concerns(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...
