"""The embedded backend: Qdrant Edge (the real Qdrant engine, in-process).

Layout under the index directory (`<data_dir>/index`):

    conseil.lock                 the process lock (see `search.lock`)
    <collection>/shard/          the Edge shard
    <collection>/meta.json       schema + embedding model the vectors were made with
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe
from conseil.search.errors import IndexMissingError, IndexSchemaError
from conseil.search.index.contract import (
    CollectionSchema,
    Condition,
    Filter,
    Hit,
    HybridQuery,
    IndexPoint,
    MatchAny,
    Range,
    SparseVector,
)
from conseil.search.settings import model_variable

SCHEMA_VERSION = 1

_PAYLOAD_TYPES = {
    "keyword": qe.PayloadSchemaType.Keyword,
    "float": qe.PayloadSchemaType.Float,
    "integer": qe.PayloadSchemaType.Integer,
    "bool": qe.PayloadSchemaType.Bool,
}

# HNSW settings. full_scan_threshold is in KB of vectors: a filter whose matching points' vectors
# fit under it is answered by exact search, which is what keeps filtered recall at 1.0 for the
# selective filters advisors use (measured in eval/bench_search.py).
HNSW_M = 16
HNSW_EF_CONSTRUCT = 128
FULL_SCAN_THRESHOLD_KB = 10_000
FILTER_MEMO_SIZE = 1024  # converted filters kept per collection (cleared when full)


def _condition(cond: Condition) -> qe.FieldCondition:
    if isinstance(cond, MatchAny):
        return qe.FieldCondition(key=cond.key, match=qe.MatchAny(list(cond.values)))
    if isinstance(cond, Range):
        return qe.FieldCondition(key=cond.key, range=qe.RangeFloat(gte=cond.gte, lte=cond.lte))
    raise TypeError(f"unsupported condition {cond!r}")


def to_edge_filter(flt: Filter | None) -> qe.Filter | None:
    if flt is None or flt.is_empty():
        return None
    return qe.Filter(
        must=[_condition(c) for c in flt.must] or None,
        must_not=[_condition(c) for c in flt.must_not] or None,
    )


def _sparse(vec: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(indices=list(vec.indices), values=list(vec.values))


def _hit(point: Any) -> Hit:
    return Hit(id=str(point.id), score=float(getattr(point, "score", 0.0) or 0.0), payload=dict(point.payload or {}))


class EdgeIndex:
    """One collection stored as one Edge shard."""

    def __init__(self, shard: qe.EdgeShard, schema: CollectionSchema, directory: Path) -> None:
        self._shard = shard
        self.schema = schema
        self.directory = directory
        # A search sends one filter up to five times (query, count, three facets): converted once.
        self._filters: dict[Filter, qe.Filter | None] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def open(cls, index_dir: Path, schema: CollectionSchema, *, create: bool, model: str) -> EdgeIndex:
        """Open (or, with `create`, create) the collection. The caller holds the index lock."""
        directory = index_dir / schema.name
        meta_path = directory / "meta.json"
        shard_dir = directory / "shard"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            if meta.get("model") != model or meta.get("dense_size") != schema.dense_size:
                raise IndexSchemaError(
                    f"The {schema.name!r} index at {directory} was built with embedding model "
                    f"{meta.get('model')!r} ({meta.get('dense_size')} dims); the current setting is "
                    f"{model!r} ({schema.dense_size} dims). Set {model_variable(schema.name)} back, or use "
                    "another CONSEIL_DATA_DIR, or delete the index directory and ingest again."
                )
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise IndexSchemaError(
                    f"The {schema.name!r} index at {directory} has schema version "
                    f"{meta.get('schema_version')}, this Conseil needs {SCHEMA_VERSION}: delete "
                    f"{directory} and ingest again."
                )
            shard = qe.EdgeShard.load(str(shard_dir))
            index = cls(shard, schema, directory)
            index._ensure_payload_indexes()
            return index
        if not create:
            raise IndexMissingError(
                f"There is no {schema.name!r} index under {index_dir} yet: build it with "
                f"`conseil ingest {schema.name} PATH` (or set CONSEIL_DATA_DIR to where it lives)."
            )
        directory.mkdir(parents=True, exist_ok=True)
        shard = qe.EdgeShard.create(str(shard_dir), cls._config(schema))
        index = cls(shard, schema, directory)
        index._ensure_payload_indexes()
        meta = {"schema_version": SCHEMA_VERSION, "model": model, "dense_size": schema.dense_size,
                "collection": schema.name}
        meta_path.write_text(json.dumps(meta, indent=2))
        return index

    @staticmethod
    def _config(schema: CollectionSchema) -> qe.EdgeConfig:
        return qe.EdgeConfig(
            vectors={schema.dense_name: qe.EdgeVectorParams(size=schema.dense_size, distance=qe.Distance.Cosine)},
            sparse_vectors={schema.sparse_name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                           full_scan_threshold=FULL_SCAN_THRESHOLD_KB),
        )

    def _ensure_payload_indexes(self) -> None:
        existing = set(self._shard.info().payload_schema)
        for field_name, kind in self.schema.payload_indexes.items():
            if field_name not in existing:
                self._shard.update(qe.UpdateOperation.create_field_index(field_name, _PAYLOAD_TYPES[kind]))

    def flush(self) -> None:
        self._shard.flush()

    def optimize(self) -> None:
        """Build HNSW and payload structures now rather than on the first queries."""
        self._shard.optimize()

    def close(self) -> None:
        self._shard.flush()
        self._shard.close()

    # -- writes --------------------------------------------------------------------------------

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        if not points:
            return
        edge_points = [
            qe.Point(
                id=p.id,
                vector={self.schema.dense_name: p.dense, self.schema.sparse_name: _sparse(p.sparse)},
                payload=p.payload,
            )
            for p in points
        ]
        self._shard.update(qe.UpdateOperation.upsert_points(edge_points))

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None:
        self._shard.update(qe.UpdateOperation.overwrite_payload([point_id], payload))

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._shard.update(qe.UpdateOperation.delete_points(list(ids)))

    # -- reads ---------------------------------------------------------------------------------

    def _edge_filter(self, flt: Filter | None) -> qe.Filter | None:
        if flt is None:
            return None
        converted = self._filters.get(flt)
        if converted is None and flt not in self._filters:
            if len(self._filters) >= FILTER_MEMO_SIZE:
                self._filters.clear()
            converted = self._filters[flt] = to_edge_filter(flt)
        return converted

    def query(self, request: HybridQuery) -> list[Hit]:
        flt = self._edge_filter(request.filter)
        params = qe.SearchParams(hnsw_ef=request.hnsw_ef, exact=request.exact)
        prefetches = []
        if request.dense is not None:
            prefetches.append(qe.Prefetch(
                limit=request.prefetch_limit, filter=flt, params=params,
                query=qe.Query.Nearest(request.dense, using=self.schema.dense_name)))
        if request.sparse is not None and request.sparse.indices:
            prefetches.append(qe.Prefetch(
                limit=request.prefetch_limit, filter=flt,
                query=qe.Query.Nearest(_sparse(request.sparse), using=self.schema.sparse_name)))
        with_payload: Any = request.with_payload if isinstance(request.with_payload, bool) else list(request.with_payload)
        if not prefetches:  # nothing to rank by: filtered listing
            records, _ = self._shard.scroll(qe.ScrollRequest(limit=request.offset + request.limit,
                                                             filter=flt, with_payload=with_payload))
            return [_hit(r) for r in records[request.offset:]]
        if len(prefetches) == 1:  # a single ranking: no fusion needed
            only = prefetches[0]
            points = self._shard.query(qe.QueryRequest(
                limit=request.limit, offset=request.offset, query=only.query, filter=flt,
                params=only.params, with_payload=with_payload))
            return [_hit(p) for p in points]
        fusion: Any = qe.Fusion.Rrf(k=60) if request.fusion == "rrf" else qe.Fusion.Dbsf()
        points = self._shard.query(qe.QueryRequest(
            limit=request.limit, offset=request.offset, query=fusion, prefetches=prefetches,
            filter=flt, with_payload=with_payload))
        return [_hit(p) for p in points]

    def count(self, flt: Filter | None = None) -> int:
        return int(self._shard.count(qe.CountRequest(exact=True, filter=self._edge_filter(flt))))

    def facet(self, key: str, flt: Filter | None = None, limit: int = 20) -> list[tuple[Any, int]]:
        response = self._shard.facet(qe.FacetRequest(key=key, limit=limit, exact=True, filter=self._edge_filter(flt)))
        return [(hit.value, int(hit.count)) for hit in response.hits]

    def scroll(self, flt: Filter | None = None, fields: Sequence[str] | bool = True,
               batch: int = 1000) -> Iterator[Hit]:
        with_payload: Any = fields if isinstance(fields, bool) else list(fields)
        offset: Any = None
        edge_filter = to_edge_filter(flt)
        while True:
            records, offset = self._shard.scroll(qe.ScrollRequest(
                offset=offset, limit=batch, filter=edge_filter, with_payload=with_payload))
            for record in records:
                yield _hit(record)
            if offset is None:
                return

    def retrieve(self, ids: Sequence[str], fields: Sequence[str] | bool = True) -> list[Hit]:
        with_payload: Any = fields if isinstance(fields, bool) else list(fields)
        return [_hit(r) for r in self._shard.retrieve(list(ids), with_payload=with_payload, with_vector=False)]

    def export_points(self, batch: int = 1000) -> Iterator[list[IndexPoint]]:
        offset: Any = None
        while True:
            records, offset = self._shard.scroll(qe.ScrollRequest(
                offset=offset, limit=batch, with_payload=True, with_vector=True))
            if records:
                yield [self._point(r) for r in records]
            if offset is None:
                return

    def _point(self, record: Any) -> IndexPoint:
        vectors = record.vector or {}
        sparse = vectors.get(self.schema.sparse_name)
        return IndexPoint(
            id=str(record.id), dense=list(vectors.get(self.schema.dense_name) or []),
            sparse=SparseVector(tuple(sparse.indices), tuple(sparse.values)) if sparse is not None
            else SparseVector((), ()),
            payload=dict(record.payload or {}))
