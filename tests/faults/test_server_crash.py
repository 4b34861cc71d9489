"""Issue 18.7 and the feedback guarantee: a server killed with SIGKILL forgets no job and loses no
acknowledged vote; uploads do not pile up."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from api_support import auth, demo_data
from conseil.api.auth import Role
from conseil.api.cli import demo_catalog_path
from conseil.search.feedback import FeedbackStore
from fault_support import Children, start_server

pytestmark = pytest.mark.faults
ADMIN = auth(Role.ADMIN)


def _job(base: str, job_id: str) -> dict[str, object]:
    return dict(httpx.get(f"{base}/v1/jobs/{job_id}", headers=ADMIN, timeout=30).json())


def test_a_job_killed_with_the_server_is_interrupted_and_its_upload_deleted(
        tmp_path_factory: pytest.TempPathFactory, children: Children) -> None:
    data = demo_data(tmp_path_factory, "jobs")
    server, base = start_server(children, data, env={"FAULTS_SLOW_EMBED_S": "0.5"})
    catalog = demo_catalog_path().read_bytes()
    accepted = httpx.post(f"{base}/v1/ingest/products", headers=ADMIN, data={"source": "slow"},
                          files={"file": ("catalog.jsonl", catalog, "application/octet-stream")}, timeout=60)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    deadline = time.monotonic() + 60
    while _job(base, job_id)["status"] != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (data / "uploads" / job_id / "catalog.jsonl").exists()
    server.kill()

    server, base = start_server(children, data)
    job = _job(base, job_id)
    assert job["status"] == "interrupted" and "run" not in str(job.get("report"))
    assert "Upload the files again" in str(job["error"]) and str(data) not in str(job["error"])
    assert not (data / "uploads" / job_id).exists()  # interrupted: its upload is gone
    ready = httpx.get(f"{base}/readyz", timeout=30).json()
    assert ready["fingerprint"]["products"]["state"] == "interrupted"  # the index says so too

    done = httpx.post(f"{base}/v1/ingest/products", headers=ADMIN, data={"source": "slow"},
                      files={"file": ("catalog.jsonl", catalog, "application/octet-stream")}, timeout=60).json()
    deadline = time.monotonic() + 120
    while _job(base, done["id"])["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    finished = _job(base, done["id"])
    assert finished["status"] == "succeeded" and str(data) not in str(finished["report"])
    assert not (data / "uploads" / done["id"]).exists()  # finished: deleted as well
    assert httpx.get(f"{base}/readyz", timeout=30).json()["fingerprint"]["products"]["state"] == "ok"


ROUNDS = 3


def test_acknowledged_votes_survive_kill_9(tmp_path_factory: pytest.TempPathFactory, children: Children) -> None:
    data = demo_data(tmp_path_factory, "votes")
    acknowledged: list[str] = []
    for round_ in range(ROUNDS):
        server, base = start_server(children, data)
        stop = threading.Event()

        def vote(n: int, base: str = base, stop: threading.Event = stop) -> None:
            with httpx.Client(base_url=base, headers=auth(Role.ADVISOR), timeout=10) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    try:
                        answer = client.post("/v1/feedback", json={"kind": "search", "query": f"serum {n} {i}",
                                                                   "target_id": "DEMO-001", "helpful": True})
                    except httpx.TransportError:
                        return  # the server is gone: this vote was never acknowledged
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["id"])

        voters = [threading.Thread(target=vote, args=(n,)) for n in range(4)]
        for voter in voters:
            voter.start()
        time.sleep(1.5 + round_)
        server.kill()  # mid-stream: some votes are in flight
        stop.set()
        for voter in voters:
            voter.join(timeout=30)
        stored = {record.id for record in FeedbackStore(data).read()}
        missing = [i for i in acknowledged if i not in stored]
        print(f"feedback kill -9 round {round_ + 1}: acknowledged {len(acknowledged)} in all, stored {len(stored)}, "
              f"acknowledged but lost {len(missing)}")
        assert acknowledged and missing == []
