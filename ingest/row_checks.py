"""Row checks shared by every product format: ids (normalisation reported, duplicates naming both
rows), Conseil product types of each category path, currencies; and the file-level currency check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from conseil.ingest.ids import duplicate_reason, normalisation_note
from conseil.ingest.limits import check_row_size
from conseil.ingest.mapping import Mapping, RowError, Value, clean_text, price_currency
from conseil.search.errors import SourceError
from conseil.search.index.schema import ProductRecord, Reject
from conseil.search.query.product_types import CategoryMatcher

# Rows named in a note before "and N more".
NOTE_ROWS = 5


class Rows(Protocol):
    """A loaded table: its data rows as (1-based row number, cells)."""

    rows: list[tuple[int, dict[str, Value]]]


@dataclass
class RowBuilder:
    """Runs a row converter over a table: id/name checks, duplicate ids, rejects."""

    path: Path
    categories: CategoryMatcher
    records: list[ProductRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    id_notes: list[str] = field(default_factory=list)  # "row 7: id cell ... stored as ..."
    unmapped: dict[str, int] = field(default_factory=dict)
    currencies: dict[str, int] = field(default_factory=dict)

    def run(
        self,
        table: Rows,
        id_col: str,
        name_col: str,
        convert: Callable[[dict[str, Value], str, str], ProductRecord],
    ) -> None:
        first_row: dict[str, tuple[int, str]] = {}
        for row_no, row in table.rows:
            pid: str | None = None
            try:
                check_row_size(row)  # first: an oversized id must not reach the rejects report either
                raw_id = row.get(id_col)
                pid = clean_text(raw_id, id_col)
                name = clean_text(row.get(name_col), name_col)
                if name is None:  # checked first: cosmetics ids are derived from the name
                    raise RowError(name_col, "no product name: fill it in or drop the row")
                if pid is None:
                    raise RowError(id_col, "no product id: fill it in or drop the row")
                if pid in first_row:
                    first, first_name = first_row[pid]
                    raise RowError(id_col, duplicate_reason(pid, row_no, name, first, first_name, id_col))
                first_row[pid] = (row_no, name)
                record = convert(row, pid, name)
                if note := normalisation_note(id_col, raw_id, pid):
                    self.id_notes.append(f"row {row_no}: {note}")
                    record.extra.setdefault("warnings", []).append(note)
                types = self.categories.types_of(record.category_path)
                if types:
                    record = replace(record, product_types=types)
                else:
                    path = " > ".join(record.category_path) or "(no category)"
                    self.unmapped[path] = self.unmapped.get(path, 0) + 1
                self.currencies[record.currency] = self.currencies.get(record.currency, 0) + 1
                self.records.append(record)
            except RowError as err:
                self.rejects.append(Reject(str(self.path), row_no, pid, err.column, err.reason))

    def finish(self) -> None:
        """Turn the id notes into one summary note (every one is also on its product's warnings)."""
        if self.id_notes:
            shown = "; ".join(self.id_notes[:NOTE_ROWS])
            more = f"; and {len(self.id_notes) - NOTE_ROWS} more" if len(self.id_notes) > NOTE_ROWS else ""
            self.notes.insert(0, f"{len(self.id_notes)} id(s) normalised: {shown}{more}")
            self.stats["ids_normalised"] = len(self.id_notes)


def check_currency(path: Path, table: Rows, cols: dict[str, tuple[str, ...]], mapping: Mapping | None,
                    strict: bool, notes: list[str]) -> None:
    """Prices with no currency anywhere (column, mapped default, symbol in the cell) are read as USD,
    with a note naming the first rows; `strict` refuses the file instead."""
    if "currency" in cols or (mapping is not None and "currency" in mapping.defaults) or "price" not in cols:
        return
    price_col = cols["price"][0]
    bare = [n for n, row in table.rows if row.get(price_col) is not None and str(row.get(price_col)).strip()
            and price_currency(row.get(price_col)) is None]
    if not bare:
        return
    rows = ", ".join(str(n) for n in bare[:NOTE_ROWS]) + (f" and {len(bare) - NOTE_ROWS} more" if len(bare) > NOTE_ROWS else "")
    message = (f"{len(bare)} price(s) in column {price_col!r} have no currency (no currency column, no "
               f"'defaults.currency' in a mapping, no symbol in the cell): rows {rows}")
    if strict:
        raise SourceError(f"{path}: {message}. Refused (--strict): add a currency column or "
                          "'defaults': {'currency': 'GBP'} to the mapping file (ingest/generic-schema.md).")
    notes.append(f"{message}; stored as USD. Set 'defaults.currency' in the mapping if that is wrong.")
