"""Embedding runtimes side by side: ONNX Runtime against sentence-transformers, same model, same texts.

Prints, for the bundled all-MiniLM-L6-v2:

  * query latency (p50/p99, ms) of one short query per call, the search path's case, per runtime
    and ONNX Runtime thread count;
  * bulk rate (texts/s) on the real catalogue's dense texts (what ingestion embeds), both runtimes
    batched by `batch_size` and sorted by length;
  * parity: min and mean cosine between the two runtimes' vectors over those texts (and the queries).

    python -m conseil.eval.bench_embed [--catalog PATH] [--limit 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from .bench_search import SEPHORA
from .product_queries import product_queries


def catalogue_texts(path: Path, limit: int) -> list[str]:
    from conseil.ingest.products import _document
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.base import IngredientKnowledge

    kb = IngredientKnowledge.load()
    return [_document(r, kb, "", "").dense_text for r in read_products(path).records[:limit]]


def latencies_ms(embed: Any, queries: list[str], rounds: int = 3) -> dict[str, float]:
    embed(queries[:5])
    times = []
    for _ in range(rounds):
        for q in queries:
            began = time.perf_counter()
            embed([q])
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {"p50": round(times[len(times) // 2], 2), "p99": round(times[int(0.99 * len(times))], 2)}


def bulk_rate(embed: Any, texts: list[str]) -> tuple[float, list[list[float]]]:
    embed(texts[:64])
    began = time.perf_counter()
    vectors = embed(texts)
    return round(len(texts) / (time.perf_counter() - began), 1), vectors


def cosines(a: list[list[float]], b: list[list[float]]) -> dict[str, float]:
    values = [sum(x * y for x, y in zip(u, v, strict=True)) for u, v in zip(a, b, strict=True)]
    return {"min": round(min(values), 6), "mean": round(statistics.fmean(values), 6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=SEPHORA)
    parser.add_argument("--limit", type=int, default=2000, help="catalogue texts for the bulk rate")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from conseil.search.embedder import SentenceTransformerBackend, resolve_model_reference
    from conseil.search.onnx_embedder import OnnxBackend
    from conseil.search.settings import Settings

    settings = Settings()
    model_dir = Path(resolve_model_reference(settings.embedding_model))
    queries = [q.text for q in product_queries()]
    texts = catalogue_texts(args.catalog, args.limit)
    torch_backend = SentenceTransformerBackend(str(model_dir), "cpu", settings.batch_size)
    figures: dict[str, Any] = {"queries": len(queries), "bulk_texts": len(texts), "query_ms": {}, "bulk_texts_per_s": {}}
    figures["query_ms"]["sentence-transformers"] = latencies_ms(torch_backend.embed, queries)
    for threads in (1, 2):
        backend = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, threads=threads,
                              batch_size=settings.batch_size)
        figures["query_ms"][f"onnx {threads} thread(s)"] = latencies_ms(backend.embed, queries)
    onnx_backend = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, batch_size=settings.batch_size)
    rate_torch, torch_vectors = bulk_rate(torch_backend.embed, texts)
    rate_onnx, onnx_vectors = bulk_rate(onnx_backend.embed, texts)
    figures["bulk_texts_per_s"] = {"sentence-transformers": rate_torch, "onnx": rate_onnx}
    figures["parity_catalogue"] = cosines(torch_vectors, onnx_vectors)
    figures["parity_queries"] = cosines(torch_backend.embed(queries), onnx_backend.embed(queries))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"Query embedding, one query per call ({len(queries)} queries x 3), ms:")
    for name, lat in figures["query_ms"].items():
        print(f"  {name:<24} p50 {lat['p50']:>6}  p99 {lat['p99']:>6}")
    print(f"Bulk, {len(texts)} catalogue texts, batch {settings.batch_size}, sorted by length (texts/s):")
    for name, rate in figures["bulk_texts_per_s"].items():
        print(f"  {name:<24} {rate}")
    print(f"Parity (cosine ONNX vs sentence-transformers): catalogue {figures['parity_catalogue']}, "
          f"queries {figures['parity_queries']}")


if __name__ == "__main__":
    main()
