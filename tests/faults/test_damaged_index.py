"""Issue 18.5: a damaged index is not served as healthy; an interrupted ingest is named as such.

Damage is made on the real files of a real Qdrant Edge index (half the id tracker cut off: it opened
with 86 of 100 products, exit 0, /readyz ready); the server is a real process on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from api_support import auth, demo_data, demo_settings
from conseil.api.auth import Role
from fault_support import Children, start_server

pytestmark = pytest.mark.faults


def _cut(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("damage", ["mutable_id_tracker.mappings", "mutable_id_tracker.versions"])
def test_a_truncated_id_tracker_makes_readyz_say_damaged(damage: str, tmp_path_factory: pytest.TempPathFactory,
                                                         children: Children) -> None:
    data = demo_data(tmp_path_factory, "damaged")
    fingerprint = json.loads((data / "index" / "fingerprint.json").read_text())
    assert fingerprint["products"] == {**fingerprint["products"], "state": "recorded", "points": 100}
    for segment in (data / "index" / "products" / "shard" / "segments").iterdir():
        _cut(segment / damage, 0.5)
    _, base = start_server(children, data)
    ready = httpx.get(base + "/readyz", timeout=30)
    body = ready.json()
    assert ready.status_code == 503 and body["ready"] is False
    assert body["fingerprint"]["products"]["state"] == "damaged"
    assert body["fingerprint"]["products"]["expected"] == 100 and body["fingerprint"]["products"]["found"] < 100
    assert "index damaged: products holds" in body["detail"] and "restore" in body["detail"]
    assert "studies" not in body["collections"]  # no key: the studies collection's size is not disclosed
    with_key = httpx.get(base + "/readyz", headers=auth(Role.ANALYST), timeout=30).json()
    assert "studies" in with_key["collections"] and with_key["incomplete_studies"] == 0


KILLED_INGEST = """
import sys, time
from pathlib import Path
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest.products import ingest_products
from conseil.search.index.edge import EdgeIndex
from conseil.search.settings import Settings

real_upsert = EdgeIndex.upsert
def upsert(self, points):
    real_upsert(self, points)
    print("UPSERTED", flush=True)
    time.sleep(120)
EdgeIndex.upsert = upsert
settings = Settings(data_dir=Path(sys.argv[1]), embedding_model="hash-test", batch_size=10)
ingest_products(settings, demo_catalog_path(), source="other", embedder_factory=fake_embedder)
"""


def test_a_killed_ingest_is_reported_as_interrupted_and_completed_by_a_rerun(
        tmp_path_factory: pytest.TempPathFactory, children: Children) -> None:
    from conftest import fake_embedder
    from conseil.api.cli import demo_catalog_path
    from conseil.ingest.products import ingest_products

    data = demo_data(tmp_path_factory, "interrupted")
    child = children.start(KILLED_INGEST, str(data))
    child.wait_for("UPSERTED", timeout=120)
    child.kill()
    server, base = start_server(children, data)
    body = httpx.get(base + "/readyz", timeout=30).json()
    assert body["fingerprint"]["products"]["state"] == "interrupted"
    assert "an ingest was interrupted" in body["detail"] and "run the same ingest again" in body["detail"]
    server.kill()
    ingest_products(demo_settings(data), demo_catalog_path(), source="other", embedder_factory=fake_embedder)
    server, base = start_server(children, data)
    ready = httpx.get(base + "/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json()["fingerprint"]["products"] == {
        "state": "ok", "expected": 200, "found": 200}


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(0, len(data), 97):
        data[i] = (data[i] + 77) % 256
    path.write_bytes(bytes(data))


def _segment(data: Path) -> Path:
    return next((data / "index" / "products" / "shard" / "segments").iterdir())


DAMAGE = {  # files Qdrant Edge (or Conseil) cannot read at open: a traceback or a Rust error before
    "wal": lambda data: _garble(data / "index" / "products" / "shard" / "wal" / "open-1"),
    "segment.json": lambda data: _cut(_segment(data) / "segment.json", 0.5),
    "meta.json": lambda data: (data / "index" / "products" / "meta.json").write_text("{oops"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_an_unreadable_index_file_starts_the_server_and_says_restore(
        damage: str, tmp_path_factory: pytest.TempPathFactory, children: Children) -> None:
    data = demo_data(tmp_path_factory, "unreadable")
    DAMAGE[damage](data)
    _, base = start_server(children, data)
    ready = httpx.get(base + "/readyz", timeout=30)
    assert ready.status_code == 503 and "may be damaged: restore" in ready.json()["detail"]
    search = httpx.post(base + "/v1/search/products", headers=auth(Role.ADVISOR), json={"query": "serum"}, timeout=30)
    assert search.status_code == 503 and search.json()["error"] == "index_damaged"
    studies = httpx.post(base + "/v1/search/studies", headers=auth(Role.ANALYST), json={"query": "skin"}, timeout=30)
    assert studies.status_code == 200  # the undamaged collection is still served
