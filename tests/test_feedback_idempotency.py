"""Issue 18.8: a client retrying a vote after a lost answer stores it once (Idempotency-Key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_support import auth, make_app
from conseil.api.auth import Role
from conseil.search.feedback import FeedbackStore, new_record
from fastapi.testclient import TestClient

VOTE = {"kind": "search", "query": "serum without parabens", "target_id": "DEMO-001", "helpful": True}


def test_a_retried_vote_is_stored_once_even_after_a_restart(tmp_path: Path) -> None:
    def vote(key: str | None, name: str = "alice") -> str:
        return FeedbackStore(tmp_path).append(new_record(role="advisor", key_name=name, kind="search", query="q",
                                                         target_id="P1", helpful=True, idempotency_key=key)).id

    first = vote("retry-1")
    assert vote("retry-1") == first  # a new store object: the keys are read back from the file
    assert vote("retry-1", name="bob") != first  # keys are per API key
    assert vote(None) != vote(None)  # without a key, every vote counts
    assert len(FeedbackStore(tmp_path).read()) == 4


@pytest.mark.index
def test_the_http_route_answers_the_first_id_to_a_retry(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path / "empty", static_dir=None)) as client:
        headers = {**auth(Role.ADVISOR), "Idempotency-Key": "vote-7f3a"}
        first = client.post("/v1/feedback", headers=headers, json=VOTE)
        again = client.post("/v1/feedback", headers=headers, json=VOTE)
        assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
        assert client.post("/v1/feedback", headers={**headers, "Idempotency-Key": "bad key!"},
                           json=VOTE).status_code == 422
    assert len(FeedbackStore(tmp_path / "empty").read()) == 1
