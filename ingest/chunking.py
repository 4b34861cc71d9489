"""Passages for the studies index: token-aware chunks that remember their pages and section.

The splitting itself is llama-index-core's `SentenceSplitter` (sentence-first, token-counted,
with overlap), used as a black box at this edge: it returns exact substrings of its input, so each
chunk is located back in the document text, and from that position get

* its page span: pages are joined with a blank line and their start offsets kept, so a chunk that
  runs over a page break cites `page`..`page_end`;
* its section: the last heading that starts before the chunk's first line ends. Headings come from
  Markdown `#` lines, or for PDF/plain text from a heuristic (numbered "2.1 Methods", known section
  names, short all-caps lines, short Title Case lines).

Chunk size is counted in tiktoken cl100k tokens (llama-index's bundled default, offline). 200 of
them stay under the 256 word pieces all-MiniLM-L6-v2 reads for English text once the title and
section are prefixed; longer passages would be silently truncated by the model.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

Headings = Literal["auto", "markdown", "none"]

CHUNK_TOKENS = 200
CHUNK_OVERLAP = 32
PAGE_JOINER = "\n\n"
# Bump when chunking or heading rules change: stored studies are then rebuilt.
CHUNKER_VERSION = 1

_NUMBERED = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?[\ufe0f\u20e3]*|[IVX]{1,5}\.|[A-H][.)]|[A-H] [–-])\s+(?P<rest>\S.*)$")
_SECTION_NAMES = frozenset({
    "abstract", "introduction", "background", "method", "methods", "methodology", "materials",
    "participants", "stimuli", "procedure", "design", "results", "discussion", "conclusion",
    "conclusions", "references", "bibliography", "acknowledgements", "acknowledgments", "limitations",
    "summary", "appendix", "keywords", "résumé", "méthodes", "méthodologie", "résultats", "objectif",
    "objectifs", "définition", "définitions", "introducción", "métodos", "resultados", "conclusiones",
    "einleitung", "methoden", "ergebnisse", "diskussion", "zusammenfassung", "introduzione", "metodi",
    "risultati", "conclusioni"
})
_CAPTION = re.compile(r"^(?:fig\.?|figure|table|tableau|tab\.|source|note|notes|doi|http|www\.)\b", re.IGNORECASE)
# Table-of-contents leaders, links, e-mails and reference entries ("Smith, J. (2014).") are not headings.
_NOT_HEADING = re.compile(r"\.{4,}|https?://|www\.|@|\((?:19|20)\d\d[a-z]?\)")
_MINOR_WORDS = frozenset({
    "a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "from", "by", "at", "or", "vs",
    "de", "des", "du", "la", "le", "les", "et", "en", "à", "aux", "y", "el", "los", "las", "del", "di",
    "da", "und", "der", "die", "das"
})


@dataclass(frozen=True)
class Segment:
    """A run of text to chunk: one PDF page (`page` = its 1-based number) or a whole text file."""

    text: str
    page: int | None = None


@dataclass(frozen=True)
class Chunk:
    text: str
    page: int | None  # first page the passage is on (None: the source has no pages)
    page_end: int | None  # last page (== page when it does not run over a page break)
    section: str | None  # the heading in effect where the passage starts


def is_heading(line: str) -> bool:
    """Heuristic: does this line of extracted text look like a section heading?

    Affiliations and author lines in Title Case still pass; a wrong section is a weaker citation,
    never a lost passage.
    """
    text = line.strip()
    if not 2 <= len(text) <= 90 or _CAPTION.match(text) or _NOT_HEADING.search(text):
        return False
    words = text.split()
    if len(words) > 12 or text[-1] in ".,;:" or text.count(",") > 1:
        return False
    numbered = _NUMBERED.match(text)
    if numbered:  # "2.1 Methods", "1. Définition", "1️⃣ La sécurité", "A – COSMOS", "2. 피지 컨트롤"
        rest = numbered.group("rest")
        first = rest.split()[0]
        return (sum(ch.isalpha() for ch in first) >= 2 and not first.endswith(".")
                and not rest[0].islower() and sum(ch.isdigit() for ch in rest) <= 2)
    bare = re.sub(r"[^\w\s'’-]", "", text).strip().lower()
    if bare in _SECTION_NAMES:
        return True
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4 or sum(ch.isdigit() for ch in text) > 2:
        return False
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    if len(cased) * 2 >= len(letters) and all(ch.isupper() for ch in cased):
        return len(words) <= 10
    significant = [w for w in words if w.lower() not in _MINOR_WORDS and w[0].isalpha()]
    if len(significant) < 2 or len(words) > 10:
        return False
    return sum(w[0].isupper() for w in significant) / len(significant) >= 0.8


def find_headings(text: str, mode: Headings = "auto") -> list[tuple[int, str]]:
    """(offset, heading) for every heading line of `text`, in order: Markdown `#` lines in
    "markdown" mode, heuristic ones (`is_heading`) in "auto" mode, none in "none" mode."""
    found: list[tuple[int, str]] = []
    if mode == "none":
        return found
    markdown = mode == "markdown"
    offset = 0
    in_code = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if markdown:
            if stripped.startswith("```"):
                in_code = not in_code
            elif not in_code and re.match(r"^#{1,6}\s+\S", stripped):
                found.append((offset, _clean_heading(stripped.lstrip("#"))))
        elif is_heading(stripped):
            found.append((offset, _clean_heading(stripped)))
        offset += len(line)
    return found


def _clean_heading(text: str) -> str:
    cleaned = re.sub(r"[*_`]+", "", text).strip()
    return re.sub(r"\s+", " ", cleaned)[:120]


class Chunker:
    """Splits segments into located chunks. Build one per run: the splitter loads on first use."""

    def __init__(self, chunk_size: int = CHUNK_TOKENS, overlap: int = CHUNK_OVERLAP) -> None:
        self.chunk_size = chunk_size
        self.overlap = overlap
        self._splitter: Any = None

    @property
    def fingerprint(self) -> str:
        """What a stored chunk was made with; part of a study's build hash."""
        return f"chunker={CHUNKER_VERSION};size={self.chunk_size};overlap={self.overlap}"

    def _split(self, text: str) -> list[str]:
        if self._splitter is None:
            from llama_index.core.node_parser import SentenceSplitter  # heavy: load on first use

            self._splitter = SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.overlap)
        return [c for c in self._splitter.split_text(text) if c.strip()]

    def chunk(self, segments: Sequence[Segment], *, headings: Headings = "auto",
              section: str | None = None) -> list[Chunk]:
        """Chunks of the segments joined in order, each with its page span and section.

        `section`, when given, is the section of every chunk that precedes the first heading
        (a survey question, for instance).
        """
        starts: list[int] = []
        ends: list[int] = []
        pages: list[int | None] = []
        parts: list[str] = []
        offset = 0
        for segment in segments:
            if parts:
                offset += len(PAGE_JOINER)
            parts.append(segment.text)
            if segment.text.strip():
                starts.append(offset)
                ends.append(offset + len(segment.text))
                pages.append(segment.page)
            offset += len(segment.text)
        full = PAGE_JOINER.join(parts)
        if not full.strip():
            return []
        found = find_headings(full, headings)
        heading_offsets = [h[0] for h in found]

        chunks: list[Chunk] = []
        for base, piece in self._pieces(full, heading_offsets if headings == "markdown" else []):
            cursor = 0
            for text in self._split(piece):
                found_at = piece.find(text, cursor)
                local = cursor if found_at < 0 else found_at  # defensive: splits are substrings
                cursor = local + 1
                start, end = base + local, base + local + len(text)
                first = max(0, bisect_right(starts, start) - 1)
                while first < len(ends) - 1 and ends[first] <= start:
                    first += 1
                last = max(first, bisect_right(starts, max(start, end - 1)) - 1)
                line_end = full.find("\n", start)
                anchor = end if line_end < 0 else min(end, line_end)
                h = bisect_right(heading_offsets, anchor) - 1
                chunks.append(Chunk(text=text, page=pages[first] if pages else None,
                                    page_end=pages[last] if pages else None,
                                    section=found[h][1] if h >= 0 else section))
        return chunks

    @staticmethod
    def _pieces(full: str, cuts: list[int]) -> list[tuple[int, str]]:
        """(offset, text) of the parts split separately. Markdown headings are reliable, so a
        Markdown passage never runs over a heading; heuristic PDF headings are not, so PDF text is
        split as one piece (a false heading must not cut a paragraph into crumbs)."""
        bounds = sorted({0, *cuts, len(full)})
        return [(a, full[a:b]) for a, b in pairwise(bounds) if full[a:b].strip()]
