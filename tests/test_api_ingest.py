"""Admin ingestion over HTTP: upload, background job on the server's own store, status; type and size
limits; names that try to leave the upload folder; one job at a time while searches go on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import auth, demo_data, make_app
from conftest import HashBackend
from conseil.api.auth import Role
from conseil.api.config import ApiSettings
from conseil.api.jobs import PRODUCT_TYPES, UploadRejected, sanitise_filename
from conseil.search.embedder import Embedder
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index

ADMIN, ANALYST, ADVISOR = auth(Role.ADMIN), auth(Role.ANALYST), auth(Role.ADVISOR)
PRODUCTS = "\n".join(json.dumps(p) for p in [
    {"id": "UP-1", "name": "Zorblax Barrier Cream", "brand": "Zorblax", "category": "Skincare > Moisturizers",
     "price": 21, "ingredients": "Aqua, Glycerin, Methylparaben, Ceramide NP", "claims": ["Without Parabens"]},
    {"id": "UP-2", "name": "Zorblax Calm Serum", "brand": "Zorblax", "category": "Skincare > Face Serums",
     "price": 30, "ingredients": "Aqua, Niacinamide, Panthenol"},
]).encode() + b"\n"


class GatedBackend(HashBackend):
    """Hash vectors; inside an ingestion job's thread, embedding waits for `gate` (searches never do)."""

    def __init__(self) -> None:
        super().__init__(32)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def embed(self, texts: list[str]) -> list[list[float]]:
        if threading.current_thread().name.startswith("ingest-"):
            self.entered.set()
            assert self.gate.wait(timeout=120), "the test never opened the gate"
        return super().embed(texts)


@pytest.fixture(scope="module")
def backend() -> GatedBackend:
    return GatedBackend()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory, "ingest")


@pytest.fixture(scope="module")
def client(data_dir: Path, backend: GatedBackend) -> Iterator[TestClient]:
    def factory() -> Embedder:
        return Embedder(backend, name="hash-test", dimension=32, batch_size=16)

    limits = ApiSettings(api_keys_file=None, api_keys=None, upload_max_mb=0.05)  # 50 KB: size tests stay small
    with TestClient(make_app(data_dir, embedder_factory=factory, api_settings=limits, static_dir=None)) as c:
        yield c


def finished(client: TestClient, job_id: str) -> dict[str, Any]:
    """Poll the status route until the job ends (a generous deadline guards a hung job, not speed)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def upload_products(client: TestClient, name: str = "shop.jsonl", content: bytes = PRODUCTS,
                    **form: str) -> Any:
    return client.post("/v1/ingest/products", headers=ADMIN, files={"file": (name, content, "application/octet-stream")},
                       data=form)


def uploads(data_dir: Path) -> set[Path]:
    return set((data_dir / "uploads").rglob("*")) if (data_dir / "uploads").exists() else set()


def test_product_upload_runs_as_a_job_and_is_searchable_at_once(client: TestClient, data_dir: Path) -> None:
    response = upload_products(client, source="shop")
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["location"] == f"/v1/jobs/{accepted['id']}" and accepted["files"] == ["shop.jsonl"]
    job = finished(client, accepted["id"])
    assert job["status"] == "succeeded", job
    assert job["report"]["new"] == 2 and job["report"]["source"] == "shop" and job["report"]["contradictions"] == 1
    assert not (data_dir / "uploads" / accepted["id"]).exists()  # ingested: the upload is deleted
    assert json.loads((data_dir / "jobs" / f"{accepted['id']}.json").read_text())["status"] == "succeeded"

    product = client.get("/v1/products/UP-1?source=shop", headers=ADVISOR).json()
    assert product["brand"] == "Zorblax" and product["warnings"][0]["claim"] == "without:parabens"
    found = client.post("/v1/search/products", headers=ADVISOR, json={"query": "Zorblax serum"}).json()
    assert found["interpretation"]["constraints"]["brands"] == ["zorblax"]  # the new brand is understood
    assert [h["id"] for h in found["hits"]] == ["UP-2"]
    audit = client.get("/v1/audit?source=shop", headers=ADVISOR).json()
    assert [r["product_id"] for r in audit["items"]] == ["UP-1"]
    metrics = client.get("/metrics").text
    assert 'conseil_index_points{collection="products"} 102.0' in metrics
    assert 'conseil_ingest_jobs_total{kind="products",status="succeeded"} 1.0' in metrics
    listed = client.get("/v1/jobs", headers=ADMIN).json()
    assert listed[0]["id"] == accepted["id"]


@pytest.mark.parametrize("route,name,content", [
    ("products", "tool.exe", b"MZ\x90\x00"),
    ("products", "catalog.xlsx", b"PK\x03\x04rest"),
    ("products", "catalog.csv", b"id,name\x00\x01\x02"),           # binary behind a text extension
    ("products", "catalog.parquet", b"id,name\nA,B\n"),            # not Parquet
    ("products", "noextension", b"id,name\nA,B\n"),
    ("studies", "brief.pdf", b"just text, not a PDF"),
    ("studies", "brief.docx", b"PK\x03\x04"),
    ("studies", "photo.md", b"\x89PNG\r\n\x1a\nxxxx"),
    ("studies", "empty.txt", b""),
])
def test_wrong_types_are_415_and_nothing_is_kept(client: TestClient, data_dir: Path, route: str, name: str,
                                                 content: bytes) -> None:
    before = uploads(data_dir)
    field = "file" if route == "products" else "files"
    response = client.post(f"/v1/ingest/{route}", headers=ADMIN, files={field: (name, content, "text/plain")})
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media_type"
    assert uploads(data_dir) == before


def test_uploads_over_the_limit_are_413_and_nothing_is_kept(client: TestClient, data_dir: Path) -> None:
    before = uploads(data_dir)
    row = b'{"id": "BIG", "name": "' + b"x" * 200 + b'"}\n'
    over_handler = upload_products(client, content=row * 300)  # 60 KB: caught while saving
    assert over_handler.status_code == 413 and "0.05 MB" in over_handler.json()["detail"]
    over_edge = upload_products(client, content=row * 6000)  # 1.2 MB: refused before it is read
    assert over_edge.status_code == 413
    two_files = client.post("/v1/ingest/studies", headers=ADMIN, files=[
        ("files", ("a.txt", b"a" * 30_000, "text/plain")), ("files", ("b.txt", b"b" * 30_000, "text/plain"))])
    assert two_files.status_code == 413  # the limit is per upload, not per file
    assert uploads(data_dir) == before
    assert client.get("/v1/jobs", headers=ADMIN).json()[0]["status"] != "queued"  # no job left reserved


@pytest.mark.parametrize("name,saved", [
    ("../../../../etc/passwd.csv", "passwd.csv"),
    ("..\\..\\windows\\evil.csv", "evil.csv"),
    ("/abs/path/x.jsonl", "x.jsonl"),
    ("..csv", "upload.csv"),
    ("....jsonl", "upload.jsonl"),
    ("a b;rm -rf $HOME.CSV", "a_b_rm_-rf_HOME.csv"),
    ("%2e%2e%2fescape.csv", "2e_2e_2fescape.csv"),
])
def test_names_are_sanitised(name: str, saved: str) -> None:
    assert sanitise_filename(name, PRODUCT_TYPES) == saved


def test_a_traversing_upload_name_stays_in_its_job_folder(client: TestClient, data_dir: Path) -> None:
    response = upload_products(client, name="../../../../outside.jsonl", source="shop")
    assert response.status_code == 202
    job = finished(client, response.json()["id"])
    assert job["status"] == "succeeded" and job["files"] == ["outside.jsonl"]
    assert list(data_dir.parent.rglob("outside.jsonl")) == []  # saved in its job folder, deleted after the job
    with pytest.raises(UploadRejected):
        sanitise_filename("../../etc/cron.d/job", PRODUCT_TYPES)


def test_one_job_at_a_time_and_searches_go_on_meanwhile(client: TestClient, backend: GatedBackend) -> None:
    backend.gate.clear()
    backend.entered.clear()
    try:
        first = upload_products(client, content=PRODUCTS.replace(b"UP-", b"GATE-"), source="gated")
        assert first.status_code == 202
        assert backend.entered.wait(timeout=120)  # the job is now inside its embedding step
        second = upload_products(client, source="other")
        assert second.status_code == 409 and first.json()["id"] in second.json()["detail"]
        running = client.get(f"/v1/jobs/{first.json()['id']}", headers=ADMIN).json()
        assert running["status"] == "running"
        search = client.post("/v1/search/products", headers=ADVISOR, json={"query": "moisturizer"})
        assert search.status_code == 200  # reads are not blocked by the job
    finally:
        backend.gate.set()
    assert finished(client, first.json()["id"])["status"] == "succeeded"
    again = upload_products(client, source="other")
    assert again.status_code == 202
    assert finished(client, again.json()["id"])["status"] == "succeeded"


def test_a_failing_job_reports_why(client: TestClient) -> None:
    response = upload_products(client, name="broken.csv", content=b"colour,size\nred,3\n")
    assert response.status_code == 202
    job = finished(client, response.json()["id"])
    assert job["status"] == "failed" and job["error"] and "Traceback" not in job["error"]


def test_study_upload_with_an_audience_only_that_audience_sees_it(client: TestClient) -> None:
    note = b"# Quokka panel\n\nThe quokka panel of 2024 liked fragrance-free balms for winter dryness.\n"
    response = client.post("/v1/ingest/studies", headers=ADMIN, files={"files": ("quokka.md", note, "text/markdown")},
                           data={"audience": "admin", "year": "2024", "market": "FR", "title": "Quokka panel"})
    assert response.status_code == 202, response.text
    job = finished(client, response.json()["id"])
    assert job["status"] == "succeeded" and job["report"]["ingested"] == 1, job
    query = {"query": "quokka panel balms", "limit": 3}
    admin = client.post("/v1/search/studies", headers=ADMIN, json=query).json()
    assert admin["hits"][0]["title"] == "Quokka panel" and admin["hits"][0]["path"] == "uploads/quokka.md"
    analyst = client.post("/v1/search/studies", headers=ANALYST, json=query).json()
    assert all("quokka" not in h["passage"].lower() for h in analyst["hits"])
    assert client.post("/v1/search/studies", headers=ADVISOR, json=query).status_code == 403


def test_study_upload_rules(client: TestClient) -> None:
    two = [("files", ("a.txt", b"alpha text", "text/plain")), ("files", ("b.txt", b"beta text", "text/plain"))]
    titled = client.post("/v1/ingest/studies", headers=ADMIN, files=two, data={"title": "One title"})
    assert titled.status_code == 422 and "one file" in titled.json()["detail"]
    bad_audience = client.post("/v1/ingest/studies", headers=ADMIN, files=two, data={"audience": "../x"})
    assert bad_audience.status_code == 422
    assert client.post("/v1/ingest/studies", headers=ADMIN, data={"market": "FR"},
                       files={"other": ("a.txt", b"x", "text/plain")}).status_code == 422
    assert client.get("/v1/jobs/" + "f" * 32, headers=ADMIN).status_code == 404
