"""The server backend: a Qdrant server or cluster through qdrant-client (`CONSEIL_QDRANT_URL`).

It implements the same contract as `search.index.edge` with the same collection layout: a named dense
vector (cosine), a named sparse vector with the IDF modifier (BM25 computed client-side by
`search.sparse`, so both engines score the same tokens), the same HNSW settings and payload
indexes, and the same Query API calls (dense and sparse prefetches each carrying the filter, RRF
with k=60 or DBSF). What `meta.json` holds for an embedded collection lives in the collection's
own metadata here (Qdrant >= 1.16): the model and vector size it was built with.

Two URLs name qdrant-client's local mode, a pure-Python stand-in that runs the same client code
path in the tests: `:memory:` (its collections live as long as the Store that opened it) and
`local` (kept under `DATA_DIR/index/qdrant-local`, so an ingest and a later search see the same
collections, as two commands do on a server; one Store at a time may open it). Both are slow,
ignore payload indexes and HNSW (always exact), and are never the engine to deploy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from conseil.search.errors import (
    ConfigurationError,
    IndexLockedError,
    IndexMissingError,
    IndexSchemaError,
    VectorIndexError,
)
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
from conseil.search.index.edge import FULL_SCAN_THRESHOLD_KB, HNSW_EF_CONSTRUCT, HNSW_M, SCHEMA_VERSION
from conseil.search.index.retry import with_retries
from conseil.search.settings import Settings, model_variable

if TYPE_CHECKING:
    from qdrant_client import QdrantClient
    from qdrant_client.http import models as qm

T = TypeVar("T")

MEMORY_URL = ":memory:"
RRF_K = 60  # the embedded engine's constant; qdrant-client's own default (2) would rank differently

LOCAL_URL = "local"
LOCAL_DIR = "qdrant-local"


@dataclass(frozen=True)
class ServerOptions:
    """How collections are laid out on the cluster and how requests are retried."""

    shard_number: int = 1
    replication_factor: int = 1
    write_consistency_factor: int = 1
    on_disk_vectors: bool = False
    quantization: str = "none"
    retries: int = 4
    backoff_s: float = 0.5
    upsert_batch: int = 256

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerOptions:
        return cls(shard_number=settings.qdrant_shard_number, replication_factor=settings.qdrant_replication_factor,
                   write_consistency_factor=settings.qdrant_write_consistency_factor,
                   on_disk_vectors=settings.qdrant_on_disk_vectors, quantization=settings.qdrant_quantization,
                   retries=settings.qdrant_retries, backoff_s=settings.qdrant_backoff_s,
                   upsert_batch=max(settings.batch_size, 1))


def server_location(settings: Settings) -> str:
    """The server's URL as messages show it (never the API key)."""
    url = settings.qdrant_url or ""
    if url in (MEMORY_URL, LOCAL_URL):
        return f"qdrant-client local mode ({url})"
    return url


def connect(settings: Settings) -> QdrantClient:
    """A client for the configured server, or the local-mode stand-in (see the module docstring)."""
    from qdrant_client import QdrantClient

    url = settings.qdrant_url
    if not url:
        raise ConfigurationError("CONSEIL_QDRANT_URL is not set: there is no Qdrant server to connect to.")
    if url == MEMORY_URL:
        return QdrantClient(location=MEMORY_URL)
    if url == LOCAL_URL:
        path = settings.index_dir / LOCAL_DIR
        path.mkdir(parents=True, exist_ok=True)
        try:
            return QdrantClient(path=str(path))
        except RuntimeError as exc:  # local mode's own lock: another client holds the folder
            raise IndexLockedError(f"The local-mode stand-in under {path} is open elsewhere: {exc}", None) from None
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"CONSEIL_QDRANT_URL={url!r} is not a URL: give http://HOST:6333 or https://HOST:6333 "
            "(TLS), or ':memory:' / 'local' for the in-process test stand-in.")
    api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    # check_compatibility would send a request (and warn) on every connect; the collection's
    # metadata check at open time says clearly when the server is too old.
    return QdrantClient(url=url, api_key=api_key, timeout=settings.qdrant_timeout,
                        prefer_grpc=settings.qdrant_prefer_grpc, check_compatibility=False)


def release(settings: Settings, client: QdrantClient) -> None:
    """Close a client from `connect` (a `:memory:` stand-in's collections go with it)."""
    client.close()


def stored_server_dense_size(client: QdrantClient, collection: str, *, where: str,
                             options: ServerOptions | None = None) -> int | None:
    """The dense vector size of an existing server collection, from its config; None if absent."""
    opts = options or ServerOptions()
    if not _call(lambda: client.collection_exists(collection), "check the collection", where, opts):
        return None
    info = _call(lambda: client.get_collection(collection), "read the collection", where, opts)
    meta = info.config.metadata or {}
    if "conseil_dense_size" in meta:
        return int(meta["conseil_dense_size"])
    vectors = info.config.params.vectors
    if isinstance(vectors, dict) and vectors:
        return int(next(iter(vectors.values())).size)
    return None


def _call(fn: Callable[[], T], what: str, where: str, options: ServerOptions) -> T:
    """One request with retries; a non-transient failure becomes a project error naming the server."""
    from qdrant_client.http.exceptions import UnexpectedResponse

    try:
        return with_retries(fn, what=what, where=where, retries=options.retries, backoff_s=options.backoff_s)
    except UnexpectedResponse as exc:
        raise _translate(exc, what, where) from None


def _translate(exc: Any, what: str, where: str) -> Exception:
    """An UnexpectedResponse from the server as a project error a person can act on."""
    detail = exc.content.decode("utf-8", "replace")[:300] if exc.content else exc.reason_phrase
    if exc.status_code in (401, 403):
        return ConfigurationError(
            f"The Qdrant server at {where} refused the request ({what}: HTTP {exc.status_code}): "
            "check CONSEIL_QDRANT_API_KEY.")
    return VectorIndexError(f"The Qdrant server at {where} could not {what} (HTTP {exc.status_code}): {detail}")


def _condition(cond: Condition) -> qm.FieldCondition:
    from qdrant_client.http import models as qm

    if isinstance(cond, MatchAny):
        return qm.FieldCondition(key=cond.key, match=qm.MatchAny(any=list(cond.values)))
    if isinstance(cond, Range):
        return qm.FieldCondition(key=cond.key, range=qm.Range(gte=cond.gte, lte=cond.lte))
    raise TypeError(f"unsupported condition {cond!r}")


def to_client_filter(flt: Filter | None) -> qm.Filter | None:
    from qdrant_client.http import models as qm

    if flt is None or flt.is_empty():
        return None
    must: Any = [_condition(c) for c in flt.must] or None
    must_not: Any = [_condition(c) for c in flt.must_not] or None
    return qm.Filter(must=must, must_not=must_not)


def _sparse(vec: SparseVector) -> qm.SparseVector:
    from qdrant_client.http import models as qm

    return qm.SparseVector(indices=list(vec.indices), values=list(vec.values))


def _hit(point: Any) -> Hit:
    return Hit(id=str(point.id), score=float(getattr(point, "score", 0.0) or 0.0), payload=dict(point.payload or {}))


def _selector(with_payload: bool | Sequence[str]) -> Any:
    return with_payload if isinstance(with_payload, bool) else list(with_payload)


class QdrantServerIndex:
    """One collection on a Qdrant server or cluster, through a client shared by the Store."""

    def __init__(self, client: QdrantClient, schema: CollectionSchema, *, where: str,
                 options: ServerOptions) -> None:
        self._client = client
        self.schema = schema
        self.where = where
        self.options = options
        self._payload_schema: set[str] = set()

    def _call(self, fn: Callable[[], T], what: str) -> T:
        return _call(fn, what, self.where, self.options)

    # -- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def open(cls, client: QdrantClient, schema: CollectionSchema, *, create: bool, model: str, where: str,
             options: ServerOptions | None = None) -> QdrantServerIndex:
        """Open (or, with `create`, create) the collection; checks the model it was built with."""
        index = cls(client, schema, where=where, options=options or ServerOptions())
        name = schema.name
        if not index._call(lambda: client.collection_exists(name), "check the collection"):
            if not create:
                raise IndexMissingError(
                    f"There is no {name!r} collection on the Qdrant server at {where} yet: build it with "
                    f"`conseil ingest {name} PATH` (or point CONSEIL_QDRANT_URL to where it lives).")
            index._create(model)
        index._check(model)
        index._ensure_payload_indexes()
        return index

    def _create(self, model: str) -> None:
        from qdrant_client.http import models as qm
        from qdrant_client.http.exceptions import UnexpectedResponse

        s, o = self.schema, self.options
        quantization = (qm.ScalarQuantization(scalar=qm.ScalarQuantizationConfig(
            type=qm.ScalarType.INT8, quantile=0.99, always_ram=True)) if o.quantization == "scalar" else None)
        metadata = {"conseil_schema_version": SCHEMA_VERSION, "conseil_model": model,
                    "conseil_dense_size": s.dense_size}
        def create() -> Any:
            return self._client.create_collection(
                s.name,
                vectors_config={s.dense_name: qm.VectorParams(size=s.dense_size, distance=qm.Distance.COSINE,
                                                              on_disk=o.on_disk_vectors or None)},
                sparse_vectors_config={s.sparse_name: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
                hnsw_config=qm.HnswConfigDiff(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                              full_scan_threshold=FULL_SCAN_THRESHOLD_KB),
                shard_number=o.shard_number, replication_factor=o.replication_factor,
                write_consistency_factor=o.write_consistency_factor,
                quantization_config=quantization, metadata=metadata)

        try:
            with_retries(create, what="create the collection", where=self.where, retries=o.retries,
                         backoff_s=o.backoff_s)
        except UnexpectedResponse as exc:
            if exc.status_code != 409:  # 409: another process created it meanwhile; open theirs
                raise _translate(exc, "create the collection", self.where) from None
        except ValueError as exc:  # local mode says "already exists" this way
            if "already exists" not in str(exc):
                raise

    def _check(self, model: str) -> None:
        name, where = self.schema.name, self.where
        info = self._call(lambda: self._client.get_collection(name), "read the collection")
        meta = info.config.metadata or {}
        if "conseil_model" not in meta:
            raise IndexSchemaError(
                f"The {name!r} collection on the Qdrant server at {where} was not created by Conseil (or "
                "the server is older than Qdrant 1.16 and keeps no collection metadata): delete it or use "
                "another server.")
        if meta.get("conseil_model") != model or meta.get("conseil_dense_size") != self.schema.dense_size:
            raise IndexSchemaError(
                f"The {name!r} collection on the Qdrant server at {where} was built with embedding model "
                f"{meta.get('conseil_model')!r} ({meta.get('conseil_dense_size')} dims); the current setting "
                f"is {model!r} ({self.schema.dense_size} dims). Set {model_variable(self.schema.name)} back, or "
                "delete the collection and ingest again.")
        if meta.get("conseil_schema_version") != SCHEMA_VERSION:
            raise IndexSchemaError(
                f"The {name!r} collection on the Qdrant server at {where} has schema version "
                f"{meta.get('conseil_schema_version')}, this Conseil needs {SCHEMA_VERSION}: delete the "
                "collection and ingest again.")
        self._payload_schema = set((info.payload_schema or {}).keys())

    def _ensure_payload_indexes(self) -> None:
        from qdrant_client.http import models as qm

        kinds = {"keyword": qm.PayloadSchemaType.KEYWORD, "float": qm.PayloadSchemaType.FLOAT,
                 "integer": qm.PayloadSchemaType.INTEGER, "bool": qm.PayloadSchemaType.BOOL}
        with warnings.catch_warnings():  # local mode warns that it has no payload indexes: known
            warnings.simplefilter("ignore", UserWarning)
            for field_name, kind in self.schema.payload_indexes.items():
                if field_name not in self._payload_schema:
                    self._call(partial(self._client.create_payload_index, self.schema.name, field_name,
                                       field_schema=kinds[kind], wait=True), f"index the field {field_name!r}")

    def flush(self) -> None:
        """Nothing to do: the server persists every acknowledged write (we wait for each)."""

    def optimize(self) -> None:
        """The server optimizes in the background; kept for parity with EdgeIndex."""

    def close(self) -> None:
        """The client belongs to the Store, which closes it once for all its collections."""

    # -- writes --------------------------------------------------------------------------------

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        from qdrant_client.http import models as qm

        s = self.schema
        step = self.options.upsert_batch
        for start in range(0, len(points), step):
            batch = [qm.PointStruct(id=p.id, vector={s.dense_name: p.dense, s.sparse_name: _sparse(p.sparse)},
                                    payload=p.payload) for p in points[start:start + step]]
            self._call(partial(self._client.upsert, s.name, points=batch, wait=True), "upsert points")

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None:
        self._call(lambda: self._client.overwrite_payload(self.schema.name, payload=payload, points=[point_id],
                                                          wait=True), "rewrite a payload")

    def delete(self, ids: Sequence[str]) -> None:
        from qdrant_client.http import models as qm

        if ids:
            selector = qm.PointIdsList(points=list(ids))
            self._call(lambda: self._client.delete(self.schema.name, points_selector=selector, wait=True),
                       "delete points")

    # -- reads ---------------------------------------------------------------------------------

    def query(self, request: HybridQuery) -> list[Hit]:
        from qdrant_client.http import models as qm

        s = self.schema
        flt = to_client_filter(request.filter)
        params = qm.SearchParams(hnsw_ef=request.hnsw_ef, exact=request.exact)
        with_payload = _selector(request.with_payload)
        prefetches: list[qm.Prefetch] = []
        if request.dense is not None:
            prefetches.append(qm.Prefetch(query=request.dense, using=s.dense_name, filter=flt,
                                          limit=request.prefetch_limit, params=params))
        if request.sparse is not None and request.sparse.indices:
            prefetches.append(qm.Prefetch(query=_sparse(request.sparse), using=s.sparse_name, filter=flt,
                                          limit=request.prefetch_limit))
        if not prefetches:  # nothing to rank by: filtered listing, in id order as on the embedded engine
            records, _ = self._call(lambda: self._client.scroll(
                s.name, scroll_filter=flt, limit=request.offset + request.limit, with_payload=with_payload,
                with_vectors=False), "list points")
            return [_hit(r) for r in records[request.offset:]]
        if len(prefetches) == 1:  # a single ranking: no fusion needed
            only = prefetches[0]
            response = self._call(lambda: self._client.query_points(
                s.name, query=only.query, using=only.using, query_filter=flt, search_params=only.params,
                limit=request.limit, offset=request.offset, with_payload=with_payload), "query")
            return [_hit(p) for p in response.points]
        fusion: Any = (qm.RrfQuery(rrf=qm.Rrf(k=RRF_K)) if request.fusion == "rrf"
                       else qm.FusionQuery(fusion=qm.Fusion.DBSF))
        response = self._call(lambda: self._client.query_points(
            s.name, prefetch=prefetches, query=fusion, query_filter=flt, limit=request.limit,
            offset=request.offset, with_payload=with_payload), "query")
        return [_hit(p) for p in response.points]

    def count(self, flt: Filter | None = None) -> int:
        result = self._call(lambda: self._client.count(self.schema.name, count_filter=to_client_filter(flt),
                                                       exact=True), "count points")
        return int(result.count)

    def facet(self, key: str, flt: Filter | None = None, limit: int = 20) -> list[tuple[Any, int]]:
        response = self._call(lambda: self._client.facet(self.schema.name, key, facet_filter=to_client_filter(flt),
                                                         limit=limit, exact=True), f"count values of {key!r}")
        return [(hit.value, int(hit.count)) for hit in response.hits]

    def scroll(self, flt: Filter | None = None, fields: Sequence[str] | bool = True,
               batch: int = 1000) -> Iterator[Hit]:
        client_filter = to_client_filter(flt)
        with_payload = _selector(fields)
        offset: Any = None
        while True:
            records, offset = self._call(partial(
                self._client.scroll, self.schema.name, scroll_filter=client_filter, limit=batch, offset=offset,
                with_payload=with_payload, with_vectors=False), "list points")
            for record in records:
                yield _hit(record)
            if offset is None:
                return

    def retrieve(self, ids: Sequence[str], fields: Sequence[str] | bool = True) -> list[Hit]:
        with_payload: Any = fields if isinstance(fields, bool) else list(fields)
        records = self._call(lambda: self._client.retrieve(self.schema.name, ids=list(ids), with_payload=with_payload,
                                                           with_vectors=False), "retrieve points")
        return [_hit(r) for r in records]

    def export_points(self, batch: int = 1000) -> Iterator[list[IndexPoint]]:
        """Every point with its vectors and full payload, in id order (as the embedded engine's)."""
        offset: Any = None
        while True:
            records, offset = self._call(partial(
                self._client.scroll, self.schema.name, limit=batch, offset=offset, with_payload=True,
                with_vectors=True), "export points")
            if records:
                yield [self._point(r) for r in records]
            if offset is None:
                return

    def _point(self, record: Any) -> IndexPoint:
        vectors = record.vector if isinstance(record.vector, dict) else {}
        sparse = vectors.get(self.schema.sparse_name)
        return IndexPoint(
            id=str(record.id), dense=[float(x) for x in vectors.get(self.schema.dense_name) or []],
            sparse=SparseVector(tuple(sparse.indices), tuple(sparse.values)) if sparse is not None
            else SparseVector((), ()),
            payload=dict(record.payload or {}))
