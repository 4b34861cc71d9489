"""Everything one server process holds for its lifetime, built in the lifespan and closed by it.

The server owns the embedded index: it opens the Store (the one lock of the process) at startup and
keeps it until shutdown, so a `conseil ingest` run beside it fails with the lock error naming the
server's pid. Searches read under the shared side of `rw`; the ingestion job writes under its
exclusive side (see `api.guard`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from conseil.search.answers.service import AskService
from conseil.search.cache import SearchCaches
from conseil.search.embedder import Embedder
from conseil.search.products.engine import ProductSearch
from conseil.search.errors import IndexMissingError
from conseil.search.feedback import FeedbackStore
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.index.schema import PRODUCTS_COLLECTION, STUDIES_COLLECTION
from conseil.search.products.currency import load_rates
from conseil.search.settings import Settings
from conseil.search.index.store import Store, missing_index_message, products_schema
from conseil.search.studies.engine import StudySearch
from fastapi import Request

from .batching import BatchingEmbedder
from .catalog import contradictions
from .config import ApiSettings
from .guard import ReadWriteLock
from .jobs import Job, JobManager
from .metrics import ApiMetrics

log = logging.getLogger("conseil.api")


class InvalidatingLock(ReadWriteLock):
    """The search lock, whose every exclusive hold (each index write of a job, and the refresh after
    it) invalidates the search caches: no search is running then, so none can straddle the change."""

    def __init__(self, on_write: Callable[[], None]) -> None:
        super().__init__()
        self._on_write = on_write

    @contextmanager
    def write(self) -> Iterator[None]:
        with super().write():
            self._on_write()
            yield


class Runtime:
    """The open store, the model, the knowledge base, the engines, the jobs and the metrics."""

    def __init__(self, settings: Settings, api_settings: ApiSettings, store: Store, embedder: Embedder,
                 kb: IngredientKnowledge) -> None:
        self.settings = settings
        self.api_settings = api_settings
        self.store = store
        self.embedder = embedder  # ingestion jobs embed documents with it directly
        # Searches: concurrent queries in one model call.
        self.query_embedder = BatchingEmbedder(embedder, api_settings.query_batch_max)
        self.kb = kb
        # Search caches, sized by settings; cleared whenever the index is written (see InvalidatingLock).
        self.caches = SearchCaches(embeddings=api_settings.cache_embeddings, filters=api_settings.cache_filters,
                                   items=api_settings.cache_items, responses=api_settings.cache_responses)
        self.rw = InvalidatingLock(self.caches.invalidate)
        self.open_lock = threading.Lock()  # opening a collection mutates the store: one at a time
        self.products: ProductSearch | None = None
        self.studies: StudySearch | None = None
        self._audit: list[dict[str, Any]] | None = None
        self.metrics = ApiMetrics(self.index_sizes, self.dropped_violations, self.caches.stats)
        self.jobs = JobManager(settings.data_dir / "uploads", on_finish=self._after_job)
        self.feedback = FeedbackStore(settings.data_dir)  # votes, appended under data_dir/feedback/
        try:
            self._open_engines()
            # Answers look the engines up per question: an ingestion job may open one later.
            self.answers = AskService.from_settings(settings, kb, products=self.product_engine,
                                                    studies=self.study_engine, embedder=self.query_embedder)
        except BaseException:  # e.g. an index built with another model: stop the thread, then fail
            self.query_embedder.close()
            raise

    @classmethod
    def open(cls, settings: Settings, api_settings: ApiSettings, embedder_factory: Callable[[], Embedder]) -> Runtime:
        """Lock the index first (fail fast, before the model loads), then load the model."""
        store = Store(settings)
        try:
            return cls(settings, api_settings, store, embedder_factory(), IngredientKnowledge.load())
        except BaseException:
            store.close()
            raise

    def _open_engines(self) -> None:
        """Open whichever collections exist and are not open yet. A missing one is not fatal: the
        server still starts, so an admin can build it with POST /v1/ingest/...; its routes answer 503."""
        with self.open_lock:
            if self.products is None and self.store.exists(PRODUCTS_COLLECTION):
                size = self.store.dense_size(PRODUCTS_COLLECTION) or self.embedder.dimension
                index = self.store.collection(products_schema(size), create=False)
                rates = load_rates(self.settings.currency_rates) if self.settings.currency_rates else None
                self.products = ProductSearch(index, self.query_embedder, self.kb, self.caches, rates=rates)
            if self.studies is None and self.store.exists(STUDIES_COLLECTION):
                self.studies = StudySearch.from_store(self.store, self.query_embedder)

    def product_engine(self) -> ProductSearch:
        if self.products is None:
            raise IndexMissingError(missing_index_message(PRODUCTS_COLLECTION, self.settings))
        return self.products

    def study_engine(self) -> StudySearch:
        if self.studies is None:
            raise IndexMissingError(missing_index_message(STUDIES_COLLECTION, self.settings))
        return self.studies

    @property
    def ready(self) -> bool:
        return self.products is not None

    def index_sizes(self) -> dict[str, int]:
        with self.rw.read():
            sizes = {PRODUCTS_COLLECTION: self.products.index.count()} if self.products else {}
            if self.studies is not None:
                sizes[STUDIES_COLLECTION] = self.studies.index.count()
        return sizes

    def dropped_violations(self) -> int:
        return self.products.violations_dropped if self.products else 0

    def audit_rows(self) -> list[dict[str, Any]]:
        """Claim contradictions, computed once per index state (they change only with ingestion)."""
        rows = self._audit
        if rows is None:
            with self.rw.read():
                rows = contradictions(self.product_engine().index)
            self._audit = rows
        return rows

    def _after_job(self, job: Job) -> None:
        """A job may have created or changed a collection, even one that failed half-way."""
        self.metrics.jobs.labels(job.kind, job.status.value).inc()
        with self.rw.write():
            self._open_engines()
            if self.products is not None:
                self.products.refresh_vocabulary()  # new brands and categories become understood
            self._audit = None

    def close(self) -> None:
        """Stop a running job, the query embedder, then release the index (whatever got built)."""
        try:
            self.jobs.shutdown()
        finally:
            try:
                self.query_embedder.close()
            finally:
                self.store.close()


def runtime_of(request: Request) -> Runtime:
    """FastAPI dependency: the runtime the lifespan put on app.state."""
    runtime = getattr(request.app.state, "runtime", None)
    if isinstance(runtime, Runtime):
        return runtime
    raise RuntimeError("the server runtime is not set up (lifespan not run)")
