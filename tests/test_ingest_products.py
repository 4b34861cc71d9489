"""Product ingestion end to end on the real Qdrant Edge engine (fake embedder: fast, deterministic)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest.audit_report import list_contradictions
from conseil.ingest.products import ingest_products
from conseil.search.errors import IndexMissingError, SourceError
from conseil.search.index.contract import Filter, MatchAny
from conseil.search.index.store import open_index, products_schema
from conseil.search.settings import Settings


class CountingFactory:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self):  # type: ignore[no-untyped-def]
        self.calls += 1
        return fake_embedder()


def demo_lines() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in demo_catalog_path().read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def payloads(settings: Settings) -> dict[str, dict]:  # type: ignore[type-arg]
    with open_index(settings, products_schema(32), create=False) as index:
        return {h.payload["product_id"]: h.payload for h in index.scroll()}


@pytest.mark.index
def test_first_ingest_then_unchanged_reingest_embeds_nothing(settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "demo.jsonl", demo_lines())
    factory = CountingFactory()
    first = ingest_products(settings, path, embedder_factory=factory)
    assert (first.rows_read, first.new, first.rejected) == (100, 100, 0)
    assert factory.calls == 1
    again = ingest_products(settings, path, embedder_factory=factory)
    assert (again.new, again.changed, again.payload_only, again.unchanged) == (0, 0, 0, 100)
    assert factory.calls == 1, "an unchanged re-ingest must not even load the model"


@pytest.mark.index
def test_changes_are_detected_and_sync_deletes(settings: Settings, tmp_path: Path) -> None:
    rows = demo_lines()
    path = write_jsonl(tmp_path / "demo.jsonl", rows)
    ingest_products(settings, path, embedder_factory=fake_embedder)
    rows[0]["price"] = rows[0]["price"] + 1  # payload only: the texts do not change
    rows[1]["name"] = rows[1]["name"] + " Deluxe"  # re-embedded
    gone = rows.pop(2)
    write_jsonl(path, rows)
    report = ingest_products(settings, path, embedder_factory=fake_embedder, sync=True)
    assert (report.payload_only, report.changed, report.deleted, report.unchanged) == (1, 1, 1, 97)
    stored = payloads(settings)
    assert gone["id"] not in stored and len(stored) == 99
    assert stored[rows[0]["id"]]["price"] == rows[0]["price"]


@pytest.mark.index
def test_without_sync_nothing_is_deleted(settings: Settings, tmp_path: Path) -> None:
    rows = demo_lines()
    path = write_jsonl(tmp_path / "demo.jsonl", rows)
    ingest_products(settings, path, embedder_factory=fake_embedder)
    write_jsonl(path, rows[:10])
    report = ingest_products(settings, path, embedder_factory=fake_embedder)
    assert report.deleted == 0 and len(payloads(settings)) == 100


@pytest.mark.index
def test_bad_rows_are_rejected_with_a_report_and_the_rest_ingested(settings: Settings, tmp_path: Path) -> None:
    rows = demo_lines()[:5]
    rows[1]["name"] = ""
    rows[3]["price"] = "cheap"
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    report = ingest_products(settings, path, embedder_factory=fake_embedder)
    assert report.new == 3 and report.rejected == 2
    assert report.rejects_file is not None
    with open(report.rejects_file, newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [int(r["row"]) for r in lines] == [2, 4]
    assert all(r["reason"] for r in lines)


@pytest.mark.index
def test_unreadable_source_leaves_the_index_untouched(settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "demo.jsonl", demo_lines()[:10])
    ingest_products(settings, path, embedder_factory=fake_embedder)
    before = payloads(settings)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    with pytest.raises(SourceError):
        ingest_products(settings, junk, embedder_factory=fake_embedder, sync=True)
    with pytest.raises(SourceError):
        ingest_products(settings, tmp_path / "missing.csv", embedder_factory=fake_embedder)
    assert payloads(settings) == before


def test_missing_file_never_creates_an_index(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        ingest_products(settings, tmp_path / "missing.csv", embedder_factory=fake_embedder)
    with pytest.raises(IndexMissingError, match="conseil ingest products"):
        payloads(settings)


@pytest.mark.index
def test_payload_carries_canonical_ingredients_and_families(settings: Settings) -> None:
    ingest_products(settings, demo_catalog_path(), embedder_factory=fake_embedder, source="demo")
    stored = payloads(settings)
    paraben_product = stored["DEMO-035"]
    assert "parabens" in paraben_product["families"]
    assert "methylparaben" in paraben_product["ingredients"]
    with open_index(settings, products_schema(32), create=False) as index:
        flt = Filter(must_not=(MatchAny("families", ("parabens",)),))
        assert all("parabens" not in h.payload["families"] for h in index.scroll(flt))


@pytest.mark.index
def test_audit_finds_the_deliberate_contradictions(settings: Settings) -> None:
    ingest_products(settings, demo_catalog_path(), embedder_factory=fake_embedder, source="demo")
    found = {(r["product_id"], r["claim"]) for r in list_contradictions(settings)}
    for expected in [("DEMO-005", "without:fragrance"), ("DEMO-018", "without:fragrance"),
                     ("DEMO-035", "without:parabens"), ("DEMO-046", "without:drying_alcohols"),
                     ("DEMO-053", "without:sulfates"), ("DEMO-057", "without:silicones"),
                     ("DEMO-063", "without:silicones"), ("DEMO-073", "without:mineral_oils"),
                     ("DEMO-087", "without:parabens")]:
        assert expected in found
    # look-alikes are not contradictions: methosulfate is no sulfate, cetearyl alcohol not drying
    assert not {pid for pid, claim in found if claim == "without:sulfates"} & {"DEMO-056", "DEMO-059"}
    assert ("DEMO-017", "without:drying_alcohols") not in found


def test_a_new_knowledge_base_changes_payloads_but_never_what_is_embedded() -> None:
    """Issue 13: re-ingesting after a knowledge-base update refreshes payloads without re-embedding,
    so the embedded text names ingredients as the label writes them, not by their canonical names."""
    from dataclasses import replace as _replace

    from conseil.ingest.documents import build_document
    from conseil.search.index.schema import ProductRecord
    from conseil.search.knowledge.analysis import analyze
    from conseil.search.knowledge.base import IngredientKnowledge

    record = ProductRecord(source="t", product_id="1", name="Day Cream",
                           ingredients_raw="Aqua, Dimeticone, Methyl Hydroxybenzoate, Parfum")
    before = analyze(record.ingredients_raw, IngredientKnowledge.load())
    # the same list as another knowledge base would see it: other canonical names, other families
    after = _replace(before, items=tuple(_replace(i, canonical=f"Renamed {n}", families=frozenset({"x"}))
                                         for n, i in enumerate(before.items)), families=frozenset({"x"}))
    first = build_document(record, before, [], record_hash="h", derivation="kb1")
    second = build_document(record, after, [], record_hash="h", derivation="kb2")
    assert first.embed_hash == second.embed_hash and first.dense_text == second.dense_text
    assert "Dimeticone" in first.dense_text and first.payload != second.payload
