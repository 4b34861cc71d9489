"""Opening the configured index: the one place that knows which backend and which lock to use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ConfigurationError, IndexMissingError
from .index import CollectionSchema, VectorIndex
from .lock import IndexLock
from .schema import DENSE_VECTOR, PAYLOAD_INDEXES, PRODUCTS_COLLECTION, SPARSE_VECTOR
from .settings import Settings


def products_schema(dense_size: int) -> CollectionSchema:
    return CollectionSchema(
        name=PRODUCTS_COLLECTION,
        dense_name=DENSE_VECTOR,
        dense_size=dense_size,
        sparse_name=SPARSE_VECTOR,
        payload_indexes=dict(PAYLOAD_INDEXES),
    )


def stored_dense_size(settings: Settings, collection: str) -> int | None:
    """The vector size an existing embedded collection was built with (no model load needed)."""
    meta = settings.index_dir / collection / "meta.json"
    if not meta.exists():
        return None
    return int(json.loads(meta.read_text())["dense_size"])


@contextmanager
def open_index(settings: Settings, schema: CollectionSchema, *, create: bool) -> Iterator[VectorIndex]:
    """Hold the process lock and the open collection for the duration of the block."""
    if settings.qdrant_url:
        raise ConfigurationError(
            "CONSEIL_QDRANT_URL is set, but the Qdrant server backend is not available in this version: "
            "unset it to use the embedded index."
        )
    from .edge import EdgeIndex  # the native engine loads only when an index is really opened

    index_dir: Path = settings.index_dir
    if not create and not (index_dir / schema.name / "meta.json").exists():
        raise IndexMissingError(
            f"There is no {schema.name!r} index under {index_dir} yet: build it with "
            f"`conseil ingest {schema.name} PATH` (or set CONSEIL_DATA_DIR to where it lives)."
        )
    with IndexLock(index_dir):
        index = EdgeIndex.open(index_dir, schema, create=create, model=settings.embedding_model)
        try:
            yield index
        finally:
            index.close()
