"""Searches and an ingestion job share one open index inside the server: a readers-writer lock.

Searches read under the shared side (many at once); the ingestion job takes the exclusive side for
each write call only (one upsert batch, a payload rewrite, a delete, a flush), so searches keep
running between batches while the job embeds the next one. Writers are preferred: under a steady
search load a waiting batch would otherwise never get its turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from conseil.search.index.contract import CollectionSchema, ForwardingIndex, IndexPoint, VectorIndex
from conseil.search.index.store import Store


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class GuardedIndex(ForwardingIndex):
    """A `VectorIndex` whose writes take the exclusive side of `lock`; everything else (reads, export)
    passes straight through `ForwardingIndex`: the job's own reads may run beside searches."""

    def __init__(self, inner: VectorIndex, lock: ReadWriteLock) -> None:
        super().__init__(inner)
        self._lock = lock

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        with self._lock.write():
            self.inner.upsert(points)

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None:
        with self._lock.write():
            self.inner.set_payload(point_id, payload)

    def delete(self, ids: Sequence[str]) -> None:
        with self._lock.write():
            self.inner.delete(ids)

    def flush(self) -> None:
        with self._lock.write():
            self.inner.flush()

    def close(self) -> None:  # the server's Store closes the real index at shutdown, not a job
        self.flush()


class GuardedStore:
    """What `ingest.studies` needs of a `Store` (`settings`, `collection`), handing out guarded
    collections of the server's own store. Opening a collection is serialised by `open_lock`."""

    def __init__(self, store: Store, lock: ReadWriteLock, open_lock: threading.Lock) -> None:
        self._store = store
        self._lock = lock
        self._open_lock = open_lock
        self.settings = store.settings

    def exists(self, collection: str) -> bool:
        return self._store.exists(collection)

    def dense_size(self, collection: str) -> int | None:
        return self._store.dense_size(collection)

    def collection(self, schema: CollectionSchema, *, create: bool) -> GuardedIndex:
        with self._open_lock:
            return GuardedIndex(self._store.collection(schema, create=create), self._lock)
