"""PDF text, page by page, with running headers and footers removed.

`extract_pdf` turns a PDF's bytes into cleaned page texts or raises `FileRejected` with a reason a
person can act on:

    empty file        zero bytes (checked by the caller, before hashing)
    encrypted         a password is needed (the empty user password is tried first)
    corrupted         pypdf cannot parse the file (not a PDF, truncated, broken page tree)
    too many pages    more pages than `PdfLimits.max_pages`
    timed out         extraction ran past `PdfLimits.max_seconds` (checked between pages)
    needs OCR         no page has a text layer: a scan, never indexed as an empty document

Running headers/footers ("Page 2 / 3", journal names, "This document is copyrighted by...",
"Downloaded by [...]") are lines near the top or bottom of a page that repeat, digits aside, on
many pages; they are removed so they neither pollute passages nor match every query.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from conseil.search.settings import Settings

from .study_sources import FileRejected

ZONE_LINES = 4  # lines at the top and at the bottom of a page that may be running heads/feet
MIN_LETTERS_PER_PAGE = 10  # fewer letters than this: the page has no usable text layer
_PAGE_NUMBER = re.compile(r"^[\W_]*(?:page|p\.|seite|página|pagina)?\s*\d{1,4}(?:\s*(?:/|of|sur|de|von)\s*\d{1,4})?[\W_]*$",
                          re.IGNORECASE)
_BAD_META_TITLE = re.compile(r"^(?:untitled|microsoft (?:word|powerpoint)|document\s*\d*$|slide\s*\d+)|google docs$"
                             r"|\.(?:docx?|pdf|pptx?|indd|tex)$", re.IGNORECASE)


@dataclass(frozen=True)
class PdfLimits:
    """Guards against pathological files (settings `pdf_max_pages`, `pdf_max_seconds`)."""

    max_pages: int = 500
    max_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PdfLimits:
        return cls(max_pages=settings.pdf_max_pages, max_seconds=settings.pdf_max_seconds)


@dataclass
class PdfText:
    pages: list[str]  # cleaned text of every page, index 0 = page 1 (empty string: no text)
    title: str | None = None  # the largest-font text of page 1, as it reads in the page text
    metadata_title: str | None = None  # the document info /Title when it looks like a real title
    metadata_year: int | None = None  # from /CreationDate
    removed_lines: int = 0  # running header/footer lines removed
    notes: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning per odd font or xref; a per-file note is what a user needs."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def extract_pdf(data: bytes, limits: PdfLimits | None = None,
                clock: Callable[[], float] = time.monotonic) -> PdfText:
    """Cleaned page texts of a PDF, or `FileRejected`. `clock` is injectable for tests."""
    limits = limits or PdfLimits()
    with _quiet_pypdf():
        return _extract(data, limits, clock)


def _extract(data: bytes, limits: PdfLimits, clock: Callable[[], float]) -> PdfText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    started = clock()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many types for a broken file
        raise FileRejected("corrupted", f"not a readable PDF ({_short(exc)})") from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise FileRejected("encrypted", "encrypted with AES; install `cryptography` to read it") from exc
        except Exception as exc:
            raise FileRejected("encrypted", f"cannot be decrypted ({_short(exc)})") from exc
        if not opened:  # PasswordType.NOT_DECRYPTED == 0
            raise FileRejected("encrypted", "password-protected: save an unprotected copy to ingest it")
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise FileRejected("corrupted", f"the page tree cannot be read ({_short(exc)})") from exc
    if count == 0:
        raise FileRejected("corrupted", "the PDF has no pages")
    if count > limits.max_pages:
        raise FileRejected("too many pages", f"{count} pages; the limit is {limits.max_pages}")

    raw: list[str] = []
    runs: list[tuple[float, str]] = []
    failed: list[int] = []
    for number in range(1, count + 1):
        try:
            page = reader.pages[number - 1]
            text = page.extract_text(visitor_text=_size_visitor(runs)) if number == 1 else page.extract_text()
        except Exception:  # noqa: BLE001 - one broken page must not cost the whole document
            text = ""
            failed.append(number)
        raw.append(_normalise(text or ""))
        if number < count and clock() - started > limits.max_seconds:
            raise FileRejected("timed out", f"stopped after {number} of {count} pages "
                                            f"(limit {limits.max_seconds:g} s per file)")
    if len(failed) == count:
        raise FileRejected("corrupted", "no page could be read")
    empty = [i + 1 for i, t in enumerate(raw) if _letters(t) < MIN_LETTERS_PER_PAGE]
    if len(empty) == count:
        raise FileRejected("needs OCR", f"no text layer on any of its {count} pages (scanned images?)")

    pages, removed = strip_running_lines(raw)
    result = PdfText(pages=[_dehyphenate(p) for p in pages], removed_lines=removed,
                     title=_title_from_runs(runs, pages[0] or raw[0]),
                     metadata_title=_metadata_title(reader), metadata_year=_metadata_year(reader))
    if failed:
        result.notes.append(f"pages {_ranges(failed)} could not be read")
    if empty and len(empty) != len(failed):
        result.notes.append(f"{len(empty)} of {count} pages have no text layer (pages {_ranges(empty)})")
    return result


# -- page text --------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    # NFKC folds ligatures (ﬁ, ﬂ) and compatibility forms that would split words for BM25.
    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    # Lines without a letter or digit are rules and ornaments ("_____", "¯¯¯", a lone pictogram).
    lines = [line.strip() if any(ch.isalnum() for ch in line) else "" for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _dehyphenate(text: str) -> str:
    """Re-join words split across lines ("con-\\ntrast"); a capital after the break keeps the hyphen."""
    return re.sub(r"(?<=[a-zà-öø-ÿ])-\n(?=[a-zà-öø-ÿ])", "", text)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _line_key(line: str) -> str:
    """Lines that differ only by numbers (page, volume, date) are the same running line."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line)).strip().lower()


def _zone(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:ZONE_LINES] + filled[-ZONE_LINES:]))


def strip_running_lines(pages: list[str]) -> tuple[list[str], int]:
    """Remove page-number lines and lines that repeat at the top/bottom of many pages.

    A line is "running" when its digit-insensitive form appears in the top or bottom zone of at
    least max(2, 30% of pages) pages: alternating even/odd running heads are on about half the
    pages each, hence the low share.
    """
    split = [page.split("\n") for page in pages]
    seen: Counter[str] = Counter()
    for lines in split:
        seen.update({_line_key(lines[i]) for i in _zone(lines)})
    threshold = max(2, math.ceil(0.3 * len(pages)))
    running = {key for key, n in seen.items() if n >= threshold and len(pages) >= 2}
    cleaned: list[str] = []
    removed = 0
    for lines in split:
        drop = {i for i in _zone(lines) if _line_key(lines[i]) in running or _PAGE_NUMBER.match(lines[i].strip())}
        removed += len(drop)
        kept = [line for i, line in enumerate(lines) if i not in drop]
        cleaned.append("\n".join(kept).strip())
    return cleaned, removed


# -- metadata ---------------------------------------------------------------------------------


def _size_visitor(runs: list[tuple[float, str]]) -> Callable[..., None]:
    """Collect (effective font size, text) for each text run of page 1."""

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text and text.strip() and size:
            scale = math.hypot(float(tm[2]), float(tm[3])) * math.hypot(float(cm[2]), float(cm[3]))
            runs.append((round(float(size) * scale, 1), text))
        elif text and runs:  # whitespace between runs of a title
            runs.append((runs[-1][0], text))

    return visit


def _despace(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _title_from_runs(runs: list[tuple[float, str]], page_text: str) -> str | None:
    """The longest block of largest-font text on page 1, read back from the page's text lines."""
    if not runs:
        return None
    biggest = max(size for size, _ in runs)
    groups: list[list[str]] = [[]]
    for size, text in runs:
        if size >= 0.9 * biggest:
            groups[-1].append(text)
        elif text.strip() and groups[-1]:
            groups.append([])
    block = max(("".join(g) for g in groups), key=_letters)
    key = _despace(block)
    if _letters(key) < 5:
        return None
    best: list[str] = []
    current: list[str] = []
    for line in page_text.split("\n"):
        squeezed = _despace(line)
        if squeezed and squeezed in key:
            current.append(line.strip())
            if _letters("".join(current)) > _letters("".join(best)):
                best = list(current)
        else:
            current = []
    title = " ".join(best) if best else re.sub(r"\s+", " ", block)
    return clean_title(title)


def clean_title(title: str) -> str | None:
    """Titles without pictograms, hyphen breaks or runaway length; None when nothing useful is left."""
    text = "".join(ch for ch in title if unicodedata.category(ch) not in ("So", "Cn", "Co")
                   and ch not in "\ufe0f\u20e3")
    text = re.sub(r"(\w)- (\w)", r"\1-\2", re.sub(r"\s+", " ", text)).strip(" -–—:|")
    if _letters(text) < 5:
        return None
    return text if len(text) <= 250 else text[:247].rsplit(" ", 1)[0] + "..."


def _metadata_title(reader: Any) -> str | None:
    try:
        title = (reader.metadata or {}).get("/Title")
    except Exception:  # noqa: BLE001 - a broken info dictionary only loses the title
        return None
    if not isinstance(title, str) or len(title.strip()) < 6 or _BAD_META_TITLE.search(title.strip()):
        return None
    return clean_title(title)


def _metadata_year(reader: Any) -> int | None:
    try:
        created = str((reader.metadata or {}).get("/CreationDate") or "")
    except Exception:  # noqa: BLE001 - a broken info dictionary only loses the year
        return None
    match = re.match(r"^(?:D:)?((?:19|20)\d\d)", created)
    return int(match.group(1)) if match else None


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [-1]:
        if n != prev + 1:
            out.append(f"{start}-{prev}" if prev > start else str(start))
            start = n
        prev = n
    return ", ".join(out)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
