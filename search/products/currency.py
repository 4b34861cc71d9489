"""A query's price in the catalog's currency: converted by the user's rate table, or noted.

Products keep the currency their catalog gave (`currency` in the payload). A price in the query
("krem bez parabenów do 20 zł") is compared with that currency's numbers, so when the two differ
the price is either converted with a rate table the user provides (`Settings.currency_rates`, a
JSON file) or applied as it is with a warning saying which currency the filter used. A catalog
holding several currencies gets a warning too: one price filter cannot compare them all.

Rate table: {"base": "EUR", "rates": {"GBP": 0.85, "PLN": 4.3, "USD": 1.08}}, in units of each
currency per one unit of the base (the base itself is 1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from conseil.search.errors import ConfigurationError
from conseil.search.query.messages import message
from conseil.search.query.model import Interpretation

_ISO = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class CurrencyRates:
    base: str
    rates: Mapping[str, float]  # units of the currency per one unit of the base

    def convert(self, amount: float, source: str, target: str) -> float | None:
        """`amount` in `source` expressed in `target`; None when the table lacks either currency."""
        per_base = {**self.rates, self.base: 1.0}
        if source not in per_base or target not in per_base:
            return None
        return amount / per_base[source] * per_base[target]


def parse_rates(raw: object, where: str) -> CurrencyRates:
    def invalid(detail: str) -> ConfigurationError:
        return ConfigurationError(f"The currency rate table {where} is invalid: {detail}. Expected "
                                  '{"base": "EUR", "rates": {"GBP": 0.85, "PLN": 4.3}}.')

    if not isinstance(raw, dict) or set(raw) != {"base", "rates"}:
        raise invalid("the top level must be an object with exactly 'base' and 'rates'")
    base, rates = raw["base"], raw["rates"]
    if not isinstance(base, str) or not _ISO.fullmatch(base):
        raise invalid(f"'base' {base!r} is not an ISO 4217 code such as EUR")
    if not isinstance(rates, dict) or not rates:
        raise invalid("'rates' must be a non-empty object")
    for code, rate in rates.items():
        if not _ISO.fullmatch(code) or isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
            raise invalid(f"rate {code!r}: {rate!r} must be an ISO code with a positive number")
    return CurrencyRates(base, MappingProxyType({c: float(r) for c, r in rates.items()}))


def load_rates(path: Path) -> CurrencyRates:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigurationError(f"The currency rate table {path} cannot be read ({err.strerror}): "
                                 "check CONSEIL_CURRENCY_RATES.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigurationError(f"The currency rate table {path} is not UTF-8 JSON ({err}).") from None
    return parse_rates(raw, str(path))


def in_catalog_currency(interp: Interpretation, catalog: Sequence[str], rates: CurrencyRates | None,
                        language: str = "en") -> Interpretation:
    """The interpretation with its price bounds in the catalog's currency (or a warning saying what the
    filter compares). `catalog`: the currencies the stored products carry; `language`: the warnings'."""
    c = interp.constraints
    if c.price_min is None and c.price_max is None:
        return interp
    held = sorted(set(catalog))
    if len(held) > 1:
        stated = f" {c.currency}" if c.currency else ""
        note = message(language, "currency_mixed", held=", ".join(held), stated=stated)
        return replace(interp, warnings=(*interp.warnings, note))
    if not held or c.currency is None or c.currency == held[0]:
        return replace(interp, constraints=replace(c, currency=held[0] if held else c.currency))
    target = held[0]
    low = rates.convert(c.price_min, c.currency, target) if rates and c.price_min is not None else None
    high = rates.convert(c.price_max, c.currency, target) if rates and c.price_max is not None else None
    stated = _bounds(c.price_min, c.price_max, c.currency)
    if (c.price_min is None or low is not None) and (c.price_max is None or high is not None):
        note = message(language, "currency_converted", stated=stated, bounds=_bounds(low, high, target))
        return replace(interp, warnings=(*interp.warnings, note),
                       constraints=replace(c, price_min=_round(low), price_max=_round(high), currency=target))
    note = message(language, "currency_unconverted", bounds=_bounds(c.price_min, c.price_max, target),
                   target=target, currency=c.currency)
    return replace(interp, warnings=(*interp.warnings, note), constraints=replace(c, currency=target))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _bounds(low: float | None, high: float | None, currency: str | None) -> str:
    unit = f" {currency}" if currency else ""
    if low is not None and high is not None:
        return f"{low:.2f}–{high:.2f}{unit}"
    return f"≥ {low:.2f}{unit}" if low is not None else f"≤ {(high or 0.0):.2f}{unit}"
