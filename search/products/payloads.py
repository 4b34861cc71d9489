"""Hit payloads, loaded apart from the ranking query and only for the hits that need them.

Loading payloads was most of a ranking query's CPU (full Sephora index, 15 hits: ~3.3-4 ms with
payloads, ~0.7 ms without), so the engine ranks without them and then loads the page's own: from the
server's generation-keyed `payloads` cache when it has one (products recur from query to query),
else in one `retrieve` of just those ids (the first page's 10, not the 15 ranked for verification's
margin). The raw ingredient text, asked only by named-ingredient queries, is never cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conseil.search.cache import SearchCaches
from conseil.search.index.contract import Hit, IndexReader


def with_payloads(index: IndexReader, hits: Sequence[Hit], fields: tuple[str, ...],
                  caches: SearchCaches | None, cacheable: tuple[str, ...]) -> list[Hit]:
    """`hits` (ranked without payload) with their `fields`, in order; a hit gone from the index is
    left out. `caches`: the server's, only while the index is stable; used when `fields` is `cacheable`."""
    if not hits:
        return []
    found: dict[str, dict[str, Any]] = {}
    cache = caches.payloads if caches is not None and fields == cacheable and caches.payloads.capacity else None
    if cache is not None and caches is not None:
        generation = caches.generation
        for hit in hits:
            payload = cache.get((generation, hit.id))
            if payload is not None:
                found[hit.id] = payload
    missing = [hit.id for hit in hits if hit.id not in found]
    for loaded in index.retrieve(missing, fields) if missing else ():
        found[loaded.id] = loaded.payload
        if cache is not None and caches is not None:
            cache.put((caches.generation, loaded.id), loaded.payload)
    return [Hit(id=hit.id, score=hit.score, payload=found[hit.id]) for hit in hits if hit.id in found]
