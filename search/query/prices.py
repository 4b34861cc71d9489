"""Prices in seven languages: "under $30", "moins de 30 €", "do 100 zł", "between 20 and 40".

Works on the folded query text (see `query_text.fold_with_offsets`) and reports folded offsets.
A bare number is only a price with a currency or after an unambiguous comparator: "do 30"
(Polish "up to", but also "for"), "over 40" (an age) and "SPF 30" are not prices on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Folded currency words and symbols -> ISO code.
CURRENCIES: dict[str, str] = {
    **dict.fromkeys(["$", "us$", "usd", "dollar", "dollars", "dolar", "dolares", "dollari", "dollaro", "dolary",
                     "dolarow", "buck", "bucks"], "USD"),
    **dict.fromkeys(["€", "eur", "euro", "euros"], "EUR"),
    **dict.fromkeys(["zl", "pln", "zlotych", "zlote", "zloty", "zlotego"], "PLN"),
    **dict.fromkeys(["kc", "czk", "korun", "koruna", "koruny"], "CZK"),
    **dict.fromkeys(["£", "gbp", "pound", "pounds", "livre", "livres", "libra", "libras", "sterline", "sterlina",
                     "pfund", "funt", "funty", "funtow", "liber"], "GBP"),
}

_CUR = "|".join(re.escape(c) for c in sorted(CURRENCIES, key=len, reverse=True))
_NUM = r"\d{1,3}(?:[ .,]\d{3})+(?![\d,.]?\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
# What may follow a number that is not a price: units, ages, durations, percentages.
_NOT_PRICE_AFTER = re.compile(
    r"\s*(?:ml|l|cl|g|gr|mg|kg|oz|fl|%|spf|ans|an|annees|years?|yrs?|yo|anos|anni|jahre|jahren|jahr|lat|let|roku|"
    r"rokov|roky|x|pcs|pieces|szt|ks|days?|jours|dias|giorni|tage|dni|dnu|h|hours?|heures|min|minutes|percent|"
    r"pourcent|procent|prozent|s)(?![a-z])")


# What may precede a number that is not a price: "SPF under 50", "LSF 30".
_NOT_PRICE_BEFORE = re.compile(r"(?:spf|fps|lsf|upf|ip|pa|ph)\s*$")


def _amount(p: str) -> str:
    return rf"(?:(?P<{p}c1>{_CUR})\s?)?(?P<{p}n>{_NUM})(?:\s?(?P<{p}c2>{_CUR})(?![a-z]))?"


def _words(*phrases: str) -> str:
    """Alternation of phrases, longest first, spaces matching any whitespace (or an apostrophe)."""
    alts = sorted({p for group in phrases for p in group.split("|")}, key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", r"[\s']+") for a in alts)


_MAX_FREE = _words(
    "under|below|less than|lower than|cheaper than|no more than|not more than|at most|max|maximum|up to|<|<=|≤",
    "moins de|pas plus de|au plus|jusqu'a|jusqu a|inferieur a|en dessous de|en-dessous de|au maximum",
    "menos de|por menos de|hasta|maximo|como maximo|por debajo de|inferior a|no mas de",
    "sotto|meno di|fino a|massimo|al massimo|al di sotto di|inferiore a|non piu di",
    "unter|bis|bis zu|weniger als|maximal|hochstens|unterhalb von|nicht mehr als|gunstiger als|billiger als",
    "ponizej|mniej niz|maksymalnie|maks|nie wiecej niz|najwyzej|tansze niz|tanszy niz|za mniej niz",
    "mene nez|za mene nez|maximalne|nejvyse|levnejsi nez",
)
_MAX_CURRENCY = _words("do|pod|sous|for|por|per|za|budget|budget of|budget de|presupuesto de|budget di")
_MIN = _words(
    "over|above|more than|at least|from|starting at|starting from|min|minimum|>|>=|≥",
    "plus de|au moins|a partir de|des|superieur a|au-dessus de|au dessus de",
    "mas de|al menos|desde|superior a|por encima de",
    "piu di|oltre|almeno|a partire da|sopra|superiore a",
    "uber|mehr als|mindestens|ab|oberhalb von",
    "powyzej|wiecej niz|co najmniej|od",
    "nad|vice nez|alespon|minimalne",
)
_BETWEEN = _words("between|entre|tra|fra|zwischen|miedzy|pomiedzy|mezi")
_AND = _words("and|et|y|e|und|a|i|an")
_FROM = _words("from|de|desde|da|von|od")
_TO = _words("to|a|al|bis|do|hasta|until|till|et|-")
_POST_MAX = _words("or less|or under|max|maximum|tops|ou moins|au maximum|au plus|o menos|como maximo|maximo",
                   "o meno|al massimo|massimo|oder weniger|hochstens|maximal|lub mniej|i mniej|maksymalnie|maks",
                   "nebo mene|a mene|maximalne")
_POST_MIN = _words("or more|and up|and above|ou plus|et plus|o mas|y mas|o piu|e oltre|oder mehr|und mehr",
                   "lub wiecej|i wiecej|nebo vice|a vice|minimum")
_ARTICLE = r"(?:(?:the|a|de|di|i|gli|los|las|les|la|der|den|el)\s+)?"
_START = r"(?<![\w$€£])"

# (kind, pattern, needs a currency); tried in this order, earlier matches win.
_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("range", re.compile(rf"{_START}(?:{_BETWEEN})\s+{_amount('a')}\s+(?:{_AND})\s+{_amount('b')}"), False),
    ("range", re.compile(rf"{_START}(?:{_FROM})\s+{_amount('a')}\s*(?:{_TO})\s*{_amount('b')}"), False),
    ("range", re.compile(rf"{_START}{_amount('a')}\s*(?:{_TO})\s*{_amount('b')}"), True),
    ("max", re.compile(rf"{_START}(?:{_MAX_FREE})\s*{_ARTICLE}{_amount('a')}"), False),
    ("max", re.compile(rf"{_START}(?:{_MAX_CURRENCY})\s+{_ARTICLE}{_amount('a')}"), True),
    ("min", re.compile(rf"{_START}(?:{_MIN})\s*{_ARTICLE}{_amount('a')}"), True),
    ("max", re.compile(rf"{_START}{_amount('a')}\s*(?:{_POST_MAX})(?![a-z])"), False),
    ("min", re.compile(rf"{_START}{_amount('a')}\s*(?:\+|(?:{_POST_MIN})(?![a-z]))"), True),
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
