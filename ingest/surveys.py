"""Survey tables as documents an analyst can search: one per question, with exact figures.

A CSV of responses (one row per respondent) becomes

* an overview (title, number of responses, the questions, collection period, constant columns);
* one document per question (column): the question's wording from the codebook when there is
  one, then the distribution of answers with counts and percentages computed from the rows;
  multi-select answers ("a;b;c", "a, b, c") are split and counted per respondent; numeric
  columns get n, mean, median, min and max (and the distribution when they are a small integer
  scale); free-text answers are listed;
* for small tables (a conjoint design, a lookup), the rows themselves.

Rows whose number of fields differs from the header's are skipped and reported (with their row
numbers); the rest is read. The CSV is parsed with the csv module (quoted cells may span lines)
and analysed with polars.

`classify_tables` decides, per folder, which CSVs are codebooks (column -> question text) and
which are versions of the same responses (the same rows, e.g. raw/cleaned/pivoted exports): only
the version the codebook describes best is ingested, so an answer is not found four times.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .study_sources import FileRejected, decode_text

MAX_OPTIONS = 30  # answers listed per question; the rest are summed up in one line
FREE_TEXT_CHARS = 6000  # free-text answers kept per question (chunked later)
SMALL_TABLE = (40, 12)  # tables up to this many rows and columns are also rendered row by row
_CODEBOOK_KEYS = {"column", "column name", "variable", "var", "field", "name", "question id", "code", "item"}
_CODEBOOK_TEXTS = {"description", "question", "question_text", "question text", "label", "text", "wording"}
_MISSING = frozenset({"na", "n/a", "nan", "null", "#n/a", "-", "--"})  # "none" can be a real answer
_ID_NAME = re.compile(r"^(?:|unnamed.*|column \d+|index|id|uuid|.*[ _]id|response.?id|respondent.?id)$", re.IGNORECASE)
_DATE_VALUE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}")
_LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:$|=|-|–|:|\+)")  # "4", "5 = Daily", "15-20"
_SCALE_POINT = re.compile(r"^\s*(-?\d+)\s*=")  # a labelled scale point: "5 = Very Frequently"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    ragged: list[int]  # 1-based data row numbers skipped for having the wrong number of fields
    note: str | None = None  # decoding note


@dataclass(frozen=True)
class TableRole:
    role: str  # "table" | "codebook" | "duplicate"
    codebook: Path | None = None  # tables: their codebook
    of: Path | None = None  # codebooks: the table they describe; duplicates: the version ingested


@dataclass
class SurveyDocs:
    sections: list[tuple[str, str]]  # (section label, text): overview, each question, rows
    rows: int
    columns: int
    notes: list[str] = field(default_factory=list)
    last_year: int | None = None  # the latest year in a timestamp column (when the survey ran)


# -- reading ----------------------------------------------------------------------------------


def read_table(data: bytes) -> Table:
    text, note = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(cell.strip() for cell in records[0]):
        raise FileRejected("empty table", "no header row")
    header = _unique([cell.strip() for cell in records[0]])
    rows: list[list[str]] = []
    ragged: list[int] = []
    for number, record in enumerate(records[1:], 1):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            ragged.append(number)
            continue
        rows.append([cell.strip() for cell in record])
    if not rows:
        detail = f"all {len(ragged)} rows are ragged" if ragged else "no data rows"
        raise FileRejected("ragged CSV rows" if ragged else "empty table", detail)
    return Table(header=header, rows=rows, ragged=ragged, note=note)


def _unique(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for i, name in enumerate(names):
        base = name or f"column {i + 1}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


def read_codebook(data: bytes) -> dict[str, str]:
    """column name -> question text, from a two-column codebook."""
    table = read_table(data)
    return {row[0].strip(): re.sub(r"\s+", " ", row[1]).strip() for row in table.rows if row[0].strip() and row[1]}


def _is_codebook(path: Path, table: Table, other_headers: set[str]) -> bool:
    if len(table.header) not in (2, 3):
        return False
    names = [h.strip().lower().replace("_", " ") for h in table.header[:2]]
    if names[0] in _CODEBOOK_KEYS and names[1].replace(" ", "_") in {t.replace(" ", "_") for t in _CODEBOOK_TEXTS}:
        return True
    if re.search(r"codebook|dictionary|question_texts", path.stem, re.IGNORECASE):
        return True
    keys = [row[0].strip().lower() for row in table.rows]
    return bool(keys) and sum(k in other_headers for k in keys) >= 0.5 * len(keys)


def _lookup(codebook: dict[str, str], column: str) -> str | None:
    folded = {k.lower(): v for k, v in codebook.items()}
    if column.lower() in folded:
        return folded[column.lower()]
    close = difflib.get_close_matches(column.lower(), list(folded), n=1, cutoff=0.88)
    return folded[close[0]] if close else None


def classify_tables(paths: Sequence[Path]) -> dict[Path, TableRole]:
    """Codebooks, tables and duplicate versions among the CSVs of each folder. Unreadable CSVs
    are left out (they are reported when ingested)."""
    roles: dict[Path, TableRole] = {}
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    for folder_paths in by_folder.values():
        tables: dict[Path, Table] = {}
        for path in folder_paths:
            try:
                tables[path] = read_table(path.read_bytes())
            except (FileRejected, OSError):
                continue
        headers = {h.lower() for t in tables.values() for h in t.header}
        codebooks: dict[Path, dict[str, str]] = {}
        for path, table in tables.items():
            own = {h.lower() for h in table.header}
            if _is_codebook(path, table, headers - own):
                codebooks[path] = {r[0].strip(): r[1] for r in table.rows if r[0].strip()}
        data_tables = {p: t for p, t in tables.items() if p not in codebooks}
        coverage: dict[Path, tuple[float, Path | None]] = {}
        for path, table in data_tables.items():
            best: tuple[float, Path | None] = (0.0, None)
            for cb_path, cb in codebooks.items():
                share = sum(_lookup(cb, h) is not None for h in table.header) / len(table.header)
                best = max(best, (share, cb_path), key=lambda x: x[0])
            coverage[path] = best
        for cb_path in codebooks:
            described = [p for p, (share, cb) in coverage.items() if cb == cb_path and share > 0]
            roles[cb_path] = TableRole("codebook", of=described[0] if described else None)
        versions: dict[tuple[int, tuple[str, ...]], list[Path]] = {}
        for path, table in data_tables.items():
            versions.setdefault((len(table.rows), tuple(r[0] for r in table.rows)), []).append(path)
        for group in versions.values():
            group.sort(key=lambda p: (-coverage[p][0], len(data_tables[p].header), p.name))
            roles[group[0]] = TableRole("table", codebook=coverage[group[0]][1])
            for other in group[1:]:
                roles[other] = TableRole("duplicate", of=group[0])
    return roles


# -- describing -------------------------------------------------------------------------------


def summarise_survey(data: bytes, *, title: str, codebook: dict[str, str] | None = None) -> SurveyDocs:
    """The overview, per-question and row documents of one survey table."""
    import polars as pl  # heavy: only when a table is ingested

    table = read_table(data)
    frame = pl.DataFrame({name: [_value(row[i]) for row in table.rows] for i, name in enumerate(table.header)},
                         schema={name: pl.Utf8 for name in table.header})
    n = frame.height
    docs = SurveyDocs(sections=[], rows=n, columns=frame.width)
    if table.note:
        docs.notes.append(table.note)
    if table.ragged:
        shown = ", ".join(map(str, table.ragged[:10])) + (" ..." if len(table.ragged) > 10 else "")
        docs.notes.append(f"ragged CSV rows: {len(table.ragged)} skipped (data rows {shown}), "
                          f"{n} read")
    head = f"Survey table: {title} ({n} rows)."
    questions: list[str] = []
    extras: list[str] = []
    for name in frame.columns:
        question = _lookup(codebook or {}, name)
        label = question or name
        kind, body = _describe(name, frame.get_column(name), n)
        if kind == "timestamp":
            years = [int(v[:4]) for v in frame.get_column(name).drop_nulls().to_list() if v[:4].isdigit()]
            docs.last_year = max(years + [docs.last_year or 0]) or None
        if kind in ("identifier", "constant", "timestamp", "empty"):
            extras.append(f"{label}: {body}")
            continue
        questions.append(label)
        column_note = "" if question is None or question == name else f" (column {name})"
        docs.sections.append((label[:120], f"{head}\nQuestion: {label}{column_note}\n{body}"))
    overview = [head, f"{len(questions)} questions:"] + [f"- {q}" for q in questions] + extras
    docs.sections.insert(0, ("Overview", "\n".join(overview)))
    rows_max, cols_max = SMALL_TABLE
    if n <= rows_max and frame.width <= cols_max:
        lines = ["; ".join(f"{h}: {v}" for h, v in zip(table.header, row, strict=True) if v) for row in table.rows]
        docs.sections.append(("Table rows", f"{head}\nThe rows of the table:\n" + "\n".join(lines)))
    return docs


def _value(cell: str) -> str | None:
    return None if not cell or cell.lower() in _MISSING else cell


def _describe(name: str, series: Any, n: int) -> tuple[str, str]:
    """(kind, text) for one column: empty, identifier, timestamp, constant, numeric, multi, free, single."""
    values = [v for v in series.to_list() if v]
    answered = len(values)
    if not answered:
        return "empty", "no answers"
    distinct = len(set(values))
    if _ID_NAME.match(name) and distinct >= 0.9 * answered:
        return "identifier", f"identifier column ({distinct} distinct values)"
    if sum(bool(_DATE_VALUE.match(v)) for v in values) >= 0.9 * answered:
        return "timestamp", f"from {min(values)} to {max(values)}"
    if distinct == 1:
        return "constant", f"always {values[0]!r}"
    base = f"Answered by {answered} of {n} respondents" + (f" ({n - answered} blank)." if answered < n else ".")
    numbers = _numbers(series)
    if len(numbers) >= 0.9 * answered:
        return "numeric", base + "\n" + _numeric(numbers, answered)
    options = _multi_select(values)
    if options is not None:
        counts = Counter(option for answer in options for option in set(answer))
        return "multi", (base + "\nSeveral answers allowed: each percentage is the share of the "
                         f"{answered} respondents who answered that chose it.\n" + _distribution(counts, answered))
    lengths = sum(len(v) for v in values) / answered
    if answered >= 10 and distinct >= 0.6 * answered and lengths >= 15:
        listed = _cap("\n".join(f"- {v}" for v in values), FREE_TEXT_CHARS)
        return "free", f"{base}\nFree-text answers ({distinct} different):\n{listed}"
    return "single", base + "\n" + _distribution(Counter(values), answered)


def _numbers(series: Any) -> list[float]:
    import polars as pl

    cast = series.str.strip_chars().str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    return [float(x) for x in cast.drop_nulls().to_list()]


def _numeric(numbers: list[float], answered: int) -> str:
    import polars as pl

    s = pl.Series(numbers)
    text = (f"Numeric answers: n={len(numbers)}, mean {_fmt(s.mean())}, median {_fmt(s.median())}, "
            f"min {_fmt(s.min())}, max {_fmt(s.max())}.")
    if len(numbers) < answered:
        text += f" {answered - len(numbers)} non-numeric answers ignored."
    if all(x.is_integer() for x in numbers) and len(set(numbers)) <= 11:
        counts = Counter(_fmt(x) for x in sorted(numbers))
        text += "\n" + _distribution(counts, len(numbers), ordered=True)
    return text


def _leading(answer: str) -> float:
    match = _LEADING_NUMBER.match(answer)
    return float(match.group(1)) if match else float("inf")


def _distribution(counts: Counter[str], base: int, *, ordered: bool = False) -> str:
    """One line per answer, "answer: count (pct%)": in scale order when every answer starts with a
    number ("1 = Never" ... "5 = Daily", age bands), otherwise most frequent first."""
    items = list(counts.items())
    if ordered or all(_LEADING_NUMBER.match(k) for k, _ in items):
        items.sort(key=lambda kv: (_leading(kv[0]), kv[0]))
    else:
        items.sort(key=lambda kv: (-kv[1], kv[0]))
    lines = [f"- {k}: {c} ({_pct(c, base)})" for k, c in items[:MAX_OPTIONS]]
    if len(items) > MAX_OPTIONS:
        rest = items[MAX_OPTIONS:]
        lines.append(f"- {len(rest)} other answers: {sum(c for _, c in rest)} in all")
    points = [(_SCALE_POINT.match(k), c) for k, c in items]
    if not ordered and items and all(m for m, _ in points):
        total = sum(c for _, c in points)
        mean = sum(float(m.group(1)) * c for m, c in points if m) / total
        lines.append(f"Mean score: {mean:.2f} (n={total})")
    return "\n".join(lines)


def _multi_select(values: list[str]) -> list[list[str]] | None:
    """Split answers on ";" or ", " (not inside parentheses) when that yields a small vocabulary."""
    for sep in (";", ","):
        with_sep = sum(sep in v for v in values)
        if with_sep < max(2, 0.15 * len(values)):
            continue
        split = [_split_outside_parens(v, sep) for v in values]
        parts = [p for answer in split for p in answer]
        if len(set(parts)) <= 0.5 * len(parts) and len(set(parts)) < len(set(values)):
            return split
    return None


def _split_outside_parens(value: str, sep: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in value:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _pct(count: int, base: int) -> str:
    return f"{100.0 * count / base:.1f}%" if base else "n/a"


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.2f}"


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n- ..."
