"""The last line of the HTTP edge (api/fault_edge.py): answers over the size limit become the JSON
error; unexpected errors and engine panics become JSON too (in-process; the kept connection is
proven with a real server in tests/faults/test_connection_errors.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conseil.api.fault_edge import UnhandledErrorMiddleware
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

PanicException = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})


async def big(request: Request) -> Response:
    return Response(b"x" * 5000, media_type="application/json")


async def small(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def bug(request: Request) -> Response:
    raise KeyError("secret detail")


async def panic(request: Request) -> Response:
    raise PanicException("index out of bounds")


def _client() -> TestClient:
    app = Starlette(routes=[Route(p, f) for p, f in (("/big", big), ("/small", small), ("/bug", bug),
                                                      ("/panic", panic))])
    app.add_middleware(UnhandledErrorMiddleware, max_response_bytes=1000)
    return TestClient(app, raise_server_exceptions=False)


def test_an_answer_over_the_limit_is_replaced_by_the_json_error() -> None:
    with _client() as client:
        answer = client.get("/big")
        assert answer.status_code == 500 and answer.json()["error"] == "response_too_large"
        assert "limit" in answer.json()["detail"] and "x" * 100 not in answer.text
        assert client.get("/small").json() == {"ok": True}


@pytest.mark.parametrize("path, status, code", [("/bug", 500, "internal_error"), ("/panic", 503, "index_damaged")])
def test_unexpected_errors_and_panics_are_json(path: str, status: int, code: str) -> None:
    with _client() as client:
        answer = client.get(path)
        assert answer.status_code == status and answer.json()["error"] == code
        assert "secret detail" not in answer.text


@pytest.mark.index
def test_unknown_query_parameters_and_body_fields_are_refused(tmp_path: Path) -> None:
    from api_support import auth, make_app
    from conseil.api.auth import Role

    advisor, admin = auth(Role.ADVISOR), auth(Role.ADMIN)
    with TestClient(make_app(tmp_path / "empty", static_dir=None)) as client:
        answer = client.get("/v1/ingredients/methylparaben?lang=fr", headers=advisor)
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["query", "lang"]
        assert client.get("/v1/ingredients/methylparaben", headers=advisor).status_code == 200
        answer = client.post("/v1/search/products", headers=advisor,
                             json={"query": "moisturizer", "exclude_families": ["parabens"]})
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "exclude_families"]
        answer = client.post("/v1/ingest/products", headers=admin, data={"source": "x", "sink": "true"},
                             files={"file": ("p.jsonl", b'{"product_id": "1", "name": "n"}\n', "text/plain")})
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "sink"]
        answer = client.post("/v1/search/studies", content=b'{"query": "x \\ud800"}',
                             headers={**auth(Role.ANALYST), "content-type": "application/json"})
        assert answer.status_code == 422 and "lone UTF-16 surrogate U+D800" in answer.json()["detail"]
