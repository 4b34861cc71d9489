"""Prometheus metrics of one app, in its own registry (two apps in one process never mix figures).

    conseil_http_requests_total{method, route, status}       requests, per route template
    conseil_http_request_duration_seconds{method, route}     latency histogram, per route template
    conseil_index_points{collection}                         points of the products collection (at scrape);
                                                             /metrics needs no key, so the studies
                                                             collection's size is not disclosed here
    conseil_dropped_violations_total                         hits the index returned but verification
                                                             rejected (ProductSearch.violations_dropped)
    conseil_ingest_jobs_total{kind, status}                  finished ingestion jobs
    conseil_cache_hits_total{cache}, conseil_cache_misses_total{cache}, conseil_cache_entries{cache}
                                                             search caches (search.cache): embeddings,
                                                             filters, items, payloads, responses
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from conseil.search.cache import CacheStats
from conseil.search.index.schema import PRODUCTS_COLLECTION
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Search latency targets are tens of milliseconds; ingestion uploads take seconds.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class _IndexCollector(Collector):
    """Reads the live figures from the runtime at scrape time rather than copying them on every change."""

    def __init__(self, sizes: Callable[[], Mapping[str, int]], dropped: Callable[[], int],
                 caches: Callable[[], Iterable[CacheStats]] | None = None) -> None:
        self._sizes = sizes
        self._dropped = dropped
        self._caches = caches

    def collect(self) -> Iterable[Metric]:
        points = GaugeMetricFamily("conseil_index_points", "Points in the products collection.",
                                   labels=["collection"])
        for name, count in sorted(self._sizes().items()):
            if name == PRODUCTS_COLLECTION:  # a scrape needs no key: no study figure leaves here
                points.add_metric([name], float(count))
        yield points
        yield CounterMetricFamily("conseil_dropped_violations",
                                  "Search hits dropped because verification found an excluded ingredient.",
                                  value=float(self._dropped()))
        if self._caches is None:
            return
        stats = list(self._caches())
        hits = CounterMetricFamily("conseil_cache_hits", "Search cache lookups answered.", labels=["cache"])
        misses = CounterMetricFamily("conseil_cache_misses", "Search cache lookups not answered.", labels=["cache"])
        entries = GaugeMetricFamily("conseil_cache_entries", "Entries held by each search cache.", labels=["cache"])
        for s in stats:
            hits.add_metric([s.name], float(s.hits))
            misses.add_metric([s.name], float(s.misses))
            entries.add_metric([s.name], float(s.entries))
        yield from (hits, misses, entries)


class ApiMetrics:
    def __init__(self, sizes: Callable[[], Mapping[str, int]], dropped: Callable[[], int],
                 caches: Callable[[], Iterable[CacheStats]] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("conseil_http_requests", "HTTP requests handled.", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("conseil_http_request_duration_seconds", "Time to answer an HTTP request.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.jobs = Counter("conseil_ingest_jobs", "Ingestion jobs finished.", ["kind", "status"],
                            registry=self.registry)
        self.registry.register(_IndexCollector(sizes, dropped, caches))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_label(scope: Scope) -> str:
    """The route template ("/v1/products/{product_id}"), never the raw path: ids would explode the labels."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    endpoint = scope.get("endpoint")
    if endpoint is not None and type(endpoint).__name__ == "StaticFiles":
        return "static"
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI (no response buffering): counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics_of: Callable[[], ApiMetrics | None]) -> None:
        self.app = app
        self.metrics_of = metrics_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status: dict[str, Any] = {"code": 500}  # what the client sees if the app dies before answering

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics = self.metrics_of()
            if metrics is not None:
                metrics.observe(scope.get("method", "GET"), route_label(scope), status["code"],
                                time.perf_counter() - began)
