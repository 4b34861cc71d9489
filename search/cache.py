"""Bounded caches for product search, with hit/miss counters and one invalidation point.

What may be cached, and on what key (nothing else is ever a key):

    embeddings   (model name, query prefix, retrieval text)   -> query vector
    filters      (generation, "count" | "facets", filter)     -> total / facets: they depend on the
                                                                 filter only, never on the query text
                 (generation, "understood", KB, vocabulary,   -> the request understood: the page's
                  the request's text and constraints)            facets request follows its search
    items        (generation, KB version, point id)           -> the hit's ingredient items with their
                                                                 families re-derived from that KB
    payloads     (generation, point id)                       -> the hit's stored payload (the fields a
                                                                 hit shows): loading it was ~2 of a
                                                                 query's ~3 ms of CPU, for products
                                                                 that recur from query to query
    cards        (generation, KB version, point id, language) -> what a hit shows that no constraint
                                                                 changes (labels, audit warnings, rating
                                                                 ...): 0.30 -> 0.02 ms a page of 10
    responses    (generation, the full validated request)     -> the whole answer

`generation` changes whenever the index may have changed: the server calls `invalidate()` under the
exclusive side of its search lock, at every index write of an ingestion job and after the job, so no
search runs across a change and no entry made before it is ever read after it. `usable()` can turn
the index-dependent caches off for a while. Verification itself is never skipped: a memoised item
list still goes through `verify` for every hit of every answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class CacheStats:
    name: str
    entries: int
    capacity: int
    hits: int
    misses: int


class LruCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `capacity` entries (0 disables it)."""

    def __init__(self, name: str, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"cache {name!r}: capacity must be 0 or more, not {capacity}")
        self.name = name
        self.capacity = capacity
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        if self.capacity == 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self.name, len(self._data), self.capacity, self.hits, self.misses)


def _always() -> bool:
    return True


class SearchCaches:
    """The caches of one product-search engine. `usable` says whether the index is stable right now
    (the server answers false while an ingestion job runs)."""

    def __init__(self, *, embeddings: int = 4096, filters: int = 2048, items: int = 20_000,
                 responses: int = 2048, payloads: int | None = None, usable: Callable[[], bool] = _always) -> None:
        """`payloads` and `cards`: as many as `items` (all per product; cards per language too)."""
        self.embeddings: LruCache[list[float]] = LruCache("embeddings", embeddings)
        self.filters: LruCache[Any] = LruCache("filters", filters)
        self.items: LruCache[Any] = LruCache("items", items)
        self.payloads: LruCache[dict[str, Any]] = LruCache("payloads", items if payloads is None else payloads)
        self.cards: LruCache[dict[str, Any]] = LruCache("cards", items)
        self.responses: LruCache[Any] = LruCache("responses", responses)
        self.usable = usable
        self.generation = 0
        self._lock = threading.Lock()

    def all(self) -> tuple[LruCache[Any], ...]:
        return (self.embeddings, self.filters, self.items, self.payloads, self.cards, self.responses)

    def invalidate(self) -> None:
        """The index changed (an ingestion job finished): forget everything derived from it. Keys carry
        the generation too, so an entry stored by a search that raced with this call is never read."""
        with self._lock:
            self.generation += 1
            for cache in self.all():
                cache.clear()

    def stats(self) -> list[CacheStats]:
        return [cache.stats() for cache in self.all()]
