"""English glosses of cosmetic words, so that non-English semantic text can be retrieved.

The embedding model and the BM25 index only know the English catalog ("Ultra Facial Moisturizing Cream",
"Skincare > Moisturizers", "Good for: Dryness"), so other languages are glossed before retrieval:
`english_gloss("krem nawilżający do skóry suchej", "pl")` -> "dry skin moisturizing cream".

Words are looked up in the glossary of `corpora/language/gloss.json` (the forms of inflected languages
also by stem), then in the product-type and concern lexicons of query understanding, then as English
loanwords ("serum"). German compounds split into known modifiers and heads ("Nachtcreme" -> "night cream"); post-posed adjectives and
"for <body part>" phrases move before their noun. Unknown words are dropped; English text is kept as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from conseil.search.query.concerns import CONCERN_PATTERNS
from conseil.search.query.language_data import LANGUAGES, by_language, language_file, language_info, words
from conseil.search.query.lexicon import FILLERS, FUNCTION_WORDS, PREPOSITIONS
from conseil.search.query.product_words import PRODUCT_TYPES
from conseil.search.query.terms import HAIR_NOUNS, SCALP_NOUNS, SKIN_ADJECTIVES, SKIN_NOUNS
from conseil.search.query.tokens import Match, PhraseMatcher, stem, tokenize

# Kinds of glossed units: products take qualities and body parts as modifiers; tags stay put.
PRODUCT, PART, QUALITY, TAG = "product", "part", "quality", "tag"

_FILE = "gloss.json"

# gloss, kind, patterns per language (`tokens.PhraseMatcher` syntax; "x{,s,es}" spells x|xs|xes).
_GLOSSARY: tuple[Mapping[str, str], ...] = language_file(_FILE)["glossary"]

# Compound modifiers by language (folded, each also taken with a linking "s"), for "Nachtcreme" ->
# "night cream"; only languages that write compounds have them.
_COMPOUND_MODIFIERS: Mapping[str, Mapping[str, str]] = by_language(_FILE, "compound_modifiers")
# Compound heads that need a known modifier: alone at the end of a word they are too often something else
# ("Vogel", "Alkohol", "Bleistift", "Toilettenspulung").
_WEAK_HEADS: frozenset[str] = words(_FILE, "weak_compound_heads")

# Catalog categories of `product_words.PRODUCT_TYPES` (first candidate) -> gloss, where the name itself
# is not a good one; the others are used as they are.
_CATEGORY_GLOSSES: Mapping[str, str] = language_file(_FILE)["category_glosses"]
_CONCERN_GLOSSES: Mapping[str, str] = language_file(_FILE)["concern_glosses"]

# Cosmetic words that mostly mean something else in a language: "en face", "el primer día".
_FALSE_FRIENDS: frozenset[tuple[str, str]] = frozenset(
    (lang, w) for lang, ws in by_language(_FILE, "false_friends").items() for w in ws)
# Words allowed between a product and its body part: "krem do rąk", "crème pour les mains", "gel de ducha".
_LINKS: frozenset[str] = PREPOSITIONS | words(_FILE, "links")
_BRACES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class _Unit:
    """A glossed word or phrase: its English text and its kind (PRODUCT, PART, QUALITY or TAG)."""

    gloss: str
    kind: str


@dataclass
class _Group:
    """Units arranged into one English phrase ("dry skin moisturizing cream") over tokens start..end-1."""

    kind: str
    text: str
    start: int
    end: int


def _expand(alt: str) -> list[str]:
    """'creme{,s}' -> ['creme', 'cremes'] (several brace groups multiply)."""
    m = _BRACES.search(alt)
    if m is None:
        return [alt]
    return [x for ending in m.group(1).split(",") for x in _expand(alt[:m.start()] + ending + alt[m.end():])]


def _patterns(text: str) -> list[str]:
    """The ';'-separated patterns of a lexicon text, braces expanded slot by slot ("-": none)."""
    return [" ".join(f"[{body}]" if spec.startswith("[") else body for spec in pattern.split()
                     for body in ["|".join(x for alt in spec.strip("[]").split("|") for x in _expand(alt))])
            for pattern in text.split(";") if pattern.strip() not in ("", "-")]


def _own_entries(langs: Sequence[str]) -> list[tuple[str, _Unit]]:
    """This module's glossary plus the skin and hair words of `query_terms`, for some languages."""
    entries = [(p, _Unit(entry["gloss"], entry["kind"])) for entry in _GLOSSARY for lang in langs
               for p in _patterns(entry.get(lang, ""))]
    for code, by_lang in SKIN_ADJECTIVES.items():
        entries += [(by_lang[lang], _Unit(code, QUALITY)) for lang in langs if lang in by_lang]
    entries += [(SKIN_NOUNS[lang], _Unit("skin", PART)) for lang in langs if lang in SKIN_NOUNS]
    return entries + [(w, _Unit("scalp" if w in SCALP_NOUNS else "hair", PART))
                      for w in sorted(HAIR_NOUNS)]


def _borrowed_entries(langs: Sequence[str]) -> list[tuple[str, _Unit]]:
    """Product-type and concern phrases of query understanding, with English glosses."""
    # Candidates start with the product-type id; the gloss of a known catalog name is kept when there is one.
    tables: list[tuple[_Unit, Mapping[str, str]]] = [
        (_Unit(next((_CATEGORY_GLOSSES[c] for c in cands if c in _CATEGORY_GLOSSES), cands[0]), PRODUCT), by_lang)
              for cands, by_lang in PRODUCT_TYPES if cands]  # no candidates: only a block for the parser
    tables += [(_Unit(_CONCERN_GLOSSES.get(code, code.replace("_", " ")), QUALITY), by_lang)
               for code, by_lang in CONCERN_PATTERNS.items()]
    return [(p, unit) for unit, by_lang in tables for lang in langs for p in _patterns(by_lang.get(lang, ""))]


def _single_words(entries: Sequence[tuple[str, _Unit]]) -> list[tuple[str, _Unit]]:
    """The one-word, non-prefix forms of the entries, in order."""
    return [(alt, unit) for pattern, unit in entries if " " not in pattern and not pattern.startswith("[")
            for alt in pattern.split("|") if not alt.endswith("*")]


@dataclass(frozen=True)
class _Glossary:
    """The compiled lookups for one language (see `_glossary`)."""

    language: str
    own: PhraseMatcher[_Unit]
    own_stems: Mapping[str, _Unit]  # stems of one-word forms; empty for en, fr, es, it
    borrowed: PhraseMatcher[_Unit]
    english: PhraseMatcher[_Unit]
    heads: tuple[tuple[str, _Unit, bool], ...]  # German compound heads, longest first: form, unit, strong
    modifiers: tuple[tuple[str, str], ...]  # German compound modifiers, longest first: form, gloss

    def own_at(self, words: Sequence[str], stems: Sequence[str], i: int) -> Match[_Unit] | None:
        """The longest glossary match at word i: a phrase, an inflected form, or a German compound."""
        m = self.own.match_at(words, i)
        if m is None and stems[i] in self.own_stems:
            m = Match(i, i + 1, self.own_stems[stems[i]])
        unit = self.compound(words[i]) if m is None and self.heads else None
        return Match(i, i + 1, unit) if unit is not None else m

    def compound(self, word: str) -> _Unit | None:
        """'feuchtigkeitsgesichtscreme' -> 'moisturizing face cream'; None unless the head is known."""
        for head, unit, strong in self.heads:
            rest = word[: -len(head)]
            if word.endswith(head) and len(rest) >= 3:
                glosses = self.split_modifiers(rest)
                if glosses is not None:
                    return _Unit(" ".join([*glosses, unit.gloss]), PRODUCT)
                if strong:
                    return unit
        return None

    def split_modifiers(self, rest: str) -> list[str] | None:
        """The glosses of a chain of known modifiers spelling exactly `rest`, or None."""
        if not rest:
            return []
        for form, gloss in self.modifiers:
            tail = self.split_modifiers(rest[len(form):]) if rest.startswith(form) else None
            if tail is not None:
                return [gloss, *tail]
        return None


@cache
def _glossary(language: str) -> _Glossary:
    """Compile the lookups of one language once per process (unknown languages: all but English)."""
    langs = (language,) if language in LANGUAGES else LANGUAGES[1:]
    own = _own_entries(langs)
    inflected = any(language_info(lang)["inflected"] for lang in langs)
    # the first form of a stem wins, hence reversed()
    stems = {stem(alt): unit for alt, unit in reversed(_single_words(own))} if inflected else {}
    compounding = tuple(lang for lang in _COMPOUND_MODIFIERS if lang in langs)
    heads = [(alt, unit, alt not in _WEAK_HEADS) for alt, unit in _single_words(_own_entries(compounding))
             if compounding and unit.kind == PRODUCT]
    modifiers = {(form + s, gloss) for lang in compounding for form, gloss in _COMPOUND_MODIFIERS[lang].items()
                 for s in ("", "s")}
    return _Glossary(
        language=language, own=PhraseMatcher(own), own_stems=MappingProxyType(stems),
        borrowed=PhraseMatcher(_borrowed_entries(langs)), english=PhraseMatcher(_own_entries(("en",))),
        heads=tuple(sorted(heads, key=lambda h: (-len(h[0]), h[0]))),
        modifiers=tuple(sorted(modifiers, key=lambda m: (-len(m[0]), m[0]))),
    )


def _units(g: _Glossary, words: Sequence[str]) -> list[Match[_Unit]]:
    """Glossed units left to right. A longer lexicon phrase beats the glossary only where the glossary does
    not know all its words: "rouge à lèvres" -> "lipstick", but "crème visage" -> "face cream"."""
    stems = [stem(w) for w in words]
    own = [g.own_at(words, stems, i) if words[i][0].isalpha() else None for i in range(len(words))]
    covered = {k for m in own if m is not None for k in range(m.start, m.end)}
    units: list[Match[_Unit]] = []
    i = 0
    while i < len(words):
        if (g.language, words[i]) in _FALSE_FRIENDS:
            i += 1
            continue
        o, b = own[i], g.borrowed.match_at(words, i)
        m: Match[_Unit] | None = o
        if b is not None and (o is None or b.end > o.end) and any(
                k not in covered and words[k] not in _LINKS for k in range(b.start, b.end)):
            m = b
        if m is None:
            m = g.english.match_at(words, i)  # loanwords: "serum", "peeling", "primer"
        spf = units[-1] if units and units[-1].end == i and units[-1].value.gloss == "spf" else None
        if m is None and spf is not None and words[i].isdigit():
            m = Match(units.pop().start, i + 1, _Unit("spf " + words[i], TAG))  # "LSF 50" -> "spf 50"
        if m is None:
            i += 1
        else:
            units.append(m)
            i = m.end
    return units


@lru_cache(maxsize=256)
def _glossed(language: str, words: tuple[str, ...]) -> tuple[Match[_Unit], ...]:
    """`_units` of one query's words: a search asks twice (the words left out, then the gloss)."""
    return tuple(_units(_glossary(language), words))


def _arrange(units: Sequence[Match[_Unit]], words: Sequence[str]) -> list[str]:
    """English word order. A quality next to a noun goes before it ("crema idratante" -> "moisturizing
    cream"); a body part after a product becomes its modifier ("krem do rąk" -> "hand cream"). Repeated
    glosses are dropped."""
    groups: list[_Group] = []
    for m in units:
        unit, last = m.value, (groups[-1] if groups else None)
        if last is not None and unit.kind == QUALITY and last.kind in (PRODUCT, PART) and last.end == m.start:
            last.text, last.end = f"{unit.gloss} {last.text}", m.end
            continue
        group = _Group(unit.kind, unit.gloss, m.start, m.end)
        if last is not None and unit.kind in (PRODUCT, PART) and last.kind == QUALITY and last.end == m.start:
            groups.pop()  # "suchou pleť" -> "dry skin": a body part that may still attach to a product
            group.text, group.start = f"{last.text} {unit.gloss}", last.start
            last = groups[-1] if groups else None
        if (last is not None and group.kind == PART and last.kind == PRODUCT
                and all(w in _LINKS for w in words[last.end:group.start])):
            last.text, last.end = f"{group.text} {last.text}", m.end
        else:
            groups.append(group)
    return list(dict.fromkeys(g.text for g in groups))


def unglossed_words(text: str, language: str) -> tuple[str, ...]:
    """The words of `text` (as typed) that the gloss of a non-English `language` leaves out: neither a
    cosmetic word it translates nor a grammar word, filler or number. () for English text."""
    if language == "en":
        return ()
    tokens = tokenize(text)
    words = [t.text for t in tokens]
    covered = {k for m in _glossed(language, tuple(words)) for k in range(m.start, m.end)}
    return tuple(text[t.start:t.end] for k, t in enumerate(tokens)
                 if k not in covered and t.is_word and not t.is_number
                 and t.text not in FUNCTION_WORDS and t.text not in FILLERS)


def english_gloss(text: str, language: str) -> str:
    """An English rendering of the cosmetic words of `text` (in `language`, one of `LANGUAGES`).

    English text comes back as it is (trimmed). Otherwise product types, benefits and body parts are
    translated, inflected forms included ("kremu", "nawilżającego", "Nachtcreme"), put in English order,
    and every other word is dropped: "" when nothing is recognised. Deterministic; the lookups are
    compiled once per language and process.
    """
    if language == "en":
        return text.strip()
    words = [t.text for t in tokenize(text)]
    return " ".join(_arrange(_glossed(language, tuple(words)), words)) if words else ""
