"""Issue 18.2 and 18.4 at unit level: one bad text fails only its own request; request models refuse
unknown fields and text that is not text (422 with the field named). Pure Python, no index, no model."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conseil.api.batching import QueryBatcher
from conseil.search.answers.contract import AskRequest
from conseil.search.products.contract import SearchRequest
from conseil.search.request_text import MAX_ITEM_CHARS, MAX_LIST_ITEMS, check_text
from conseil.search.studies.contract import StudySearchRequest
from pydantic import ValidationError


def test_one_failing_text_fails_only_its_caller_in_a_shared_batch() -> None:
    gate = threading.Event()
    calls: list[list[str]] = []

    def embed_many(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        gate.wait(timeout=30)  # the first call holds the model while the others queue
        if any("\ud800" in t for t in texts):
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return [[float(len(t))] for t in texts]

    batcher = QueryBatcher(embed_many)
    texts = ["first"] + [f"serum {n}" for n in range(10)] + ["x \ud800"] + [f"cream {n}" for n in range(10)]
    try:
        with ThreadPoolExecutor(len(texts)) as pool:
            futures = {t: pool.submit(batcher.embed, t) for t in texts}
            while not calls:
                threading.Event().wait(0.01)
            threading.Event().wait(0.2)  # let the others queue behind the first call
            gate.set()
            outcomes = {t: (f.exception(timeout=30) or f.result()) for t, f in futures.items()}
    finally:
        batcher.close()
    assert isinstance(outcomes.pop("x \ud800"), UnicodeEncodeError)
    assert outcomes == {t: [float(len(t))] for t in outcomes}  # every other caller got its own vector
    assert any(len(c) > 1 for c in calls)  # they did share a batch with the bad text


@pytest.mark.parametrize("text, message", [
    ("x \ud800", "lone UTF-16 surrogate U+D800 at character 3"),
    ("serum\x00", "control character U+0000 at character 6"),
    ("a\x1bb", "control character U+001B"),
    ("\x85", "control character U+0085"),
])
def test_text_that_is_not_text_is_refused_with_where(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check_text(text)


def test_ordinary_text_passes_unchanged() -> None:
    for text in ("crème sans silicones", "krem bez parabenów\n", "serum\twith tabs", "日本語 ✓ 🙂"):
        assert check_text(text) == text


@pytest.mark.parametrize("model, body, field", [
    (SearchRequest, {"query": "moisturizer", "exclude_families": ["parabens"]}, "exclude_families"),
    (StudySearchRequest, {"query": "sensitive skin", "years": [2020]}, "years"),
    (AskRequest, {"question": "retinol?", "domain": "studies"}, "domain"),
])
def test_unknown_fields_are_refused_not_ignored(model: type, body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    assert [e["loc"] for e in caught.value.errors()] == [(field,)]
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("model, body, loc", [
    (SearchRequest, {"query": "x \ud800"}, ("query",)),
    (SearchRequest, {"exclude": ["parabens", "sili\x00cones"]}, ("exclude", 1)),
    (SearchRequest, {"brand": ["b" * (MAX_ITEM_CHARS + 1)]}, ("brand", 0)),
    (SearchRequest, {"category": ["c"] * (MAX_LIST_ITEMS + 1)}, ("category",)),
    (StudySearchRequest, {"query": "x \ud800"}, ("query",)),
    (StudySearchRequest, {"query": "q" * 20_000}, ("query",)),
    (StudySearchRequest, {"market": ["FR\x07"]}, ("market", 0)),
    (AskRequest, {"question": "retinol \udfff?"}, ("question",)),
])
def test_every_text_field_is_checked(model: type, body: dict[str, object], loc: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    assert [e["loc"] for e in caught.value.errors()] == [loc]


def test_an_oversized_row_is_rejected_with_its_field_and_the_rest_ingested(tmp_path: Path) -> None:
    from conseil.ingest.limits import MAX_FIELD_CHARS
    from conseil.ingest.sources import read_products

    path = tmp_path / "catalog.csv"
    huge = "Aqua, " * (MAX_FIELD_CHARS // 5)
    path.write_text("product_id,name,brand,ingredients\nP1,Good serum,B,\"Aqua, Glycerin\"\n"
                    f"P2,Huge serum,B,\"{huge}\"\nP3,Other serum,B,Aqua\n", encoding="utf-8")
    read = read_products(path, "generic")
    assert [r.product_id for r in read.records] == ["P1", "P3"]
    assert len(read.rejects) == 1 and read.rejects[0].row == 2 and read.rejects[0].field == "ingredients"
    assert "the limit is 20,000 per field" in read.rejects[0].reason
