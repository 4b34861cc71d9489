"""Roles over HTTP: every role x route (401/403/2xx), studies never reach an advisor, API keys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from api_support import SECRETS, auth, demo_data, make_app
from conseil.api.auth import ApiKey, KeyRing, Role, add_key, env_keys, hash_key, read_keys_file, revoke_key
from conseil.api.cli_server import register
from conseil.search.errors import ConfigurationError
from fastapi.testclient import TestClient
from typer.testing import CliRunner

pytestmark = pytest.mark.index

A, B, C = Role.ADVISOR, Role.ANALYST, Role.ADMIN
JOB = "0" * 32
STUDY_MARKER = "skinguide"  # in every demo study, in no product


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(make_app(demo_data(tmp_path_factory, "roles"))) as c:
        yield c


def call(client: TestClient, method: str, path: str, role: Role | None, style: str = "bearer") -> Any:
    headers = auth(role, style)
    if path.startswith("/v1/ingest/"):  # a file type no route accepts: admin gets 415, proving it passed auth
        field = "file" if path.endswith("products") else "files"
        return client.post(path, headers=headers, files={field: ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    if method == "POST":
        body = {"query": "sensitive skin" if "studies" in path else "shampoo without sulfates"}
        return client.post(path, headers=headers, json=body)
    return client.get(path, headers=headers)


# route -> expected status for (no key, advisor, analyst, admin)
MATRIX: list[tuple[str, str, tuple[int, int, int, int]]] = [
    ("POST", "/v1/search/products", (401, 200, 200, 200)),
    ("POST", "/v1/search/studies", (401, 403, 200, 200)),
    ("GET", "/v1/products/DEMO-001", (401, 200, 200, 200)),
    ("GET", "/v1/ingredients/methylparaben", (401, 200, 200, 200)),
    ("GET", "/v1/audit", (401, 200, 200, 200)),
    ("GET", "/v1/whoami", (401, 200, 200, 200)),
    ("GET", "/v1/jobs", (401, 403, 403, 200)),
    ("GET", f"/v1/jobs/{JOB}", (401, 403, 403, 404)),
    ("POST", "/v1/ingest/products", (401, 403, 403, 415)),
    ("POST", "/v1/ingest/studies", (401, 403, 403, 415)),
    ("GET", "/healthz", (200, 200, 200, 200)),
    ("GET", "/readyz", (200, 200, 200, 200)),
    ("GET", "/metrics", (200, 200, 200, 200)),
]


@pytest.mark.parametrize("method,path,expected", MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_every_role_on_every_route(client: TestClient, method: str, path: str,
                                   expected: tuple[int, int, int, int]) -> None:
    for role, want in zip((None, A, B, C), expected, strict=True):
        response = call(client, method, path, role)
        assert response.status_code == want, (role, response.text)
        if want in (401, 403):
            body = response.json()
            assert body["error"] == ("unauthorized" if want == 401 else "forbidden") and body["detail"]
            assert STUDY_MARKER not in response.text.lower()


def test_both_header_styles_and_bad_keys(client: TestClient) -> None:
    assert call(client, "GET", "/v1/whoami", B, style="x-api-key").json() == {
        "name": "analyst-1", "role": "analyst", "permissions": ["audit", "ingredients", "products", "studies"],
        "studies": True}
    for headers in ({"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": "Basic abc"},
                    {"Authorization": f"Bearer {SECRETS[A]}x"}):
        response = client.get("/v1/whoami", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_studies_never_reach_an_advisor_even_when_asked(client: TestClient) -> None:
    for body in ({"query": "skinguide"}, {"query": "skinguide", "audiences": ["analyst", "advisor"]}):
        for style in ("bearer", "x-api-key"):
            response = client.post("/v1/search/studies", headers=auth(A, style), json=body)
            assert response.status_code == 403 and STUDY_MARKER not in response.text.lower()
    assert client.get("/v1/whoami", headers=auth(A)).json()["studies"] is False
    products = client.post("/v1/search/products", headers=auth(A), json={"query": "skinguide survey"}).json()
    assert all(hit["id"].startswith("DEMO-") for hit in products["hits"])


def test_every_route_in_the_spec_keeps_studies_from_an_advisor(client: TestClient) -> None:
    """Whatever the route, nothing an advisor receives comes from a study."""
    spec = client.get("/openapi.json").json()
    seen = 0
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{job_id\}", JOB, path)
        concrete = re.sub(r"\{[a-z_]+(:path)?\}", "skinguide", concrete)
        for method in operations:
            response = call(client, method.upper(), concrete, A)
            assert response.status_code < 500
            assert STUDY_MARKER not in response.text.lower() or response.status_code == 404, (method, path)
            seen += 1
    assert seen >= 13


def test_audiences_come_from_the_role_not_the_body(client: TestClient) -> None:
    body = {"query": "skinguide respondents", "audiences": ["marketing", "advisor"]}
    analyst = client.post("/v1/search/studies", headers=auth(B), json=body).json()
    assert analyst["filters"]["audiences"] == ["analyst"] and analyst["hits"]
    admin = client.post("/v1/search/studies", headers=auth(C), json=body).json()
    assert admin["filters"]["audiences"] == ["analyst", "admin"]


# -- keys --------------------------------------------------------------------------------------

def test_key_ring_rereads_the_file_and_keeps_good_keys_after_a_bad_edit(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing([ApiKey("fixed", Role.ADVISOR, hash_key("fixed-key"))], path)
    assert ring.authenticate("fixed-key") is not None and ring.authenticate("nope") is None
    secret, record = add_key(path, "paris", Role.ANALYST)
    assert secret.startswith("csl_") and record.sha256 == hash_key(secret)
    assert secret not in path.read_text() and (path.stat().st_mode & 0o777) == 0o600
    principal = ring.authenticate(secret)
    assert principal is not None and principal.role is Role.ANALYST and principal.name == "paris"
    path.write_text("{ not json")
    assert ring.authenticate(secret) is not None  # the last good keys stay in use
    path.write_text(json.dumps([{"name": "paris", "role": "analyst", "sha256": hash_key(secret)}]))
    assert revoke_key(path, "paris") and not revoke_key(path, "paris")
    assert ring.authenticate(secret) is None


def test_key_sources_are_validated() -> None:
    good = [{"name": "a", "role": "admin", "sha256": hash_key("x")}]
    assert env_keys(json.dumps(good))[0].role is Role.ADMIN
    assert env_keys(None) == [] and env_keys("  ") == []
    for raw, message in (("[", "not valid JSON"), ('{"a": 1}', "JSON list"),
                         ('[{"name": "a", "role": "boss", "sha256": "' + "0" * 64 + '"}]', "advisor, analyst, admin"),
                         ('[{"name": "a", "role": "admin", "sha256": "abc"}]', "64 hex"),
                         ('[{"name": "a"}]', "needs")):
        with pytest.raises(ConfigurationError, match=message):
            env_keys(raw)


def test_keys_commands_create_list_revoke(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    register(app)  # idempotent
    runner = CliRunner()
    env: dict[str, str | None] = {"CONSEIL_DATA_DIR": str(tmp_path / "data"), "CONSEIL_API_KEYS_FILE": None,
                                  "CONSEIL_API_KEYS": None}
    created = runner.invoke(app, ["keys", "create", "store-paris", "--role", "analyst"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    stored = read_keys_file(tmp_path / "data" / "api-keys.json")
    assert [(k.name, k.role, k.sha256) for k in stored] == [("store-paris", Role.ANALYST, hash_key(secret))]
    duplicate = runner.invoke(app, ["keys", "create", "store-paris", "--role", "admin"], env=env)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    listed = runner.invoke(app, ["keys", "list"], env=env)
    assert "store-paris" in listed.stdout and secret not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", "store-paris"], env=env).exit_code == 0
    assert read_keys_file(tmp_path / "data" / "api-keys.json") == []
