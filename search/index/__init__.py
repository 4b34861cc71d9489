"""The index: what a collection holds and the engines that hold it.

    contract.py       IndexReader / IndexWriter / IndexExporter (VectorIndex is all three), queries, filters
    schema.py         collection names, payload fields and indexes, point ids (shared with ingest)
    store.py          Store: the collections of one data directory or server, opened through one backend
    backends.py       the backend chosen once: embedded Qdrant Edge (edge.py, with lock.py) or a server
                      through qdrant-client (qdrant_server.py, with retry.py)
    sparse.py         the BM25 sparse encoder both sides use
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conseil.search._exports import lazy_exports

if TYPE_CHECKING:  # the real classes for type checkers; at run time they load on first use
    from conseil.search.index.contract import (  # noqa: F401  # noqa: F401
        Filter,
        Hit,
        HybridQuery,
        IndexReader,
        IndexWriter,
        MatchAny,
        Range,
        VectorIndex,
    )
    from conseil.search.index.sparse import Bm25Encoder  # noqa: F401
    from conseil.search.index.store import Store, open_store  # noqa: F401

__all__, __getattr__ = lazy_exports(__name__, {
    "contract": ("Filter", "Hit", "HybridQuery", "IndexReader", "IndexWriter", "MatchAny", "Range", "VectorIndex"),
    "sparse": ("Bm25Encoder",),
    "store": ("Store", "open_store"),
})
