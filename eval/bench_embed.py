"""Embedding runtimes side by side: ONNX Runtime against sentence-transformers, same model, same texts.

Prints, for the bundled all-MiniLM-L6-v2:

  * query latency (p50/p99, ms) of one short query per call, the search path's case, per runtime
    and ONNX Runtime thread count;
  * bulk rate (texts/s) on the real catalogue's dense texts (what ingestion embeds), both runtimes
    batched by `batch_size` and sorted by length, ONNX on the fused and the plain graph (alternated);
  * parity: min and mean cosine between the two runtimes' vectors over those texts (and the queries).

With --query-path, only the search path: one short query per call (the product suite's 210
queries) through each ONNX variant (plain or fused graph, 1 or 2 intra-op threads, spinning off or
on), sequential and from 2 threads at once, interleaved round by round in one process so a shared
machine's load drift hits every variant alike; wall p50/p99, process CPU per query, queries/s and
the parts of one query (tokeniser, arrays, model with and without IO binding, pooling).

    python -m conseil.eval.bench_embed [--catalog PATH] [--limit 2000] [--json]
    python -m conseil.eval.bench_embed --query-path [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
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


# --- The search path: one short query per call, variants interleaved in one process (--query-path) ---

QUERY_VARIANTS = {  # name: (fused graph, intra-op threads, spinning)
    "plain graph, 1 thread": (False, 1, False),
    "fused graph, 1 thread": (True, 1, False),
    "plain graph, 2 threads": (False, 2, False),
    "fused graph, 2 threads": (True, 2, False),
    "fused graph, 1 thread, spinning": (True, 1, True),
    "fused graph, 2 threads, spinning": (True, 2, True),
}


def one_round(embed: Any, queries: list[str], workers: int) -> tuple[list[float], float, float]:
    """Each query embedded alone, by `workers` threads sharing the list: per-call wall times (ms),
    process CPU per query (ms, every thread's) and queries per second."""
    times: list[float] = []

    def work(part: list[str]) -> None:
        local = []
        for q in part:
            began = time.perf_counter()
            embed([q])
            local.append((time.perf_counter() - began) * 1000)
        times.extend(local)  # list.extend is atomic under the GIL

    cpu, wall = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=work, args=(queries[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    return times, (time.process_time() - cpu) * 1000 / len(queries), len(queries) / wall


def query_path(model_dir: Path, cache_dir: Path | None, queries: list[str], rounds: int) -> dict[str, Any]:
    """Every variant runs each round, sequential (1 worker) then 2 concurrent, in turn, so load drift
    on a shared machine hits them alike; figures are medians over rounds (p99 over all calls)."""
    import os

    from conseil.search.onnx_embedder import OnnxBackend, onnx_graph

    backends = {name: OnnxBackend(model_dir, cache_dir=cache_dir, threads=threads, fused=fused, spinning=spin)
                for name, (fused, threads, spin) in QUERY_VARIANTS.items()}
    load = [os.getloadavg()[0]]
    runs: dict[tuple[str, int], list[tuple[list[float], float, float]]] = {}
    for backend in backends.values():
        backend.embed(queries[:5])
    for _ in range(rounds):
        for name, backend in backends.items():
            for workers in (1, 2):
                runs.setdefault((name, workers), []).append(one_round(backend.embed, queries, workers))
        load.append(os.getloadavg()[0])
    figures: dict[str, Any] = {"load_average_1min": [round(x, 2) for x in load]}
    for (name, workers), results in runs.items():
        calls = sorted(t for times, _, _ in results for t in times)
        figures.setdefault(name, {})["sequential" if workers == 1 else "2 concurrent"] = {
            "p50_ms": round(statistics.median(statistics.median(times) for times, _, _ in results), 2),
            "p99_ms": round(calls[int(0.99 * len(calls))], 2),
            "cpu_ms_per_query": round(statistics.median(cpu for _, cpu, _ in results), 2),
            "queries_per_s": round(statistics.median(rate for _, _, rate in results), 1),
        }
    parallel = parallel_session(onnx_graph(model_dir, cache_dir))
    figures["parts"] = query_parts(backends["fused graph, 1 thread"], parallel, queries, rounds)
    return figures


def query_parts(backend: Any, parallel: Any, queries: list[str], rounds: int) -> dict[str, float]:
    """Where one query's time goes (1 intra-op thread), ms of process CPU, medians over calls:
    tokenising, building the arrays, the model (plain `run`; through IO binding; on `parallel`, a
    session of the same graph in ORT_PARALLEL execution mode with 2 inter-op threads; alternated),
    pooling and normalising, converting to lists."""
    import numpy as np

    ways = ("run", "run_iobinding", "run_parallel_mode")
    parts: dict[str, list[float]] = {k: [] for k in ("tokenise", "arrays", *ways, "pool", "tolist")}
    binding = backend.session.io_binding()
    clock = time.process_time
    for _ in range(rounds):
        for k, q in enumerate(queries):
            t0 = clock()
            enc = backend.tokenizer.encode_batch([q])[0]
            t1 = clock()
            ids = np.array([enc.ids], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            t2 = clock()
            for way in ways[k % 3:] + ways[: k % 3]:
                began = clock()
                if way == "run_iobinding":
                    for name, array in feeds.items():
                        binding.bind_cpu_input(name, array)
                    binding.bind_output("last_hidden_state")
                    backend.session.run_with_iobinding(binding)
                    hidden = binding.copy_outputs_to_cpu()[0]
                else:
                    hidden = (backend.session if way == "run" else parallel).run(None, feeds)[0]
                parts[way].append(clock() - began)
            t3 = clock()
            weights = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            vector = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            t4 = clock()
            vector.tolist()
            t5 = clock()
            for name, value in (("tokenise", t1 - t0), ("arrays", t2 - t1), ("pool", t4 - t3), ("tolist", t5 - t4)):
                parts[name].append(value)
    return {name: round(statistics.median(values) * 1000, 3) for name, values in parts.items()}


def parallel_session(graph: Path) -> Any:
    """The fused graph, 1 intra-op thread, ORT_PARALLEL execution with 2 inter-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 2
    options.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def print_query_path(figures: dict[str, Any], queries: int, rounds: int) -> None:
    print(f"Query path, one query per call ({queries} queries x {rounds} rounds, variants interleaved; "
          f"load average {figures['load_average_1min']}):")
    for name in QUERY_VARIANTS:
        for mode, row in figures[name].items():
            print(f"  {name:<34} {mode:<13} p50 {row['p50_ms']:>6} ms  p99 {row['p99_ms']:>6} ms  "
                  f"CPU {row['cpu_ms_per_query']:>6} ms/query  {row['queries_per_s']:>6} q/s")
    print("  parts of one query (fused, 1 thread), ms of process CPU, p50: "
          + ", ".join(f"{k} {v}" for k, v in figures["parts"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=SEPHORA)
    parser.add_argument("--limit", type=int, default=2000, help="catalogue texts for the bulk rate")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--query-path", action="store_true",
                        help="only the search path's variants (graph, threads, spinning; sequential and 2 concurrent)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the query path's interleaved variants")
    args = parser.parse_args()

    from conseil.search.embedder import SentenceTransformerBackend, resolve_model_reference
    from conseil.search.onnx_embedder import OnnxBackend
    from conseil.search.settings import Settings

    settings = Settings()
    model_dir = Path(resolve_model_reference(settings.embedding_model))
    queries = [q.text for q in product_queries()]
    if args.query_path:
        path_figures = query_path(model_dir, settings.onnx_cache_dir, queries, args.rounds)
        if args.json:
            print(json.dumps(path_figures, indent=2))
        else:
            print_query_path(path_figures, len(queries), args.rounds)
        return
    texts = catalogue_texts(args.catalog, args.limit)
    torch_backend = SentenceTransformerBackend(str(model_dir), "cpu", settings.batch_size)
    figures: dict[str, Any] = {"queries": len(queries), "bulk_texts": len(texts), "query_ms": {}, "bulk_texts_per_s": {}}
    figures["query_ms"]["sentence-transformers"] = latencies_ms(torch_backend.embed, queries)
    for threads in (1, 2):
        backend = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, threads=threads,
                              batch_size=settings.batch_size)
        figures["query_ms"][f"onnx {threads} thread(s)"] = latencies_ms(backend.embed, queries)
    onnx_backend = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, batch_size=settings.batch_size)
    plain_backend = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, batch_size=settings.batch_size,
                                fused=False)
    rate_torch, torch_vectors = bulk_rate(torch_backend.embed, texts)
    rates: dict[str, list[float]] = {"onnx (plain graph)": [], "onnx": []}
    for _ in range(2):  # alternated: load drift hits both graphs alike
        rate, plain_vectors = bulk_rate(plain_backend.embed, texts)
        rates["onnx (plain graph)"].append(rate)
        rate, onnx_vectors = bulk_rate(onnx_backend.embed, texts)
        rates["onnx"].append(rate)
    figures["bulk_texts_per_s"] = {"sentence-transformers": rate_torch,
                                   **{name: round(statistics.fmean(r), 1) for name, r in rates.items()}}
    figures["parity_catalogue"] = cosines(torch_vectors, onnx_vectors)
    figures["parity_catalogue_plain_graph"] = cosines(torch_vectors, plain_vectors)
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
          f"queries {figures['parity_queries']}; plain graph, catalogue {figures['parity_catalogue_plain_graph']}")


if __name__ == "__main__":
    main()
