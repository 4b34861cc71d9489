"""Study files built (read, PDF text extracted, chunked) in a separate process, off the embedding
thread's GIL.

PDF extraction and chunking are pure Python: in a thread of the ingesting process they hold the
GIL the embedding thread needs between its model calls, which kept study ingestion at 0.79-0.85 of
the raw encode rate. A worker process builds the next files while this one embeds. It is started
with `spawn` (forking a process that already runs torch or ONNX Runtime threads can deadlock) and
only for PDF work under the real clock; otherwise (text and survey files only, or a test's fake
clock, which cannot cross processes) the same work runs in a thread, as before.

    with extraction_pool(use_process=True) as pool:
        future = pool.submit(report, item, doc_id, limits, chunker, clock)   # Future[BuiltStudy]
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from .chunking import Chunk, Chunker, Segment
from .pdf import PdfLimits, extract_pdf
from .study_sources import (
    FileRejected,
    StudyFile,
    StudyMeta,
    decode_text,
    first_text_title,
    humanise_stem,
    resolve_meta,
)


class _Timed(Protocol):
    """What the pool adds extraction time to (the studies ingest report)."""

    extract_seconds: float


@dataclass
class BuiltStudy:
    meta: StudyMeta
    chunks: list[Chunk]
    pages: int
    notes: list[str]



def build_study(item: StudyFile, data: bytes, *, limits: PdfLimits, chunker: Chunker,
                clock: Callable[[], float] = time.monotonic) -> BuiltStudy:
    """Extract, describe and chunk one file (no index, no model). Raises `FileRejected`."""
    if item.kind == "pdf":
        pdf = extract_pdf(data, limits, clock)
        text = "\n\n".join(pdf.pages)
        found = pdf.title or pdf.metadata_title or first_text_title(text, markdown=False)
        head = "\n".join(pdf.pages[:2])[:12000]
        meta = resolve_meta(item, kind="pdf", found_title=found, text=text, metadata_year=pdf.metadata_year,
                            head=head)
        segments = [Segment(page, number) for number, page in enumerate(pdf.pages, 1)]
        return BuiltStudy(meta, chunker.chunk(segments), pdf.page_count, pdf.notes)
    if item.kind == "survey":
        from .surveys import read_codebook, summarise_survey

        codebook = read_codebook(item.codebook.read_bytes()) if item.codebook else None
        title = item.sidecar.get("title") or f"{humanise_stem(item.path)} ({item.path.parent.name})"
        docs = summarise_survey(data, title=title, codebook=codebook)
        text = "\n".join(body for _, body in docs.sections)
        meta = resolve_meta(item, kind="survey", found_title=title, text=text, data_year=docs.last_year)
        chunks = [c for section, body in docs.sections
                  for c in chunker.chunk([Segment(body)], headings="none", section=section)]
        notes = docs.notes + ([f"codebook {item.codebook.name}"] if item.codebook else [])
        return BuiltStudy(meta, chunks, 0, notes)
    text, note = decode_text(data)
    if not text.strip():
        raise FileRejected("empty file", "only whitespace")
    markdown = item.path.suffix.lower() in (".md", ".markdown")
    meta = resolve_meta(item, kind="text", found_title=first_text_title(text, markdown=markdown), text=text)
    chunks = chunker.chunk([Segment(text)], headings="markdown" if markdown else "auto")
    return BuiltStudy(meta, chunks, 0, [note] if note else [])



def build_file(item: StudyFile, doc_id: str, limits: PdfLimits, chunk_size: int, overlap: int,
               clock: Callable[[], float]) -> tuple[str, Any, float]:
    """Read, check and build one file. Returns ("ok", BuiltStudy, seconds) or ("rejected", (reason,
    detail), seconds): FileRejected's own constructor does not survive pickling."""
    began = time.perf_counter()
    try:
        data = item.path.read_bytes()
        if hashlib.sha256(data).hexdigest()[:32] != doc_id:
            raise FileRejected("changed while reading", "run the ingest again")
        study = build_study(item, data, limits=limits, chunker=Chunker(chunk_size, overlap), clock=clock)
        return "ok", study, time.perf_counter() - began
    except FileRejected as exc:
        return "rejected", (exc.reason, exc.detail), time.perf_counter() - began


class ExtractionPool:
    """`submit` returns a Future of the built study that raises FileRejected, wherever it ran."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def submit(self, report: _Timed, item: StudyFile, doc_id: str, limits: PdfLimits,
               chunker: Chunker, clock: Callable[[], float]) -> Future[BuiltStudy]:
        outer: Future[BuiltStudy] = Future()
        inner = self.executor.submit(build_file, item, doc_id, limits, chunker.chunk_size, chunker.overlap,
                                     clock)

        def settle(done: Future[tuple[str, Any, float]]) -> None:
            try:
                status, value, seconds = done.result()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who reports it per file
                outer.set_exception(exc)
                return
            report.extract_seconds = round(report.extract_seconds + seconds, 2)
            if status == "ok":
                outer.set_result(value)
            else:
                outer.set_exception(FileRejected(*value))

        inner.add_done_callback(settle)
        return outer


@contextmanager
def extraction_pool(*, use_process: bool) -> Iterator[ExtractionPool]:
    executor: Executor
    if use_process:
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    else:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
    with executor:
        yield ExtractionPool(executor)
