"""HTTP API load benchmark: a real `conseil serve` on loopback, load from this (second) process.

Needs an existing products index under CONSEIL_DATA_DIR (for the full figures: the Sephora export,
`conseil ingest products ../shared/data/sephora-products/product_info.csv`). The server is started
as a subprocess on 127.0.0.1 with a throw-away advisor key; this process sends the 210 advisor
queries of `conseil.eval.product_queries` (7 languages; one request in five asks for page 2,
without facets: a next page needs none):

* closed loop (default): `--concurrency` clients, each sending its next request as soon as the last
  is answered, for `--duration` seconds: the throughput the server sustains, and the latency at
  that concurrency (Little's law: latency ~ concurrency / throughput);
* open loop (`--rate R`): requests at R per second whatever the answers do: the latency a steady
  R req/s sees (the figure to hold against "p99 <= 50 ms at >= 100 req/s").

Printed: requests/s, p50/p90/p99/max latency (client side, and the engine's own `took_ms`), errors
by kind, dropped verification violations from /metrics, and the targets beside the figures.

    python -m conseil.eval.bench_api [--concurrency 32] [--duration 30] [--rate 100] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from conseil.api.auth import hash_key
from conseil.search.settings import Settings

from .product_queries import product_queries

HOST = "127.0.0.1"  # loopback only: the benchmark never listens beyond this machine
TARGET_P99_MS = 50.0
TARGET_RPS = 100.0


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    engine_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def requests_cycle() -> list[dict[str, Any]]:
    bodies = []
    for n, query in enumerate(product_queries()):
        page_two = n % 5 == 4  # the next page of a result list: the page already shows its facets
        bodies.append({"query": query.text, "limit": 10, "offset": 10 if page_two else 0, "facets": not page_two})
    return bodies


async def _one(client: httpx.AsyncClient, body: dict[str, Any], sample: Sample) -> None:
    began = time.perf_counter()
    sample.sent += 1
    try:
        response = await client.post("/v1/search/products", json=body)
    except httpx.HTTPError as exc:
        sample.errors[type(exc).__name__] += 1
        return
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        sample.errors[f"HTTP {response.status_code}"] += 1
        return
    sample.latencies.append(elapsed)
    sample.engine_ms.append(float(response.json().get("took_ms", 0.0)))


async def closed_loop(client: httpx.AsyncClient, concurrency: int, seconds: float, sample: Sample) -> float:
    bodies = requests_cycle()
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        while time.perf_counter() < stop:
            await _one(client, bodies[next(counter) % len(bodies)], sample)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began


async def open_loop(client: httpx.AsyncClient, rate: float, seconds: float, sample: Sample) -> float:
    bodies = requests_cycle()
    began = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    n = 0
    while (due := began + n / rate) < began + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(_one(client, bodies[n % len(bodies)], sample)))
        n += 1
    await asyncio.gather(*tasks)
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, key: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CONSEIL_API_KEYS": json.dumps([{"name": "bench", "role": "advisor", "sha256": hash_key(key)}])}
    return subprocess.Popen([sys.executable, "-m", "conseil.api.cli_server", "serve", "--host", HOST, "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(server: subprocess.Popen[bytes], base: str) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            err = server.stderr.read().decode(errors="replace") if server.stderr else ""
            raise SystemExit(f"the server stopped (exit {server.returncode}):\n{err[-3000:]}")
        try:
            response = httpx.get(f"{base}/readyz", timeout=2)
            if response.status_code == 200:
                return dict(response.json())
            if response.status_code == 503:
                raise SystemExit(f"the server has no products index: {response.json().get('detail')}")
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def dropped_violations(base: str) -> float | None:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    found = re.search(r"^conseil_dropped_violations_total (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


async def run_load(base: str, key: str, args: argparse.Namespace) -> tuple[Sample, float]:
    # Idle connections are dropped by the client before uvicorn's 5 s keep-alive timeout closes them:
    # otherwise reusing one the server is closing at that moment is a spurious ReadError.
    limits = httpx.Limits(max_connections=max(args.concurrency, 64), max_keepalive_connections=max(args.concurrency, 64),
                          keepalive_expiry=2.0)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        await closed_loop(client, min(args.concurrency, 8), args.warmup, Sample())  # warm caches, untimed
        sample = Sample()
        if args.rate:
            elapsed = await open_loop(client, args.rate, args.duration, sample)
        else:
            elapsed = await closed_loop(client, args.concurrency, args.duration, sample)
    return sample, elapsed


def report(sample: Sample, elapsed: float, args: argparse.Namespace, ready: dict[str, Any],
           dropped: float | None) -> dict[str, Any]:
    ms = [x * 1000 for x in sample.latencies]
    rps = len(ms) / elapsed if elapsed else 0.0
    errors = sum(sample.errors.values())
    return {
        "mode": f"open loop at {args.rate:g} req/s" if args.rate else f"closed loop, {args.concurrency} clients",
        "index": ready.get("collections"), "model": ready.get("model"), "seconds": round(elapsed, 1),
        "requests": sample.sent, "ok": len(ms), "requests_per_s": round(rps, 1),
        "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "engine_p50_ms": round(percentile(sample.engine_ms, 50), 1),
        "engine_p99_ms": round(percentile(sample.engine_ms, 99), 1),
        "errors": errors, "errors_by_kind": dict(sample.errors), "dropped_violations": dropped,
        "targets": {"p99_ms<=50": percentile(ms, 99) <= TARGET_P99_MS, "req_per_s>=100": rps >= TARGET_RPS,
                    "zero_errors": errors == 0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop clients (default 32)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured load (default 30)")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second (default: closed)")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    settings = Settings()
    if not (settings.index_dir / "products" / "meta.json").exists():
        raise SystemExit(f"No products index under {settings.index_dir}: set CONSEIL_DATA_DIR or run "
                         "`conseil ingest products PATH` first.")
    key = "bench_" + secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(port, key)
    try:
        ready = wait_ready(server, base)
        sample, elapsed = asyncio.run(run_load(base, key, args))
        figures = report(sample, elapsed, args, ready, dropped_violations(base))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    ok = {True: "ok", False: "MISSED"}
    t = figures["targets"]
    print(f"Conseil HTTP API, {figures['mode']}, {figures['seconds']} s, index {figures['index']}, "
          f"model {figures['model']}")
    print(f"  requests/s   {figures['requests_per_s']:>8}   target >= {TARGET_RPS:g}   {ok[t['req_per_s>=100']]}")
    print(f"  p50 latency  {figures['p50_ms']:>8} ms   (engine took_ms p50 {figures['engine_p50_ms']})")
    print(f"  p90 latency  {figures['p90_ms']:>8} ms")
    print(f"  p99 latency  {figures['p99_ms']:>8} ms   target <= {TARGET_P99_MS:g} ms   {ok[t['p99_ms<=50']]}"
          f"   (engine took_ms p99 {figures['engine_p99_ms']})")
    print(f"  max latency  {figures['max_ms']:>8} ms")
    print(f"  errors       {figures['errors']:>8}   of {figures['requests']} requests   target 0   "
          f"{ok[t['zero_errors']]}   {figures['errors_by_kind'] or ''}")
    print(f"  dropped verification violations (server metric): {figures['dropped_violations']}")


if __name__ == "__main__":
    main()
