"""The generic input schema: column mapping files and the conversion of one generic row.

A retailer's export rarely uses our column names. A mapping file (JSON, documented with an
example in ingest/generic-schema.md) says which of the file's columns holds each of our fields and
how the file's own skin-type, concern and claim labels translate to our codes. Without a mapping,
columns are matched by our names (case-insensitive) and a few common aliases.

Row-level problems raise `RowError`, which the reader turns into a `Reject`; problems that do not
make the row useless (an unknown skin type, an odd currency) become `extra["warnings"]`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conseil.ingest.claims import claims_from_labels, concern_codes, skin_type_codes
from conseil.search.errors import SourceError
from conseil.search.index.schema import CONCERNS, SKIN_TYPES, ProductRecord
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.product_types import load_product_types

FIELDS: tuple[str, ...] = (
    "id", "name", "brand", "category", "price", "currency",
    "ingredients", "skin_types", "concerns", "claims", "url",
)  # fmt: skip
REQUIRED: tuple[str, ...] = ("id", "name")
# Accepted without a mapping file; the first name present in the file wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "product_id", "sku"),
    "name": ("name", "product_name", "title"),
    "brand": ("brand", "brand_name"),
    "category": ("category", "category_path"),
    "price": ("price", "price_usd"),
    "ingredients": ("ingredients", "inci", "ingredients_raw"),
    "skin_types": ("skin_types", "skin_type"),
    "claims": ("claims", "labels"),
}
_DEFAULTABLE = ("brand", "category", "currency")
_VALUE_MAPS = ("skin_types", "concerns", "claims", "category")
_MAPPING_KEYS = {"source", "columns", "defaults", "values", "list_separator", "category_separator"}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "zł": "PLN", "zl": "PLN", "kč": "CZK"}
_AFFIX = r"[$€£¥]|usd|eur|gbp|pln|czk|chf|zł|kč"
_PRICE_AFFIX = re.compile(rf"^(?:{_AFFIX})\s*|\s*(?:{_AFFIX})$", re.IGNORECASE)
_DEFAULT_LIST_SPLIT = re.compile(r"\s*[|,;]\s*")

Value = object  # a cell as read: str from CSV; str, number, bool, list or dict from JSONL/Parquet


class RowError(SourceError):
    """One row cannot be used; the reader records it as a Reject naming `column`."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file. `values` keys are folded (case- and accent-insensitive)."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    list_separator: str | None = None
    category_separator: str = ">"
    source: str | None = None
    id_hashed: bool = False  # "columns": {"id": {"hash": [...]}}: a stable hash of the columns is the id


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; any problem is a `SourceError` naming the file."""

    def invalid(detail: str) -> SourceError:
        return SourceError(
            f"The mapping file {path} is invalid: {detail}. "
            "Fix it following ingest/generic-schema.md (example: corpora/examples/mapping.json)."
        )

    if not path.is_file():
        raise SourceError(f"The mapping file {path} does not exist (or is not a file): check the path.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise invalid(f"it is not UTF-8 JSON ({err})") from None
    if not isinstance(raw, dict):
        raise invalid("the top level must be a JSON object")
    if unknown := sorted(set(raw) - _MAPPING_KEYS):
        raise invalid(f"unknown key(s) {unknown}; allowed: {sorted(_MAPPING_KEYS)}")
    columns: dict[str, tuple[str, ...]] = {}
    id_hashed = False
    for ours, theirs in _object(raw, "columns", invalid).items():
        if ours not in FIELDS:
            raise invalid(f"'columns' names unknown field {ours!r}; fields are {list(FIELDS)}")
        if ours == "id" and isinstance(theirs, dict):  # {"hash": ["product_name", "size"]}
            if set(theirs) != {"hash"}:
                raise invalid("'columns.id' as an object takes one key, 'hash': a list of column names")
            theirs, id_hashed = theirs["hash"], True
        names = [theirs] if isinstance(theirs, str) else theirs
        # A category may be spread over several level columns; an id may join several columns.
        many_ok = ours in ("category", "id")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise invalid(
                f"'columns.{ours}' must be a column name" + (" or a list of them" if many_ok else "")
            )
        if len(names) > 1 and not many_ok:
            raise invalid(f"'columns.{ours}' must be one column name (only 'category' and 'id' take a list)")
        columns[ours] = tuple(names)
    defaults: dict[str, str] = {}
    for key, value in _object(raw, "defaults", invalid).items():
        if key not in _DEFAULTABLE or not isinstance(value, str):
            raise invalid(f"'defaults.{key}' is not allowed; defaults are strings for {list(_DEFAULTABLE)}")
        defaults[key] = value
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    allowed: dict[str, tuple[str, ...] | None] = {
        "skin_types": SKIN_TYPES,
        "concerns": CONCERNS,
        "claims": None,
        "category": tuple(load_product_types().types),  # Conseil's product-type ids
    }
    for kind, table in _object(raw, "values", invalid).items():
        if kind not in _VALUE_MAPS or not isinstance(table, dict):
            raise invalid(f"'values.{kind}' is not allowed; value maps exist for {list(_VALUE_MAPS)}")
        values[kind] = {}
        for label, target in table.items():
            targets = [target] if isinstance(target, str) else target
            codes = allowed[kind]
            if not isinstance(targets, list) or not all(isinstance(t, str) and t for t in targets):
                raise invalid(f"'values.{kind}.{label}' must be a code or a list of codes")
            if kind == "category" and len(targets) != 1:
                raise invalid(f"'values.category.{label}' must be one product-type id")
            if codes is not None and (bad := [t for t in targets if t not in codes]):
                raise invalid(
                    f"'values.{kind}.{label}' maps to unknown code(s) {bad}; codes are {list(codes)}"
                )
            # Category labels are matched like category names (normalize_name), the others folded.
            values[kind][normalize_name(label) if kind == "category" else fold(label).strip()] = tuple(targets)
    separators = {}
    for key in ("list_separator", "category_separator", "source"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise invalid(f"'{key}' must be a non-empty string")
        separators[key] = value
    return Mapping(
        columns=columns,
        defaults=defaults,
        values=values,
        list_separator=separators["list_separator"],
        category_separator=separators["category_separator"] or ">",
        source=separators["source"],
        id_hashed=id_hashed,
    )


def _object(raw: dict[str, object], key: str, invalid: Callable[[str], SourceError]) -> dict[str, object]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise invalid(f"'{key}' must be a JSON object")
    return value


def resolve_columns(header: Sequence[str], mapping: Mapping | None, path: Path) -> dict[str, tuple[str, ...]]:
    """Which file column(s) hold each of our fields; SourceError when required ones are missing."""
    by_folded = {h.strip().casefold(): h for h in header}
    resolved: dict[str, tuple[str, ...]] = {}
    for ours in FIELDS:
        if mapping is not None and ours in mapping.columns:
            found = [by_folded.get(name.strip().casefold()) for name in mapping.columns[ours]]
            if missing := [n for n, f in zip(mapping.columns[ours], found) if f is None]:
                raise SourceError(
                    f"The mapping says field '{ours}' is in column(s) {missing}, but {path} has no such "
                    f"column (it has {list(header)}). Fix the mapping file or the export."
                )
            resolved[ours] = tuple(f for f in found if f is not None)
            continue
        for alias in ALIASES.get(ours, (ours,)):
            if alias in by_folded:
                resolved[ours] = (by_folded[alias],)
                break
    if missing := [f for f in REQUIRED if f not in resolved]:
        raise SourceError(
            f"{path} is missing required column(s) {missing} of the generic schema (it has "
            f"{list(header)[:20]}). Rename the columns or pass a mapping file (ingest/generic-schema.md)."
        )
    return resolved


def clean_text(value: Value, column: str | None) -> str | None:
    """A cell as stripped text; None when empty. Numbers become text; lists/dicts are a RowError."""
    if type(value) is str:  # the common case (every CSV cell): skip the type checks below
        return value.strip() or None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RowError(column, f"expected text, found {type(value).__name__} {str(value)[:40]!r}")
    text = str(value).strip()
    return text or None


def parse_price(value: Value, column: str) -> float | None:
    """'35.0', '€12,50', '1,234.00', 12 -> float; empty -> None; anything else is a RowError.

    A comma followed by exactly three digits is a thousands separator ("1,234"), otherwise a
    decimal comma ("12,50").
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = clean_text(value, column)
        if text is None:
            return None
        text = _PRICE_AFFIX.sub("", text).replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:  # the later mark is the decimal one
            text = (
                text.replace(".", "").replace(",", ".")
                if text.rfind(",") > text.rfind(".")
                else text.replace(",", "")
            )
        elif re.fullmatch(r"\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise RowError(column, f"price {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise RowError(column, f"price {value!r} is not a non-negative number")
    return number


def price_currency(value: Value) -> str | None:
    """The ISO code a price cell's symbol or code names ('£5.20' -> 'GBP'); None when it has none."""
    if not isinstance(value, str):
        return None
    m = _PRICE_AFFIX.search(value.strip())
    if m is None:
        return None
    mark = m.group().strip().casefold()
    return _CURRENCY_SYMBOLS.get(mark, mark.upper())


def split_items(value: Value, column: str, separator: str | None) -> list[str]:
    """A list cell: a JSON/Parquet list, or a string separated by '|', ',' or ';' (or the mapping's)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [clean_text(v, column) for v in value]
    else:
        text = clean_text(value, column) or ""
        parts = text.split(separator) if separator else _DEFAULT_LIST_SPLIT.split(text)
        items = [p.strip() for p in parts]
    return [i for i in items if i]


def generic_record(
    row: dict[str, Value], columns: dict[str, tuple[str, ...]], mapping: Mapping | None, source: str,
    product_id: str | None = None,
) -> ProductRecord:
    """Convert one generic row (id and name already checked by the reader) or raise RowError.
    `product_id`: the id the reader built (composite or hashed); default: the id column's text."""
    mapping = mapping or Mapping()
    warnings: list[str] = []

    def col(ours: str) -> str:  # the file's column for a field, as Rejects should name it
        return columns.get(ours, (ours,))[0]

    def cell(ours: str) -> Value:
        return row.get(columns[ours][0]) if ours in columns else None

    def text(ours: str) -> str | None:
        return clean_text(cell(ours), col(ours)) or mapping.defaults.get(ours)

    def coded(ours: str, lookup: Callable[[str], tuple[str, ...] | None]) -> tuple[str, ...]:
        out: list[str] = []
        value_map = mapping.values.get(ours, {})
        for item in split_items(cell(ours), col(ours), mapping.list_separator):
            codes = value_map.get(fold(item).strip()) or lookup(item)
            if codes is None:
                warnings.append(f"unknown {ours[:-1].replace('_', ' ')} {item!r} ignored")
            out.extend(codes or ())
        return tuple(dict.fromkeys(out))

    skin_types = coded("skin_types", skin_type_codes)
    concerns = coded("concerns", concern_codes)
    # Mapped claim targets go through claims_from_labels too: codes pass, labels are coded.
    claims = claims_from_labels(coded("claims", lambda label: claims_from_labels([label])))
    # The currency column or default, else the price cell's own symbol ("£5.20"); USD is only the last
    # resort, which the reader reports (sources.currency_report) and --strict refuses.
    currency = text("currency") or price_currency(cell("price")) or "USD"
    currency = _CURRENCY_SYMBOLS.get(currency.casefold(), currency)
    if not re.fullmatch(r"[A-Za-z]{3}", currency):
        warnings.append(f"currency {currency!r} is not an ISO 4217 code; USD assumed")
        currency = "USD"
    used = {c for cols in columns.values() for c in cols}
    extra: dict[str, object] = {
        k: v for k, v in row.items() if k not in used and _plain(v) and v not in (None, "")
    }
    if warnings:
        extra["warnings"] = warnings
    return ProductRecord(
        source=source,
        product_id=product_id or str(clean_text(cell("id"), col("id"))),
        name=str(clean_text(cell("name"), col("name"))),
        brand=text("brand"),
        category_path=_category(columns, row, mapping),
        price=parse_price(cell("price"), col("price")),
        currency=currency.upper(),
        ingredients_raw=_ingredient_text(cell("ingredients"), col("ingredients")),
        skin_types=tuple(t for t in SKIN_TYPES if t in skin_types),
        skin_types_origin="columns" if skin_types else None,
        concerns=tuple(c for c in CONCERNS if c in concerns),
        claims=claims,
        # The claim labels as written are the source's tags, as Sephora's highlights are.
        highlights=tuple(split_items(cell("claims"), col("claims"), mapping.list_separator)),
        url=clean_text(cell("url"), col("url")),
        extra=extra,
    )


def _category(
    columns: dict[str, tuple[str, ...]], row: dict[str, Value], mapping: Mapping
) -> tuple[str, ...]:
    """One path column ("Skincare > Moisturizers"), a list cell, or one column per level."""
    cols = columns.get("category", ())
    if len(cols) > 1:
        levels = [clean_text(row.get(c), c) for c in cols]
    else:
        name = cols[0] if cols else "category"
        value = row.get(name) if cols else None
        value = mapping.defaults.get("category") if value in (None, "") else value
        if isinstance(value, (list, tuple)):
            levels = [clean_text(v, name) for v in value]
        else:
            levels = [p.strip() for p in (clean_text(value, name) or "").split(mapping.category_separator)]
    return tuple(level for level in levels if level)


def _ingredient_text(value: Value, column: str) -> str | None:
    """The declaration as text. A JSON/Parquet list is kept as its JSON text, which the ingredient
    parser reads item by item (a comma inside an item, as in "1,2-Hexanediol", stays in it)."""
    if isinstance(value, (list, tuple)):
        items = [text for v in value if (text := clean_text(v, column))]
        return json.dumps(items, ensure_ascii=False) if items else None
    return clean_text(value, column)


def _plain(value: Value) -> bool:
    """Whether an unmapped cell can go to `extra` as is (JSON scalars and lists of them)."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))
