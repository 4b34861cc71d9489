"""Explicit constraints (request fields, CLI options, removable chips) merged into a parsed query.

Explicit values are stricter than free text: an unknown skin type, concern, category or brand is an
error that lists the valid values, because it comes from a form or a script, not from a client.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence

from conseil.search.errors import QueryError
from conseil.search.index.schema import CONCERNS, SKIN_TYPES
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.builder import Builder, format_number
from conseil.search.query.model import Chip, Interpretation, QueryVocabulary
from conseil.search.query.parser import QueryParser
from conseil.search.query.vocabulary import (
    CONCERN_MATCHER,
    PRODUCT_MATCHER,
    SKIN_ADJECTIVE_WORDS,
    name_words,
    vocabulary_index,
)

_EXPLICIT = 1_000_000  # explicit chips come after every parsed chip


def _code(value: str) -> str:
    return fold(value).strip().replace(" ", "_").replace("-", "_")


def skin_type_code(parser: QueryParser, value: str) -> str | None:
    """'dry', 'Dry', 'peau sèche', 'suchá pleť', 'combo' -> a code of SKIN_TYPES."""
    code = _code(value)
    if code in SKIN_TYPES:
        return code
    for names_code, by_lang in parser.kb.skin_types.items():
        if any(fold(n).strip() == fold(value).strip() for names in by_lang.values() for n in names):
            return names_code
    codes = {SKIN_ADJECTIVE_WORDS[w] for w in name_words(value) if w in SKIN_ADJECTIVE_WORDS}
    return codes.pop() if len(codes) == 1 else None


def concern_code(parser: QueryParser, value: str) -> str | None:
    """'acne', 'Anti-aging', 'dark spots', 'rides' -> a code of CONCERNS."""
    code = _code(value)
    if code in CONCERNS:
        return code
    for names_code, by_lang in parser.kb.concerns.items():
        if any(fold(n).strip() == fold(value).strip() for names in by_lang.values() for n in names):
            return names_code
    words = list(name_words(value))
    matches = CONCERN_MATCHER.find_all(words) if words else []
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(words):
        return matches[0].value[0]
    return None


def category_key(vocabulary: QueryVocabulary, value: str) -> str | None:
    """A category key, name, or product-type word in any language -> the catalog's category key."""
    index = vocabulary_index(vocabulary)
    direct = index.category_key([value])
    if direct is not None:
        return direct
    if value in vocabulary.categories.values():
        return value
    words = list(name_words(value))
    m = PRODUCT_MATCHER.match_at(words, 0) if words else None
    if m is not None and m.end == len(words) and m.value[0]:
        return index.category_key(m.value[0])
    return index.categories.get(tuple(words))


def brand_key(vocabulary: QueryVocabulary, value: str) -> str | None:
    if value in vocabulary.brands.values():
        return value
    key = vocabulary.brands.get(fold(value).strip())
    if key is not None:
        return key
    entry = vocabulary_index(vocabulary).brands.get(name_words(value))
    return entry.key if entry is not None else None


def _valid(values: Sequence[str]) -> str:
    return ", ".join(sorted(set(values)))


def merge_with(
    parser: QueryParser,
    interp: Interpretation,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    skin_types: Sequence[str] = (),
    concerns: Sequence[str] = (),
    categories: Sequence[str] = (),
    brands: Sequence[str] = (),
    price_min: float | None = None,
    price_max: float | None = None,
) -> Interpretation:
    """`query.merge_explicit` with an already built parser."""
    out = Builder.from_interpretation(parser.kb, interp)
    for value in exclude:
        term = parser.resolve_name(value)
        out.exclude([term], "", _EXPLICIT)
    for value in include:
        term = parser.resolve_name(value)
        if term.kind == "family":
            raise QueryError(f'"{value}" is an ingredient family ({term.value}); a required ingredient must be '
                             "one ingredient, e.g. niacinamide or retinol.", key="error_include_family", x=value)
        out.include([term], "", _EXPLICIT)
    for value in skin_types:
        code = skin_type_code(parser, value)
        if code is None:
            raise QueryError(f'Unknown skin type "{value}"; valid skin types: {", ".join(SKIN_TYPES)}.', key="error_unknown_value", x=value)
        out.add(Chip("skin_type", code, ""), _EXPLICIT)
    for value in concerns:
        code = concern_code(parser, value)
        if code is None:
            raise QueryError(f'Unknown concern "{value}"; valid concerns: {", ".join(CONCERNS)}.', key="error_unknown_value", x=value)
        out.add(Chip("concern", code, ""), _EXPLICIT)
    vocabulary = parser.vocabulary
    for value in categories:
        key = category_key(vocabulary, value) if vocabulary is not None else normalize_name(value) or None
        if key is None:
            valid = _valid(list(vocabulary.categories.values())) if vocabulary is not None else ""
            raise QueryError(f'Unknown category "{value}"; valid categories: {valid}.', key="error_unknown_value", x=value)
        out.add(Chip("category", key, ""), _EXPLICIT)
    for value in brands:
        key = brand_key(vocabulary, value) if vocabulary is not None else fold(value).strip() or None
        if key is None:
            known = list(vocabulary.brands) if vocabulary is not None else []
            close = difflib.get_close_matches(fold(value), known, n=5, cutoff=0.6)
            hint = f" Did you mean: {', '.join(close)}?" if close else " No catalog brand has a similar name."
            raise QueryError(f'Unknown brand "{value}".{hint}', key="error_unknown_value", x=value)
        out.add(Chip("brand", key, ""), _EXPLICIT)
    for kind, price in (("price_min", price_min), ("price_max", price_max)):
        if price is None:
            continue
        if not math.isfinite(price) or price < 0:
            raise QueryError(f"{kind} must be a non-negative number, not {price!r}.", key="error_price_negative",
                             x=f"{price:g}")
        out.drop(kind)  # an explicit price replaces the one read from the text
        out.add(Chip(kind, format_number(price), ""), _EXPLICIT)
    return out.build(interp.query, interp.language, interp.semantic_text)
