"""The embedded index is held by one process; a second gets a clear error naming the holder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conseil.search.errors import IndexLockedError
from conseil.search.index.contract import CollectionSchema, HybridQuery, IndexPoint, SparseVector
from conseil.search.index.lock import IndexLock

HOLDER = r"""
import sys, time, pathlib
from conseil.search.index.lock import IndexLock
from conseil.search.index.edge import EdgeIndex
from conseil.search.index.contract import CollectionSchema, IndexPoint, SparseVector
index_dir = pathlib.Path(sys.argv[1])
schema = CollectionSchema("products", "dense", 4, "bm25", {"source": "keyword"})
with IndexLock(index_dir):
    index = EdgeIndex.open(index_dir, schema, create=True, model="m")
    print("ready", flush=True)
    sys.stdin.readline()          # keep holding until the test says go on
    # the holder keeps working after another process was refused
    index.upsert([IndexPoint("00000000-0000-0000-0000-000000000002", [0.0, 1.0, 0.0, 0.0],
                             SparseVector((2,), (1.0,)), {"source": "b"})])
    index.flush()
    print("count", index.count(), flush=True)
    index.close()
"""

CONTENDER = r"""
import sys, pathlib
from conseil.search.index.lock import IndexLock
from conseil.search.errors import IndexLockedError
try:
    with IndexLock(pathlib.Path(sys.argv[1])):
        print("acquired")
except IndexLockedError as exc:
    print("locked", exc.holder_pid)
    print(exc)
"""


@pytest.mark.index
def test_second_process_is_refused_and_holder_keeps_working(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "ready"
        contender = subprocess.run([sys.executable, "-c", CONTENDER, str(tmp_path)], check=False, capture_output=True,
                                   text=True, timeout=60)
        first, message = contender.stdout.splitlines()[0], contender.stdout
        assert first == f"locked {holder.pid}"
        assert f"process {holder.pid}" in message and "in use" in message
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "count 1"
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
    # once released, the lock can be taken again
    with IndexLock(tmp_path):
        pass


@pytest.mark.index
def test_lock_released_when_holder_dies(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c",
                             ("import sys,pathlib,time;from conseil.search.index.lock import IndexLock;"
                             "l=IndexLock(pathlib.Path(sys.argv[1]));l.acquire();print('ok',flush=True);"
                             "time.sleep(60)"), str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ok"
    with pytest.raises(IndexLockedError):
        IndexLock(tmp_path).acquire()
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while True:
        try:
            with IndexLock(tmp_path):
                break
        except IndexLockedError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    assert os.path.exists(tmp_path / "conseil.lock")


@pytest.mark.index
def test_edge_index_round_trip(tmp_path: Path) -> None:
    from conseil.search.index.edge import EdgeIndex

    schema = CollectionSchema("products", "dense", 4, "bm25", {"source": "keyword"})
    index = EdgeIndex.open(tmp_path, schema, create=True, model="m")
    index.upsert([IndexPoint("00000000-0000-0000-0000-000000000001", [1.0, 0.0, 0.0, 0.0],
                             SparseVector((1,), (1.0,)), {"source": "a"})])
    index.close()
    index = EdgeIndex.open(tmp_path, schema, create=False, model="m")
    hits = index.query(HybridQuery(dense=[1.0, 0.0, 0.0, 0.0], sparse=SparseVector((1,), (1.0,)), limit=1))
    assert [h.payload["source"] for h in hits] == ["a"]
    index.close()
