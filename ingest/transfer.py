"""Moving an index between backends without re-embedding: export, import, direct copy.

An export directory holds one `manifest.json` (collection schema, embedding model, vector size,
point count, and per batch file its point count and sha256) and one `batch-NNNNNN.npz` per
`BATCH_POINTS` points: ids, float32 dense vectors, the sparse vectors as CSR arrays, and the
payloads as one UTF-8 JSON array. No pickle: a batch file is data, never code.

Import is resumable: after each batch is upserted and flushed, the next batch number is recorded
in `import-checkpoint.json` inside the export directory (keyed by the target, so importing the
same export into two targets does not mix). Point ids are kept, so re-upserting a batch after an
interruption overwrites rather than duplicates. Both import and copy end by checking that the
target holds exactly the manifest's (or the source's) point count.

Everything goes through the `VectorIndex` contract (`export_points`, `upsert`, `count`), so the
same code moves embedded -> server, server -> embedded, or between two embedded data dirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from conseil.search.errors import ConfigurationError, SourceError, VectorIndexError
from conseil.search.index import fingerprint
from conseil.search.index.contract import CollectionSchema, IndexPoint, SparseVector, VectorIndex
from conseil.search.index.store import open_store, products_schema, stored_dense_size, studies_schema
from conseil.search.settings import Settings, model_variable

FORMAT = "conseil-index-export"
FORMAT_VERSION = 1
BATCH_POINTS = 1000
MANIFEST = "manifest.json"
CHECKPOINT = "import-checkpoint.json"

Progress = Callable[[str, int, int], None]  # (stage, points done, points total)

_SCHEMAS: dict[str, Callable[[int], CollectionSchema]] = {"products": products_schema, "studies": studies_schema}


@dataclass
class TransferReport:
    operation: str  # "export" | "import" | "copy"
    collection: str
    source: str
    target: str
    model: str
    points: int = 0  # points written by this run
    total: int = 0  # points the target holds at the end (export: points in the export)
    batches: int = 0
    resumed_from_batch: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        return asdict(self)


# -- where an index lives ----------------------------------------------------------------------


def describe_backend(settings: Settings) -> str:
    return f"qdrant server {settings.qdrant_url}" if settings.qdrant_url else f"embedded {settings.index_dir.resolve()}"


def stored_model(settings: Settings, collection: str) -> str | None:
    """The model an embedded collection was built with (its meta.json); None for a server or none yet."""
    meta = settings.index_dir / collection / "meta.json"
    if settings.qdrant_url or not meta.exists():
        return None
    return str(json.loads(meta.read_text()).get("model"))


def source_schema(settings: Settings, collection: str) -> CollectionSchema:
    if collection not in _SCHEMAS:
        raise ConfigurationError(f"Unknown collection {collection!r}: Conseil has {', '.join(sorted(_SCHEMAS))}.")
    return _SCHEMAS[collection](stored_dense_size(settings, collection) or 0)


def _with_stored_model(settings: Settings, collection: str) -> Settings:
    """Reading an embedded index needs no model setting: use the one it was built with."""
    model = stored_model(settings, collection)
    update = {"embedding_model": model, "studies_embedding_model": model}  # whichever collection it is
    return settings.model_copy(update=update) if model else settings


def _check_model(settings: Settings, model: str, what: str, collection: str) -> None:
    if settings.model_for(collection) != model:
        raise ConfigurationError(
            f"{what} holds vectors made with embedding model {model!r}, but the target is configured for "
            f"{settings.model_for(collection)!r}: queries would be embedded with another model. Set "
            f"{model_variable(collection)}={model} for the target (or re-ingest from the sources instead).")


# -- batch files -------------------------------------------------------------------------------


def _write_batch(path: Path, points: list[IndexPoint]) -> str:
    lengths = [len(p.sparse.indices) for p in points]
    indptr = np.zeros(len(points) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(lengths)
    payload = json.dumps([p.payload for p in points], ensure_ascii=False).encode("utf-8")
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        np.savez_compressed(
            handle,
            ids=np.array([p.id for p in points]),
            dense=np.array([p.dense for p in points], dtype=np.float32),
            sparse_indptr=indptr,
            sparse_indices=np.array([i for p in points for i in p.sparse.indices], dtype=np.int64),
            sparse_values=np.array([v for p in points for v in p.sparse.values], dtype=np.float32),
            payload=np.frombuffer(payload, dtype=np.uint8),
        )
    os.replace(tmp, path)  # a batch file is complete or absent
    return _sha256(path)


def read_batch(path: Path, expected_sha256: str | None = None) -> list[IndexPoint]:
    """The points of one batch file; a missing, altered or unreadable file raises naming it."""
    if not path.is_file():
        raise SourceError(f"Batch file {path} is missing: the export is incomplete; export the collection again.")
    if expected_sha256 and _sha256(path) != expected_sha256:
        raise SourceError(f"Batch file {path} is corrupted (its sha256 differs from the manifest's): copy it "
                          "again from the original export, or export the collection again.")
    try:
        with np.load(path, allow_pickle=False) as data:
            ids = [str(i) for i in data["ids"]]
            dense = data["dense"]
            indptr, indices, values = data["sparse_indptr"], data["sparse_indices"], data["sparse_values"]
            payloads = json.loads(data["payload"].tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:  # zip, npy or JSON damage
        raise SourceError(f"Batch file {path} cannot be read ({exc}): export the collection again.") from None
    if not (len(ids) == len(dense) == len(payloads) == len(indptr) - 1):
        raise SourceError(f"Batch file {path} is inconsistent (ids, vectors and payloads differ in number): "
                          "export the collection again.")
    return [
        IndexPoint(id=ids[n], dense=dense[n].tolist(),
                   sparse=SparseVector(tuple(int(i) for i in indices[indptr[n]:indptr[n + 1]]),
                                       tuple(float(v) for v in values[indptr[n]:indptr[n + 1]])),
                   payload=payloads[n])
        for n in range(len(ids))
    ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise SourceError(f"{directory} has no {MANIFEST}: it is not a finished `conseil index export` "
                          "directory (an interrupted export writes no manifest; run it again).")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path} cannot be read ({exc}): export the collection again.") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise SourceError(f"{path} is not a {FORMAT} version {FORMAT_VERSION} manifest.")
    return manifest


# -- export ------------------------------------------------------------------------------------


def export_collection(settings: Settings, collection: str, directory: Path, *, batch: int = BATCH_POINTS,
                      progress: Progress | None = None) -> TransferReport:
    """Write `collection` of the configured backend to `directory` (which must be new or empty)."""
    started = time.perf_counter()
    if directory.exists() and any(directory.iterdir()):
        raise ConfigurationError(f"{directory} is not empty: export into a new or empty directory.")
    settings = _with_stored_model(settings, collection)
    schema = source_schema(settings, collection)
    report = TransferReport("export", collection, describe_backend(settings), str(directory),
                            settings.embedding_model)
    directory.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    with open_store(settings) as store:
        index = store.collection(schema, create=False)
        total = index.count()
        for points in index.export_points(batch):
            name = f"batch-{len(files):06d}.npz"
            files.append({"file": name, "count": len(points), "sha256": _write_batch(directory / name, points)})
            report.points += len(points)
            if progress:
                progress("export", report.points, total)
        dense_size = schema.dense_size or _dense_size_of(directory, files)
    if report.points != total:
        raise VectorIndexError(f"Exported {report.points} points but {collection!r} counts {total}: was it written "
                          "to during the export? Export again while nothing ingests.")
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "collection": collection,
        "schema": {**asdict(schema), "dense_size": dense_size}, "model": settings.embedding_model,
        "dense_size": dense_size, "count": report.points, "batch_points": batch, "batches": files,
        "source": report.source, "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")  # last: marks completion
    report.total, report.batches = report.points, len(files)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _dense_size_of(directory: Path, files: list[dict[str, Any]]) -> int:
    if not files:
        return 0
    with np.load(directory / files[0]["file"], allow_pickle=False) as data:
        return int(data["dense"].shape[1])


# -- import and copy ---------------------------------------------------------------------------


def _open_target(store: Any, schema: CollectionSchema, fresh: bool) -> VectorIndex:
    """The target collection; refuses to merge into one that already holds other points."""
    existed = store.exists(schema.name)
    index: VectorIndex = store.collection(schema, create=True)
    if fresh and existed and (held := index.count()):
        raise ConfigurationError(
            f"The target collection {schema.name!r} already holds {held} points: import into a new "
            "collection (--collection NAME), or into an empty data directory / server collection.")
    return index


def _verify(index: VectorIndex, expected: int, collection: str, target: str) -> int:
    index.flush()
    held = index.count()
    if held != expected:
        raise VectorIndexError(f"After the transfer, {collection!r} on {target} holds {held} points, expected "
                          f"{expected}: run the same command again (it resumes and overwrites by id).")
    return held


def _checkpoint_key(settings: Settings, collection: str) -> str:
    return f"{describe_backend(settings)}::{collection}"


def _read_checkpoint(path: Path, key: str) -> int:
    if not path.is_file():
        return 0
    try:
        return int(json.loads(path.read_text()).get(key, {}).get("next_batch", 0))
    except (OSError, ValueError, AttributeError):
        return 0  # an unreadable checkpoint only costs re-upserting: ids make that harmless


def _write_checkpoint(path: Path, key: str, next_batch: int | None) -> None:
    state: dict[str, Any] = {}
    if path.is_file():
        try:
            state = json.loads(path.read_text())
        except ValueError:
            state = {}
    if next_batch is None:
        state.pop(key, None)
    else:
        state[key] = {"next_batch": next_batch, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if not state:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, path)


def import_collection(settings: Settings, directory: Path, *, collection: str | None = None,
                      progress: Progress | None = None) -> TransferReport:
    """Load an export into the configured backend, resuming after the last finished batch."""
    started = time.perf_counter()
    manifest = read_manifest(directory)
    name = collection or str(manifest["collection"])
    _check_model(settings, str(manifest["model"]), f"The export {directory}", name)
    schema = CollectionSchema(**{**manifest["schema"], "name": name})
    batches: list[dict[str, Any]] = manifest["batches"]
    checkpoint, key = directory / CHECKPOINT, _checkpoint_key(settings, name)
    start = min(_read_checkpoint(checkpoint, key), len(batches))
    report = TransferReport("import", name, str(directory), describe_backend(settings), settings.model_for(name))
    with open_store(settings) as store:
        if start and not store.exists(name):  # the half-imported collection is gone: start over
            start = 0
        report.resumed_from_batch = start
        done = sum(int(b["count"]) for b in batches[:start])
        index = _open_target(store, schema, fresh=start == 0)
        fingerprint.begin(settings, index)
        for number in range(start, len(batches)):
            entry = batches[number]
            points = read_batch(directory / entry["file"], entry["sha256"])
            index.upsert(points)
            index.flush()  # durable before the checkpoint says so
            _write_checkpoint(checkpoint, key, number + 1)
            report.points += len(points)
            report.batches += 1
            done += len(points)
            if progress:
                progress("import", done, int(manifest["count"]))
        report.total = _verify(index, int(manifest["count"]), name, report.target)
        fingerprint.end(settings, index)
    _write_checkpoint(checkpoint, key, None)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def copy_collection(source: Settings, target: Settings, collection: str, *, target_collection: str | None = None,
                    batch: int = BATCH_POINTS, progress: Progress | None = None) -> TransferReport:
    """Stream `collection` from one backend straight into another (no files). Not checkpointed: a
    rerun copies everything again, overwriting by id, and the final count check still holds."""
    started = time.perf_counter()
    if describe_backend(source) == describe_backend(target) and (target_collection or collection) == collection:
        raise ConfigurationError("The source and the target of the copy are the same index: choose another "
                                 "target URL or data directory.")
    source = _with_stored_model(source, collection)
    _check_model(target, source.embedding_model, f"The source collection {collection!r}",
                 target_collection or collection)
    schema = source_schema(source, collection)
    name = target_collection or collection
    report = TransferReport("copy", name, describe_backend(source), describe_backend(target), source.embedding_model)
    with open_store(source) as src_store:
        src = src_store.collection(schema, create=False)
        expected = src.count()
        batches = src.export_points(batch)
        first: list[IndexPoint] = next(batches, [])
        dense_size = schema.dense_size or (len(first[0].dense) if first else 0)
        with open_store(target) as dst_store:
            dst = _open_target(dst_store, CollectionSchema(**{**asdict(schema), "name": name,
                                                              "dense_size": dense_size}), fresh=False)
            fingerprint.begin(target, dst)
            for points in _chain(first, batches):
                dst.upsert(points)
                report.points += len(points)
                report.batches += 1
                if progress:
                    progress("copy", report.points, expected)
            report.total = _verify(dst, expected, name, report.target)
            fingerprint.end(target, dst)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _chain(first: list[IndexPoint], rest: Iterator[list[IndexPoint]]) -> Iterator[list[IndexPoint]]:
    if first:
        yield first
    yield from rest
