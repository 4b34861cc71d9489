"""Opening the configured index: the one place that knows which backend and which lock to use.

A process opens the embedded index once (`open_store`), holding the lock for its lifetime, and
takes whichever collections it needs from it: taking the lock twice in one process would refuse
itself, since flock locks belong to open files, not processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from .errors import ConfigurationError, IndexMissingError
from .index import CollectionSchema, VectorIndex
from .lock import IndexLock
from .schema import (
    DENSE_VECTOR,
    PAYLOAD_INDEXES,
    PRODUCTS_COLLECTION,
    SPARSE_VECTOR,
    STUDIES_COLLECTION,
    STUDY_PAYLOAD_INDEXES,
)
from .settings import Settings


def products_schema(dense_size: int) -> CollectionSchema:
    return CollectionSchema(name=PRODUCTS_COLLECTION, dense_name=DENSE_VECTOR, dense_size=dense_size,
                            sparse_name=SPARSE_VECTOR, payload_indexes=dict(PAYLOAD_INDEXES))


def studies_schema(dense_size: int) -> CollectionSchema:
    return CollectionSchema(name=STUDIES_COLLECTION, dense_name=DENSE_VECTOR, dense_size=dense_size,
                            sparse_name=SPARSE_VECTOR, payload_indexes=dict(STUDY_PAYLOAD_INDEXES))


def stored_dense_size(settings: Settings, collection: str) -> int | None:
    """The vector size an existing embedded collection was built with (no model load needed)."""
    meta = settings.index_dir / collection / "meta.json"
    if not meta.exists():
        return None
    return int(json.loads(meta.read_text())["dense_size"])


def missing_index_message(collection: str, index_dir: Path) -> str:
    return (f"There is no {collection!r} index under {index_dir} yet: build it with "
            f"`conseil ingest {collection} PATH` (or set CONSEIL_DATA_DIR to where it lives).")


class Store:
    """The embedded index of one process: the lock plus the collections opened so far."""

    def __init__(self, settings: Settings) -> None:
        if settings.qdrant_url:
            raise ConfigurationError(
                "CONSEIL_QDRANT_URL is set, but the Qdrant server backend is not available in this "
                "version: unset it to use the embedded index.")
        self.settings = settings
        self._lock = IndexLock(settings.index_dir)
        self._lock.acquire()
        self._open: dict[str, VectorIndex] = {}

    def exists(self, collection: str) -> bool:
        return (self.settings.index_dir / collection / "meta.json").exists()

    def collection(self, schema: CollectionSchema, *, create: bool) -> VectorIndex:
        if schema.name in self._open:
            return self._open[schema.name]
        if not create and not self.exists(schema.name):
            raise IndexMissingError(missing_index_message(schema.name, self.settings.index_dir))
        from .edge import EdgeIndex  # the native engine loads only when an index is really opened

        index = EdgeIndex.open(self.settings.index_dir, schema, create=create,
                               model=self.settings.embedding_model)
        self._open[schema.name] = index
        return index

    def close(self) -> None:
        try:
            for index in self._open.values():
                index.close()
            self._open.clear()
        finally:
            self._lock.release()


class CollectionSource(Protocol):
    """What a pipeline needs of a store: a `Store`, or the server's guarded view of its own."""

    settings: Settings

    def collection(self, schema: CollectionSchema, *, create: bool) -> VectorIndex: ...


@contextmanager
def use_store(settings: Settings, store: CollectionSource | None = None) -> Iterator[CollectionSource]:
    """The caller's already-open store (the server's), or a store opened and locked for the block."""
    if store is not None:
        yield store
        return
    with open_store(settings) as opened:
        yield opened


@contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    store = Store(settings)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def open_index(settings: Settings, schema: CollectionSchema, *, create: bool) -> Iterator[VectorIndex]:
    """One collection, for commands that need only one: lock, open, close."""
    if not create and not (settings.index_dir / schema.name / "meta.json").exists():
        raise IndexMissingError(missing_index_message(schema.name, settings.index_dir))
    with open_store(settings) as store:
        yield store.collection(schema, create=create)
