"""Tokens with offsets, a light multilingual stemmer and a small phrase-pattern matcher.

Query understanding works on folded tokens ('Parabènes' -> 'parabenes') but must report the words
the advisor typed, so every token keeps the span of the original text it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Generic, TypeVar

from conseil.search.knowledge.text import fold

T = TypeVar("T")

# Word tokens keep English possessives and contractions ("kiehl's", "doesn't") but split elisions
# ("l'acide" -> "l", "acide"): brand names and ingredient names are tokenized the same way.
_TOKEN = re.compile(r"[^\W_]+(?:'(?:s|m|t|re|ve|ll|d)(?![^\W_]))?|[,;/&+%()<>=]")
_QUOTE_DASH = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})

# Inflectional endings of the supported languages (Greek folded: no accents, final sigma as σ), longest first. Stripping repeats (down to a stem of
# four letters) so that every form of a word reaches the same stem: 'parabens', 'parabenów',
# 'parabenů', 'parabeni', 'Parabene' all become 'parab'. Stems are only ever compared with stems
# of known names, never used as prefixes, which keeps false positives rare.
_ENDINGS: tuple[str, ...] = tuple(sorted({
    "ami", "ach", "ech", "ego", "emu", "ych", "ymi", "ich", "ow", "ou", "um", "em", "om", "ym", "im",
    "ej", "es", "os", "as", "en", "er", "ie", "ov", "s", "e", "i", "y", "u", "a", "o",
    "ουσ", "εισ", "ων", "εσ", "ασ", "οσ", "ου", "ησ", "ισ", "υσ", "α", "η", "ο", "ι", "ε", "υ", "σ",
}, key=len, reverse=True))
_MIN_STEM = 4


@dataclass(frozen=True)
class Token:
    """One word (or punctuation mark) of the query, folded, with its span in the original text."""

    text: str  # folded: lower case, no accents
    start: int  # offsets into the original query
    end: int
    joined: bool  # glued to the previous token by a hyphen: the "free" of "paraben-free"

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_number(self) -> bool:
        return self.text.isdigit()


@dataclass
class TokenState:
    """A query's tokens (with stems) and which parsing pass claimed each one (None: still free)."""

    query: str
    tokens: list[Token]
    words: list[str]
    stems: list[str]
    role: list[str | None]

    @classmethod
    def of(cls, text: str, folded: str | None = None, origin: Sequence[int] | None = None) -> TokenState:
        """Tokenize `text` (pass its fold_with_offsets() result when already computed)."""
        if folded is None or origin is None:
            folded, origin = fold_with_offsets(text)
        tokens = tokenize_folded(folded, origin)
        words = [t.text for t in tokens]
        return cls(text, tokens, words, [stem(w) for w in words], [None] * len(tokens))

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.role[i] is None

    def usable(self) -> list[bool]:
        return [r is None for r in self.role]

    def claim(self, start: int, end: int, role: str) -> None:
        for i in range(start, end):
            self.role[i] = role

    def text(self, start: int, end: int) -> str:
        """The original words of tokens start..end-1, as typed."""
        return self.query[self.tokens[start].start:self.tokens[end - 1].end]

    def is_word(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].is_word


def fold_with_offsets(text: str) -> tuple[str, tuple[int, ...]]:
    """fold() the text and map every folded character back to the index of its original character."""
    text = text.translate(_QUOTE_DASH)
    if text.isascii():
        return text.lower(), tuple(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch) if not ch.isascii() else ch.lower()
        parts.append(folded)
        origin.extend([i] * len(folded))
    return "".join(parts), tuple(origin)


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`, folded, with offsets into `text`."""
    return tokenize_folded(*fold_with_offsets(text))


def tokenize_folded(folded: str, origin: Sequence[int]) -> list[Token]:
    """Tokens of an already folded text; `origin` maps folded offsets to original ones."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(folded):
        s, e = m.start(), m.end()
        joined = s >= 2 and folded[s - 1] == "-" and folded[s - 2].isalnum() and m.group()[0].isalnum()
        tokens.append(Token(m.group(), origin[s], origin[e - 1] + 1, joined))
    return tokens


def words(text: str) -> tuple[str, ...]:
    """The folded word tokens of a name or phrase: 'Huiles minérales' -> ('huiles', 'minerales')."""
    return tuple(t.text for t in tokenize(text))


@lru_cache(maxsize=1 << 16)  # ~45 endings tried a word; a query stems each word several times
def stem(word: str) -> str:
    """Strip inflectional endings down to a stem of at least four letters ('zapachu' -> 'zapach')."""
    if len(word) <= _MIN_STEM or not word.isalpha():
        # Short words only lose an English plural s: 'oils' -> 'oil', 'pegs' -> 'peg'.
        return word[:-1] if len(word) == _MIN_STEM and word.endswith("s") and word.isalpha() else word
    while True:
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                word = word[: -len(ending)]
                break
        else:
            return word


def stems(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens)


@dataclass(frozen=True)
class _Slot:
    """One position of a pattern: exact words and word prefixes ('krem*'), or optional."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def accepts(self, word: str) -> bool:
        return word in self.exact or any(word.startswith(p) for p in self.prefixes)


def _parse_slot(spec: str) -> _Slot:
    exact, prefixes = [], []
    for alt in spec.split("|"):
        alt = fold(alt)
        if alt.endswith("*"):
            prefixes.append(alt[:-1])
        else:
            exact.append(alt)
    return _Slot(frozenset(exact), tuple(prefixes))


def expand_pattern(pattern: str) -> list[list[_Slot]]:
    """'[de|des] crème* hydratant*' -> slot sequences; a [bracketed] group of one or more slots
    is optional as a whole ("vernis [a ongles]", "maska [do twarzy]")."""
    variants: list[list[_Slot]] = [[]]
    for spec in re.findall(r"\[[^\]]*\]|\S+", pattern):
        if spec.startswith("[") and spec.endswith("]"):
            group = [_parse_slot(s) for s in spec[1:-1].split()]
            variants = [v + extra for v in variants for extra in ([], group)]
        else:
            slot = _parse_slot(spec)
            variants = [v + [slot] for v in variants]
    return [v for v in variants if v]


@dataclass(frozen=True)
class Match(Generic[T]):
    start: int  # token indexes, end exclusive
    end: int
    value: T


class PhraseMatcher(Generic[T]):
    """Longest-match lookup of word patterns over a token list.

    Patterns use one word per slot, "a|b" alternatives, "stem*" prefixes and "[optional]" slots,
    e.g. "krem* nawilzaj*" or "[for|pour] dry|seche* skin". Built once, matched many times.
    """

    def __init__(self, patterns: Iterable[tuple[str, T]]) -> None:
        by_word: dict[str, list[tuple[tuple[_Slot, ...], T]]] = {}
        by_prefix: list[tuple[str, tuple[_Slot, ...], T]] = []
        for pattern, value in patterns:
            for slots in expand_pattern(pattern):
                first = slots[0]
                for word in first.exact:
                    by_word.setdefault(word, []).append((tuple(slots), value))
                for prefix in first.prefixes:
                    by_prefix.append((prefix, tuple(slots), value))
        self._by_word: Mapping[str, tuple[tuple[tuple[_Slot, ...], T], ...]] = MappingProxyType(
            {w: tuple(v) for w, v in by_word.items()})
        self._by_prefix = tuple(by_prefix)

    def match_at(self, words_: Sequence[str], i: int, usable: Sequence[bool] | None = None) -> Match[T] | None:
        """The longest pattern matching words_[i:], using only tokens marked usable."""
        word = words_[i]
        candidates = list(self._by_word.get(word, ()))
        candidates += [(slots, v) for p, slots, v in self._by_prefix if word.startswith(p)]
        best: Match[T] | None = None
        for slots, value in candidates:
            end = i + len(slots)
            if end > len(words_) or (best is not None and end <= best.end):
                continue
            if all(slot.accepts(words_[i + k]) and (usable is None or usable[i + k])
                   for k, slot in enumerate(slots)):
                best = Match(i, end, value)
        return best

    def find_all(self, words_: Sequence[str], usable: Sequence[bool] | None = None) -> list[Match[T]]:
        """Non-overlapping longest matches, left to right."""
        found: list[Match[T]] = []
        i = 0
        while i < len(words_):
            m = self.match_at(words_, i, usable) if usable is None or usable[i] else None
            if m is None:
                i += 1
            else:
                found.append(m)
                i = m.end
        return found
