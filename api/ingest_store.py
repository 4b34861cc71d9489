"""Ingestion inside the server process, through the server's own open Store.

The server holds the one lock of its process for its lifetime (a second lock in the same process
would refuse itself), so its jobs hand the ingest pipelines a guarded view of that store: every
write takes the exclusive side of the search lock, and the already-loaded model is reused.
"""

from __future__ import annotations

import threading
from pathlib import Path

from conseil.ingest.products import IngestReport, Progress, ingest_products
from conseil.ingest.studies import StudyIngestReport, ingest_studies
from conseil.search.embedder import Embedder
from conseil.search.errors import IndexSchemaError
from conseil.search.index.schema import PRODUCTS_COLLECTION
from conseil.search.index.store import Store
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.settings import Settings

from .index_rwlock import GuardedStore, ReadWriteLock


def ingest_products_in_store(store: Store, settings: Settings, path: Path, *, lock: ReadWriteLock,
                             open_lock: threading.Lock, embedder: Embedder, kb: IngredientKnowledge,
                             fmt: str = "auto", mapping: Path | None = None, source: str | None = None,
                             sync: bool = False, progress: Progress | None = None) -> IngestReport:
    """`ingest_products` on the server's store and already-loaded model."""
    dense_size = store.dense_size(PRODUCTS_COLLECTION)
    if dense_size is not None and dense_size != embedder.dimension:
        raise IndexSchemaError(
            f"The products index holds {dense_size}-dimension vectors but the server's model makes "
            f"{embedder.dimension}: restart the server with the model the index was built with.")
    return ingest_products(settings, path, fmt=fmt, mapping=mapping, source=source, sync=sync,
                           embedder_factory=lambda: embedder, kb=kb, progress=progress,
                           store=GuardedStore(store, lock, open_lock))


def ingest_studies_in_store(store: Store, settings: Settings, paths: list[Path], *, lock: ReadWriteLock,
                            open_lock: threading.Lock, embedder: Embedder,
                            progress: Progress | None = None) -> StudyIngestReport:
    """`ingest_studies` (without `sync`) on the server's store and already-loaded model."""
    return ingest_studies(settings, paths, sync=False, embedder_factory=lambda: embedder, progress=progress,
                          store=GuardedStore(store, lock, open_lock))
