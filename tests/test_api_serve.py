"""`conseil serve` as a real process on a loopback port: it owns the index, so `conseil ingest` from
a second process fails with the lock error naming the server's pid; ingestion goes over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conseil.api.auth import hash_key
from conseil.api.cli import demo_catalog_path
from conseil.search.index.lock import IndexLock

KEY = "serve-test-admin-key"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(server: subprocess.Popen[str], url: str) -> None:
    """Poll /healthz until the server answers (the deadline guards a hung start, it measures nothing)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}: {server.communicate()[1][-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up")


def wait_for_job(client: httpx.Client, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError("the ingestion job did not finish")


@pytest.mark.slow
@pytest.mark.model
def test_serve_owns_the_index_and_ingest_beside_it_names_the_server_pid(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "CONSEIL_DATA_DIR": str(data_dir),
           "CONSEIL_API_KEYS": json.dumps([{"name": "ops", "role": "admin", "sha256": hash_key(KEY)}])}
    for name in ("CONSEIL_API_KEYS_FILE", "CONSEIL_EMBEDDING_MODEL"):
        env.pop(name, None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "conseil.api.cli_server", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(server, url)
        assert httpx.get(f"{url}/readyz").status_code == 503  # no index yet, and it says how to build one

        contender = subprocess.run([sys.executable, "-m", "conseil.api.cli", "ingest", "demo"], check=False, env=env,
                                   capture_output=True, text=True, timeout=600)
        message = " ".join(contender.stderr.split())
        assert contender.returncode == 3, contender.stderr
        assert f"in use by process {server.pid}" in message and "conseil serve" in message

        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
            upload = client.post("/v1/ingest/products", data={"source": "demo", "format": "generic"},
                                 files={"file": ("products.jsonl", demo_catalog_path().read_bytes())})
            assert upload.status_code == 202, upload.text
            job = wait_for_job(client, upload.json()["id"])
            assert job["status"] == "succeeded", job
            assert client.get("/readyz").status_code == 200
            found = client.post("/v1/search/products", json={"query": "shampoo without sulfates"}).json()
            assert found["hits"] and found["interpretation"]["constraints"]["exclude_families"] == ["sulfates"]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)
    assert server.returncode == 0, server.communicate()[1][-2000:]
    with IndexLock(data_dir / "index"):  # released at shutdown
        pass
