"""Product ingestion: source file -> ingredient analysis -> embeddings -> the products collection.

Incremental by design. Each stored point remembers the hash of its source record and the
"derivation" (knowledge-base fingerprint, payload version, model) it was built with:

* same record, same derivation        -> unchanged: nothing is parsed, embedded or written;
* texts unchanged, payload changed    -> payload rewritten, no re-embedding (e.g. a new KB);
* otherwise                           -> re-embedded and upserted.

A source that cannot be read raises before the index is opened, so the index stays untouched.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from conseil.search.embedder import Embedder
from conseil.search.index import fingerprint
from conseil.search.index.contract import Filter, IndexPoint, MatchAny, VectorIndex
from conseil.search.index.schema import ProductRecord, Reject
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import CollectionSource, products_schema, stored_dense_size, use_store
from conseil.search.knowledge.analysis import CachedKnowledge, KnowledgeLike, analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.settings import Settings

from .audit import audit_claims
from .documents import PAYLOAD_VERSION, ProductDocument, build_document
from .sources import read_products

# Texts handed to the model per call: large enough for sentence-transformers' length sorting to
# pay off, small enough for a responsive progress bar and bounded memory.
EMBED_CHUNK = 1024

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PendingWriter = Callable[[VectorIndex, list[ProductDocument], Progress | None], None]


@dataclass
class IngestReport:
    path: str
    format: str
    source: str
    rows_read: int = 0
    new: int = 0
    changed: int = 0
    payload_only: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    contradictions: int = 0
    seconds: float = 0.0
    model_load_seconds: float = 0.0
    rejects_file: str | None = None
    rejects: list[Reject] = field(default_factory=list)
    # What the user must know though nothing was rejected (ids normalised, a currency assumed).
    notes: list[str] = field(default_factory=list)
    typed: int = 0  # products whose category maps to a Conseil product type
    unmapped_categories: dict[str, int] = field(default_factory=dict)  # category path -> products
    currencies: dict[str, int] = field(default_factory=dict)  # ISO code -> products

    def summary(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "rejects"}


def knowledge_fingerprint(kb: IngredientKnowledge) -> str:
    return str(getattr(kb, "version", "")) or "unversioned"


def ingest_products(
    settings: Settings,
    path: Path,
    *,
    fmt: str = "auto",
    mapping: Path | None = None,
    source: str | None = None,
    sync: bool = False,
    embedder_factory: Callable[[], Embedder],
    kb: IngredientKnowledge | None = None,
    progress: Progress | None = None,
    store: CollectionSource | None = None,
    upsert_pending: PendingWriter | None = None,
    strict: bool = False,
) -> IngestReport:
    """Ingest one product file. `store`: an already-open store (the server's); else one is opened.
    `upsert_pending`: embeds and writes the planned new/changed documents instead of this process's
    model (ingest.parallel: worker processes against a server). `strict`: refuse a file whose prices have
    no currency (see sources.read_products)."""
    started = time.perf_counter()
    read = read_products(path, fmt, mapping=mapping, source=source, strict=strict)  # raises before any write
    report = IngestReport(path=str(path), format=read.format, source=read.source, rows_read=read.rows_read,
                          rejects=list(read.rejects), notes=list(read.notes),
                          typed=sum(1 for r in read.records if r.product_types),
                          unmapped_categories=dict(sorted(read.unmapped_categories.items(), key=lambda kv: -kv[1])),
                          currencies=dict(read.currencies))
    kb = kb or IngredientKnowledge.load()

    embedder: Embedder | None = None

    def load_model() -> Embedder:
        began = time.perf_counter()
        model = embedder_factory()
        report.model_load_seconds = round(time.perf_counter() - began, 2)
        return model

    dense_size = stored_dense_size(settings, products_schema(0).name, store)
    if dense_size is None:  # first ingest: the model decides the vector size
        embedder = load_model()
        dense_size = embedder.dimension
    derivation = f"kb={knowledge_fingerprint(kb)};payload={PAYLOAD_VERSION};model={settings.embedding_model}"

    # One memo per run: a catalog repeats a few thousand distinct items hundreds of thousands of times.
    cached = CachedKnowledge(kb)
    with use_store(settings, store) as opened:
        index = opened.collection(products_schema(dense_size), create=True)
        fingerprint.begin(settings, index)  # a kill from here on is reported at open, not taken for damage
        stored = _stored_state(index, read.source)
        pending: list[ProductDocument] = []
        for n, record in enumerate(read.records, 1):
            record_hash = record.content_hash()
            previous = stored.get(record.point_id)
            if previous and previous[0] == record_hash and previous[1] == derivation:
                report.unchanged += 1
                continue
            document = _document(record, cached, record_hash, derivation)
            report.contradictions += bool(document.payload["audit"])
            if previous is None:
                report.new += 1
                pending.append(document)
            elif previous[2] == document.embed_hash:
                report.payload_only += 1
                index.set_payload(document.point_id, document.payload)
            else:
                report.changed += 1
                pending.append(document)
            if progress and n % 500 == 0:
                progress("analyse", n, len(read.records))

        if pending and upsert_pending is not None:
            upsert_pending(index, pending, progress)
        elif pending:
            embedder = embedder or load_model()
            _embed_and_upsert(index, embedder, pending, settings.batch_size, progress)

        if sync:
            present = {r.point_id for r in read.records} | _rejected_point_ids(read.rejects, read.source)
            gone = [pid for pid in stored if pid not in present]
            index.delete(gone)
            report.deleted = len(gone)
        index.flush()
        fingerprint.end(settings, index)  # the count the next open must find

    report.rejected = len(read.rejects)
    if read.rejects:
        report.rejects_file = str(write_rejects(settings.reports_dir, read.source, read.rejects))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _document(record: ProductRecord, kb: KnowledgeLike, record_hash: str, derivation: str) -> ProductDocument:
    analysis = analyze(record.ingredients_raw, kb)
    contradictions = audit_claims(record.claims, analysis)
    return build_document(record, analysis, contradictions, record_hash=record_hash, derivation=derivation)


def _stored_state(index: VectorIndex, source: str) -> dict[str, tuple[str, str, str]]:
    """point id -> (record hash, derivation, embed hash) for this source's stored products."""
    flt = Filter(must=(MatchAny("source", (source,)),))
    return {
        hit.id: (hit.payload.get("record_hash", ""), hit.payload.get("derivation", ""),
                 hit.payload.get("embed_hash", ""))
        for hit in index.scroll(flt, fields=["record_hash", "derivation", "embed_hash"], batch=2000)
    }


def _embed_and_upsert(index: VectorIndex, embedder: Embedder, documents: list[ProductDocument],
                      batch_size: int, progress: Progress | None) -> None:
    bm25 = Bm25Encoder()
    total = len(documents)
    for start in range(0, total, EMBED_CHUNK):
        chunk = documents[start : start + EMBED_CHUNK]
        dense = embedder.embed_documents([d.dense_text for d in chunk])
        points = [
            IndexPoint(id=d.point_id, dense=vector, sparse=bm25.document(d.sparse_text), payload=d.payload)
            for d, vector in zip(chunk, dense, strict=True)
        ]
        for offset in range(0, len(points), batch_size):
            index.upsert(points[offset : offset + batch_size])
        if progress:
            progress("embed", start + len(chunk), total)


def _rejected_point_ids(rejects: list[Reject], source: str) -> set[str]:
    """A product whose row is rejected this time is kept, not deleted by --sync."""
    from conseil.search.index.schema import point_id

    return {point_id(source, r.product_id) for r in rejects if r.product_id}


def write_rejects(reports_dir: Path, source: str, rejects: list[Reject]) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = reports_dir / f"rejects-{_safe(source)}-{stamp}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "product_id", "field", "reason"])
        for r in rejects:
            writer.writerow([r.source, r.row, r.product_id or "", r.field or "", r.reason])
    return path


def _safe(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return cleaned or hashlib.sha1(name.encode()).hexdigest()[:8]
