"""The Store: one backend chosen once, collections opened once, everything released on close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conseil.search.errors import IndexLockedError, IndexMissingError
from conseil.search.index.backends import EmbeddedBackend, ServerBackend, open_backend
from conseil.search.index.contract import CollectionSchema, VectorIndex
from conseil.search.index.store import Store, products_schema
from conseil.search.settings import Settings


class FakeIndex:
    def __init__(self, schema: CollectionSchema, log: list[str]) -> None:
        self.schema, self.log = schema, log

    def close(self) -> None:
        self.log.append(f"close {self.schema.name}")

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the store itself never calls {name}")


class FakeBackend:
    location = "fake"

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes, self.log = sizes, list[str]()

    def dense_size(self, collection: str) -> int | None:
        return self.sizes.get(collection)

    def open(self, schema: CollectionSchema, *, create: bool, model: str) -> VectorIndex:
        self.log.append(f"open {schema.name} create={create} model={model}")
        return FakeIndex(schema, self.log)  # type: ignore[return-value]

    def close(self) -> None:
        self.log.append("release")


def test_a_collection_opens_once_through_the_backend_and_closes_before_the_backend(tmp_path: Path) -> None:
    backend = FakeBackend({"products": 32})
    store = Store(Settings(data_dir=tmp_path, embedding_model="m"), backend)
    first = store.collection(products_schema(32), create=False)
    assert store.collection(products_schema(32), create=False) is first
    assert store.exists("products") and not store.exists("studies") and store.dense_size("products") == 32
    store.close()
    assert backend.log == ["open products create=False model=m", "close products", "release"]


def test_a_missing_collection_is_refused_unless_created(tmp_path: Path) -> None:
    backend = FakeBackend({})
    store = Store(Settings(data_dir=tmp_path), backend)
    with pytest.raises(IndexMissingError, match="conseil ingest products PATH"):
        store.collection(products_schema(32), create=False)
    store.collection(products_schema(32), create=True)
    assert backend.log[-1].startswith("open products create=True")


@pytest.mark.index
def test_the_backend_is_chosen_once_from_the_settings(tmp_path: Path) -> None:
    server = open_backend(Settings(data_dir=tmp_path, qdrant_url=":memory:"))
    try:
        assert isinstance(server, ServerBackend) and server.dense_size("products") is None
    finally:
        server.close()
    embedded = open_backend(Settings(data_dir=tmp_path))
    try:
        assert isinstance(embedded, EmbeddedBackend) and embedded.location == str(tmp_path / "index")
        with pytest.raises(IndexLockedError):
            EmbeddedBackend(tmp_path / "index")  # the lock is taken when the backend is chosen
    finally:
        embedded.close()
    embedded.close()  # idempotent
