"""Shared fixtures: settings on a temporary data dir, a deterministic fake embedder, the real data."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest

from conseil.search.embedder import Embedder
from conseil.search.settings import Settings
from fault_support import children  # noqa: F401 - the fault suite's fixture (tests/faults/)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


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
