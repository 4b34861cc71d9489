"""The analyst desk's routes: study filter values with counts, and a cited document's file.

Over the demo studies (fake embedder) through the real app; the file route serves only from the
configured study folders and only a file whose content hash is the cited document's id.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import STUDIES, auth, demo_data, make_app
from conseil.api.auth import Role
from conseil.api.config import ApiSettings
from conseil.api.routes_desk import locate
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = ApiSettings(api_keys_file=None, api_keys=None, study_dirs=[STUDIES])
    with TestClient(make_app(demo_data(tmp_path_factory, "desk"), api_settings=settings)) as c:
        yield c


def pdf_hit(client: TestClient) -> dict[str, object]:
    hits = client.post("/v1/search/studies", headers=auth(Role.ANALYST), json={"query": "sensitive skin"}).json()["hits"]
    return next(h for h in hits if h["kind"] == "pdf")


def test_facets_count_documents_per_value_for_analysts_only(client: TestClient) -> None:
    assert client.get("/v1/studies/facets", headers=auth(Role.ADVISOR)).status_code == 403
    assert client.get("/v1/studies/facets").status_code == 401
    facets = client.get("/v1/studies/facets", headers=auth(Role.ANALYST)).json()
    assert facets["documents"] == 4
    for name in ("market", "language", "study_type"):
        assert sum(v["count"] for v in facets[name]) <= facets["documents"] and facets[name]
    assert {v["value"] for v in facets["language"]} >= {"en", "fr"}
    years = [int(v["value"]) for v in facets["year"]]
    assert years == sorted(years, reverse=True)


def test_a_study_search_counts_what_the_query_found(client: TestClient) -> None:
    body = client.post("/v1/search/studies", headers=auth(Role.ANALYST), json={"query": "sensitive skin"}).json()
    other = client.post("/v1/search/studies", headers=auth(Role.ANALYST), json={"query": "questionnaire"}).json()
    assert 0 < body["matching"] <= body["total"] and body["matching_documents"] <= body["total_documents"]
    assert (body["matching"], other["matching"]) != (body["total"], other["total"]), "not the filtered set's size"


def test_the_cited_pdf_for_an_analyst_and_not_for_an_advisor(client: TestClient) -> None:
    hit = pdf_hit(client)
    url = f"/v1/studies/{hit['doc_id']}/file"
    response = client.get(url, headers=auth(Role.ANALYST))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert hashlib.sha256(response.content).hexdigest().startswith(str(hit["doc_id"]))
    refused = client.get(url, headers=auth(Role.ADVISOR))
    assert refused.status_code == 403 and b"%PDF" not in refused.content
    assert client.get("/v1/studies/" + "0" * 32 + "/file", headers=auth(Role.ANALYST)).status_code == 404
    assert client.get("/v1/studies/..%2F..%2Fetc/file", headers=auth(Role.ANALYST)).status_code in (404, 422)


def test_a_changed_or_misplaced_file_is_never_served(tmp_path: Path) -> None:
    pdf = next(STUDIES.glob("*.pdf"))
    doc_id = hashlib.sha256(pdf.read_bytes()).hexdigest()[:32]
    root = tmp_path / "studies"
    root.mkdir()
    copy = root / pdf.name
    shutil.copy(pdf, copy)
    assert locate(f"studies/{pdf.name}", doc_id, [root]) == copy.resolve()
    assert locate(f"studies/{pdf.name}", doc_id, []) is None, "no configured folder: nothing served"
    assert locate("studies/../../etc/passwd", doc_id, [root]) is None
    copy.write_bytes(pdf.read_bytes() + b"\n% edited")
    assert locate(f"studies/{pdf.name}", doc_id, [root]) is None, "edited since ingestion"
