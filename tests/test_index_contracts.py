"""The index contract's parts, and that every implementation and wrapper has every member of them.

Pure Python: the classes are inspected, and the forwarding is exercised on a recording stand-in.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from conseil.api.index_rwlock import GuardedIndex, ReadWriteLock
from conseil.search.index.contract import (
    CollectionSchema,
    ForwardingIndex,
    IndexExporter,
    IndexReader,
    IndexWriter,
    VectorIndex,
)
from conseil.search.index.edge import EdgeIndex
from conseil.search.index.qdrant_server import QdrantServerIndex

PARTS = (IndexReader, IndexWriter, IndexExporter, VectorIndex)
IMPLEMENTATIONS = (EdgeIndex, QdrantServerIndex, ForwardingIndex, GuardedIndex)
SCHEMA = CollectionSchema(name="t", dense_name="dense", dense_size=4, sparse_name="sparse", payload_indexes={})


def methods(protocol: type) -> set[str]:
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass in PARTS:
            names |= {n for n, v in vars(klass).items() if not n.startswith("_") and callable(v)}
    return names


def test_the_parts_split_the_whole_contract() -> None:
    reader, writer, exporter = methods(IndexReader), methods(IndexWriter), methods(IndexExporter)
    assert reader == {"query", "count", "facet", "scroll", "retrieve"}
    assert writer == {"upsert", "set_payload", "delete", "flush"}
    assert exporter == {"export_points"}
    assert methods(VectorIndex) == reader | writer | exporter | {"close"}, "VectorIndex is the parts and close"


@pytest.mark.parametrize("cls", IMPLEMENTATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.__name__)
def test_every_implementation_and_wrapper_defines_every_member(cls: type, part: type) -> None:
    for name in methods(part):
        owner = next(k for k in cls.__mro__ if name in vars(k))
        assert owner not in PARTS, f"{cls.__name__}.{name} is only the protocol's stub: implement or forward it"
        expected = inspect.signature(getattr(part, name))
        got = inspect.signature(getattr(cls, name))
        assert list(got.parameters) == list(expected.parameters), f"{cls.__name__}.{name}{got} != {expected}"


class Recorder:
    """Stands in for a backend: records every call by name, answers with the name."""

    schema = SCHEMA

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> str:
            self.calls.append((name, args))
            return name

        return call


def _dummy_args(name: str) -> tuple[Any, ...]:
    params = list(inspect.signature(getattr(VectorIndex, name)).parameters.values())[1:]
    return tuple(f"arg-{p.name}" for p in params)


@pytest.mark.parametrize("name", sorted(methods(VectorIndex)))
def test_forwarding_index_passes_every_member_with_its_arguments(name: str) -> None:
    inner = Recorder()
    wrapper = ForwardingIndex(inner)
    args = _dummy_args(name)
    assert getattr(wrapper, name)(*args) in (name, None)
    assert inner.calls == [(name, args)]
    assert wrapper.schema is SCHEMA


class RecordingLock(ReadWriteLock):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    @contextmanager
    def write(self) -> Iterator[None]:
        with super().write():
            self.writes += 1
            yield


@pytest.mark.parametrize("name", sorted(methods(VectorIndex)))
def test_guarded_index_locks_exactly_the_writes(name: str) -> None:
    inner, lock = Recorder(), RecordingLock()
    guarded = GuardedIndex(inner, lock)
    getattr(guarded, name)(*_dummy_args(name))
    writes = methods(IndexWriter) | {"close"}  # close flushes: the server's Store closes the real index
    assert lock.writes == (1 if name in writes else 0)
    expected = "flush" if name == "close" else name
    assert [call for call, _ in inner.calls] == [expected]


def test_guarded_index_exports_what_its_inner_index_holds() -> None:
    inner = Recorder()
    guarded = GuardedIndex(inner, ReadWriteLock())
    assert guarded.export_points(7) == "export_points" and inner.calls == [("export_points", (7,))]


def test_a_write_waits_for_a_running_read() -> None:
    lock, order = ReadWriteLock(), list[str]()
    guarded = GuardedIndex(Recorder(), lock)
    reading, done = threading.Event(), threading.Event()

    def reader() -> None:
        with lock.read():
            reading.set()
            done.wait(5)
            order.append("read")

    thread = threading.Thread(target=reader)
    thread.start()
    reading.wait(5)
    def write() -> None:
        guarded.upsert([])
        order.append("write")

    writer = threading.Thread(target=write)
    writer.start()
    done.set()
    thread.join(5)
    writer.join(5)
    assert order == ["read", "write"]
