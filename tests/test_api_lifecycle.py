"""The server's lifetime: it holds the index lock from startup to shutdown, refuses to start beside
another holder, stops a running job at shutdown; the readers-writer lock keeps writes exclusive."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from api_support import demo_data, make_app
from conseil.api.index_rwlock import ReadWriteLock
from conseil.api.jobs import JobManager, JobStatus
from conseil.search.embedder import Embedder
from conseil.search.errors import IndexLockedError
from conseil.search.index.lock import IndexLock
from fastapi.testclient import TestClient


@pytest.mark.index
def test_the_app_holds_the_index_lock_for_its_lifetime(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = demo_data(tmp_path_factory, "lifecycle")
    with TestClient(make_app(data_dir, static_dir=None)) as client:
        assert client.get("/readyz").status_code == 200
        with pytest.raises(IndexLockedError, match="in use by process"):
            IndexLock(data_dir / "index").acquire()
        with pytest.raises(IndexLockedError), TestClient(make_app(data_dir, static_dir=None)):
            pass  # a second server on the same data directory does not start
    with IndexLock(data_dir / "index"):  # released at shutdown
        pass


def test_shutdown_cancels_a_running_job_between_batches(tmp_path: Path) -> None:
    finished: list[JobStatus] = []
    jobs = JobManager(tmp_path / "uploads", on_finish=lambda job: finished.append(job.status))
    job = jobs.reserve("products", {})
    started = threading.Event()

    def work(progress):  # type: ignore[no-untyped-def]
        n = 0
        while True:  # a job that would never end by itself
            n += 1
            progress("embed", n, n + 1)
            started.set()

    jobs.start(job, work)
    assert started.wait(timeout=60)
    jobs.shutdown()
    assert job.status is JobStatus.CANCELLED and finished == [JobStatus.CANCELLED]
    assert job.error and "shut down" in job.error


def test_a_new_job_is_refused_while_one_is_active(tmp_path: Path) -> None:
    from conseil.api.jobs import JobConflict

    jobs = JobManager(tmp_path / "uploads")
    first = jobs.reserve("products", {})
    with pytest.raises(JobConflict, match=first.id):
        jobs.reserve("studies", {})
    jobs.discard(first)
    jobs.reserve("studies", {})


def test_writes_are_exclusive_and_reads_share() -> None:
    lock = ReadWriteLock()
    state = {"writers": 0, "readers": 0, "overlaps": 0, "total": 0}
    guard = threading.Lock()

    def writer() -> None:
        for _ in range(300):
            with lock.write():
                with guard:
                    state["writers"] += 1
                    state["overlaps"] += state["writers"] > 1 or state["readers"] > 0
                value = state["total"]
                state["total"] = value + 1  # a lost update would show if two writers overlapped
                with guard:
                    state["writers"] -= 1

    def reader() -> None:
        for _ in range(300):
            with lock.read():
                with guard:
                    state["readers"] += 1
                    state["overlaps"] += state["writers"] > 0
                with guard:
                    state["readers"] -= 1

    threads = [threading.Thread(target=f) for f in (writer, writer, writer, reader, reader, reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state["overlaps"] == 0 and state["total"] == 900


def test_query_batcher_answers_each_caller_and_shares_model_calls() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from conftest import HashBackend, fake_embedder
    from conseil.api.batching import BatchingEmbedder

    calls: list[int] = []
    gate = threading.Event()

    class Recording(HashBackend):
        def embed(self, texts: list[str]) -> list[list[float]]:
            calls.append(len(texts))
            gate.wait(timeout=60)  # the first call holds the model while the others queue up
            return super().embed(texts)

    plain = fake_embedder()
    batching = BatchingEmbedder(Embedder(Recording(32), name="hash-test", dimension=32, batch_size=64))
    texts = [f"query number {n} about serum" for n in range(40)]
    try:
        with ThreadPoolExecutor(40) as pool:
            futures = [pool.submit(batching.embed_query, t) for t in texts]
            deadline = time.monotonic() + 60  # guards a hang; nothing is timed
            # until every text is either in the first model call (the batcher may have drained a few
            # that arrived together) or queued behind it
            while (not calls or calls[0] + batching._batcher._queue.qsize() < 40) and time.monotonic() < deadline:
                time.sleep(0.01)
            gate.set()
            vectors = [f.result() for f in futures]
    finally:
        batching.close()
    assert vectors == [plain.embed_query(t) for t in texts]
    # everything that queued during the first call went to the model in one more call
    assert sum(calls) == 40 and len(calls) == (1 if calls[0] == 40 else 2)


def test_query_batcher_hands_the_error_to_every_caller() -> None:
    from conseil.api.batching import QueryBatcher

    def broken(texts: list[str]) -> list[list[float]]:
        raise ValueError("model unavailable")

    batcher = QueryBatcher(broken)
    try:
        with pytest.raises(ValueError, match="model unavailable"):
            batcher.embed("serum")
    finally:
        batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.embed("serum")
