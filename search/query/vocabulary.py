"""Compiled lookups for query understanding: term index, phrase matchers, vocabulary index.

The lexicons are compiled once at import into read-only structures; what depends on a knowledge
base or on a catalog vocabulary is compiled when a `QueryParser` (or a vocabulary) is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.concerns import CONCERN_PATTERNS
from conseil.search.query.language_data import LANGUAGES, by_language
from conseil.search.query.lexicon import (
    DIACRITICS,
    FIXED_EXCLUSIONS,
    GRAMMAR,
    INCLUSIONS,
    NEGATIONS,
    PROTECTED,
)
from conseil.search.query.model import QueryVocabulary
from conseil.search.query.product_words import GENERIC_CATEGORIES, PRODUCT_TYPES
from conseil.search.query.terms import INGREDIENT_NAMES, SKIN_ADJECTIVES, SKIN_COMPOUNDS, SKIN_NOUNS
from conseil.search.query.tokens import PhraseMatcher, stems

NAME_WORD = re.compile(r"[^\W_]+(?:'(?:s|m|t|re|ve|ll|d)(?![^\W_]))?")


def name_words(name: str) -> tuple[str, ...]:
    """Folded words of a name, the same words `query_text.tokenize` gives for the query."""
    return tuple(NAME_WORD.findall(fold(name).replace("\u2019", "'")))


@dataclass(frozen=True)
class TermEntry:
    """What a name denotes: a family (value = family id) or an ingredient (value = names to resolve)."""

    kind: str  # "family" | "ingredient"
    family: str = ""
    targets: tuple[str, ...] = ()
    lang: str | None = None


def _static_terms() -> dict[tuple[str, ...], TermEntry]:
    """The actives' names; family names come from the knowledge base (`NameResolver`), which wins on a
    shared stem."""
    terms: dict[tuple[str, ...], TermEntry] = {}
    for targets, by_lang in INGREDIENT_NAMES:
        for lang, names in by_lang.items():
            for name in names.split("|"):
                terms[stems(name_words(name))] = TermEntry("ingredient", targets=targets, lang=lang)
    return terms


STATIC_TERMS: Mapping[tuple[str, ...], TermEntry] = MappingProxyType(_static_terms())
def _lexicon_names() -> list[str]:
    return [n for _, by_lang in INGREDIENT_NAMES for text in by_lang.values() for n in text.split("|")]


# Joined folded words of every lexicon name -> its stem key, to skip re-stemming names the KB shares.
STATIC_NAME_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {" ".join(name_words(n)): stems(name_words(n)) for n in _lexicon_names()})


def _patterns(table: Mapping[str, Mapping[str, str]]) -> list[tuple[str, tuple[str, str]]]:
    return [(p.strip(), (code, lang)) for code, by_lang in table.items() for lang, text in by_lang.items()
            for p in text.split(";") if p.strip()]


NEGATION_MATCHER: PhraseMatcher[tuple[str, str]] = PhraseMatcher((p, (s, lang)) for p, s, lang in NEGATIONS)
INCLUSION_MATCHER: PhraseMatcher[str] = PhraseMatcher(INCLUSIONS)
FIXED_MATCHER: PhraseMatcher[tuple[str, str]] = PhraseMatcher((p, (f, lang)) for p, f, lang in FIXED_EXCLUSIONS)
PROTECTED_MATCHER: PhraseMatcher[str] = PhraseMatcher(PROTECTED)
CONCERN_MATCHER: PhraseMatcher[tuple[str, str]] = PhraseMatcher(_patterns(CONCERN_PATTERNS))
PRODUCT_MATCHER: PhraseMatcher[tuple[tuple[str, ...], str]] = PhraseMatcher(
    (p.strip(), (cands, lang)) for cands, by_lang in PRODUCT_TYPES for lang, text in by_lang.items()
    for p in text.split(";") if p.strip())

SKIN_NOUN_WORDS: Mapping[str, str] = MappingProxyType(
    {fold(w): lang for lang, ws in SKIN_NOUNS.items() for w in ws.split("|")})
SKIN_ADJECTIVE_WORDS: Mapping[str, str] = MappingProxyType(
    {fold(w): code for code, by_lang in SKIN_ADJECTIVES.items() for ws in by_lang.values() for w in ws.split("|")})
SKIN_COMPOUND_WORDS: Mapping[str, str] = MappingProxyType(dict(SKIN_COMPOUNDS))


def _language_words(names: Mapping[str, Mapping[str, Iterable[str]]]) -> dict[str, frozenset[str]]:
    """Folded word -> languages it belongs to, from the grammar, every language-tagged lexicon entry and
    `names` (code -> language -> names: the knowledge base's family names)."""
    langs: dict[str, set[str]] = {}

    def add(text: str, lang: str) -> None:
        for w in re.findall(r"(?:[^\W_]|')+", fold(text).replace("*", "")):
            if len(w) > 1 or w in {"a", "e", "i", "o", "y", "z", "s", "u"}:
                langs.setdefault(w, set()).add(lang)

    for lang, ws in GRAMMAR.items():
        for w in ws:
            add(w, lang)
    for p, _, lang in NEGATIONS:
        add(p.replace("|", " "), lang)
    for p, lang in INCLUSIONS:
        add(p.replace("|", " "), lang)
    for lang, text in SKIN_NOUNS.items():
        add(text.replace("|", " "), lang)
    for by_lang_names in names.values():
        for lang, lang_names in by_lang_names.items():
            for name in lang_names:
                add(name, lang)
    for _, by_lang in INGREDIENT_NAMES:
        for lang, text in by_lang.items():
            add(text.replace("|", " "), lang)
    for by_code in (CONCERN_PATTERNS, SKIN_ADJECTIVES):
        for by_lang in by_code.values():
            for lang, text in by_lang.items():
                add(text.replace("|", " ").replace(";", " "), lang)
    for _, by_lang in PRODUCT_TYPES:
        for lang, text in by_lang.items():
            add(text.replace("|", " ").replace(";", " "), lang)
    return {w: frozenset(ls) for w, ls in langs.items()}


LANGUAGE_WORDS: Mapping[str, frozenset[str]] = MappingProxyType(_language_words({}))


def language_words(family_names: Mapping[str, Mapping[str, Iterable[str]]]) -> Mapping[str, frozenset[str]]:
    """LANGUAGE_WORDS plus a knowledge base's family names (family -> language -> names); built once per
    parser, since the family names live in the knowledge base."""
    return MappingProxyType(_language_words(family_names))


# Currencies that point to a language ("30 zł": Polish).
_CURRENCY_LANGUAGES: Mapping[str, str] = MappingProxyType(
    {code: lang for lang, code in by_language("prices.json", "home_currency").items()})


def guess_language(original: str, folded_words: Iterable[str], currency: str | None = None,
                   words: Mapping[str, frozenset[str]] = LANGUAGE_WORDS) -> str:
    """The most likely supported language, from words (`language_words`) and diacritics; "en" when
    nothing tells."""
    score = dict.fromkeys(LANGUAGES, 0.0)
    for word in folded_words:
        langs = words.get(word)
        if langs and len(langs) < len(LANGUAGES):
            for lang in langs:
                score[lang] += 1.0 / len(langs)
    for ch in original.lower():
        langs_ = DIACRITICS.get(ch)
        if langs_:
            for lang in langs_:
                score[lang] += 1.5 / len(langs_)
    if currency is not None and currency in _CURRENCY_LANGUAGES:
        score[_CURRENCY_LANGUAGES[currency]] += 1.0
    best = max(LANGUAGES, key=lambda lang: (score[lang], lang == "en"))
    return best if score[best] > 0 else "en"


# Common words that are also brand names: they only count as a brand when capitalised (and not the
# first word of the query) or right after "by"/"from"/"de"/"von"...
AMBIGUOUS_BRANDS: frozenset[str] = frozenset({
    "fresh", "origins", "philosophy", "slip", "dame", "verb", "virtue", "prima", "commodity", "habit", "merit",
    "duo", "wishful", "topicals", "goop", "canopy", "maude", "mara", "dae", "benefit", "rare", "tarte", "la mer",
    "the maker", "the outset", "hourglass", "buxom", "herbivore", "clinique", "milk", "glossier", "saie",
    "first aid", "living proof",
})
# Trailing words a brand is often named without: "Benefit Cosmetics" -> "Benefit".
_BRAND_SUFFIXES = ("cosmetics", "beauty", "skincare", "haircare", "skin care", "london", "paris", "new york",
                   "makeup", "labs", "professionnel")


@dataclass(frozen=True)
class BrandEntry:
    key: str
    ambiguous: bool  # a common word too: needs a capital or a cue ("by Fresh")


@dataclass(frozen=True)
class VocabularyIndex:
    """Brands and catalog category names by their word sequences (built once per vocabulary)."""

    brands: Mapping[tuple[str, ...], BrandEntry]
    brand_max_words: int
    categories: Mapping[tuple[str, ...], str]  # words of a category name (or its singular) -> key
    category_max_words: int
    category_keys: Mapping[str, str]  # fold()ed name or key -> key

    def category_key(self, candidates: Iterable[str]) -> str | None:
        """The key of the first candidate category name the catalog has."""
        for name in candidates:
            for form in (fold(name), normalize_name(name)):
                if form in self.category_keys:
                    return self.category_keys[form]
        return None


def _brand_aliases(name: str) -> list[tuple[str, bool]]:
    """A brand's name and its shorter everyday names (flagged as derived)."""
    folded = " ".join(name_words(name))
    aliases = [(folded, False)]
    short = re.sub(r"\s+(?:by\s.*|since\s+\d+)$", "", folded)
    for suffix in _BRAND_SUFFIXES:
        if short.endswith(" " + suffix):
            short = short[: -len(suffix) - 1]
    if short and short != folded:
        aliases.append((short, True))
    return aliases


def vocabulary_index(vocabulary: QueryVocabulary) -> VocabularyIndex:
    """Brand and category names by word sequence, compiled on first use and kept with the vocabulary.

    The engine builds one vocabulary and parses many queries with it, so the (few ms) compilation
    is paid once; the cache lives on that immutable value (outside its fields), not in a module.
    """
    cached = vocabulary.__dict__.get("_index_cache")
    if cached is None:
        cached = build_vocabulary_index(vocabulary.categories, vocabulary.brands)
        vocabulary.__dict__["_index_cache"] = cached
    assert isinstance(cached, VocabularyIndex)
    return cached


def build_vocabulary_index(categories: Mapping[str, str], brands: Mapping[str, str]) -> VocabularyIndex:
    brand_index: dict[tuple[str, ...], BrandEntry] = {}
    clashes: set[tuple[str, ...]] = set()
    for name, key in brands.items():
        for alias, derived in _brand_aliases(name):
            words = tuple(alias.split())
            if not words:
                continue
            ambiguous = alias in AMBIGUOUS_BRANDS
            if derived and words in brand_index and brand_index[words].key != key:
                clashes.add(words)  # "Fenty" is both Fenty Beauty and Fenty Skin: neither
                continue
            if not derived or words not in brand_index:
                brand_index[words] = BrandEntry(key, ambiguous)
    for words in clashes:
        brand_index.pop(words, None)
    cat_index: dict[tuple[str, ...], str] = {}
    keys: dict[str, str] = {}
    for name, key in categories.items():
        for form in (name, fold(key), normalize_name(key)):
            keys.setdefault(form, key)
        if name in GENERIC_CATEGORIES or fold(key) in GENERIC_CATEGORIES:
            continue
        words = name_words(name)
        if words:
            cat_index.setdefault(words, key)
            if words[-1].endswith("s") and len(words[-1]) > 3:
                cat_index.setdefault(words[:-1] + (words[-1][:-1],), key)  # "toners" -> "toner"
    return VocabularyIndex(
        brands=MappingProxyType(brand_index), brand_max_words=max((len(w) for w in brand_index), default=0),
        categories=MappingProxyType(cat_index), category_max_words=max((len(w) for w in cat_index), default=0),
        category_keys=MappingProxyType(keys))
