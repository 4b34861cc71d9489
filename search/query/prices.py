"""Prices in every supported language: "under $30", "moins de 30 €", "do 100 zł", "between 20 and 40".

Works on the folded query text (see `tokens.fold_with_offsets`) and reports folded offsets; the words
come from `corpora/language/prices.json`. A bare number is only a price with a currency or after an
unambiguous comparator: "do 30" (Polish "up to", but also "for"), "over 40" (an age) and "SPF 30" are
not prices on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from conseil.search.knowledge.text import fold
from conseil.search.query.language_data import by_language, words

_FILE = "prices.json"

# Folded currency words and symbols -> ISO code.
CURRENCIES: Mapping[str, str] = MappingProxyType(
    {fold(word): code for table in by_language(_FILE, "currencies").values() for word, code in table.items()})


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _words(section: str) -> str:
    """Alternation of a section's phrases (all languages), longest first, spaces matching any
    whitespace (or an apostrophe)."""
    return _alternation(words(_FILE, section)).replace(r"\ ", r"[\s']+")


_CUR = _alternation(CURRENCIES)
_NUM = r"\d{1,3}(?:[ .,]\d{3})+(?![\d,.]?\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
# What may follow a number that is not a price: units, ages, durations, percentages.
_NOT_PRICE_AFTER = re.compile(rf"\s*(?:{_alternation(words(_FILE, 'not_price_units'))})(?![^\W\d_])")
# What may precede a number that is not a price: "SPF under 50", "LSF 30".
_NOT_PRICE_BEFORE = re.compile(rf"(?:{_alternation(words(_FILE, 'not_price_before'))})\s*$")


def _amount(p: str) -> str:
    return rf"(?:(?P<{p}c1>{_CUR})\s?)?(?P<{p}n>{_NUM})(?:\s?(?P<{p}c2>{_CUR})(?![^\W\d_]))?"


_MAX_FREE = _words("max")
_MAX_CURRENCY = _words("max_with_currency")
_MIN = _words("min")
_BETWEEN = _words("between")
_AND = _words("and")
_FROM = _words("from")
_TO = _words("to")
_POST_MAX = _words("post_max")
_POST_MIN = _words("post_min")
_ARTICLE = rf"(?:(?:{_alternation(words(_FILE, 'articles'))})\s+)?"
_START = r"(?<![\w$€£])"

# (kind, pattern, needs a currency); tried in this order, earlier matches win.
_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("range", re.compile(rf"{_START}(?:{_BETWEEN})\s+{_amount('a')}\s+(?:{_AND})\s+{_amount('b')}"), False),
    ("range", re.compile(rf"{_START}(?:{_FROM})\s+{_amount('a')}\s*(?:{_TO})\s*{_amount('b')}"), False),
    ("range", re.compile(rf"{_START}{_amount('a')}\s*(?:{_TO})\s*{_amount('b')}"), True),
    ("max", re.compile(rf"{_START}(?:{_MAX_FREE})\s*{_ARTICLE}{_amount('a')}"), False),
    ("max", re.compile(rf"{_START}(?:{_MAX_CURRENCY})\s+{_ARTICLE}{_amount('a')}"), True),
    ("min", re.compile(rf"{_START}(?:{_MIN})\s*{_ARTICLE}{_amount('a')}"), True),
    ("max", re.compile(rf"{_START}{_amount('a')}\s*(?:{_POST_MAX})(?![^\W\d_])"), False),
    ("min", re.compile(rf"{_START}{_amount('a')}\s*(?:\+|(?:{_POST_MIN})(?![^\W\d_]))"), True),
    ("max", re.compile(rf"{_START}{_amount('a')}"), True),
)


@dataclass(frozen=True)
class PriceMatch:
    """One price expression: offsets are into the folded text."""

    start: int
    end: int
    price_min: float | None
    price_max: float | None
    currency: str | None


def _number(text: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})+", text):
        return float(re.sub(r"[ .,]", "", text))
    return float(text.replace(",", "."))


def _currency(m: re.Match[str], prefix: str) -> str | None:
    for group in (f"{prefix}c1", f"{prefix}c2"):
        value = m.groupdict().get(group)
        if value:
            return CURRENCIES[value.strip()]
    return None


def find_prices(folded: str) -> list[PriceMatch]:
    """Every price expression of a folded text, left to right, non-overlapping."""
    taken: list[tuple[int, int]] = []
    found: list[PriceMatch] = []
    for kind, pattern, needs_currency in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            prefixes = ("a", "b") if kind == "range" else ("a",)
            currencies = [c for c in (_currency(m, p) for p in prefixes) if c]
            if needs_currency and not currencies:
                continue
            if not currencies and (_NOT_PRICE_AFTER.match(folded, m.end())
                                   or _NOT_PRICE_BEFORE.search(folded, max(0, m.start() - 6), m.start())):
                continue  # "under 30 ml", "between 20 and 40 years", "SPF under 50"
            values = [_number(m.group(f"{p}n")) for p in prefixes]
            currency = currencies[0] if currencies else None
            if kind == "range":
                low, high = sorted(values)
                found.append(PriceMatch(m.start(), m.end(), low, high, currency))
            elif kind == "max":
                found.append(PriceMatch(m.start(), m.end(), None, values[0], currency))
            else:
                found.append(PriceMatch(m.start(), m.end(), values[0], None, currency))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)
