"""Product sources: read a catalog file with polars into `ProductRecord`s and `Reject`s.

Three formats:
    sephora    the Kaggle product_info.csv (product_id, product_name, highlights, ...)
    cosmetics  the Kaggle cosmetics.csv (Label, Brand, Name, ..., 0/1 skin-type columns)
    generic    our documented schema (ingest/generic-schema.md) as CSV, JSONL/JSON or Parquet,
               optionally through a mapping file

A file that cannot be read as a table at all raises `SourceError` with a sentence naming the file
and what to do. Anything wrong with a single row becomes a `Reject` (one per rejected row, so
`rows_read == len(records) + len(rejects)`) and the rest of the file is still read.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from conseil.ingest.claims import Derived, derive_from_highlights
from conseil.ingest.ids import IdSpec, build_id
from conseil.ingest.mapping import (
    RowError,
    Value,
    clean_text,
    generic_record,
    load_mapping,
    parse_price,
    resolve_columns,
)
from conseil.ingest.row_checks import RowBuilder, check_currency
from conseil.search.errors import SourceError
from conseil.search.index.schema import SKIN_TYPES, ProductRecord, Reject
from conseil.search.knowledge.text import fold
from conseil.search.query.product_types import CategoryMatcher, load_product_types

FORMATS: tuple[str, ...] = ("sephora", "cosmetics", "generic")
SEPHORA_REQUIRED = ("product_id", "product_name", "brand_name", "price_usd", "ingredients", "highlights")
SEPHORA_CATEGORIES = ("primary_category", "secondary_category", "tertiary_category")
COSMETICS_REQUIRED = ("Label", "Brand", "Name", "Price", "Ingredients", *(t.title() for t in SKIN_TYPES))
_JSON_EXT = {".jsonl", ".ndjson", ".json"}
_PARQUET_EXT = {".parquet", ".pq"}
_MAGIC = {b"%PDF": "a PDF", b"PK\x03\x04": "a ZIP/XLSX archive", b"\x89PNG": "a PNG image",
          b"\xff\xd8\xff": "a JPEG image", b"\xd0\xcf\x11\xe0": "an old Excel/Office file",
          b"PAR1": "a Parquet file", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive"}  # fmt: skip
# cosmetics.csv has no ingredient list for these (a shop link, an Excel formula error...).
_NO_INGREDIENTS = re.compile(r"^(?:no info|#name\?|n/?a|none|visit the .* boutique)$", re.IGNORECASE)


@dataclass
class SourceRead:
    """The outcome of reading one file."""

    path: Path
    format: str  # "sephora" | "cosmetics" | "generic"
    source: str  # the ProductRecord.source name used
    records: list[ProductRecord]
    rejects: list[Reject]
    rows_read: int
    # Counters for the ingest report, e.g. with_ingredients, ingredients_placeholder, warnings.
    stats: dict[str, int] = field(default_factory=dict)
    # What the user must know though no row was rejected: ids normalised, a currency assumed.
    notes: list[str] = field(default_factory=list)
    # Category paths (" > "-joined) no product type matched -> products with it.
    unmapped_categories: dict[str, int] = field(default_factory=dict)
    currencies: dict[str, int] = field(default_factory=dict)  # stored currency -> products


@dataclass
class _Table:
    """Rows as dicts, each with its 1-based data row number; rows the loader already rejected."""

    header: list[str]
    rows: list[tuple[int, dict[str, Value]]]
    rejects: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)


def _check_file(path: Path) -> bytes:
    """The first bytes of a readable, non-empty file, or a SourceError saying what is wrong."""
    if not path.exists():
        raise SourceError(f"The product file {path} does not exist: check the path.")
    if path.is_dir():
        raise SourceError(f"{path} is a directory, not a product file: pass the file inside it.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as err:
        raise SourceError(
            f"The product file {path} cannot be read ({err.strerror}): check its permissions."
        ) from None
    if not head.strip():
        raise SourceError(f"The product file {path} is empty: export the catalog again.")
    return head


def _not_a_table(path: Path, head: bytes) -> SourceError | None:
    """Binary content under a text extension (a PDF or a spreadsheet renamed .csv, UTF-16...)."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic) and not (magic == b"PAR1" and path.suffix.lower() in _PARQUET_EXT):
            return SourceError(f"{path} is {what}, not a CSV/JSONL table: export the catalog as UTF-8 CSV.")
    if b"\x00" in head:
        return SourceError(f"{path} is binary or UTF-16, not a UTF-8 text table: re-export it as UTF-8 CSV.")
    return None


def _separator(head: bytes) -> str:
    """',' unless the header line has more ';' or tabs (European and TSV exports)."""
    line = head.split(b"\n", 1)[0]
    counts = {sep: line.count(sep.encode()) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def detect_format(path: Path) -> str:
    """'sephora', 'cosmetics' or 'generic', from the extension and the header line."""
    head = _check_file(path)
    suffix = path.suffix.lower()
    if suffix in _JSON_EXT or suffix in _PARQUET_EXT:
        return "generic"
    if error := _not_a_table(path, head):
        raise error
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    header = {c.strip().strip('"') for c in first.split(_separator(head))}
    if {"product_id", "product_name", "highlights"} <= header:
        return "sephora"
    if set(COSMETICS_REQUIRED) <= header:
        return "cosmetics"
    return "generic"


def read_products(
    path: Path, fmt: str = "auto", mapping: Path | None = None, source: str | None = None, *,
    strict: bool = False,
) -> SourceRead:
    """Read one product file; see the module docstring for the formats and the error contract.
    `strict`: a generic file whose prices have no currency (no column, no mapped default, no symbol in
    the cells) is refused with a SourceError instead of being read as USD with a note."""
    path = Path(path)
    if fmt not in ("auto", *FORMATS):
        raise SourceError(f"Unknown source format {fmt!r} for {path}: use one of auto, {', '.join(FORMATS)}.")
    if mapping is not None and fmt not in ("auto", "generic"):
        raise SourceError(f"A mapping file applies to the generic format only, not {fmt!r} ({path}).")
    parsed = load_mapping(Path(mapping)) if mapping is not None else None
    fmt = "generic" if parsed is not None else (detect_format(path) if fmt == "auto" else fmt)
    table = _load(path)
    overrides = ({k: v[0] for k, v in parsed.values["category"].items()}
                 if parsed is not None and parsed.values.get("category") else None)
    builder = RowBuilder(path, CategoryMatcher(load_product_types(), overrides))
    for row_no, reason in table.rejects:
        builder.rejects.append(Reject(str(path), row_no, None, None, reason))
    if fmt == "sephora":
        src = source or "sephora"
        _require(path, table.header, SEPHORA_REQUIRED, "Sephora product_info")
        tag_cache: dict[str, Derived] = {}  # per read: ~100 distinct tags over 8,494 rows
        builder.run(
            table, "product_id", "product_name", lambda r, pid, name: _sephora(r, pid, name, src, tag_cache)
        )
    elif fmt == "cosmetics":
        src = source or "cosmetics"
        builder.stats["ingredients_placeholder"] = 0
        _require(path, table.header, COSMETICS_REQUIRED, "cosmetics")
        for _, row in table.rows:  # no id column: derive one before the shared id checks
            row["_id"] = _cosmetics_id(row)
        builder.run(table, "_id", "Name", lambda r, pid, name: _cosmetics(r, pid, name, src, builder.stats))
    else:
        src = source or (parsed.source if parsed and parsed.source else path.stem)
        cols = resolve_columns(table.header, parsed, path)
        spec = IdSpec(cols["id"], hashed=bool(parsed and parsed.id_hashed))
        id_col = cols["id"][0]
        if len(spec.columns) > 1 or spec.hashed:  # build the id before the shared id checks
            id_col = spec.label
            for row_no, row in table.rows:
                try:
                    row[id_col], notes = build_id(row, spec)
                except RowError as err:
                    row[id_col], notes = None, [err.reason]
                builder.id_notes.extend(f"row {row_no}: {n}" for n in notes)
        check_currency(path, table, cols, parsed, strict, builder.notes)
        builder.run(
            table, id_col, cols["name"][0],
            lambda r, pid, name: generic_record(r, cols, parsed, src, product_id=pid),
        )
    stats = builder.stats
    builder.finish()
    stats["with_ingredients"] = sum(1 for r in builder.records if r.ingredients_raw)
    stats["with_warnings"] = sum(1 for r in builder.records if r.extra.get("warnings"))
    rows_read = len(table.rows) + len(table.rejects)
    rejects = sorted(builder.rejects, key=lambda r: r.row)  # loader and row rejects, in file order
    return SourceRead(path, fmt, src, builder.records, rejects, rows_read, stats, builder.notes,
                      builder.unmapped, builder.currencies)


def _require(path: Path, header: list[str], required: tuple[str, ...], what: str) -> None:
    if missing := [c for c in required if c not in header]:
        raise SourceError(
            f"{path} does not look like the {what} file: column(s) {missing} are missing "
            f"(it has {header[:20]}). Pass the right file, or use the generic format with a mapping."
        )


def _load(path: Path) -> _Table:
    """Any supported file as a `_Table`; SourceError when it is not a table at all."""
    head = _check_file(path)
    suffix = path.suffix.lower()
    if suffix in _PARQUET_EXT:
        if not head.startswith(b"PAR1"):
            raise SourceError(
                f"{path} is not a Parquet file (no PAR1 magic): check the file or its extension."
            )
        try:
            df = pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError, ValueError) as err:  # a damaged or truncated file
            raise SourceError(f"{path} cannot be read as Parquet ({err}): export it again.") from None
        return _Table(df.columns, [(i + 1, row) for i, row in enumerate(df.iter_rows(named=True))])
    if error := _not_a_table(path, head):
        raise error
    if suffix in _JSON_EXT:
        return _load_json(path)
    return _load_csv(path, _separator(head))


def _load_csv(path: Path, sep: str) -> _Table:
    """All columns as strings (no type guessing); ragged rows are rejected, blank lines skipped."""
    try:
        df = pl.read_csv(path, separator=sep, infer_schema_length=0, truncate_ragged_lines=True)
    except pl.exceptions.NoDataError:
        raise SourceError(f"The product file {path} is empty: export the catalog again.") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as err:  # bad UTF-8, an unclosed quote
        reason = "it is not UTF-8 text" if "utf-8" in str(err).lower() else str(err).splitlines()[0]
        raise SourceError(
            f"{path} cannot be read as a CSV table ({reason}): re-export it as UTF-8 CSV."
        ) from None
    header = [c.lstrip("\ufeff").strip() for c in df.columns]
    if len(set(header)) != len(header):
        raise SourceError(f"{path} has duplicated column names {header}: rename them.")
    widths = _field_counts(path, sep)
    if widths is not None and len(widths) != df.height:
        widths = None  # the two parsers disagree on record boundaries: trust polars alone
    table = _Table(header, [])
    for i, values in enumerate(df.iter_rows()):
        width = widths[i] if widths is not None else len(header)
        if width == 0 or all(v is None for v in values):
            continue  # a blank line is not a data row
        if width != len(header):
            reason = f"row has {width} fields but the header has {len(header)}: a missing separator or a stray quote"
            table.rejects.append((i + 1, reason))
            continue
        table.rows.append((i + 1, dict(zip(header, values))))
    return table


def _field_counts(path: Path, sep: str) -> list[int] | None:
    """Fields per data record (polars pads short rows silently); None if it cannot be counted."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            counts = [len(r) for r in csv.reader(handle, delimiter=sep)][1:]
    except (csv.Error, UnicodeDecodeError):
        return None
    return counts


def _load_json(path: Path) -> _Table:
    """JSON Lines (one object per line; a bad line is a reject) or a JSON array of objects."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path} is not UTF-8 text: re-export it as UTF-8 JSON Lines.") from None
    table = _Table([], [])
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as err:
            raise SourceError(f"{path} is not valid JSON ({err}): fix it or export JSON Lines.") from None
        lines: list[tuple[int, object]] = [(i + 1, item) for i, item in enumerate(items)]
    else:
        lines = []
        for i, line in enumerate(io.StringIO(text)):
            if line.strip():
                try:
                    lines.append((i + 1, json.loads(line)))
                except json.JSONDecodeError as err:
                    table.rejects.append((i + 1, f"line is not valid JSON ({err.msg} at column {err.colno})"))
    for row_no, item in lines:
        if isinstance(item, dict):
            table.rows.append((row_no, item))
            table.header.extend(k for k in item if k not in table.header)
        else:
            table.rejects.append((row_no, f"expected a JSON object, found {type(item).__name__}"))
    if not table.rows:
        raise SourceError(f"{path} holds no JSON objects (is it really JSON Lines?): check the file.")
    return table


def _sephora(
    row: dict[str, Value], pid: str, name: str, source: str, tag_cache: dict[str, Derived]
) -> ProductRecord:
    """One product_info.csv row. Ingredients stay the raw Python-list string (search/inci.py parses it)."""
    warnings: list[str] = []
    raw_tags = clean_text(row.get("highlights"), "highlights")
    tags: tuple[str, ...] = ()
    if raw_tags:
        try:
            parsed = ast.literal_eval(raw_tags)
            if not isinstance(parsed, list) or not all(isinstance(t, str) for t in parsed):
                raise ValueError("not a list of strings")
            tags = tuple(t.strip() for t in parsed if t.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            # The row is still useful without its tags: keep it and say why they are missing.
            warnings.append(f"highlights {raw_tags[:60]!r} are not a Python list of strings; ignored")
    derived = derive_from_highlights(tags, tag_cache)
    extra: dict[str, object] = {}
    for col, kind in (("rating", float), ("reviews", int), ("loves_count", int), ("sale_price_usd", float)):
        value = clean_text(row.get(col), col)
        if value is not None:
            try:
                extra[col] = kind(float(value))
            except ValueError:
                warnings.append(f"{col} {value!r} is not a number; ignored")
    for col in ("size", "variation_type", "variation_value"):
        if value := clean_text(row.get(col), col):
            extra[col] = value
    for col in ("limited_edition", "new", "online_only", "out_of_stock", "sephora_exclusive"):
        if (value := clean_text(row.get(col), col)) in ("0", "1"):
            extra[col] = value == "1"
    if warnings:
        extra["warnings"] = warnings
    categories = (clean_text(row.get(c), c) for c in SEPHORA_CATEGORIES)
    return ProductRecord(
        source=source,
        product_id=pid,
        name=name,
        brand=clean_text(row.get("brand_name"), "brand_name"),
        category_path=tuple(c for c in categories if c),
        price=parse_price(row.get("price_usd"), "price_usd"),
        ingredients_raw=clean_text(row.get("ingredients"), "ingredients"),
        skin_types=derived.skin_types,
        skin_types_origin="highlights" if derived.skin_types else None,
        concerns=derived.concerns,
        claims=derived.claims,
        highlights=tags,
        extra=extra,
    )


def _cosmetics_id(row: dict[str, Value]) -> str | None:
    """A stable id for a cosmetics.csv row, which has none: slug of brand + name and a short hash.

    The hash is of the folded "brand|name", so the id does not depend on row order, case or
    accents, and re-reading the same product gives the same id (and the same point id).
    """
    brand = clean_text(row.get("Brand"), "Brand") or ""
    name = clean_text(row.get("Name"), "Name")
    if name is None:
        return None
    key = f"{fold(brand)}|{fold(name)}"
    slug = re.sub(r"[^a-z0-9]+", "-", key).strip("-")[:48].strip("-")
    return f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"


def _cosmetics(
    row: dict[str, Value], pid: str, name: str, source: str, stats: dict[str, int]
) -> ProductRecord:
    """One cosmetics.csv row: skin types from the 0/1 columns, category from Label."""
    skin: list[str] = []
    for code in SKIN_TYPES:
        col = code.title()
        flag = clean_text(row.get(col), col)
        if flag not in (None, "0", "1", "0.0", "1.0"):
            raise RowError(col, f"{col} is {flag!r}; expected 0 or 1")
        if flag in ("1", "1.0"):
            skin.append(code)
    ingredients = clean_text(row.get("Ingredients"), "Ingredients")
    extra: dict[str, object] = {}
    if ingredients is not None and _NO_INGREDIENTS.match(ingredients):
        extra["ingredients_note"] = ingredients  # kept so the report can say what the shop gave
        stats["ingredients_placeholder"] = stats.get("ingredients_placeholder", 0) + 1
        ingredients = None
    rank = clean_text(row.get("Rank"), "Rank")
    if rank is not None:
        try:
            extra["rank"] = float(rank)
        except ValueError:
            extra["warnings"] = [f"Rank {rank!r} is not a number; ignored"]
    label = clean_text(row.get("Label"), "Label")
    return ProductRecord(
        source=source,
        product_id=pid,
        name=name,
        brand=clean_text(row.get("Brand"), "Brand"),
        # Every row of this dataset is skincare; Label is the product type within it.
        category_path=("Skincare", label) if label else ("Skincare",),
        price=parse_price(row.get("Price"), "Price"),
        ingredients_raw=ingredients,
        skin_types=tuple(skin),
        skin_types_origin="columns" if skin else None,
        extra=extra,
    )
