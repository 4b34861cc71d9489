"""ONNX Runtime query embedding: parity with sentence-transformers, export cache, routing by call size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conseil.search.embedder import RoutedBackend, load_embedder, resolve_model_reference
from conseil.search.settings import Settings

REPO = Path(__file__).resolve().parents[1]


class Counting:
    def __init__(self, label: float) -> None:
        self.label = label
        self.calls: list[int] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return [[self.label] for _ in texts]


def test_small_calls_go_to_the_fast_runtime_and_bulk_is_built_only_when_needed() -> None:
    small, bulk = Counting(1.0), Counting(2.0)
    built: list[int] = []

    def factory() -> Counting:
        built.append(1)
        return bulk

    routed = RoutedBackend(small, factory, max_small=4)
    assert routed.embed(["q"]) == [[1.0]]
    assert routed.embed(["a"] * 4) == [[1.0]] * 4
    assert built == []  # a search-only process never loads the bulk runtime (torch)
    assert routed.embed(["d"] * 5) == [[2.0]] * 5
    routed.embed(["d"] * 9)
    assert built == [1] and bulk.calls == [5, 9] and small.calls == [1, 4]


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
    from conseil.search.embedder import SentenceTransformerBackend
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
    OnnxBackend(model_dir, cache_dir=tmp_path)
    assert list(tmp_path.glob("*.onnx")) == graphs


@pytest.mark.model
def test_load_embedder_routes_the_bundled_model_through_onnx(tmp_path: Path) -> None:
    from conseil.search.onnx_embedder import OnnxBackend

    embedder = load_embedder(Settings(data_dir=tmp_path, onnx_cache_dir=tmp_path / "onnx"))
    assert isinstance(embedder.backend, RoutedBackend) and isinstance(embedder.backend.small, OnnxBackend)
    assert len(embedder.embed_query("sérum sans parabènes")) == embedder.dimension == 384
    torch_only = load_embedder(Settings(data_dir=tmp_path, embedding_runtime="torch"))
    assert not isinstance(torch_only.backend, RoutedBackend)
