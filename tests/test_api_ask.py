"""POST /v1/ask over HTTP: roles (an advisor never gets studies, and the studies engine is not even
called), the JSON answer, the server-sent event stream, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import auth, demo_data, make_app
from conseil.api.auth import Role
from conseil.search.answers.contract import AskResponse
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index

STUDY_QUESTION = "what share of survey respondents are women?"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(make_app(demo_data(tmp_path_factory, "ask"))) as c:
        yield c


class CountingStudies:
    """Wraps the studies engine to count its searches."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.calls = engine, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def search(self, req: Any) -> Any:
        self.calls += 1
        return self.engine.search(req)


@pytest.fixture
def studies(client: TestClient) -> Iterator[CountingStudies]:
    engines = client.app.state.runtime.engines  # type: ignore[attr-defined]
    original = engines.studies
    engines.studies = counting = CountingStudies(original)
    yield counting
    engines.studies = original


def post(client: TestClient, role: Role | None, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/v1/ask", json=body, headers={**auth(role), **headers})


def events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_advisor_gets_no_studies_and_the_engine_is_not_called(client: TestClient, studies: CountingStudies) -> None:
    for body in ({"question": STUDY_QUESTION}, {"question": STUDY_QUESTION, "domains": ["studies", "products"]}):
        r = post(client, Role.ADVISOR, body)
        assert r.status_code == 200, r.text
        answer = AskResponse.model_validate(r.json())
        assert answer.route.refused == ["studies"] and "studies" not in answer.route.domains
        assert all(c.kind != "study" for c in answer.citations)
        assert "skinguide" not in r.text.lower()
    assert studies.calls == 0


def test_analyst_gets_study_citations(client: TestClient, studies: CountingStudies) -> None:
    r = post(client, Role.ANALYST, {"question": STUDY_QUESTION})
    assert r.status_code == 200, r.text
    answer = AskResponse.model_validate(r.json())
    assert answer.route.domains == ["studies"] and answer.route.refused == []
    assert answer.answered and any(c.kind == "study" and c.cited for c in answer.citations)
    assert studies.calls == 1


def test_product_answer_over_http(client: TestClient) -> None:
    r = post(client, Role.ADVISOR, {"question": "une crème sans parfum pour peau sèche", "limit": 3})
    answer = AskResponse.model_validate(r.json())
    assert answer.language == "fr" and answer.route.domains == ["products"]
    assert answer.answer.startswith("Ces produits correspondent") and len(answer.citations) <= 3
    assert answer.synthesizer == "extractive" and answer.answer_id


def test_the_answer_comes_in_the_language_the_request_names(client: TestClient) -> None:
    # The advisor's view: the client's French question, the answer and its why lines in Polish.
    question = "une crème sans parfum pour peau sèche"
    r = post(client, Role.ADVISOR, {"question": question, "limit": 3, "language": "pl"})
    assert r.status_code == 200, r.text
    answer = AskResponse.model_validate(r.json())
    french = AskResponse.model_validate(post(client, Role.ADVISOR, {"question": question, "limit": 3}).json())
    assert answer.language == "pl" and french.language == "fr"
    assert answer.answer.split(" [")[0] != french.answer.split(" [")[0]  # a different template sentence
    assert "Ces produits" not in answer.answer and "sans" not in answer.answer
    assert [c.id for c in answer.citations] == [c.id for c in french.citations]  # same retrieval
    assert "bez " in answer.answer  # the why lines, with the genitive ("bez substancji zapachowych")


def test_stream_events(client: TestClient) -> None:
    r = post(client, Role.ANALYST, {"question": STUDY_QUESTION}, Accept="text/event-stream")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    got = events(r.text)
    names = [name for name, _ in got]
    assert names[0] == "route" and names[-1] == "done" and "delta" in names
    done = AskResponse.model_validate(got[-1][1])
    assert "".join(d["text"] for n, d in got if n == "delta") == done.answer
    assert got[0][1]["domains"] == ["studies"]


def test_stream_for_an_advisor_keeps_studies_out(client: TestClient, studies: CountingStudies) -> None:
    r = post(client, Role.ADVISOR, {"question": STUDY_QUESTION}, Accept="text/event-stream")
    got = events(r.text)
    assert got[0][1]["refused"] == ["studies"] and studies.calls == 0
    assert "skinguide" not in r.text.lower()


@pytest.mark.parametrize("role,body,status,code", [
    (None, {"question": "what is methylparaben?"}, 401, "unauthorized"),
    (Role.ADVISOR, {"question": ""}, 422, "invalid_request"),
    (Role.ADVISOR, {"question": "x" * 501}, 422, "invalid_request"),
    (Role.ADVISOR, {"question": "   "}, 400, "query_error"),
    (Role.ADVISOR, {"question": "what?", "domains": ["gossip"]}, 422, "invalid_request"),
    (Role.ADVISOR, {"question": "what?", "language": "Polish"}, 422, "invalid_request"),
])
def test_errors(client: TestClient, role: Role | None, body: dict[str, Any], status: int, code: str) -> None:
    r = post(client, role, body)
    assert r.status_code == status and r.json()["error"] == code, r.text


def test_wrong_content_type_is_415(client: TestClient) -> None:
    r = client.post("/v1/ask", content=b"question=x", headers={**auth(Role.ADVISOR), "Content-Type": "text/plain"})
    assert r.status_code == 415
