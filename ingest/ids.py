"""Product ids: composite ids, stable hashes of chosen columns, and reported normalisation.

A catalog without a usable id column (no id at all, or a URL that size variants share) can build
one in its mapping file: `"columns": {"id": ["product_url", "size"]}` joins the cells with "|";
`"columns": {"id": {"hash": ["product_name", "size"]}}` stores a stable hash of them instead. Either
way an id is never changed silently: trimming a cell's surrounding whitespace (a leading newline, a
trailing non-breaking space) is reported with the row, and duplicates name both rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from conseil.ingest.mapping import RowError, Value, clean_text

ID_JOIN = "|"
HASH_PREFIX = "h"
HASH_HEX = 16


@dataclass(frozen=True)
class IdSpec:
    """How a generic row's id is made: one column as it is, several joined, or a hash of several."""

    columns: tuple[str, ...]
    hashed: bool = False

    @property
    def label(self) -> str:
        """How rejects name the id field: "SKU", "product_url+size", "hash(product_name+size)"."""
        joined = "+".join(self.columns)
        return f"hash({joined})" if self.hashed else joined


def build_id(row: dict[str, Value], spec: IdSpec) -> tuple[str | None, list[str]]:
    """The row's id (None when every part is empty) and what normalisation changed, in words."""
    parts: list[str] = []
    notes: list[str] = []
    for column in spec.columns:
        raw = row.get(column)
        text = clean_text(raw, column)
        if note := normalisation_note(column, raw, text):
            notes.append(note)
        parts.append(text or "")
    if not any(parts):
        return None, notes
    if len(spec.columns) > 1 and not spec.hashed and (empty := [c for c, p in zip(spec.columns, parts) if not p]):
        raise RowError(spec.label, f"the id is built from {list(spec.columns)} but {empty} is empty: fill it in")
    if spec.hashed:
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:HASH_HEX]
        return HASH_PREFIX + digest, notes
    return ID_JOIN.join(parts), notes


def normalisation_note(column: str, raw: Value, cleaned: str | None) -> str | None:
    """A sentence when the stored id text differs from the cell (surrounding whitespace trimmed)."""
    if not isinstance(raw, str) or cleaned is None or raw == cleaned:
        return None
    return f"id cell {column} {raw!r} stored as {cleaned!r} (surrounding whitespace removed)"


def duplicate_reason(pid: str, row: int, name: str, first_row: int, first_name: str, id_label: str) -> str:
    """A duplicate-id reject that names both rows, and the way out (`id_label`: `IdSpec.label`)."""
    return (f"duplicate id {pid!r}: row {row} ({name!r}) and row {first_row} ({first_name!r}) share it; row "
            f"{row} skipped. If they are different products (size variants), build the id from more columns "
            f"than {id_label} in the mapping file (ingest/generic-schema.md, 'Ids').")
