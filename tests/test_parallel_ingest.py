"""Parallel product ingestion: the batch code (in-process, workers=1, on the real Edge engine),
retries, failure reporting and resume, the refusal on the embedded engine, and, when
CONSEIL_TEST_QDRANT_URL names a disposable Qdrant server, the real multi-process run."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest import parallel
from conseil.ingest.parallel import (
    BatchResult,
    ParallelWriter,
    check_workers,
    ingest_products_parallel,
    run_batch,
)
from conseil.ingest.products import ingest_products
from conseil.search.errors import BackendUnavailableError, ConfigurationError, VectorIndexError
from conseil.search.index.contract import Filter, IndexPoint, MatchAny
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.settings import Settings


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def _points(settings: Settings, source: str = "demo") -> dict[str, IndexPoint]:
    with open_index(settings, products_schema(32), create=False) as index:
        wanted = {h.id for h in index.scroll(Filter(must=(MatchAny("source", (source,)),)), fields=False)}
        return {p.id: p for batch in index.export_points(100) for p in batch if p.id in wanted}


@pytest.mark.index
def test_one_worker_gives_the_same_index_as_the_normal_path(tmp_path: Path, kb: IngredientKnowledge) -> None:
    normal = Settings(data_dir=tmp_path / "normal", embedding_model="hash-test")
    ingest_products(normal, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    par = Settings(data_dir=tmp_path / "parallel", embedding_model="hash-test")
    report = ingest_products_parallel(par, demo_catalog_path(), workers=1, source="demo",
                                      embedder_factory=fake_embedder, kb=kb, batch_points=8)
    expected = _points(normal)
    assert report.points_written == report.ingest.new == len(expected) > 20
    assert report.batches == -(-len(expected) // 8) and not report.failed and report.retried == 0
    got = _points(par)
    assert got.keys() == expected.keys()
    for pid, point in expected.items():
        assert got[pid].payload == point.payload and got[pid].sparse == point.sparse
        np.testing.assert_allclose(got[pid].dense, point.dense, atol=1e-6)

    again = ingest_products_parallel(par, demo_catalog_path(), workers=1, source="demo",
                                     embedder_factory=fake_embedder, kb=kb)
    assert again.batches == 0 and again.ingest.unchanged == len(expected)  # planning skipped them all


class FlakyIndex:
    """Fails the first `failures` upserts the way a restarting server does, then writes."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.upserts: list[list[str]] = []

    def upsert(self, points: list[IndexPoint]) -> None:
        if self.failures:
            self.failures -= 1
            raise BackendUnavailableError("The Qdrant server at http://test:6333 did not answer.")
        self.upserts.append([p.id for p in points])


def _task(n: int = 3) -> Any:
    return (0, [(str(uuid.uuid4()), f"product {i}", f"product {i} water", {"i": i}) for i in range(n)])


def test_a_batch_is_retried_with_backoff_then_written_once() -> None:
    index, naps = FlakyIndex(failures=2), list[float]()
    result = run_batch(index, fake_embedder(), _task(), attempts=3, backoff_s=0.5, sleep=naps.append)
    assert (result.points, result.attempts, result.error) == (3, 3, None)
    assert naps == [0.5, 1.0] and len(index.upserts) == 1


def test_a_batch_failing_every_attempt_is_reported_not_raised() -> None:
    index = FlakyIndex(failures=5)
    result = run_batch(index, fake_embedder(), _task(), attempts=3, sleep=lambda _: None)
    assert result.points == 0 and result.attempts == 3 and "did not answer" in (result.error or "")
    assert not index.upserts


@pytest.mark.index
def test_failed_batches_raise_after_the_rest_is_stored_and_a_rerun_completes(
        tmp_path: Path, kb: IngredientKnowledge, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test")
    real = parallel.run_batch

    def lose_batch_one(index: Any, embedder: Any, task: Any, **kw: Any) -> BatchResult:
        if task[0] == 1:
            return BatchResult(1, attempts=3, error="server gone")
        return real(index, embedder, task, **kw)

    monkeypatch.setattr(parallel, "run_batch", lose_batch_one)
    with pytest.raises(VectorIndexError, match=r"1 of \d+ batches \(10 products\).*server gone"):
        ingest_products_parallel(settings, demo_catalog_path(), workers=1, source="demo",
                                 embedder_factory=fake_embedder, kb=kb, batch_points=10)
    stored = len(_points(settings))
    monkeypatch.setattr(parallel, "run_batch", real)
    rerun = ingest_products_parallel(settings, demo_catalog_path(), workers=1, source="demo",
                                     embedder_factory=fake_embedder, kb=kb, batch_points=10)
    assert rerun.ingest.new == rerun.points_written == 10  # only the lost batch is embedded again
    assert len(_points(settings)) == stored + 10 == rerun.ingest.rows_read


def test_the_parallel_writer_spreads_documents_over_disjoint_batches(tmp_path: Path) -> None:
    from conseil.ingest.documents import ProductDocument

    docs = [ProductDocument(str(uuid.uuid4()), f"d{i}", f"s{i}", {"i": i}, "h") for i in range(25)]
    index, seen = FlakyIndex(failures=0), []
    writer = ParallelWriter(Settings(data_dir=tmp_path), 1, fake_embedder, batch_points=10)
    writer(index, docs, lambda stage, done, total: seen.append((done, total)))
    assert [len(b) for b in index.upserts] == [10, 10, 5]
    assert sorted(pid for b in index.upserts for pid in b) == sorted(d.point_id for d in docs)
    assert seen[-1] == (25, 25)


def test_several_workers_need_a_server(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="needs a Qdrant server"):
        check_workers(Settings(data_dir=tmp_path), 2)
    with pytest.raises(ConfigurationError, match="needs a Qdrant server"):
        check_workers(Settings(data_dir=tmp_path, qdrant_url=":memory:"), 4)
    with pytest.raises(ConfigurationError, match="at least 1"):
        check_workers(Settings(data_dir=tmp_path), 0)
    check_workers(Settings(data_dir=tmp_path), 1)
    check_workers(Settings(data_dir=tmp_path, qdrant_url="http://qdrant:6333"), 4)


@pytest.mark.qdrant_server
def test_two_worker_processes_against_a_real_server(tmp_path: Path, kb: IngredientKnowledge) -> None:
    """Needs a disposable server (it writes to its `products` collection, built with the test
    model "hash-test"): CONSEIL_TEST_QDRANT_URL=http://127.0.0.1:6333 python -m pytest -m qdrant_server."""
    url = os.environ.get("CONSEIL_TEST_QDRANT_URL")
    if not url:
        pytest.skip("CONSEIL_TEST_QDRANT_URL is unset: no Qdrant server to run the parallel path against")
    settings = Settings(data_dir=tmp_path, embedding_model="hash-test", qdrant_url=url)
    source = f"test-parallel-{uuid.uuid4().hex[:8]}"  # its own points, removed at the end
    try:
        report = ingest_products_parallel(settings, demo_catalog_path(), workers=2, source=source,
                                          embedder_factory=fake_embedder, kb=kb, batch_points=8)
        assert report.points_written == report.ingest.new == report.ingest.rows_read and not report.failed
        again = ingest_products_parallel(settings, demo_catalog_path(), workers=2, source=source,
                                         embedder_factory=fake_embedder, kb=kb, batch_points=8)
        assert again.batches == 0 and again.ingest.unchanged == report.ingest.rows_read
        assert len(_points(settings, source)) == report.ingest.rows_read
    finally:
        with open_index(settings, products_schema(32), create=True) as index:
            index.delete([h.id for h in index.scroll(Filter(must=(MatchAny("source", (source,)),)), fields=False)])
