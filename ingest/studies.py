"""Consumer-study ingestion: PDFs, Markdown/text and survey tables -> cited passages -> `studies`.

Incremental by content. A document is identified by the hash of its bytes (`doc_id`), and every
point remembers its `build` (the doc_id plus sidecar metadata, codebook and chunker settings):

* same doc_id and build, same path   -> unchanged: nothing is read, extracted or embedded;
* same doc_id and build, other path  -> moved: only `path` is rewritten on its points;
* new content at a path              -> embedded; the older version's points at that path are
                                        deleted afterwards (never before: a file that fails keeps
                                        what was indexed);
* same content, new build            -> rebuilt (sidecar edited, chunking changed);
* `sync`                             -> documents whose files are gone from the given roots are
                                        deleted; a file that is present but fails is kept;
* same doc_id and build, incomplete  -> rebuilt: every point carries its document's passage count
                                        (`passages`), and a document is complete only when that many
                                        of its points are stored (a crash between two upsert batches
                                        leaves fewer; the next run, CLI or server job, re-indexes it).

The embedding model is loaded only when some passage must be embedded. Every file gets a line in
the report (`<data_dir>/reports/studies-<time>.csv`): ingested, changed, rebuilt, unchanged,
moved, duplicate, skipped or rejected (with the reason), and documents deleted by `sync`.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conseil.search.embedder import Embedder
from conseil.search.errors import IndexSchemaError
from conseil.search.index import fingerprint
from conseil.search.index.contract import IndexPoint, VectorIndex
from conseil.search.index.schema import STUDIES_COLLECTION, study_point_id
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import CollectionSource, stored_dense_size, studies_schema, use_store
from conseil.search.settings import Settings

from .chunking import Chunk, Chunker
from .extract_worker import BuiltStudy, extraction_pool
from .pdf import PdfLimits
from .study_sources import (
    FileRejected,
    StudyFile,
    StudyMeta,
    walk_studies,
)

PIPELINE_VERSION = 1  # bump when payload layout or text recipes change: every study is rebuilt
Progress = Callable[[str, int, int], None]  # (stage, done, total)
REPORT_FIELDS = ("path", "kind", "status", "reason", "doc_id", "pages", "chunks", "language", "year", "title")


EXTRACT_AHEAD = 2  # files extracted ahead of the one being embedded
WRITE_BATCH = 512  # passages embedded per model call across files

@dataclass
class FileOutcome:
    path: str
    kind: str
    status: str  # ingested|changed|rebuilt|unchanged|moved|duplicate|skipped|rejected|deleted
    reason: str = ""
    doc_id: str = ""
    pages: int = 0
    chunks: int = 0
    language: str = ""
    year: int | None = None
    title: str = ""


@dataclass
class StudyIngestReport:
    paths: list[str]
    files: list[FileOutcome] = field(default_factory=list)
    pages: int = 0  # pages extracted this run
    chunks: int = 0  # passages embedded this run
    seconds: float = 0.0
    extract_seconds: float = 0.0
    embed_seconds: float = 0.0
    model_load_seconds: float = 0.0
    report_file: str | None = None

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    def summary(self) -> dict[str, object]:
        statuses = ("ingested", "changed", "rebuilt", "unchanged", "moved", "duplicate", "skipped",
                    "rejected", "deleted")
        counts: dict[str, object] = {s: self.count(s) for s in statuses}
        return {"paths": self.paths, **counts, "pages": self.pages, "chunks": self.chunks,
                "seconds": self.seconds, "extract_seconds": self.extract_seconds,
                "embed_seconds": self.embed_seconds, "model_load_seconds": self.model_load_seconds,
                "report_file": self.report_file}

    def as_dict(self) -> dict[str, object]:
        return {**self.summary(), "files": [asdict(f) for f in self.files]}


@dataclass
class _Stored:
    path: str
    build: str
    ids: list[str]
    expected: int = 0  # the document's passage count, as its points record it (0: not recorded)

    @property
    def complete(self) -> bool:
        return self.expected > 0 and len(self.ids) == self.expected

    def shortfall(self) -> str:
        expected = str(self.expected) if self.expected else "an unrecorded number of"
        return f"was incomplete ({len(self.ids)} of {expected} passages stored, e.g. after a crash); re-indexed"


def ingest_studies(settings: Settings, paths: list[Path], *, sync: bool = False,
                   embedder_factory: Callable[[], Embedder], progress: Progress | None = None,
                   limits: PdfLimits | None = None, chunker: Chunker | None = None,
                   clock: Callable[[], float] = time.monotonic,
                   store: CollectionSource | None = None) -> StudyIngestReport:
    """Ingest study files. `store`: an already-open store (the server's); else one is opened."""
    started = time.perf_counter()
    files = walk_studies(paths)  # raises SourceError before anything is opened
    _plan_tables(files)
    report = StudyIngestReport(paths=[str(p) for p in paths])
    limits = limits or PdfLimits.from_settings(settings)
    chunker = chunker or Chunker()

    candidates: list[tuple[StudyFile, str, str]] = []  # (file, doc_id, build)
    first_of: dict[str, StudyFile] = {}
    for item in files:
        kind = item.kind or "-"
        if item.skip or item.kind is None:
            report.files.append(FileOutcome(item.key, kind, "skipped", item.skip or ""))
            continue
        try:
            data = item.path.read_bytes()
        except OSError as exc:
            report.files.append(FileOutcome(item.key, kind, "rejected", f"unreadable: {exc.strerror or exc}"))
            continue
        if not data:
            report.files.append(FileOutcome(item.key, kind, "rejected", "empty file: 0 bytes"))
            continue
        doc_id = hashlib.sha256(data).hexdigest()[:32]
        if doc_id in first_of:
            report.files.append(FileOutcome(item.key, kind, "duplicate", f"same content as {first_of[doc_id].key}",
                                            doc_id=doc_id))
            continue
        first_of[doc_id] = item
        candidates.append((item, doc_id, _build_hash(item, doc_id, chunker)))

    walked = {item.key for item in files}
    with use_store(settings, store) as opened:
        run = _Run(opened, settings, embedder_factory, report)
        stored = run.stored()
        holding: dict[str, str] = {}  # path -> doc_id now indexed for it
        # Extraction of the next files runs in a worker process (ingest/extract_worker.py) while this
        # one embeds: a bounded look-ahead keeps memory flat on a large corpus.
        to_build = [(item, doc_id) for item, doc_id, build in candidates
                    if (old := stored.get(doc_id)) is None or old.build != build or not old.complete]
        use_process = clock is time.monotonic and any(item.kind == "pdf" for item, _ in to_build)
        with extraction_pool(use_process=use_process) as pool:
            builds: dict[str, Future[BuiltStudy]] = {}
            ahead = iter(to_build)

            def schedule(count: int) -> None:
                for item, doc_id in itertools.islice(ahead, count):
                    builds[doc_id] = pool.submit(run.report, item, doc_id, limits, chunker, clock)

            schedule(EXTRACT_AHEAD)
            for n, (item, doc_id, build) in enumerate(candidates, 1):
                if doc_id in builds:
                    schedule(1)
                outcome = _ingest_one(run, item, doc_id, build, stored, builds.pop(doc_id, None))
                report.files.append(outcome)
                if outcome.status != "rejected":
                    holding[item.key] = doc_id
                if progress:
                    progress("files", n, len(candidates))
        run.flush_pending()
        seen = {doc_id for _, doc_id, _ in candidates}
        roots = {item.root_key for item in files}
        for doc_id, old in stored.items():
            if doc_id in seen or run.index is None:
                continue
            if old.path in holding:  # the file at this path now holds another version
                run.begin_writes()
                run.index.delete(old.ids)
            elif sync and old.path not in walked and any(_under(old.path, r) for r in roots):
                run.begin_writes()
                run.index.delete(old.ids)
                report.files.append(FileOutcome(old.path, "-", "deleted", "file gone (--sync)", doc_id=doc_id))
        if run.index is not None:
            run.index.flush()
            fingerprint.end(settings, run.index)

    report.report_file = str(write_study_report(settings.reports_dir, report.files))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _ingest_one(run: _Run, item: StudyFile, doc_id: str, build: str, stored: dict[str, _Stored],
                prepared: Future[BuiltStudy] | None) -> FileOutcome:
    kind = item.kind or "-"
    previous = stored.get(doc_id)
    if previous is not None and previous.build == build and previous.complete:
        if previous.path == item.key:
            return FileOutcome(item.key, kind, "unchanged", doc_id=doc_id)
        run.rewrite_path(previous.ids, item.key)
        return FileOutcome(item.key, kind, "moved", f"was {previous.path}", doc_id=doc_id)
    replaced = [d for d, s in stored.items() if s.path == item.key and d != doc_id]
    kept = "; the version indexed before is kept" if replaced else ""
    if prepared is None:  # cannot happen: every file that needs building was scheduled
        raise RuntimeError(f"{item.key} was not extracted")
    try:
        study = prepared.result()
    except FileRejected as exc:
        return FileOutcome(item.key, kind, "rejected", f"{exc}{kept}", doc_id=doc_id)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the batch; it is reported
        return FileOutcome(item.key, kind, "rejected", f"failed: {type(exc).__name__}: {exc}{kept}", doc_id=doc_id)
    if not study.chunks:
        return FileOutcome(item.key, kind, "rejected", "no text to index", doc_id=doc_id)
    run.write(item, doc_id, build, study, previous.ids if previous else [])
    status = "rebuilt" if previous else ("changed" if replaced else "ingested")
    notes = list(item.notes) + study.notes
    if previous is not None and not previous.complete:
        notes.insert(0, previous.shortfall())
    if status == "changed":
        notes.insert(0, f"replaces version {', '.join(replaced)}")
    meta = study.meta
    return FileOutcome(item.key, kind, status, "; ".join(notes), doc_id=doc_id, pages=study.pages,
                       chunks=len(study.chunks), language=meta.language or "", year=meta.year, title=meta.title)


class _Run:
    """The index and the model of one run, both opened only when needed."""

    def __init__(self, store: CollectionSource, settings: Settings, embedder_factory: Callable[[], Embedder],
                 report: StudyIngestReport) -> None:
        self.store = store
        self.settings = settings
        self.embedder_factory = embedder_factory
        self.report = report
        self.embedder: Embedder | None = None
        self.bm25: Bm25Encoder | None = None
        self._pending: list[tuple[str, list[str], list[dict[str, Any]], list[str]]] = []
        self._pending_texts = 0
        self.writing = False
        dim = stored_dense_size(settings, STUDIES_COLLECTION, store)
        self.index: VectorIndex | None = (store.collection(studies_schema(dim), create=False)
                                          if dim is not None else None)

    def stored(self) -> dict[str, _Stored]:
        """doc_id -> where it is, how it was built and its point ids."""
        docs: dict[str, _Stored] = {}
        if self.index is None:
            return docs
        for hit in self.index.scroll(fields=["doc_id", "path", "build", "passages"], batch=2000):
            doc_id = str(hit.payload.get("doc_id", ""))
            entry = docs.setdefault(doc_id, _Stored(str(hit.payload.get("path", "")),
                                                    str(hit.payload.get("build", "")), [],
                                                    _count(hit.payload.get("passages"))))
            entry.ids.append(hit.id)
        return docs

    def _model(self) -> tuple[Embedder, VectorIndex]:
        if self.embedder is None:
            began = time.perf_counter()
            self.embedder = self.embedder_factory()
            self.report.model_load_seconds = round(time.perf_counter() - began, 2)
            expected = self.settings.model_for(STUDIES_COLLECTION)
            if self.embedder.name != expected:  # the index records `expected`: never store other vectors
                raise IndexSchemaError(
                    f"The studies are embedded with {expected!r} (CONSEIL_STUDIES_EMBEDDING_MODEL) but this "
                    f"ingestion was given {self.embedder.name!r}: load the studies' model "
                    "(`load_embedder(settings, 'studies')`).")
        if self.index is None:
            self.index = self.store.collection(studies_schema(self.embedder.dimension), create=True)
        elif self.index.schema.dense_size != self.embedder.dimension:
            raise IndexSchemaError(
                f"The studies index holds {self.index.schema.dense_size}-dimension vectors but the "
                f"embedding model makes {self.embedder.dimension}: use the model it was built with, or "
                "delete the studies index and ingest again.")
        self.begin_writes()
        return self.embedder, self.index

    def begin_writes(self) -> None:
        """Before the first write of the run: a kill from here on is reported at open ("interrupted"),
        not taken for damage."""
        if not self.writing and self.index is not None:
            fingerprint.begin(self.settings, self.index)
            self.writing = True

    def write(self, item: StudyFile, doc_id: str, build: str, study: BuiltStudy, old_ids: list[str]) -> None:
        """Queue a document's passages; they are embedded together with the next documents' ones,
        because the model pads less and sorts by length better over a few hundred texts than over
        one file's (measured: ingest at 0.81 of the raw encode rate when embedding file by file)."""
        texts = [_embedded_text(study.meta.title, c) for c in study.chunks]
        total = len(study.chunks)
        payloads = [_payload(item, doc_id, build, study.meta, chunk, i, total) for i, chunk in enumerate(study.chunks)]
        self._pending.append((doc_id, texts, payloads, old_ids))
        self._pending_texts += len(texts)
        self.report.pages += study.pages
        if self._pending_texts >= WRITE_BATCH:
            self.flush_pending()

    def flush_pending(self) -> None:
        """Embed and upsert the queued passages, then drop leftover points of older builds."""
        if not self._pending:
            return
        embedder, index = self._model()
        self.bm25 = self.bm25 or Bm25Encoder()
        began = time.perf_counter()
        vectors = iter(embedder.embed_documents([t for _, texts, _, _ in self._pending for t in texts]))
        for doc_id, texts, payloads, old_ids in self._pending:
            points = [IndexPoint(id=study_point_id(doc_id, i), dense=next(vectors), sparse=self.bm25.document(text),
                                 payload=payload)
                      for i, (text, payload) in enumerate(zip(texts, payloads, strict=True))]
            for start in range(0, len(points), self.settings.batch_size):
                index.upsert(points[start : start + self.settings.batch_size])
            fresh = {p.id for p in points}
            index.delete([pid for pid in old_ids if pid not in fresh])
            self.report.chunks += len(points)
        self._pending, self._pending_texts = [], 0
        self.report.embed_seconds = round(self.report.embed_seconds + time.perf_counter() - began, 2)

    def rewrite_path(self, ids: list[str], key: str) -> None:
        assert self.index is not None  # a stored document implies an open index
        self.begin_writes()
        for hit in self.index.retrieve(ids):
            self.index.set_payload(hit.id, {**hit.payload, "path": key})


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _payload(item: StudyFile, doc_id: str, build: str, meta: StudyMeta, chunk: Chunk,
             index: int, passages: int) -> dict[str, Any]:
    return {
        "doc_id": doc_id, "path": item.key, "title": meta.title, "year": meta.year, "market": meta.market,
        "language": meta.language, "page": chunk.page, "page_end": chunk.page_end, "section": chunk.section,
        "study_type": meta.study_type, "audience": meta.audience, "kind": item.kind,
        "chunk_index": index, "passages": passages, "text": chunk.text,
        "content_hash": hashlib.sha256(chunk.text.encode("utf-8")).hexdigest()[:32], "build": build,
    }


def _embedded_text(title: str, chunk: Chunk) -> str:
    """Title and section travel with the passage: "what did the 2016 contrast study find" needs them."""
    heads = [title] + ([chunk.section] if chunk.section and chunk.section != title else [])
    return "\n".join(heads + [chunk.text])


def _build_hash(item: StudyFile, doc_id: str, chunker: Chunker) -> str:
    """What a document's points were made from, besides its bytes."""
    codebook = hashlib.sha256(item.codebook.read_bytes()).hexdigest()[:16] if item.codebook else ""
    blob = json.dumps({"doc": doc_id, "sidecar": item.sidecar, "codebook": codebook,
                       "chunker": chunker.fingerprint, "pipeline": PIPELINE_VERSION}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _plan_tables(files: list[StudyFile]) -> None:
    """Mark codebooks and duplicate versions of survey tables as skipped; attach codebooks."""
    tables = [f for f in files if f.kind == "survey" and not f.skip]
    if not tables:
        return
    from .surveys import classify_tables

    roles = classify_tables([f.path for f in tables])
    names = {f.path: f.key for f in files}
    for item in tables:
        role = roles.get(item.path)
        if role is None or role.role == "table":
            item.codebook = role.codebook if role else None
        elif role.role == "codebook":
            item.skip = f"codebook for {names.get(role.of, 'a table')}" if role.of else "codebook"
        else:
            other = names.get(role.of, "another table") if role.of else "another table"
            item.skip = f"same responses as {other} (a version of one survey)"


def _under(path: str, root_key: str) -> bool:
    return path == root_key or (root_key.endswith("/") and path.startswith(root_key))


def write_study_report(reports_dir: Path, outcomes: list[FileOutcome]) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S-%fZ")
    path = reports_dir / f"studies-{stamp}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_FIELDS)
        for outcome in outcomes:
            row = asdict(outcome)
            writer.writerow(["" if row[f] is None else row[f] for f in REPORT_FIELDS])
    return path
