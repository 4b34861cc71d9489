"""Parallel product ingestion against a Qdrant server: N worker processes embed and upsert.

The parent plans exactly as `ingest.products` does (read, analyse, compare with what is stored,
rewrite payload-only changes) and hands the new or changed documents to `upsert_pending`, which
splits them into disjoint batches. Each worker process (multiprocessing "spawn": torch and the
native engine do not survive fork) loads its own embedder and its own server connection, embeds a
batch and upserts it. Point ids are the deterministic uuid5 of (source, product id), so a batch
written twice (a retry, or a rerun after a crash) overwrites itself: idempotent. A batch whose
upsert fails is retried with backoff; one that still fails is reported by the parent, which lets
the others finish first. Rerunning the same command then embeds only what is still missing,
because planning skips every product already stored with the same record hash.

The embedded engine is one process's (its shard lock, see `search.lock`), and qdrant-client's
local-mode stand-ins (`:memory:`, `local`) belong to one process: all refuse `workers > 1`. `workers == 1` runs the
very same batch code in-process, which is what the unit tests exercise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conseil.search.embedder import Embedder
from conseil.search.errors import ConfigurationError, ConseilError, VectorIndexError
from conseil.search.index.contract import CollectionSchema, IndexPoint, VectorIndex
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.settings import Settings

from .documents import ProductDocument
from .products import IngestReport, Progress, ingest_products

LOCAL_MODE_URLS = (":memory:", "local")  # see search.remote
BATCH_POINTS = 256  # per task: large enough to keep a worker's model busy, small enough to retry cheaply
ATTEMPTS = 3  # upserts of one batch before it is reported as failed
BACKOFF_S = 1.0  # doubled at each retry

# One task: (batch number, [(point id, dense text, sparse text, payload)]): plain data, cheap to pickle.
Task = tuple[int, list[tuple[str, str, str, dict[str, Any]]]]


@dataclass
class BatchResult:
    number: int
    points: int = 0
    attempts: int = 0
    error: str | None = None


@dataclass
class ParallelReport:
    ingest: IngestReport
    workers: int
    batches: int = 0
    retried: int = 0  # batches that needed more than one upsert
    failed: list[BatchResult] = field(default_factory=list)
    points_written: int = 0

    def summary(self) -> dict[str, object]:
        return {**self.ingest.summary(), "workers": self.workers, "batches": self.batches,
                "retried_batches": self.retried, "failed_batches": len(self.failed),
                "points_written": self.points_written}


def check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise ConfigurationError(f"--workers must be at least 1 (got {workers}).")
    if workers > 1 and (not settings.qdrant_url or settings.qdrant_url in LOCAL_MODE_URLS):
        raise ConfigurationError(
            f"--workers {workers} needs a Qdrant server (CONSEIL_QDRANT_URL=http://HOST:6333): the embedded "
            "index (and the local-mode stand-in) belongs to one process. Use --workers 1 here; the embedding "
            "model already uses every core.")


def to_tasks(documents: Sequence[ProductDocument], batch_points: int = BATCH_POINTS) -> list[Task]:
    """Disjoint batches, in planning order."""
    return [
        (number, [(d.point_id, d.dense_text, d.sparse_text, d.payload)
                  for d in documents[start:start + batch_points]])
        for number, start in enumerate(range(0, len(documents), batch_points))
    ]


def run_batch(index: VectorIndex, embedder: Embedder, task: Task, *, attempts: int = ATTEMPTS,
              backoff_s: float = BACKOFF_S, sleep: Callable[[float], None] = time.sleep) -> BatchResult:
    """Embed one batch once, then upsert it, retrying the upsert on failure. Never raises: a failure
    is returned, so one bad batch does not stop the others."""
    number, rows = task
    result = BatchResult(number)
    try:
        dense = embedder.embed_documents([row[1] for row in rows])
    except Exception as exc:  # noqa: BLE001 - reported per batch by the parent
        result.error = f"embedding failed: {exc}"
        return result
    bm25 = Bm25Encoder()
    points = [IndexPoint(id=pid, dense=vector, sparse=bm25.document(sparse_text), payload=payload)
              for (pid, _, sparse_text, payload), vector in zip(rows, dense, strict=True)]
    delay = backoff_s
    while result.attempts < attempts:
        result.attempts += 1
        try:
            index.upsert(points)
            result.points, result.error = len(points), None
            return result
        except Exception as exc:  # noqa: BLE001 - transient server failures; the last one is reported
            result.error = str(exc) if isinstance(exc, ConseilError) else f"{type(exc).__name__}: {exc}"
            if result.attempts < attempts:
                sleep(delay)
                delay *= 2
    return result


# -- worker processes --------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings, schema: CollectionSchema,
                 embedder_factory: Callable[[], Embedder]) -> None:
    from conseil.search.index.store import Store

    store = Store(settings)  # a server connection of this process's own
    _WORKER.update(store=store, index=store.collection(schema, create=False), embedder=embedder_factory())


def _worker_batch(task: Task) -> BatchResult:
    return run_batch(_WORKER["index"], _WORKER["embedder"], task)


class ParallelWriter:
    """The `upsert_pending` hook of `ingest_products`: batches to workers, results to the report."""

    def __init__(self, settings: Settings, workers: int, embedder_factory: Callable[[], Embedder],
                 batch_points: int = BATCH_POINTS) -> None:
        self.settings = settings
        self.workers = workers
        self.embedder_factory = embedder_factory
        self.batch_points = batch_points
        self.results: list[BatchResult] = []

    def __call__(self, index: VectorIndex, documents: list[ProductDocument], progress: Progress | None) -> None:
        tasks = to_tasks(documents, self.batch_points)
        done = 0
        for result in self._run(index, tasks):
            self.results.append(result)
            done += len(tasks[result.number][1])
            if progress:
                progress("embed", done, len(documents))

    def _run(self, index: VectorIndex, tasks: list[Task]) -> Any:
        if self.workers == 1:
            embedder = self.embedder_factory()
            for task in tasks:
                yield run_batch(index, embedder, task)
            return
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with context.Pool(min(self.workers, len(tasks)), initializer=_init_worker,
                          initargs=(self.settings, index.schema, self.embedder_factory)) as pool:
            yield from pool.imap_unordered(_worker_batch, tasks)


def ingest_products_parallel(settings: Settings, path: Path, *, workers: int,
                             embedder_factory: Callable[[], Embedder], fmt: str = "auto",
                             mapping: Path | None = None, source: str | None = None, sync: bool = False,
                             kb: IngredientKnowledge | None = None, progress: Progress | None = None,
                             batch_points: int = BATCH_POINTS, strict: bool = False) -> ParallelReport:
    """`ingest_products` with the embedding and upserts spread over `workers` processes.

    `embedder_factory` must be picklable for workers > 1 (a module-level function or a
    functools.partial of one, e.g. `partial(load_embedder, settings)`). Raises VectorIndexError after
    the run if some batches still failed after their retries; everything else is stored."""
    check_workers(settings, workers)
    writer = ParallelWriter(settings, workers, embedder_factory, batch_points)
    report = ingest_products(settings, path, fmt=fmt, mapping=mapping, source=source, sync=sync,
                             embedder_factory=embedder_factory, kb=kb, progress=progress,
                             upsert_pending=writer, strict=strict)
    result = ParallelReport(report, workers, batches=len(writer.results),
                            retried=sum(r.attempts > 1 for r in writer.results),
                            failed=sorted((r for r in writer.results if r.error), key=lambda r: r.number),
                            points_written=sum(r.points for r in writer.results))
    if result.failed:
        first = result.failed[0]
        missing = report.new + report.changed - result.points_written
        raise VectorIndexError(
            f"{len(result.failed)} of {result.batches} batches ({missing} products) could not be written after "
            f"{ATTEMPTS} attempts each; first failure (batch {first.number}): {first.error}. The other "
            "batches are stored: run the same command again once the server is healthy, and only the "
            "missing products will be embedded.")
    return result
