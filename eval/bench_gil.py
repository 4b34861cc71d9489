"""Where the GIL is held on the product search path: each stage run by 1 and by 2 threads.

Needs a products index under CONSEIL_DATA_DIR (the full Sephora export for real figures). For each
stage of a distinct query it runs the 210 benchmark queries from one thread, then from two, for a
few seconds each, and prints operations/s, the CPU cores the process used (CPU time / wall time)
and CPU ms per operation. A stage that releases the GIL scales towards 2x and uses ~2 cores with two
threads; one that holds it stays at ~1 core whatever the thread count.

Stages: `embed` (ONNX Runtime, one query per call), `edge query` (the hybrid Qdrant Edge call,
payload included), `edge count` and `edge facet` (one brand facet) on the query's filter, `parse`
(query understanding), `verify` (ingredient items and verdicts of one page of hits), `serialise`
(the response as JSON), and `search` (the whole `ProductSearch.search`, a new text each time so no
cache answers).

Two figures that load does not distort (the speed-ups above need two idle cores):

* `releases GIL`: each stage is run for a while with a 1 s switch interval beside a thread that
  loops in pure Python. A call that releases the GIL hands it to that thread and waits up to 1 s to
  get it back, so it completes a small fraction of the calls it completes alone; one that holds it
  keeps its pace (about half: the two threads still alternate once a second).
* `GIL share`: the thread CPU of distinct searches (server caches, as `bench_api --unique` sends
  them: request validated, searched, serialised) split into the calls that release the GIL (ONNX
  Runtime, Qdrant Edge query and retrieve) and the rest, which holds it. Thread CPU is the calling
  thread's: work an engine hands to threads of its own is not in either part (and needs no GIL).

    python -m conseil.eval.bench_gil [--seconds 3] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from conseil.search.cache import SearchCaches
from conseil.search.engines import Engines
from conseil.search.index.contract import HybridQuery
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import HIT_FIELDS, ProductSearch, retrieval_text
from conseil.search.products.filters import build_filter
from conseil.search.settings import Settings

from .bench_api import Bodies
from .product_queries import product_queries

RELEASE_RATIO = 0.2  # calls beside the Python loop / calls alone, below which a stage releases the GIL


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
        "edge count": lambda i: engine.index.count(prepared[i % n][3]),
        "edge facet": lambda i: engine.index.facet("brand", prepared[i % n][3], limit=15),
        "parse": lambda i: engine.interpret(SearchRequest(query=texts[i % n])),
        "verify": lambda i: engine._verified(pages[i % n], prepared[i % n][4]),
        "serialise": lambda i: responses[i % n].model_dump_json(),
        "search": lambda i: engine.search(SearchRequest(query=f"{texts[i % n]} {i}", limit=10, facets=False)),
    }


def releases_gil(work: Callable[[int], Any], seconds: float) -> dict[str, Any]:
    """Calls of `work` alone, then beside a pure-Python loop under a 1 s switch interval (see above)."""
    def calls(hog: bool) -> int:
        stop, done = threading.Event(), [0]

        def loop() -> None:
            while not stop.is_set():
                pass

        other = threading.Thread(target=loop) if hog else None
        if other is not None:
            other.start()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            work(done[0])
            done[0] += 1
        stop.set()
        if other is not None:
            other.join()
        return done[0]

    alone = calls(False)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    try:
        beside = calls(True)
    finally:
        sys.setswitchinterval(previous)
    ratio = beside / max(alone, 1)
    return {"calls_alone": alone, "calls_beside_python": beside, "ratio": round(ratio, 3),
            "releases_gil": ratio < RELEASE_RATIO}


@contextmanager
def timed(owner: Any, names: tuple[str, ...], spent: list[float]) -> Iterator[None]:
    """Adds the calling thread's CPU inside `owner.<name>` calls to `spent[0]`."""
    originals = {name: getattr(owner, name) for name in names}

    def wrap(inner: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[0] += time.thread_time() - began
        return call

    for name, inner in originals.items():
        setattr(owner, name, wrap(inner))
    try:
        yield
    finally:
        for name, inner in originals.items():
            setattr(owner, name, inner)


def gil_share(engine: ProductSearch, requests: int = 300) -> dict[str, float]:
    """Thread CPU ms of a distinct search: in calls that release the GIL, and the rest."""
    caches, engine.caches = engine.caches, SearchCaches()
    bodies = Bodies(unique=True)
    released = [0.0]
    try:
        for n in range(requests):  # warm: products recur, as in a server that has answered a while
            engine.search(SearchRequest.model_validate_json(bodies[10**8 + n])).model_dump_json()
        backend = getattr(engine.embedder.backend, "small", engine.embedder.backend)
        with timed(backend, ("embed",), released), timed(engine.index, ("query", "retrieve"), released):
            began = time.thread_time()
            for n in range(requests):
                engine.search(SearchRequest.model_validate_json(bodies[n])).model_dump_json()
            total = time.thread_time() - began
    finally:
        engine.caches = caches
    ms = total * 1000 / requests
    free = released[0] * 1000 / requests
    return {"cpu_ms_per_search": round(ms, 2), "releasing_ms": round(free, 2), "gil_held_ms": round(ms - free, 2),
            "gil_held_share": round((ms - free) / ms, 3)}


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
            figures[name]["release"] = releases_gil(work, args.seconds / 2)
        share = gil_share(engine)
    if args.json:
        print(json.dumps({"stages": figures, "gil_share": share}, indent=2))
        return
    print(f"{'stage':<12} {'1 thread ops/s':>15} {'2 threads ops/s':>16} {'speed-up':>9} "
          f"{'cores (2 thr.)':>15} {'CPU ms/op':>10} {'releases GIL':>13}")
    for name, by in figures.items():
        one, two = by["1 thread(s)"], by["2 thread(s)"]
        print(f"{name:<12} {one['ops_per_s']:>15} {two['ops_per_s']:>16} "
              f"{two['ops_per_s'] / max(one['ops_per_s'], 1e-9):>8.2f}x {two['cores_used']:>15} "
              f"{one['cpu_ms_per_op']:>10} {by['release']['releases_gil']!s:>6} ({by['release']['ratio']:.2f})")
    print(f"distinct search (server caches): {share['cpu_ms_per_search']} ms thread CPU, of which "
          f"{share['releasing_ms']} ms in calls that release the GIL and {share['gil_held_ms']} ms holding it "
          f"({share['gil_held_share']:.0%}); load average {[round(x, 2) for x in os.getloadavg()]}")


if __name__ == "__main__":
    main()
