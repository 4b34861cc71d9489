"""Grammar words of the supported languages, compiled from `corpora/language/grammar.json`.

Patterns use the `tokens.PhraseMatcher` syntax: one slot per word, "a|b" alternatives, "stem*"
prefixes, "[optional]" slots; they are written with accents for readability and folded when built.
Every entry carries its language, which also feeds the language guess. The data file documents each
section; this module only gives them the shapes the parser uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from conseil.search.knowledge.text import fold
from conseil.search.query.language_data import by_language, words

_FILE = "grammar.json"


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (long word lists stay readable)."""
    return frozenset(text.split())


# pattern, strength ("strong": excludes even an unknown name; "weak": only known names), language.
NEGATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (pattern, strength, lang) for lang, entries in by_language(_FILE, "negations").items()
    for pattern, strength in entries)

# Words after which a name means "the product must contain it". Always "weak": only known names.
INCLUSIONS: tuple[tuple[str, str], ...] = tuple(
    (pattern, lang) for lang, patterns in by_language(_FILE, "inclusions").items() for pattern in patterns)

# Words joining two names of the same list: "without parabens or fragrance", "sans X ni Y".
COORDINATORS: Mapping[str, tuple[str, ...]] = by_language(_FILE, "coordinators")
COORDINATOR_WORDS: frozenset[str] = words(_FILE, "coordinators")

# Words skipped between a marker and a name: "without any", "sans aucun", "senza i", "ohne jegliche".
DETERMINERS: frozenset[str] = words(_FILE, "determiners")

# Words after a name that belong to the negation: "sans parfum ajouté", "senza profumi aggiunti".
POST_MODIFIERS: frozenset[str] = words(_FILE, "post_modifiers")

# Prepositions that introduce a skin type, a concern or a target: removed with the phrase.
PREPOSITIONS: frozenset[str] = words(_FILE, "prepositions")

# Postfix "free" words: "paraben-free", "Parabene-frei" (and the compound "parabenfrei").
FREE_WORDS: frozenset[str] = words(_FILE, "free_words")

# Words that follow "free"/"frei" when it is a prefix ("free of X", "frei von X").
FREE_OF: frozenset[str] = words(_FILE, "free_of")

# Objects of "without"/"-free" that are product properties, not ingredients: "no-rinse",
# "sans rinçage", "without white cast", "cruelty-free", "oil-free" stay semantic text.
NOT_INGREDIENTS: frozenset[str] = words(_FILE, "not_ingredients")

# "Oil" words: not an ingredient alone ("oil-free"), but the head of a longer name ("huile de palme").
OIL_WORDS: frozenset[str] = words(_FILE, "oil_words")

# Fixed phrases that exclude a family without a separate marker ("unscented", "bezzapachowy").
FIXED_EXCLUSIONS: tuple[tuple[str, str, str], ...] = tuple(
    (pattern, family, lang) for lang, entries in by_language(_FILE, "fixed_exclusions").items()
    for pattern, family in entries)

# Phrases kept for semantic matching and never parsed as constraints.
PROTECTED: tuple[tuple[str, str], ...] = tuple(
    (pattern, lang) for lang, patterns in by_language(_FILE, "protected").items() for pattern in patterns)

# Short grammar words by language, used for the language guess and to tidy the semantic text.
GRAMMAR: Mapping[str, frozenset[str]] = MappingProxyType(
    {lang: frozenset(fold(w) for w in ws) for lang, ws in by_language(_FILE, "grammar_words").items()})

# Words of a request around the product ("I'm looking for a", "je cherche une", "szukam"): only
# trimmed from the ends of the semantic text.
FILLERS: frozenset[str] = words(_FILE, "fillers")

# Short grammar words, dropped from the semantic text when stranded next to a claimed phrase. Not the
# negations: "sans rinçage", "no-rinse" keep theirs.
FUNCTION_WORDS: frozenset[str] = frozenset(
    {w for ws in GRAMMAR.values() for w in ws if len(w) <= 4}
    - words(_FILE, "function_word_exceptions")
    | COORDINATOR_WORDS
    | PREPOSITIONS
)

# Characters that point to one language (or a few), for the language guess.
DIACRITICS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    ch: tuple(lang for lang, chars in by_language(_FILE, "diacritics").items() if ch in chars)
    for ch in sorted({c for chars in by_language(_FILE, "diacritics").values() for c in chars})})

# Words that make the next word a brand: "by Fresh", "de Sisley", "marki Ziaja".
BRAND_CUES: frozenset[str] = words(_FILE, "brand_cues")

# Words between two skin types of a range: "dry to combination skin", "sèche à mixte".
RANGE_WORDS: frozenset[str] = words(_FILE, "range_words")
