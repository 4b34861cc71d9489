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
