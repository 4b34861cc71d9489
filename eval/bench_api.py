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

The server caches query vectors, totals and facets per filter, verified ingredient items per product
and whole answers (search/cache.py). The 210 queries repeat many times in a run, so that mix is
served warm, as repeated advisor questions are. `--unique` makes every request distinct (the same
questions with a per-request token appended to the text and a per-request price cap), so no query
vector, filter or answer cache can answer: the cold figure. The cache hit rates of the measured
part (from /metrics) are printed beside the figures, and so are the CPU seconds the server and this
load generator used (they share the machine's cores).

Two request patterns (`--pattern`): `page` (default) does what the web page does: each first page
is asked for with `facets: false` and, once answered, its facets from `POST /v1/search/products/facets`
(a pair; next pages ask for no facets). Requests/s and the latencies are the result requests' (what
the advisor waits for); the facet requests' own latencies, the pair's (results then facets) and the
facet requests per second are printed beside them, and the server CPU per request is per result
request with its facets included. `inline` is the earlier pattern, one request with `facets: true`
for each first page: the figures before the page split its requests (kept to compare with them).

Printed: requests/s, p50/p90/p99/max latency (client side, and the engine's own `took_ms`), errors
by kind, dropped verification violations from /metrics, and the targets beside the figures.

    python -m conseil.eval.bench_api [--concurrency 32] [--duration 30] [--rate 100] [--unique]
                                     [--pattern page|inline] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
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
from pathlib import Path
from typing import Any

import httpx
from conseil.search.settings import Settings

from .product_queries import product_queries

TOOK_MS = re.compile(rb'"took_ms":([0-9.eE+-]+)')
HOST = "127.0.0.1"  # loopback only: the benchmark never listens beyond this machine
TARGET_P99_MS = 50.0
TARGET_RPS = 100.0


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    engine_ms: list[float] = field(default_factory=list)
    facets: list[float] = field(default_factory=list)  # seconds, successful facet requests (page pattern)
    pairs: list[float] = field(default_factory=list)  # seconds, results then facets (page pattern)
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


class Bodies:
    """Request bodies, serialised once (the load generator shares the server's cores). Unique: request
    n gets the token "· vN" in its text (changes the embedded text, not the parsed constraints) and a
    price cap of 30 + n/100 (changes the filter), so no cache keyed on the request can answer."""

    def __init__(self, unique: bool, pattern: str = "inline") -> None:
        self.cycle = requests_cycle()
        self.unique = unique
        self.pattern = pattern
        self.encoded = [json.dumps(b).encode() for b in self.cycle]

    def __getitem__(self, n: int) -> bytes:
        if not self.unique:
            return self.encoded[n % len(self.encoded)]
        body = dict(self.cycle[n % len(self.cycle)])
        body["query"] = f"{body['query']} · v{n}"
        body["price_max"] = round(30 + n / 100, 2)
        return json.dumps(body).encode()

    def request(self, n: int) -> bytes | tuple[bytes, bytes | None]:
        return self.page(n) if self.pattern == "page" else self[n]

    def page(self, n: int) -> tuple[bytes, bytes | None]:
        """Request n as the page sends it: the results without facets, then (first pages only) the
        same body to the facets route."""
        body = json.loads(self[n])
        first = body.pop("facets")
        search = json.dumps({**body, "facets": False}).encode()
        return search, (json.dumps(body).encode() if first else None)


class RawClient:
    """HTTP/1.1 keep-alive POSTs of pre-built bytes over a pool of loopback connections. The load
    generator shares the server's 2 cores: httpx cost ~3 ms of CPU per request here, twice the server's
    own cost per cached answer; this costs a fraction of that. Idle connections are dropped after 2 s,
    before uvicorn's 5 s keep-alive timeout could close one under a request (a spurious error)."""

    IDLE_S = 2.0

    def __init__(self, host: str, port: int, path: str, key: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.tail = (f" HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
                     "Content-Type: application/json\r\nContent-Length: ").encode()
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def post(self, body: bytes, path: str | None = None) -> tuple[int, bytes]:
        now = time.monotonic()
        while self.idle:
            reader, writer, last = self.idle.pop()
            if now - last < self.IDLE_S:
                break
            writer.close()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        head = b"POST " + (path or self.path).encode() + self.tail
        writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.split(b":", 1) for line in lines[1:] if b":" in line)
        content = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").strip().lower() == b"close":
            writer.close()
        else:
            self.idle.append((reader, writer, time.monotonic()))
        return status, content

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


FACETS_PATH = "/v1/search/products/facets"


async def _post(client: RawClient, body: bytes, sample: Sample, path: str | None = None) -> bytes | None:
    try:
        status, content = await asyncio.wait_for(client.post(body, path), timeout=30)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        sample.errors[type(exc).__name__] += 1
        return None
    if status != 200:
        sample.errors[f"HTTP {status}" + (" (facets)" if path else "")] += 1
        return None
    return content


async def _one(client: RawClient, request: bytes | tuple[bytes, bytes | None], sample: Sample) -> None:
    """One request, or (page pattern) the results and then their facets."""
    body, facets = request if isinstance(request, tuple) else (request, None)
    began = time.perf_counter()
    sample.sent += 1
    content = await _post(client, body, sample)
    if content is None:
        return
    answered = time.perf_counter()
    sample.latencies.append(answered - began)
    found = TOOK_MS.search(content[-400:])  # took_ms is near the end: no full JSON parse
    sample.engine_ms.append(float(found.group(1)) if found else float("nan"))
    if facets is not None and await _post(client, facets, sample, FACETS_PATH) is not None:
        done = time.perf_counter()
        sample.facets.append(done - answered)
        sample.pairs.append(done - began)


async def closed_loop(client: RawClient, concurrency: int, seconds: float, sample: Sample,
                      bodies: Bodies, start: int = 0) -> float:
    stop = time.perf_counter() + seconds
    counter = iter(range(start, 10**9))

    async def worker() -> None:
        while time.perf_counter() < stop:
            await _one(client, bodies.request(next(counter)), sample)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began


async def open_loop(client: RawClient, rate: float, seconds: float, sample: Sample,
                    bodies: Bodies, start: int = 0) -> float:
    began = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    n = 0
    while (due := began + n / rate) < began + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(_one(client, bodies.request(start + n), sample)))
        n += 1
    await asyncio.gather(*tasks)
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, key: str, extra: list[str]) -> subprocess.Popen[bytes]:
    # CONSEIL_API_KEYS takes the key's SHA-256, as documented; computed here so that eval/ imports nothing of api/.
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    env = {**os.environ, "CONSEIL_API_KEYS": json.dumps([{"name": "bench", "role": "advisor", "sha256": digest}])}
    return subprocess.Popen([sys.executable, "-m", "conseil.api.cli_server", "serve", "--host", HOST, "--port", str(port),
                             "--log-level", "warning", *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


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


def scrape(base: str) -> dict[str, float]:
    """The server's counters of interest: dropped violations and each cache's hits and misses."""
    text = httpx.get(f"{base}/metrics", timeout=300).text  # an overloaded open loop leaves a backlog
    found = dict(re.findall(r'^(conseil_(?:dropped_violations_total|cache_(?:hits|misses)_total(?:\{cache="\w+"\})?)) '
                            r'(\S+)$', text, re.MULTILINE))
    return {name: float(value) for name, value in found.items()}


def cache_hit_rates(before: dict[str, float], after: dict[str, float]) -> dict[str, str]:
    """Per cache: hits / lookups during the measured part."""
    rates = {}
    for name in sorted({m.group(1) for key in after if (m := re.search(r'cache="(\w+)"', key))}):
        hits = after.get(f'conseil_cache_hits_total{{cache="{name}"}}', 0) - before.get(
            f'conseil_cache_hits_total{{cache="{name}"}}', 0)
        misses = after.get(f'conseil_cache_misses_total{{cache="{name}"}}', 0) - before.get(
            f'conseil_cache_misses_total{{cache="{name}"}}', 0)
        lookups = hits + misses
        rates[name] = f"{hits / lookups:.0%} of {lookups:.0f}" if lookups else "no lookups"
    return rates


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    """The measured part's CPU seconds (server, this load generator) and the server's counters."""

    server_cpu: float = 0.0
    client_cpu: float = 0.0
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)


async def run_load(base: str, key: str, args: argparse.Namespace, server_pid: int,
                   usage: Usage) -> tuple[Sample, float]:
    port = int(base.rsplit(":", 1)[1])
    client = RawClient(HOST, port, "/v1/search/products", key)
    try:
        bodies = Bodies(args.unique, args.pattern)
        warm = Sample()  # untimed: model, index pages, thread pool; unique mode: tokens never reused later
        # Repeated mix: warm = every distinct request answered once (a server in use has seen them).
        first = 0 if not args.unique else 10**8
        while True:
            await closed_loop(client, min(args.concurrency, 8), args.warmup, warm, bodies, start=first + warm.sent)
            if args.unique or warm.sent >= len(bodies.cycle):
                break
        sample = Sample()
        usage.before = await asyncio.to_thread(scrape, base)
        server0, client0 = cpu_seconds(server_pid), time.process_time()
        if args.rate:
            elapsed = await open_loop(client, args.rate, args.duration, sample, bodies)
        else:
            elapsed = await closed_loop(client, args.concurrency, args.duration, sample, bodies)
        usage.server_cpu, usage.client_cpu = cpu_seconds(server_pid) - server0, time.process_time() - client0
        usage.after = await asyncio.to_thread(scrape, base)
    finally:
        client.close()
    return sample, elapsed


def report(sample: Sample, elapsed: float, args: argparse.Namespace, ready: dict[str, Any],
           usage: Usage) -> dict[str, Any]:
    ms = [x * 1000 for x in sample.latencies]
    rps = len(ms) / elapsed if elapsed else 0.0
    errors = sum(sample.errors.values())
    return {
        "mode": (f"open loop at {args.rate:g} req/s" if args.rate else f"closed loop, {args.concurrency} clients")
                + (", unique requests (cold caches)" if args.unique else ", repeated realistic mix (warm caches)")
        + (", page pattern (results without facets, then their facets)" if args.pattern == "page"
           else ", inline pattern (facets in the first page's answer)"),
        "index": ready.get("collections"), "model": ready.get("model"), "seconds": round(elapsed, 1),
        "requests": sample.sent, "ok": len(ms), "requests_per_s": round(rps, 1),
        "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "facet_requests_per_s": round(len(sample.facets) / elapsed, 1) if elapsed else 0.0,
        "facets_p50_ms": round(percentile([x * 1000 for x in sample.facets], 50), 1),
        "facets_p99_ms": round(percentile([x * 1000 for x in sample.facets], 99), 1),
        "pair_p50_ms": round(percentile([x * 1000 for x in sample.pairs], 50), 1),
        "pair_p99_ms": round(percentile([x * 1000 for x in sample.pairs], 99), 1),
        "engine_p50_ms": round(percentile(sample.engine_ms, 50), 1),
        "engine_p99_ms": round(percentile(sample.engine_ms, 99), 1),
        "errors": errors, "errors_by_kind": dict(sample.errors),
        "dropped_violations": usage.after.get("conseil_dropped_violations_total"),
        "cache_hit_rates": cache_hit_rates(usage.before, usage.after),
        "server_cpu_cores": round(usage.server_cpu / elapsed, 2) if elapsed else None,
        "loadgen_cpu_cores": round(usage.client_cpu / elapsed, 2) if elapsed else None,
        "server_cpu_ms_per_request": round(usage.server_cpu * 1000 / len(ms), 2) if ms else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        # An open loop offers a fixed rate: its throughput target is met when every request sent was
        # answered and the last answer came within 10% of the run's length (no backlog built up).
        "targets": {"p99_ms<=50": percentile(ms, 99) <= TARGET_P99_MS,
                    "req_per_s>=100": (rps >= TARGET_RPS if not args.rate
                                       else args.rate >= TARGET_RPS and len(ms) == sample.sent
                                       and elapsed <= args.duration * 1.1),
                    "zero_errors": errors == 0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop clients (default 32)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured load (default 30)")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second (default: closed)")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first (default 3)")
    parser.add_argument("--unique", action="store_true",
                        help="every request distinct: no cache can answer (the cold figure)")
    parser.add_argument("--pattern", choices=("page", "inline"), default="page",
                        help="page: results without facets, then their facets (as the web page; default); "
                             "inline: facets in the first page's answer (the earlier figures)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="extra `conseil serve` argument, e.g. --server-arg=--http=h11 (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    settings = Settings()
    from conseil.search.index.store import index_location, stored_dense_size

    if stored_dense_size(settings, "products") is None:
        raise SystemExit(f"No products index on {index_location(settings)}: set CONSEIL_DATA_DIR or run "
                         "`conseil ingest products PATH` first.")
    key = "bench_" + secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(port, key, args.server_arg)
    try:
        ready = wait_ready(server, base)
        usage = Usage()
        sample, elapsed = asyncio.run(run_load(base, key, args, server.pid, usage))
        figures = report(sample, elapsed, args, ready, usage)
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
    if args.pattern == "page":
        print(f"  facets       {figures['facet_requests_per_s']:>8} req/s after their results: p50 "
              f"{figures['facets_p50_ms']} ms, p99 {figures['facets_p99_ms']} ms; results then facets p50 "
              f"{figures['pair_p50_ms']} ms, p99 {figures['pair_p99_ms']} ms")
    print(f"  errors       {figures['errors']:>8}   of {figures['requests']} requests   target 0   "
          f"{ok[t['zero_errors']]}   {figures['errors_by_kind'] or ''}")
    print(f"  dropped verification violations (server metric): {figures['dropped_violations']}")
    print(f"  cache hit rates (measured part): {figures['cache_hit_rates']}")
    print(f"  CPU: server {figures['server_cpu_cores']} cores ({figures['server_cpu_ms_per_request']} ms per "
          f"request), load generator {figures['loadgen_cpu_cores']} cores, of {os.cpu_count()}; load average "
          f"{figures['load_average']}")


if __name__ == "__main__":
    main()
