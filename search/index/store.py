"""Opening the configured index: a `Store` holds one backend (chosen once by `open_backend`) and
the collections opened from it.

Embedded (no CONSEIL_QDRANT_URL): a process opens the index once (`open_store`), holding the lock
for its lifetime, and takes whichever collections it needs from it: taking the lock twice in one
process would refuse itself, since flock locks belong to open files, not processes.

Server (CONSEIL_QDRANT_URL set): no file lock, the server serializes writes; one qdrant-client per
Store, shared by its collections.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from conseil.search.errors import IndexMissingError
from conseil.search.index.backends import Backend, open_backend, peek_dense_size
from conseil.search.index.contract import CollectionSchema, VectorIndex
from conseil.search.index.schema import (
    DENSE_VECTOR,
    PAYLOAD_INDEXES,
    PRODUCTS_COLLECTION,
    SPARSE_VECTOR,
    STUDIES_COLLECTION,
    STUDY_PAYLOAD_INDEXES,
)
from conseil.search.settings import Settings


def products_schema(dense_size: int) -> CollectionSchema:
    return CollectionSchema(name=PRODUCTS_COLLECTION, dense_name=DENSE_VECTOR, dense_size=dense_size,
                            sparse_name=SPARSE_VECTOR, payload_indexes=dict(PAYLOAD_INDEXES))


def studies_schema(dense_size: int) -> CollectionSchema:
    return CollectionSchema(name=STUDIES_COLLECTION, dense_name=DENSE_VECTOR, dense_size=dense_size,
                            sparse_name=SPARSE_VECTOR, payload_indexes=dict(STUDY_PAYLOAD_INDEXES))


def stored_dense_size(settings: Settings, collection: str, store: CollectionSource | None = None) -> int | None:
    """The vector size an existing collection was built with (no model load needed); None if absent.
    Through `store` when the caller already holds one (a second connection may be refused: the
    local-mode stand-in allows one client at a time)."""
    if store is not None:
        return store.dense_size(collection)
    return peek_dense_size(settings, collection)


def index_location(settings: Settings) -> str:
    """Where the index lives, as messages name it: the server URL or the embedded index directory."""
    if settings.qdrant_url:
        from conseil.search.index.qdrant_server import server_location

        return f"the Qdrant server at {server_location(settings)}"
    return str(settings.index_dir)


def missing_index_message(collection: str, where: Path | Settings) -> str:
    """`where`: the settings (names the server when one is configured) or an index directory."""
    if isinstance(where, Settings) and where.qdrant_url:
        return (f"There is no {collection!r} collection on {index_location(where)} yet: build it with "
                f"`conseil ingest {collection} PATH` (or point CONSEIL_QDRANT_URL to where it lives).")
    index_dir = where.index_dir if isinstance(where, Settings) else where
    return (f"There is no {collection!r} index under {index_dir} yet: build it with "
            f"`conseil ingest {collection} PATH` (or set CONSEIL_DATA_DIR to where it lives).")


class Store:
    """The index of one process: its backend (the embedded lock or the server client), chosen once
    from the settings, plus the collections opened from it."""

    def __init__(self, settings: Settings, backend: Backend | None = None) -> None:
        self.settings = settings
        self.backend: Backend = backend if backend is not None else open_backend(settings)
        self._open: dict[str, VectorIndex] = {}

    def exists(self, collection: str) -> bool:
        return self.dense_size(collection) is not None

    def dense_size(self, collection: str) -> int | None:
        """`stored_dense_size` through this store's own backend."""
        return self.backend.dense_size(collection)

    def collection(self, schema: CollectionSchema, *, create: bool) -> VectorIndex:
        if schema.name in self._open:
            return self._open[schema.name]
        if not create and not self.exists(schema.name):
            raise IndexMissingError(missing_index_message(schema.name, self.settings))
        index = self.backend.open(schema, create=create, model=self.settings.model_for(schema.name))
        self._open[schema.name] = index
        return index

    def close(self) -> None:
        try:
            for index in self._open.values():
                index.close()
            self._open.clear()
        finally:
            self.backend.close()


class CollectionSource(Protocol):
    """What a pipeline needs of a store: a `Store`, or the server's guarded view of its own."""

    settings: Settings

    def dense_size(self, collection: str) -> int | None: ...

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
    if not create and not settings.qdrant_url and not (settings.index_dir / schema.name / "meta.json").exists():
        raise IndexMissingError(missing_index_message(schema.name, settings))  # before taking the lock
    with open_store(settings) as store:
        yield store.collection(schema, create=create)
