"""ONNX Runtime embedding: parity with sentence-transformers, export cache, runtime selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conseil.search.embedder import SentenceTransformerBackend, load_embedder, resolve_model_reference
from conseil.search.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def real_texts() -> list[str]:
    """A few hundred real texts: the 210 benchmark queries (7 languages), the studies questions and
    the demo catalogue's dense product texts (long: names, descriptions, ingredient lists)."""
    from conseil.eval.product_queries import product_queries
    from conseil.ingest.products import _document
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.base import IngredientKnowledge

    queries = [q.text for q in product_queries()]
    lines = (REPO / "eval" / "studies_qrels" / "queries.jsonl").read_text().splitlines()
    questions = [json.loads(line)["text"] for line in lines if line.strip()]
    kb = IngredientKnowledge.load()
    products = [_document(r, kb, "", "").dense_text
                for r in read_products(REPO / "corpora" / "demo" / "products.jsonl").records]
    return queries + questions + products


@pytest.mark.model
@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(tmp_path: Path) -> None:
    import numpy as np
    from conseil.search.onnx_embedder import OnnxBackend

    model_dir = Path(resolve_model_reference("all-MiniLM-L6-v2"))
    texts = real_texts()
    assert len(texts) >= 300
    onnx = OnnxBackend(model_dir, cache_dir=tmp_path)
    reference = np.array(SentenceTransformerBackend(str(model_dir), "cpu").embed(texts))
    one_by_one = np.array([onnx.embed([t])[0] for t in texts[:50]])  # the query path: unpadded
    batched = np.array(onnx.embed(texts))  # the bulk path: padded within length-sorted batches
    assert (batched * reference).sum(axis=1).min() >= 0.9999
    assert (one_by_one * reference[:50]).sum(axis=1).min() >= 0.9999
    # The export is cached by weights fingerprint: a second backend reuses the same graph file.
    graphs = list(tmp_path.glob("*.onnx"))
    assert len(graphs) == 1
    # The cached graph is the fused one (a changed export pattern would silently lose the fusions).
    import onnx

    ops = {node.op_type for node in onnx.load(str(graphs[0])).graph.node}
    assert {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization"} <= ops, sorted(ops)
    OnnxBackend(model_dir, cache_dir=tmp_path)
    assert list(tmp_path.glob("*.onnx")) == graphs


@pytest.mark.model
def test_load_embedder_runs_the_bundled_model_on_onnx_unless_told_otherwise(tmp_path: Path) -> None:
    import numpy as np
    from conseil.search.onnx_embedder import OnnxBackend

    embedder = load_embedder(Settings(data_dir=tmp_path, onnx_cache_dir=tmp_path / "onnx"))
    assert isinstance(embedder.backend, OnnxBackend)
    torch_only = load_embedder(Settings(data_dir=tmp_path, embedding_runtime="torch"))
    assert isinstance(torch_only.backend, SentenceTransformerBackend)
    query = "sérum sans parabènes"
    assert len(embedder.embed_query(query)) == embedder.dimension == torch_only.dimension == 384
    assert float(np.dot(embedder.embed_query(query), torch_only.embed_query(query))) >= 0.9999


def test_length_chunks_cap_padding_and_size_and_keep_every_text_once() -> None:
    from conseil.search.onnx_embedder import MIN_CHUNK, PAD_LIMIT, length_chunks

    lengths = [5, 5, 6, 6, 7, 12, 13, 14, 15, 30, 31, 200]
    order = [11 - i for i in range(len(lengths))]  # texts' own indices, in any order
    chunks = length_chunks(order, lengths, most=8)
    assert [i for chunk in chunks for i in chunk] == order, "every text once, in the sorted order"
    assert all(len(chunk) <= 8 for chunk in chunks)
    by_index = dict(zip(order, lengths, strict=True))
    for chunk in chunks:
        sizes = [by_index[i] for i in chunk]
        assert len(chunk) <= MIN_CHUNK or max(sizes) * len(sizes) <= PAD_LIMIT * sum(sizes), sizes
    assert [len(c) for c in chunks] == [5, 4, 3], "cut where the next text would pad too much"
    assert [len(c) for c in length_chunks(list(range(20)), [9] * 20, most=8)] == [8, 8, 4], "equal lengths: by size"
    assert length_chunks([], [], most=8) == []


def test_bulk_settings_use_every_core_unless_threads_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from conseil.search.embedder import bulk_settings

    monkeypatch.delenv("CONSEIL_EMBEDDING_THREADS", raising=False)
    default = Settings()
    assert default.embedding_threads == 1  # the server's and the studies' default is unchanged
    assert bulk_settings(default).embedding_threads == 0
    assert bulk_settings(default).embedding_model == default.embedding_model
    assert bulk_settings(Settings(embedding_threads=1)).embedding_threads == 1
    monkeypatch.setenv("CONSEIL_EMBEDDING_THREADS", "1")
    assert bulk_settings(Settings()).embedding_threads == 1


@pytest.mark.index
def test_cli_product_ingest_embeds_with_the_bulk_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import fake_embedder
    from conseil.api.cli import _run_product_ingest, demo_catalog_path
    from conseil.search import embedder

    monkeypatch.delenv("CONSEIL_EMBEDDING_THREADS", raising=False)
    seen: list[int] = []

    def record(settings: Settings, collection: str | None = None) -> embedder.Embedder:
        seen.append(settings.embedding_threads)
        return fake_embedder()

    monkeypatch.setattr(embedder, "load_embedder", record)
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test")
    _run_product_ingest(settings, demo_catalog_path(), "auto", None, "demo", False, True)
    assert seen == [0]
