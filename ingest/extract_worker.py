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
from typing import TYPE_CHECKING, Any

from .chunking import Chunker
from .pdf import PdfLimits
from .study_sources import FileRejected, StudyFile

if TYPE_CHECKING:
    from .studies import BuiltStudy, StudyIngestReport


def build_file(item: StudyFile, doc_id: str, limits: PdfLimits, chunk_size: int, overlap: int,
               clock: Callable[[], float]) -> tuple[str, Any, float]:
    """Read, check and build one file. Returns ("ok", BuiltStudy, seconds) or ("rejected", (reason,
    detail), seconds): FileRejected's own constructor does not survive pickling."""
    from .studies import build_study

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

    def submit(self, report: StudyIngestReport, item: StudyFile, doc_id: str, limits: PdfLimits,
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
