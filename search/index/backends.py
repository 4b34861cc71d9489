"""The two places an index can live, each behind one small object; `open_backend` chooses once.

    EmbeddedBackend   Qdrant Edge under DATA_DIR/index, this process holding the file lock
    ServerBackend     a Qdrant server (or qdrant-client's local stand-in) through one client

A `Store` holds one backend for its lifetime and asks it, never the settings, where collections
live; nothing else in the package branches on `CONSEIL_QDRANT_URL` to reach an index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conseil.search.index.contract import CollectionSchema, VectorIndex
from conseil.search.index.lock import IndexLock
from conseil.search.settings import Settings

if TYPE_CHECKING:
    from qdrant_client import QdrantClient


class Backend(Protocol):
    """Where the collections of one Store live."""

    location: str  # as messages name it: the server URL or the embedded index directory

    def dense_size(self, collection: str) -> int | None:
        """The vector size `collection` was built with; None when it does not exist."""
        ...

    def open(self, schema: CollectionSchema, *, create: bool, model: str) -> VectorIndex: ...

    def close(self) -> None:
        """Release the lock or the client (the Store has closed its collections first)."""
        ...


def embedded_dense_size(index_dir: Path, collection: str) -> int | None:
    """From the collection's meta.json: readable without the lock and without the native engine."""
    meta = index_dir / collection / "meta.json"
    if not meta.exists():
        return None
    from conseil.search.index.damage import translating_damage

    with translating_damage(f"reading the {collection} collection's meta.json"):  # garbled: damage, not a traceback
        return int(json.loads(meta.read_text())["dense_size"])


class EmbeddedBackend:
    """Qdrant Edge under `index_dir`; the process holds the index lock from construction to `close`."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.location = str(index_dir)
        self._lock = IndexLock(index_dir)
        self._lock.acquire()

    def dense_size(self, collection: str) -> int | None:
        return embedded_dense_size(self.index_dir, collection)

    def open(self, schema: CollectionSchema, *, create: bool, model: str) -> VectorIndex:
        from conseil.search.index.damage import translating_damage
        from conseil.search.index.edge import (
            EdgeIndex,  # the native engine loads only when an index is opened
        )

        with translating_damage(f"opening the {schema.name} collection"):  # an unreadable file: 503, not a traceback
            return EdgeIndex.open(self.index_dir, schema, create=create, model=model)

    def close(self) -> None:
        self._lock.release()  # idempotent


class ServerBackend:
    """A Qdrant server through one qdrant-client, shared by the Store's collections."""

    def __init__(self, settings: Settings) -> None:
        from conseil.search.index.qdrant_server import ServerOptions, connect, server_location

        self._settings = settings
        self._options = ServerOptions.from_settings(settings)
        self.location = server_location(settings)
        self._client: QdrantClient | None = connect(settings)

    def _connected(self) -> QdrantClient:
        if self._client is None:
            raise RuntimeError("the server backend is closed")  # a programming error, not a user's
        return self._client

    def dense_size(self, collection: str) -> int | None:
        from conseil.search.index.qdrant_server import stored_server_dense_size

        return stored_server_dense_size(self._connected(), collection, where=self.location, options=self._options)

    def open(self, schema: CollectionSchema, *, create: bool, model: str) -> VectorIndex:
        from conseil.search.index.qdrant_server import QdrantServerIndex

        return QdrantServerIndex.open(self._connected(), schema, create=create, model=model, where=self.location,
                                      options=self._options)

    def close(self) -> None:
        from conseil.search.index.qdrant_server import release

        if self._client is not None:
            release(self._settings, self._client)
            self._client = None


def peek_dense_size(settings: Settings, collection: str) -> int | None:
    """A collection's vector size without holding the index: the embedded meta.json (no lock), or a
    short connection of its own to the server."""
    if settings.qdrant_url:
        backend = ServerBackend(settings)
        try:
            return backend.dense_size(collection)
        finally:
            backend.close()
    return embedded_dense_size(settings.index_dir, collection)


def open_backend(settings: Settings) -> Backend:
    """The one choice of backend: a server when CONSEIL_QDRANT_URL is set, else the embedded index
    (locked now, so that a second process fails fast, naming the holder)."""
    if settings.qdrant_url:
        return ServerBackend(settings)
    return EmbeddedBackend(settings.index_dir)
