"""Where the GIL is held on the product search path: each stage run by 1 and by 2 threads.

Needs a products index under CONSEIL_DATA_DIR (the full Sephora export for real figures). For each
stage of a distinct query it runs the 210 benchmark queries from one thread, then from two, for a
few seconds each, and prints operations/s, the CPU cores the process used (CPU time / wall time)
and CPU ms per operation. A stage that releases the GIL scales towards 2x and uses ~2 cores with two
threads; one that holds it stays at ~1 core whatever the thread count.

Stages: `embed` (ONNX Runtime, one query per call), `edge query` (the hybrid Qdrant Edge call,
payload included), `parse` (query understanding), `verify` (ingredient items and verdicts of one
page of hits), `serialise` (the response as JSON), and `search` (the whole `ProductSearch.search`,
a new text each time so no cache answers).

    python -m conseil.eval.bench_gil [--seconds 3] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

from conseil.search.engines import Engines
from conseil.search.index.contract import HybridQuery
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import HIT_FIELDS, ProductSearch, retrieval_text
from conseil.search.products.filters import build_filter
from conseil.search.settings import Settings

from .product_queries import product_queries


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scaling(work: Callable[[int], Any], threads: int, seconds: float) -> dict[str, float]:
    """Run `work(i)` with i = 0, 1, 2... from `threads` threads for `seconds`."""
    stop = time.perf_counter() + seconds
    counter = itertools.count()
    done = [0] * threads

    def loop(slot: int) -> None:
        while time.perf_counter() < stop:
            work(next(counter))
            done[slot] += 1

    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    pool = [threading.Thread(target=loop, args=(slot,)) for slot in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall, cpu, ops = time.perf_counter() - wall0, cpu_seconds() - cpu0, sum(done)
    return {"ops_per_s": round(ops / wall, 1), "cores_used": round(cpu / wall, 2),
            "cpu_ms_per_op": round(cpu / max(ops, 1) * 1000, 2)}


def stages(engine: ProductSearch) -> dict[str, Callable[[int], Any]]:
    texts = [q.text for q in product_queries()]
    prepared = []
    for text in texts:
        interp = engine.interpret(SearchRequest(query=text))
        semantic = retrieval_text(interp)
        prepared.append((semantic, engine.embedder.embed_query(semantic), engine.bm25.query(semantic),
                         build_filter(interp.constraints), interp.constraints))
    pages = [engine.index.query(HybridQuery(dense=d, sparse=s, filter=f, limit=15, with_payload=HIT_FIELDS))
             for _, d, s, f, _ in prepared]
    responses = [engine.search(SearchRequest(query=t, limit=10)) for t in texts]
    backend = getattr(engine.embedder.backend, "small", engine.embedder.backend)
    n = len(texts)
    return {
        "embed": lambda i: backend.embed([prepared[i % n][0]]),
        "edge query": lambda i: engine.index.query(HybridQuery(
            dense=prepared[i % n][1], sparse=prepared[i % n][2], filter=prepared[i % n][3], limit=15,
            with_payload=HIT_FIELDS)),
        "parse": lambda i: engine.interpret(SearchRequest(query=texts[i % n])),
        "verify": lambda i: engine._verified(pages[i % n], prepared[i % n][4]),
        "serialise": lambda i: responses[i % n].model_dump_json(),
        "search": lambda i: engine.search(SearchRequest(query=f"{texts[i % n]} {i}", limit=10, facets=False)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="per stage and thread count")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict[str, dict[str, Any]] = {}
    with Engines.open(Settings(), need=["products"]) as engines:
        engine = engines.product_engine()
        for name, work in stages(engine).items():
            work(0)
            figures[name] = {f"{t} thread(s)": scaling(work, t, args.seconds) for t in (1, 2)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'stage':<12} {'1 thread ops/s':>15} {'2 threads ops/s':>16} {'speed-up':>9} "
          f"{'cores (2 thr.)':>15} {'CPU ms/op':>10}")
    for name, by in figures.items():
        one, two = by["1 thread(s)"], by["2 thread(s)"]
        print(f"{name:<12} {one['ops_per_s']:>15} {two['ops_per_s']:>16} "
              f"{two['ops_per_s'] / max(one['ops_per_s'], 1e-9):>8.2f}x {two['cores_used']:>15} "
              f"{one['cpu_ms_per_op']:>10}")


if __name__ == "__main__":
    main()
