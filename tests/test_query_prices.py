"""Prices in every supported language, and numbers that are not prices."""

from __future__ import annotations

import pytest
from conseil.search.query.prices import find_prices
from test_query_support import constraint_values, parse

PRICES = [
    # query, price_min, price_max, currency
    ("en", "under $30", None, 30, "USD"),
    ("en", "less than 30 dollars", None, 30, "USD"),
    ("en", "below 30", None, 30, None),
    ("en", "serum $20-$40", 20, 40, "USD"),
    ("en", "over £50", 50, None, "GBP"),
    ("en", "between 20 and 40", 20, 40, None),
    ("en", "no more than 29.99 USD", None, 29.99, "USD"),
    ("en", "30 bucks max", None, 30, "USD"),
    ("fr", "moins de 30 €", None, 30, "EUR"),
    ("fr", "à moins de 29,90 euros", None, 29.9, "EUR"),
    ("fr", "jusqu'à 50 €", None, 50, "EUR"),
    ("fr", "entre 20 et 40 €", 20, 40, "EUR"),
    ("fr", "plus de 30 €", 30, None, "EUR"),
    ("es", "menos de 30 euros", None, 30, "EUR"),
    ("es", "hasta 25 €", None, 25, "EUR"),
    ("es", "entre 20 y 40 euros", 20, 40, "EUR"),
    ("es", "más de 50 €", 50, None, "EUR"),
    ("it", "sotto i 30 euro", None, 30, "EUR"),
    ("it", "meno di 30 €", None, 30, "EUR"),
    ("it", "tra 20 e 40 euro", 20, 40, "EUR"),
    ("it", "più di 50 €", 50, None, "EUR"),
    ("de", "unter 30 Euro", None, 30, "EUR"),
    ("de", "bis 50 €", None, 50, "EUR"),
    ("de", "zwischen 20 und 40 Euro", 20, 40, "EUR"),
    ("de", "ab 30 €", 30, None, "EUR"),
    ("de", "maximal 25 Euro", None, 25, "EUR"),
    ("pl", "do 100 zł", None, 100, "PLN"),
    ("pl", "poniżej 100 zł", None, 100, "PLN"),
    ("pl", "od 50 do 100 zł", 50, 100, "PLN"),
    ("pl", "powyżej 200 zł", 200, None, "PLN"),
    ("pl", "maksymalnie 80 PLN", None, 80, "PLN"),
    ("cs", "do 500 Kč", None, 500, "CZK"),
    ("cs", "pod 500 Kč", None, 500, "CZK"),
    ("cs", "mezi 200 a 500 Kč", 200, 500, "CZK"),
    ("cs", "od 300 Kč", 300, None, "CZK"),
    ("cs", "méně než 400 Kč", None, 400, "CZK"),
    ("cs", "do 1 000 Kč", None, 1000, "CZK"),
    ("el", "κάτω από 30 €", None, 30, "EUR"),
    ("el", "κάτω από 30 ευρώ", None, 30, "EUR"),
    ("el", "λιγότερο από 29,90 ευρώ", None, 29.9, "EUR"),
    ("el", "έως 25 €", None, 25, "EUR"),
    ("el", "μέχρι 25 ευρώ", None, 25, "EUR"),
    ("el", "το πολύ 40 ευρώ", None, 40, "EUR"),
    ("el", "μεταξύ 20 και 40 ευρώ", 20, 40, "EUR"),
    ("el", "από 20 έως 40 €", 20, 40, "EUR"),
    ("el", "πάνω από 50 €", 50, None, "EUR"),
    ("el", "τουλάχιστον 30 ευρώ", 30, None, "EUR"),
    ("el", "30 ευρώ ή λιγότερο", None, 30, "EUR"),
    ("el", "φθηνότερο από 20 ευρώ", None, 20, "EUR"),
    ("el", "κάτω από 1.000 €", None, 1000, "EUR"),
    ("el", "κάτω από 30 δολάρια", None, 30, "USD"),
    ("el", "ΚΑΤΩ ΑΠΟ 30 ΕΥΡΩ", None, 30, "EUR"),
]


@pytest.mark.parametrize("lang,query,low,high,currency", PRICES, ids=[f"{p[0]}:{p[1]}" for p in PRICES])
def test_price(lang: str, query: str, low: float | None, high: float | None, currency: str | None) -> None:
    c = parse(query).constraints
    assert (c.price_min, c.price_max, c.currency) == (low, high, currency)


def test_every_language_has_prices() -> None:
    from conseil.search.query import LANGUAGES

    assert {p[0] for p in PRICES} == set(LANGUAGES)


@pytest.mark.parametrize("query", [
    "SPF 30 sunscreen",
    "sunscreen SPF under 50",
    "moisturizer 50 ml",
    "cream under 30 ml",
    "anti-aging cream for women over 40",
    "for clients between 20 and 40 years old",
    "krem do 30",  # Polish "do" without a currency is "for", not "up to"
    "krem od 18 lat",
    "crème après 50 ans",
    "serum with 10% niacinamide",
    "2 in 1 shampoo",
    "αντηλιακό SPF 50",
    "κρέμα 50 ml",
    "κρέμα για γυναίκες πάνω από 40",
    "σαμπουάν 2 σε 1",
])
def test_not_a_price(query: str) -> None:
    c = parse(query).constraints
    assert (c.price_min, c.price_max, c.currency) == (None, None, None), query


def test_price_chips_and_semantic_text() -> None:
    interp = parse("paraben-free serum under $30")
    prices = [ch for ch in interp.chips if ch.kind.startswith("price")]
    assert [(ch.kind, ch.value, ch.source_text) for ch in prices] == [("price_max", "30", "under $30")]
    assert interp.semantic_text == "serum"


def test_range_chips_and_tightest_bound_wins() -> None:
    interp = parse("between 20 and 40 euros, under 35 euros")
    assert constraint_values(interp.constraints) == {"price_min": 20.0, "price_max": 35.0, "currency": "EUR"}
    assert [(ch.kind, ch.value) for ch in interp.chips] == [("price_min", "20"), ("price_max", "35")]


def test_reversed_range_is_sorted() -> None:
    c = parse("between 40 and 20 euros").constraints
    assert (c.price_min, c.price_max) == (20.0, 40.0)


def test_find_prices_reports_folded_offsets() -> None:
    [match] = find_prices("serum moins de 30 €")
    assert (match.start, match.end, match.price_max, match.currency) == (6, 19, 30.0, "EUR")
