"""Everything one server process holds for its lifetime, built in the lifespan and closed by it.

The server owns the embedded index: it opens the Store (the one lock of the process) at startup and
keeps it until shutdown, so a `conseil ingest` run beside it fails with the lock error naming the
server's pid. Searches read under the shared side of `rw`; the ingestion job writes under its
exclusive side (see `api.index_rwlock`).
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
from conseil.search.engines import Engines
from conseil.search.feedback import FeedbackStore
from conseil.search.index import fingerprint
from conseil.search.index.damage import damaged_index, is_engine_panic
from conseil.search.index.schema import PRODUCTS_COLLECTION, STUDIES_COLLECTION
from conseil.search.index.store import Store
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings
from conseil.search.studies.completeness import IncompleteStudy, incomplete_studies
from conseil.search.studies.engine import StudySearch
from fastapi import Request

from .batching import BatchingEmbedder
from .catalog import contradictions
from .config import ApiSettings
from .index_rwlock import ReadWriteLock
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
                 kb: IngredientKnowledge, study_embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.api_settings = api_settings
        self.store = store
        self.embedder = embedder  # ingestion jobs embed documents with it directly
        # Searches: concurrent queries in one model call.
        self.query_embedder = BatchingEmbedder(embedder, api_settings.query_batch_max)
        # The studies' own model when the settings give them another (README "Studies across languages").
        self.study_embedder = study_embedder or embedder
        self.study_query_embedder = (BatchingEmbedder(study_embedder, api_settings.query_batch_max)
                                     if study_embedder is not None else self.query_embedder)
        self.kb = kb
        # Search caches, sized by settings; cleared whenever the index is written (see InvalidatingLock).
        self.caches = SearchCaches(embeddings=api_settings.cache_embeddings, filters=api_settings.cache_filters,
                                   items=api_settings.cache_items, responses=api_settings.cache_responses)
        self.rw = InvalidatingLock(self.caches.invalidate)
        self.open_lock = threading.Lock()  # opening a collection mutates the store: one at a time
        self._audit: list[dict[str, Any]] | None = None
        self.metrics = ApiMetrics(self.index_sizes, self.dropped_violations, self.caches.stats)
        self.jobs = JobManager(settings.data_dir / "uploads", on_finish=self._after_job,
                               records_dir=settings.data_dir / "jobs")
        self.feedback = FeedbackStore(settings.data_dir)  # votes, appended under data_dir/feedback/
        self.findings: list[fingerprint.Finding] = []  # the index against its fingerprint (see /readyz)
        self.incomplete: list[IncompleteStudy] = []
        try:
            # Whichever collections exist; a missing one is not fatal: the server still starts, so an
            # admin can build it with POST /v1/ingest/...; its routes answer 503 until then. A damaged
            # one is recorded (`engines.open_errors`) and reported by /readyz.
            with self.open_lock:
                self.engines = Engines(settings, store, self.query_embedder, kb, self.caches,
                                       study_embedder=self.study_query_embedder)
            self.check_index()
            self.engines.answers  # noqa: B018 - built now: a misconfigured LLM stops the server at startup
        except BaseException:  # e.g. an index built with another model: stop the threads, then fail
            self._close_embedders()
            raise

    @classmethod
    def open(cls, settings: Settings, api_settings: ApiSettings, embedder_factory: Callable[[], Embedder],
             study_embedder_factory: Callable[[], Embedder | None] = lambda: None) -> Runtime:
        """Lock the index first (fail fast, before the model loads), then load the model."""
        try:
            store = Store(settings)
        except BaseException as exc:
            if is_engine_panic(exc):  # e.g. a truncated WAL: a sentence, not a Rust traceback
                raise damaged_index(exc, "opening the index") from exc
            raise
        try:
            kb = IngredientKnowledge.load()
            # The lookup tables an unknown label name needs (~0.5 s) are built off the request path, so
            # readiness is not delayed and the first such request does not pay for them.
            threading.Thread(target=kb.warm, name="conseil-kb-warm", daemon=True).start()
            return cls(settings, api_settings, store, embedder_factory(), kb, study_embedder_factory())
        except BaseException as exc:
            store.close()
            if is_engine_panic(exc):
                raise damaged_index(exc, "opening the index's collections") from exc
            raise

    def product_engine(self) -> ProductSearch:
        return self.engines.product_engine()

    def study_engine(self) -> StudySearch:
        return self.engines.study_engine()

    @property
    def answers(self) -> AskService:
        return self.engines.answers

    @property
    def open_errors(self) -> dict[str, str]:
        return self.engines.open_errors

    def check_index(self) -> None:
        """Counts against the fingerprint, and partly stored studies: at open and after every job."""
        self.findings = fingerprint.check(self.settings, self.index_sizes())
        with self.rw.read():
            studies = self.engines.studies
            self.incomplete = incomplete_studies(studies.index) if studies is not None else []
        for problem in [f.sentence() for f in self.findings if f.sentence()] + [s.sentence() for s in self.incomplete]:
            log.warning("%s", problem)

    @property
    def damaged(self) -> list[str]:
        """Why the index must not be served as healthy (empty when it may)."""
        return list(self.open_errors.values()) + [f.sentence() for f in self.findings if f.state == "damaged"]

    @property
    def ready(self) -> bool:
        """Advisors can search: products open and undamaged (damaged studies are reported, not fatal)."""
        return self.engines.products is not None and not any(
            f.state == "damaged" and f.collection == PRODUCTS_COLLECTION for f in self.findings)

    def index_sizes(self) -> dict[str, int]:
        products, studies = self.engines.products, self.engines.studies
        with self.rw.read():
            sizes = {PRODUCTS_COLLECTION: products.index.count()} if products else {}
            if studies is not None:
                sizes[STUDIES_COLLECTION] = studies.index.count()
        return sizes

    def dropped_violations(self) -> int:
        return self.engines.products.violations_dropped if self.engines.products else 0

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
            with self.open_lock:
                self.engines.open_available()
            if self.engines.products is not None:
                self.engines.products.refresh_vocabulary()  # new brands and categories become understood
            self._audit = None
        self.check_index()

    def close(self) -> None:
        """Stop a running job, the query embedder, then release the index (whatever got built)."""
        try:
            self.jobs.shutdown()
        finally:
            try:
                self._close_embedders()
            finally:
                self.store.close()

    def _close_embedders(self) -> None:
        try:
            self.query_embedder.close()
        finally:
            if self.study_query_embedder is not self.query_embedder:
                self.study_query_embedder.close()


def runtime_of(request: Request) -> Runtime:
    """FastAPI dependency: the runtime the lifespan put on app.state."""
    runtime = getattr(request.app.state, "runtime", None)
    if isinstance(runtime, Runtime):
        return runtime
    raise RuntimeError("the server runtime is not set up (lifespan not run)")
