"""Moving an index without re-embedding: export -> import and direct copy on the real Qdrant Edge
engine, over the demo catalog (fake embedder); resume, corruption and model mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.ingest.products import ingest_products
from conseil.ingest.transfer import (
    CHECKPOINT,
    MANIFEST,
    copy_collection,
    export_collection,
    import_collection,
)
from conseil.search.errors import ConfigurationError, IndexSchemaError, SourceError, VectorIndexError
from conseil.search.index.contract import IndexPoint
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings

pytestmark = pytest.mark.index

QUERIES = ["shampoo without sulfates", "moisturizer without parabens or fragrance for dry skin",
           "serum with niacinamide", "sunscreen under $30", "crème sans silicones"]


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, kb: IngredientKnowledge) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("source") / "data", embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    return settings


@pytest.fixture(scope="module")
def exported(source: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "products"
    export_collection(source, "products", directory, batch=7)  # small batches: many files to resume over
    return directory


def _points(settings: Settings) -> dict[str, IndexPoint]:
    with open_index(settings, products_schema(32), create=False) as index:
        return {p.id: p for batch in index.export_points(50) for p in batch}


def _results(settings: Settings, kb: IngredientKnowledge) -> list[list[tuple[str, float]]]:
    """Per query and mode, every matching product with its score. Limit 100 covers the whole demo
    catalog, so ties at a cut-off cannot differ; equal scores are ordered by id (the engine breaks
    ties by internal offset). Hybrid RRF scores depend on how the prefetches broke their own ties,
    so for hybrid only the set of products is compared."""
    with open_index(settings, products_schema(32), create=False) as index:
        engine = ProductSearch(index, fake_embedder(), kb)
        results = []
        for query in QUERIES:
            for mode in ("dense", "bm25", "hybrid"):
                hits = engine.search(SearchRequest(query=query, mode=mode, limit=100)).hits
                if mode == "hybrid":
                    results.append(sorted((h.id, 0.0) for h in hits))
                else:
                    results.append(sorted(((h.id, round(h.score, 5)) for h in hits), key=lambda h: (-h[1], h[0])))
        return results


def _assert_same_index(a: Settings, b: Settings, kb: IngredientKnowledge) -> None:
    left, right = _points(a), _points(b)
    assert left.keys() == right.keys() and len(left) > 20
    for pid, point in left.items():
        other = right[pid]
        assert other.payload == point.payload
        np.testing.assert_allclose(other.dense, point.dense, atol=1e-6)
        assert other.sparse.indices == point.sparse.indices
        np.testing.assert_allclose(other.sparse.values, point.sparse.values, rtol=1e-6)
    assert _results(a, kb) == _results(b, kb)
    assert any(_results(a, kb)), "the queries must return something for the comparison to mean anything"


def test_manifest_describes_the_export(exported: Path, source: Settings) -> None:
    manifest = json.loads((exported / MANIFEST).read_text())
    held = len(_points(source))
    assert manifest["count"] == held == sum(b["count"] for b in manifest["batches"])
    assert manifest["model"] == "hash-test" and manifest["dense_size"] == 32
    assert len(manifest["batches"]) == -(-held // 7)
    assert manifest["schema"]["payload_indexes"]["families"] == "keyword"


def test_export_then_import_gives_the_same_index(exported: Path, source: Settings, tmp_path: Path,
                                                 kb: IngredientKnowledge) -> None:
    target = Settings(data_dir=tmp_path / "target", embedding_model="hash-test")
    report = import_collection(target, exported)
    assert report.total == report.points == len(_points(source)) and report.resumed_from_batch == 0
    assert not (exported / CHECKPOINT).exists()
    _assert_same_index(source, target, kb)


def test_interrupted_import_resumes_at_the_next_batch(exported: Path, source: Settings, tmp_path: Path,
                                                      kb: IngredientKnowledge) -> None:
    target = Settings(data_dir=tmp_path / "target", embedding_model="hash-test")
    calls = 0

    def crash_after_three(stage: str, done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # as if the operator pressed ^C after batch 3

    with pytest.raises(KeyboardInterrupt):
        import_collection(target, exported, progress=crash_after_three)
    assert (exported / CHECKPOINT).exists()
    with open_index(target, products_schema(32), create=False) as index:
        assert index.count() == 21  # three batches of 7

    report = import_collection(target, exported)
    assert report.resumed_from_batch == 3
    assert report.points == report.total - 21
    assert not (exported / CHECKPOINT).exists()
    _assert_same_index(source, target, kb)  # same count: nothing duplicated


def test_import_into_a_non_empty_collection_is_refused(exported: Path, source: Settings) -> None:
    with pytest.raises(ConfigurationError, match="already holds"):
        import_collection(source, exported)


def test_corrupted_batch_file_names_the_file(exported: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in exported.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    victim = broken / "batch-000002.npz"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    target = Settings(data_dir=tmp_path / "target", embedding_model="hash-test")
    with pytest.raises(SourceError, match="batch-000002.npz"):
        import_collection(target, broken)

    # Without the checksum to catch it, a damaged file still fails with its name, not a traceback.
    manifest = json.loads((broken / MANIFEST).read_text())
    manifest["batches"][2]["sha256"] = None
    (broken / MANIFEST).write_text(json.dumps(manifest))
    victim.write_bytes(b"not a zip at all")
    with pytest.raises(SourceError, match="batch-000002.npz"):
        import_collection(target, broken)


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    target = Settings(data_dir=tmp_path / "target", embedding_model="hash-test")
    with pytest.raises(SourceError, match="manifest.json"):
        import_collection(target, tmp_path)


def test_model_mismatch_is_refused(exported: Path, tmp_path: Path, source: Settings) -> None:
    other = Settings(data_dir=tmp_path / "target", embedding_model="another-model")
    with pytest.raises(ConfigurationError, match="hash-test"):
        import_collection(other, exported)
    # A target collection already built with another model is refused by the backend itself.
    target = Settings(data_dir=tmp_path / "target2", embedding_model="hash-test")
    meta = target.index_dir / "products" / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"schema_version": 1, "model": "another-model", "dense_size": 32}))
    with pytest.raises(IndexSchemaError, match="another-model"):
        import_collection(target, exported)


def test_export_refuses_a_non_empty_directory(source: Settings, exported: Path) -> None:
    with pytest.raises(ConfigurationError, match="not empty"):
        export_collection(source, "products", exported)


def test_copy_between_embedded_data_dirs(source: Settings, tmp_path: Path, kb: IngredientKnowledge) -> None:
    target = Settings(data_dir=tmp_path / "copy", embedding_model="hash-test")
    report = copy_collection(source, target, "products", batch=9)
    assert report.total == report.points == len(_points(source))
    _assert_same_index(source, target, kb)
    again = copy_collection(source, target, "products")  # idempotent: overwrites by id
    assert again.total == report.total
    with pytest.raises(ConfigurationError, match="same index"):
        copy_collection(source, source, "products")


def test_copy_count_mismatch_is_reported(source: Settings, tmp_path: Path) -> None:
    target = Settings(data_dir=tmp_path / "copy", embedding_model="hash-test")
    copy_collection(source, target, "products")
    with open_index(target, products_schema(32), create=False) as index:
        index.upsert([IndexPoint(id="00000000-0000-0000-0000-000000000001", dense=[1.0] + [0.0] * 31,
                                 sparse=_points(source).popitem()[1].sparse, payload={})])
    with pytest.raises(VectorIndexError, match="expected"):
        copy_collection(source, target, "products")


def test_copy_to_a_server_and_back(source: Settings, tmp_path: Path, kb: IngredientKnowledge) -> None:
    """Embedded -> server -> embedded, through the server backend's code path (qdrant-client's
    in-process local mode stands in for the server; the real-server run is test_parallel_ingest's)."""
    server = Settings(data_dir=tmp_path / "server", embedding_model="hash-test", qdrant_url="local")
    there = copy_collection(source, server, "products", batch=11)
    assert there.total == len(_points(source)) and there.target.startswith("qdrant server")
    _assert_same_index(source, server, kb)

    back = Settings(data_dir=tmp_path / "back", embedding_model="hash-test")
    assert copy_collection(server, back, "products").total == there.total
    _assert_same_index(source, back, kb)


def test_import_into_a_server(exported: Path, source: Settings, tmp_path: Path, kb: IngredientKnowledge) -> None:
    server = Settings(data_dir=tmp_path / "server", embedding_model="hash-test", qdrant_url="local")
    assert import_collection(server, exported).total == len(_points(source))
    _assert_same_index(source, server, kb)


def test_cli_export_import_copy(source: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conseil.api.cli import app
    from typer.testing import CliRunner

    runner = CliRunner()
    monkeypatch.setenv("CONSEIL_EMBEDDING_MODEL", "hash-test")
    monkeypatch.delenv("CONSEIL_QDRANT_URL", raising=False)
    monkeypatch.setenv("CONSEIL_DATA_DIR", str(source.data_dir))
    held = len(_points(source))
    done = runner.invoke(app, ["index", "export", "products", str(tmp_path / "dump"), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["points"] == held

    monkeypatch.setenv("CONSEIL_DATA_DIR", str(tmp_path / "imported"))
    done = runner.invoke(app, ["index", "import", str(tmp_path / "dump")])
    assert done.exit_code == 0, done.output
    assert f"holds {held} points" in done.stdout
    done = runner.invoke(app, ["index", "copy", "products", "--to-data-dir", str(tmp_path / "copied"), "--json"])
    assert done.exit_code == 0 and json.loads(done.stdout)["total"] == held, done.output

    refused = runner.invoke(app, ["index", "copy", "products"])
    assert refused.exit_code == 2 and "exactly one target" in refused.output
    refused = runner.invoke(app, ["ingest", "products", str(demo_catalog_path()), "--workers", "2"])
    assert refused.exit_code == 2 and "needs a Qdrant server" in refused.output
