"""Query understanding: what an advisor typed, in any supported language, as text plus constraints.

    >>> interp = parse_query("sérum sans silicones ni parfum pour peau sensible", kb, vocabulary)
    >>> interp.constraints.exclude_families
    ('silicones', 'fragrance')
    >>> interp.semantic_text
    'sérum'

`parse_query` understands negations and "free" forms ("without X", "X-free", "sans X ni Y",
"bez X i Y"...), required ingredients ("with niacinamide", "z kwasem hialuronowym"), skin types,
concerns, product types, brands and prices in en, fr, es, it, de, pl, cs and el. `merge_explicit` adds
constraints given as explicit request fields. Both raise `QueryError` for an empty or over-long
query, unknown explicit values and contradictions ("with parabens without parabens").

Compiling the term index takes ~10 ms: `parse_query` reuses the parser cached on the vocabulary
(`parser.parser_for`), so an engine holding one vocabulary pays it once. Without a vocabulary,
build one `QueryParser(kb)` and call `.parse()` for many queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from conseil.search.query.merge import merge_with
from conseil.search.query.model import (
    CHIP_KINDS,
    IGNORED_REASONS,
    LANGUAGES,
    MAX_QUERY_CHARS,
    Chip,
    Constraints,
    Ignored,
    IngredientLike,
    Interpretation,
    KnowledgeVocabulary,
    QueryVocabulary,
)
from conseil.search.query.parser import QueryParser, parser_for

__all__ = [
    "CHIP_KINDS", "IGNORED_REASONS", "LANGUAGES", "MAX_QUERY_CHARS", "Chip", "Constraints", "Ignored",
    "IngredientLike", "Interpretation",
    "KnowledgeVocabulary", "QueryParser", "QueryVocabulary", "merge_explicit", "parse_query",
]


def parse_query(query: str, kb: KnowledgeVocabulary, vocabulary: QueryVocabulary | None = None) -> Interpretation:
    """Free text -> semantic text, constraints and chips. Category and brand chips need `vocabulary`."""
    parser = parser_for(kb, vocabulary) if vocabulary is not None else QueryParser(kb)
    return parser.parse(query)


def merge_explicit(
    interp: Interpretation,
    kb: KnowledgeVocabulary,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    skin_types: Sequence[str] = (),
    concerns: Sequence[str] = (),
    categories: Sequence[str] = (),
    brands: Sequence[str] = (),
    price_min: float | None = None,
    price_max: float | None = None,
    vocabulary: QueryVocabulary | None = None,
) -> Interpretation:
    """Add explicitly given constraints to a parsed interpretation (deduplicated, chips with no source text).

    Exclusions accept family ids, family names in any supported language and ingredient names (an
    unknown name is excluded by name, with a warning); inclusions accept ingredient names. Skin types,
    concerns and (with a vocabulary) categories and brands must be known: QueryError lists the valid
    ones. An explicit price replaces a parsed one of the same kind.
    """
    parser = parser_for(kb, vocabulary) if vocabulary is not None else QueryParser(kb)
    return merge_with(parser, interp, exclude=exclude, include=include,
                      skin_types=skin_types, concerns=concerns, categories=categories, brands=brands,
                      price_min=price_min, price_max=price_max)
