"""Size limits of one product row at ingest: a row over them is rejected (with the field named in
the rejects report) and the rest of the file proceeds.

A 45 MB single-line CSV under the upload limit became one product: `GET /v1/products/P1` then
returned 225 MB, searches 45 MB, and the server grew to 5.3 GB. Real catalog fields are far below
these limits (the longest INCI declarations run to a few thousand characters).
"""

from __future__ import annotations

from collections.abc import Mapping

from conseil.ingest.mapping import RowError

MAX_FIELD_CHARS = 20_000  # one cell: a name, an ingredient list, a description
MAX_ROW_CHARS = 100_000  # all the cells of one row together


def _size(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v) for k, v in value.items())
    return 0 if value is None else len(str(value))


def check_row_size(row: Mapping[str, object]) -> None:
    """RowError naming the first field over MAX_FIELD_CHARS, or the row when it is over MAX_ROW_CHARS."""
    total = 0
    for column, value in row.items():
        size = _size(value)
        if size > MAX_FIELD_CHARS:
            raise RowError(column, f"{column} holds {size:,} characters; the limit is {MAX_FIELD_CHARS:,} per "
                                   "field: check the file (a missing line break or quote?) or shorten the field")
        total += size
    if total > MAX_ROW_CHARS:
        raise RowError(None, f"the row holds {total:,} characters; the limit is {MAX_ROW_CHARS:,} per row: "
                             "check the file (a missing line break or quote?)")
