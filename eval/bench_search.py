"""Search benchmark on the full product catalog, with the pipeline a user would build beside it.

Needs an index of the real Sephora export (`conseil ingest products ../shared/data/sephora-products/
product_info.csv`) under CONSEIL_DATA_DIR. For the same 210 queries (7 languages; `--languages`
chooses others, Greek included) it prints:

  * p50/p95/p99 latency of `ProductSearch.search`, with the query embedding (with and without facets)
    and with it cached;
  * recall@10 of the filtered HNSW search against exact (brute-force) search, dense and hybrid;
  * violations: returned products whose ingredient list contains an excluded family (target 0);
  * the baseline: llama-index `VectorStoreIndex` over `QdrantVectorStore` (qdrant-client local
    mode), same model and vectors, `MetadataFilters` NIN on the ingredient names a user would
    list; its latency, violations, and the ratio to Conseil;
  * with `--languages`, per language: the wall and CPU time of a whole search (parse, gloss,
    embedding, filtered hybrid query, facets) and of the interpretation alone, the languages'
    queries interleaved and repeated so that a changing machine load falls on each alike. CPU time
    per query (time.process_time, every thread of the process) is the figure load disturbs least.

    python -m conseil.eval.bench_search [--skip-baseline] [--json] [--languages en el [--repeat 5]]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any, Literal

from conseil.search.embedder import Embedder
from conseil.search.engines import Engines
from conseil.search.index.contract import HybridQuery
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch, retrieval_text
from conseil.search.products.filters import build_filter
from conseil.search.settings import Settings

from .product_queries import BENCH_LANGUAGES, LANGUAGES, BenchQuery, product_queries

SEPHORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sephora-products" / "product_info.csv"

def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "mean": round(statistics.fmean(ordered), 2)}


def violations(ingredients_raw: list[str | None], families: tuple[str, ...], kb: IngredientKnowledge) -> int:
    """Products whose own ingredient list contains an excluded family (ground truth, not the payload)."""
    return sum(1 for raw in ingredients_raw if set(families) & analyze(raw, kb).families)


class CachedEmbedder(Embedder):
    """Query vectors computed ahead of time: isolates the engine's own latency."""

    def __init__(self, inner: Embedder, texts: list[str]) -> None:
        super().__init__(inner.backend, name=inner.name, dimension=inner.dimension)
        self.cache = {t: inner.embed_query(t) for t in texts}
        self.inner = inner

    def embed_query(self, text: str) -> list[float]:
        return self.cache.get(text) or self.inner.embed_query(text)


def bench_conseil(engine: ProductSearch, queries: list[BenchQuery]) -> dict[str, Any]:
    kb = engine.kb
    for q in queries[:5]:
        engine.search(SearchRequest(query=q.text))  # warm-up
    full: list[float] = []
    bad = 0
    interpreted_ok = 0
    semantic_texts = []
    for q in queries:
        began = time.perf_counter()
        response = engine.search(SearchRequest(query=q.text, limit=10))
        full.append((time.perf_counter() - began) * 1000)
        raws = [engine.index.retrieve([_pid(h.source, h.id)])[0].payload.get("ingredients_raw") for h in response.hits]
        bad += violations(raws, q.exclude_families, kb)
        got = response.interpretation.constraints
        interpreted_ok += set(q.exclude_families) <= set(got["exclude_families"]) and \
            set(q.skin_types) <= set(got["skin_types"])
        semantic_texts.append(retrieval_text(engine.interpret(SearchRequest(query=q.text))))

    # The first page without facets (a page asks for them beside it: POST /v1/search/products/facets).
    full_no_facets: list[float] = []
    for q in queries:
        began = time.perf_counter()
        engine.search(SearchRequest(query=q.text, limit=10, facets=False))
        full_no_facets.append((time.perf_counter() - began) * 1000)

    real = engine.embedder
    engine.embedder = CachedEmbedder(real, semantic_texts)
    cached: list[float] = []
    no_facets: list[float] = []
    try:
        for q in queries:
            began = time.perf_counter()
            engine.search(SearchRequest(query=q.text, limit=10))
            cached.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            engine.search(SearchRequest(query=q.text, limit=10, facets=False))
            no_facets.append((time.perf_counter() - began) * 1000)
        recall = filtered_recall(engine, queries)
        recall.update(ranking_quality(engine, queries))
    finally:
        engine.embedder = real
    return {"latency_ms_with_embedding": percentiles(full),
            "latency_ms_with_embedding_no_facets": percentiles(full_no_facets),
            "latency_ms_cached_embedding": percentiles(cached),
            "latency_ms_cached_embedding_no_facets": percentiles(no_facets),
            "violations": bad, "interpretation_accuracy": round(interpreted_ok / len(queries), 3), **recall}


def filtered_recall(engine: ProductSearch, queries: list[BenchQuery]) -> dict[str, float]:
    """Top-10 of the HNSW search vs brute force, same filter: the engine settings' recall."""
    dense_hits = hybrid_hits = total = 0
    for q in queries:
        interp = engine.interpret(SearchRequest(query=q.text))
        flt = build_filter(interp.constraints)
        text = retrieval_text(interp)
        vector = engine.embedder.embed_query(text)
        sparse = engine.bm25.query(text)
        for mode, sp in (("dense", None), ("hybrid", sparse)):
            approx = {h.id for h in engine.index.query(HybridQuery(dense=vector, sparse=sp, filter=flt, limit=10,
                                                                  with_payload=False))}
            exact = {h.id for h in engine.index.query(HybridQuery(dense=vector, sparse=sp, filter=flt, limit=10,
                                                                 exact=True, with_payload=False))}
            found = len(approx & exact)
            if mode == "dense":
                dense_hits += found
                total += len(exact)
            else:
                hybrid_hits += found
    return {"recall_at_10_dense_vs_exact": round(dense_hits / max(total, 1), 4),
            "recall_at_10_hybrid_vs_exact": round(hybrid_hits / max(total, 1), 4)}


def ranking_quality(engine: ProductSearch, queries: list[BenchQuery]) -> dict[str, float]:
    """A relevance proxy for choosing the fusion: with the category filter removed, the share of
    the top 10 that is of the product type asked for ("champú sin sulfatos" -> shampoos)."""
    from dataclasses import replace

    configs: dict[str, tuple[str, Literal["rrf", "dbsf"]]] = {"hybrid_rrf": ("hybrid", "rrf"), "hybrid_dbsf": ("hybrid", "dbsf"), "dense": ("dense", "rrf"),
               "bm25": ("bm25", "rrf")}
    scores = {name: 0.0 for name in configs}
    for q in queries:
        interp = engine.interpret(SearchRequest(query=q.text))
        flt = build_filter(replace(interp.constraints, categories=()))
        text = retrieval_text(interp)
        vector, sparse = engine.embedder.embed_query(text), engine.bm25.query(text)
        for name, (mode, fusion) in configs.items():
            hits = engine.index.query(HybridQuery(
                dense=None if mode == "bm25" else vector, sparse=None if mode == "dense" else sparse,
                filter=flt, limit=10, fusion=fusion, with_payload=["category"]))
            if hits:
                scores[name] += sum(q.category in h.payload.get("category", []) for h in hits) / len(hits)
    return {f"type_precision_at_10_{name}": round(total / len(queries), 4) for name, total in scores.items()}


def bench_languages(engine: ProductSearch, queries: list[BenchQuery], repeat: int) -> dict[str, Any]:
    """Per language: wall and CPU milliseconds of a whole search and of its interpretation alone."""
    by_language: dict[str, list[BenchQuery]] = {}
    for q in queries:
        by_language.setdefault(q.language, []).append(q)
    # en0, el0, en1, el1, ...: neighbours in time are of different languages
    order = [q for group in itertools.zip_longest(*by_language.values()) for q in group if q is not None]
    times: dict[str, dict[str, list[float]]] = {
        lang: {"wall": [], "cpu": [], "interpret_cpu": []} for lang in by_language}
    for _ in range(repeat):
        for q in order:
            request = SearchRequest(query=q.text, limit=10)
            wall, cpu = time.perf_counter(), time.process_time()
            engine.search(request)
            times[q.language]["wall"].append((time.perf_counter() - wall) * 1000)
            times[q.language]["cpu"].append((time.process_time() - cpu) * 1000)
            cpu = time.process_time()
            retrieval_text(engine.interpret(request))
            times[q.language]["interpret_cpu"].append((time.process_time() - cpu) * 1000)
    return {lang: {"queries": len(by_language[lang]), "searches": len(t["wall"]),
                   "wall_ms": percentiles(t["wall"]), "cpu_ms_per_search": round(statistics.fmean(t["cpu"]), 2),
                   "cpu_ms_per_interpretation": round(statistics.fmean(t["interpret_cpu"]), 3)}
            for lang, t in times.items()}


def _pid(source: str, product_id: str) -> str:
    from conseil.search.index.schema import point_id

    return point_id(source, product_id)


def bench_baseline(engine: ProductSearch, queries: list[BenchQuery]) -> dict[str, Any]:
    """llama-index VectorStoreIndex over QdrantVectorStore in qdrant-client local mode (eval/baseline.py)."""
    from .baseline import Baseline

    kb = engine.kb
    baseline = Baseline.build(engine, SEPHORA)
    latencies: list[float] = []
    bad = 0
    worst: dict[str, Any] = {}
    for q in queries:
        results, took = baseline.retrieve(q.text, q.exclude_families, top_k=10)
        latencies.append(took)
        count = violations([r.ingredients_raw for r in results], q.exclude_families, kb)
        bad += count
        if count > worst.get("violating", -1):
            worst = {"query": q.text, "violating": count, "of": len(results)}
    return {"latency_ms": percentiles(latencies), "violations": bad, "worst_query": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--languages", nargs="+", choices=LANGUAGES, metavar="LANG",
                        help=f"the query languages (default: {' '.join(BENCH_LANGUAGES)}), and a per-language "
                             f"section; one of {', '.join(LANGUAGES)}")
    parser.add_argument("--repeat", type=int, default=3, help="passes of the per-language section (default 3)")
    args = parser.parse_args()
    queries = product_queries(tuple(args.languages) if args.languages else BENCH_LANGUAGES)
    with Engines.open(Settings(), need=["products"]) as engines:
        engine = engines.product_engine()
        figures: dict[str, Any] = {"queries": len(queries), "products_indexed": engine.index.count(),
                                   "conseil": bench_conseil(engine, queries)}
        if args.languages:
            figures["per_language"] = bench_languages(engine, queries, max(1, args.repeat))
            figures["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
        if not args.skip_baseline:
            figures["baseline_llamaindex_qdrant_local"] = bench_baseline(engine, queries)
            base = figures["baseline_llamaindex_qdrant_local"]["latency_ms"]["p50"]
            ours = figures["conseil"]["latency_ms_with_embedding"]["p50"]
            figures["p50_ratio_baseline_over_conseil"] = round(base / ours, 1)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if not args.json:
        print("targets: p50 with embedding <= 5 ms without facets, <= 8 ms with them; recall@10 >= 0.99; "
              "violations 0. Before ONNX query embedding (issue 16, load ~1.5): 28.1 ms with facets, "
              "baseline ratio 8.2x")


if __name__ == "__main__":
    main()
