"""Feedback: the durable store, `POST /v1/feedback` (roles, validation) and the BEIR export."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import auth, demo_data, make_app
from conseil.api.auth import Role
from conseil.eval.beir import load
from conseil.eval.feedback import build_dataset, export, grade, normalize_query, query_id
from conseil.search.feedback import FeedbackRecord, FeedbackStore, feedback_path, new_record
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index

A, B, C = Role.ADVISOR, Role.ANALYST, Role.ADMIN


def vote(query: str = "shampoo without sulfates", target: str = "DEMO-055", helpful: bool = True,
         kind: str = "search", role: str = "advisor", **extra: Any) -> FeedbackRecord:
    return new_record(role=role, key_name=f"{role}-1", kind=kind, query=query, target_id=target,
                      helpful=helpful, **extra)


# -- the store --------------------------------------------------------------------------------------

def test_store_appends_lines_and_reads_them_back(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path)
    first = store.append(vote(comment="great", language="fr", rank=2))
    second = store.append(vote(helpful=False))
    assert store.path == feedback_path(tmp_path) == tmp_path / "feedback" / "feedback.jsonl"
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [first.id, second.id]
    assert store.read() == [first, second]
    assert FeedbackStore(tmp_path).read() == [first, second], "a new store (a restart) reads the same"


def test_a_truncated_last_line_is_skipped_and_the_next_append_starts_a_new_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = FeedbackStore(tmp_path)
    kept = [store.append(vote(target=f"DEMO-00{i}")) for i in range(3)]
    whole = store.path.read_bytes()
    store.path.write_bytes(whole + vote(target="DEMO-009").model_dump_json().encode()[:40])  # a crash mid-write
    with caplog.at_level(logging.WARNING, logger="conseil.feedback"):
        assert store.read() == kept
    assert "last line" in caplog.text
    after = store.append(vote(target="DEMO-010"))
    assert store.read() == [*kept, after], "the earlier records and the new one are intact"
    assert store.path.read_bytes().startswith(whole)


def test_concurrent_appends_from_threads_lose_nothing(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path)
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(25):
            store.append(vote(target=f"P{n}-{i}", comment="x" * 900))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = store.read()
    assert len(records) == 200 and len({r.target_id for r in records}) == 200
    assert len(store.path.read_text(encoding="utf-8").splitlines()) == 200


def test_reading_a_missing_file_gives_nothing(tmp_path: Path) -> None:
    assert FeedbackStore(tmp_path).read() == []


# -- the route ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory, "feedback")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(make_app(data_dir, static_dir=None)) as c:
        yield c


def stored(data_dir: Path) -> dict[str, FeedbackRecord]:
    return {r.id: r for r in FeedbackStore(data_dir).read()}


BODY = {"kind": "search", "query": "shampoo without sulfates", "target_id": "DEMO-055", "helpful": True}


def test_feedback_is_stored_with_the_keys_role_and_name(client: TestClient, data_dir: Path) -> None:
    response = client.post("/v1/feedback", headers=auth(A), json={**BODY, "comment": " gentle ", "language": "fr",
                                                                   "rank": 3})
    assert response.status_code == 201, response.text
    record = stored(data_dir)[response.json()["id"]]
    assert (record.role, record.key_name, record.kind, record.target_id) == ("advisor", "advisor-1", "search", "DEMO-055")
    assert (record.helpful, record.comment, record.language, record.rank) == (True, "gentle", "fr", 3)
    answer = client.post("/v1/feedback", headers=auth(B, "x-api-key"),
                         json={"kind": "answer", "query": "why?", "target_id": "ans-1", "helpful": False})
    assert answer.status_code == 201 and stored(data_dir)[answer.json()["id"]].role == "analyst"


def test_a_role_in_the_body_is_refused_never_stored(client: TestClient, data_dir: Path) -> None:
    before = len(stored(data_dir))
    response = client.post("/v1/feedback", headers=auth(A), json={**BODY, "role": "admin"})
    assert response.status_code == 422 and "role" in response.json()["detail"]
    assert len(stored(data_dir)) == before


def test_without_a_key_401(client: TestClient) -> None:
    assert client.post("/v1/feedback", json=BODY).status_code == 401
    assert client.post("/v1/feedback", headers={"Authorization": "Bearer nope"}, json=BODY).status_code == 401


def test_an_advisor_may_not_judge_a_study_passage(client: TestClient, data_dir: Path) -> None:
    study = {**BODY, "kind": "study", "target_id": "studies/brief.md#2"}
    before = len(stored(data_dir))
    refused = client.post("/v1/feedback", headers=auth(A), json=study)
    assert refused.status_code == 403 and "studies" in refused.json()["detail"]
    # Refused before the id is even checked: a malformed study id gets the same answer.
    assert client.post("/v1/feedback", headers=auth(A), json={**study, "target_id": "x"}).status_code == 403
    assert len(stored(data_dir)) == before
    for role in (B, C):
        assert client.post("/v1/feedback", headers=auth(role), json=study).status_code == 201


@pytest.mark.parametrize("change,field", [
    ({"helpful": "maybe"}, "helpful"),
    ({"kind": "product"}, "kind"),
    ({"query": "   "}, "query"),
    ({"target_id": ""}, "target_id"),
    ({"target_id": "a\tb"}, "target_id"),
    ({"comment": "x" * 1001}, "comment"),
    ({"rank": 0}, "rank"),
    ({"language": "french!"}, "language"),
    ({"kind": "study", "target_id": "doc#page-3"}, "doc_id#page"),
])
def test_bad_fields_are_422_naming_the_field(client: TestClient, change: dict[str, Any], field: str) -> None:
    body = {**BODY, **change}
    response = client.post("/v1/feedback", headers=auth(B), json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


def test_missing_fields_and_wrong_content_type(client: TestClient) -> None:
    response = client.post("/v1/feedback", headers=auth(A), json={"kind": "search"})
    assert response.status_code == 422
    assert all(f in response.json()["detail"] for f in ("query", "target_id", "helpful"))
    assert client.post("/v1/feedback", headers={**auth(A), "Content-Type": "text/plain"},
                       content=json.dumps(BODY)).status_code == 415


# -- the BEIR export ----------------------------------------------------------------------------------

def test_grades_follow_the_majority_and_ties_are_dropped() -> None:
    assert [grade(1, 0), grade(2, 0), grade(3, 1), grade(0, 1), grade(1, 2), grade(1, 1), grade(0, 0)] == \
        [1, 2, 2, 0, 0, None, None]


def test_queries_are_normalised() -> None:
    assert normalize_query("  Shampoo   WITHOUT sulfates ?") == normalize_query("shampoo without sulfates") \
        == "shampoo without sulfates"
    assert normalize_query("ＳＨＡＭＰＯＯ") == "shampoo"  # full-width letters


def test_export_round_trips_through_the_beir_reader(tmp_path: Path) -> None:
    records = [
        vote(target="DEMO-055", language="en"), vote(query="Shampoo without sulfates!", target="DEMO-055"),
        vote(target="DEMO-056", helpful=False),
        vote(target="DEMO-057"), vote(target="DEMO-057", helpful=False),             # a tie: dropped
        vote(target="DEMO-058"), vote(target="DEMO-058", helpful=False), vote(target="DEMO-058", helpful=False),
        vote(kind="study", role="analyst", query="sensitive skin", target="studies/a.md#2"),
        vote(kind="answer", query="what is a paraben?", target="ans-1"),
        vote(kind="answer", query="what is a paraben?", target="ans-1", helpful=False),
        vote(query="??", target="DEMO-001"),                                          # nothing left: skipped
    ]
    counts = export(records, tmp_path / "beir", source="test")
    dataset = load(tmp_path / "beir")
    search_id = query_id("search", "shampoo without sulfates")
    study_id = query_id("study", "sensitive skin")
    assert dataset.qrels == {search_id: {"DEMO-055": 2, "DEMO-056": 0, "DEMO-058": 0},
                             study_id: {"studies/a.md#2": 1}}
    queries = {q.id: q for q in dataset.queries}
    assert set(queries) == {search_id, study_id}
    assert queries[search_id].text == "shampoo without sulfates"
    assert queries[search_id].metadata == {"kind": "search", "role": "advisor", "votes": 8, "language": "en"}
    assert queries[study_id].metadata["role"] == "analyst"
    assert dataset.corpus == [] and not (tmp_path / "beir" / "corpus.jsonl").exists()
    assert (counts.records, counts.queries, counts.judgements, counts.relevant, counts.not_relevant) == (12, 2, 4, 2, 2)
    assert (counts.ties_dropped, counts.answer_votes, counts.answer_helpful) == (1, 2, 1)
    assert "live index" in (tmp_path / "beir" / "README.md").read_text(encoding="utf-8")


def test_min_votes_leaves_out_thinly_judged_results() -> None:
    records = [vote(target="A"), vote(target="A"), vote(target="B")]
    dataset, counts = build_dataset(records, min_votes=2)
    assert dataset.qrels == {query_id("search", "shampoo without sulfates"): {"A": 2}}
    assert counts.below_min_votes == 1


def test_cli_exports_the_stored_feedback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conseil.api.cli import app
    from typer.testing import CliRunner

    data = tmp_path / "data"
    monkeypatch.setenv("CONSEIL_DATA_DIR", str(data))
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", "feedback"])
    assert missing.exit_code == 1 and "No feedback yet" in missing.output
    store = FeedbackStore(data)
    for helpful in (True, True, False):
        store.append(vote(helpful=helpful))
    result = runner.invoke(app, ["eval", "feedback", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "judged queries: 1; judgements: 1 (1 helpful, 0 not helpful)" in result.output
    assert load(tmp_path / "out").qrels == {query_id("search", "shampoo without sulfates"): {"DEMO-055": 2}}
    default = runner.invoke(app, ["eval", "feedback", "--min-votes", "4"])
    assert default.exit_code == 0 and "below --min-votes: 1" in default.output
    assert (data / "feedback" / "beir" / "qrels" / "test.tsv").exists()


# -- the ranking experiment's parts (eval/feedback_eval.py) -------------------------------------------

def test_boost_lifts_only_net_positive_products_and_keeps_the_engine_order_otherwise() -> None:
    from conseil.eval.feedback_eval import boost, hit, ndcg, net_votes

    records = [vote(target="C"), vote(target="C"), vote(target="D"), vote(target="B", helpful=False),
               vote(query="Shampoo without sulfates ", target="D"), vote(target="E"), vote(target="E", helpful=False),
               vote(kind="study", role="analyst", target="A#1")]
    net = net_votes(records)["shampoo without sulfates"]
    assert dict(net) == {"C": 2, "D": 2, "B": -1, "E": 0}
    assert boost(["A", "B", "C", "D", "E"], net) == ["C", "D", "A", "B", "E"]
    assert boost(["A", "B"], {}) == ["A", "B"]
    judged = {"C": 2, "A": 1, "B": 0}
    assert ndcg(["C", "A", "B"], judged) == pytest.approx(1.0)
    assert ndcg(["B", "A", "C"], judged) < ndcg(["A", "C", "B"], judged) < 1.0
    assert (hit(["B", "X"], judged), hit(["X", "A"], judged), ndcg(["A"], {"B": 0})) == (0.0, 1.0, 0.0)
