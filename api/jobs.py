"""Ingestion over HTTP: uploads saved safely under the data directory, run as one background job.

* An upload is saved only as `<data_dir>/uploads/<job id>/<sanitised name>`: the client's file name
  loses any directory part and every character outside `[A-Za-z0-9._-]`, so no name can reach
  outside that folder (checked again on the resolved path).
* The extension must be one the route accepts and the first bytes must agree with it (a PDF starts
  with `%PDF-`, Parquet with `PAR1`, text has no NUL byte): otherwise 415. Bytes are counted while
  copying: over the limit, 413 and the partial file is removed.
* One job at a time (a second gets 409): the server has one index and one model; the job runs in a
  worker thread, writes through the server's own store, and can be cancelled at shutdown between
  batches (ingestion is incremental: the next run picks up where it stopped).
* Every job is recorded in `<data_dir>/jobs/<id>.json` at each change of status (written to a
  temporary file, then renamed). A server killed during a job finds its record "queued" or "running"
  at the next start and marks it "interrupted", so `GET /v1/jobs/<id>` still answers and says to run
  it again. A job's uploads are deleted once it has finished, failed, been cancelled or interrupted
  (what was ingested is in the index; the upload is not needed again), and at start for any folder
  without a running job. Errors and reports name uploaded files relative to the job, never by the
  server's absolute paths.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from conseil.search.errors import ConseilError, JobCancelled, RequestRejected
from pydantic import BaseModel, Field

log = logging.getLogger("conseil.api.jobs")

PRODUCT_TYPES = (".csv", ".jsonl", ".parquet")
STUDY_TYPES = (".pdf", ".md", ".txt", ".csv")
MAPPING_TYPES = (".json",)
KEEP_JOBS = 100  # finished jobs remembered for the status route
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_BINARY_MAGIC = (b"%PDF", b"PAR1", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"\x7fELF")
COPY_CHUNK = 1024 * 1024

Progress = Callable[[str, int, int], None]
Work = Callable[[Progress], dict[str, Any]]


class UploadRejected(RequestRejected):
    """An upload the server will not keep: not a type this route takes."""

    http_status = 415
    error_code = "unsupported_media_type"


class UploadTooLarge(UploadRejected):
    """An upload over the server's size limit."""

    http_status = 413
    error_code = "payload_too_large"


class JobConflict(RequestRejected):
    """Another ingestion job is queued or running."""

    http_status = 409
    error_code = "conflict"

    def __init__(self, running: str) -> None:
        super().__init__(f"Ingestion job {running} is still running: one job at a time. Follow it at "
                         f"GET /v1/jobs/{running} and retry when it has finished.")
        self.running = running


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the server stopped (crash, kill) while the job was queued or running


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
INTERRUPTED_ERROR = ("The server stopped while this job was running (crash or kill); its uploads are deleted. "
                     "Upload the files again: ingestion is incremental, so what was stored is not redone.")


class JobView(BaseModel):
    """What `GET /v1/jobs/{id}` returns."""

    id: str
    kind: str = Field(description='"products" or "studies"')
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    files: list[str] = Field(default_factory=list, description="Saved file names (sanitised).")
    params: dict[str, Any] = Field(default_factory=dict)
    progress: dict[str, int | str] = Field(default_factory=dict, description="Latest stage, done and total.")
    report: dict[str, Any] | None = Field(None, description="The ingest report once the job has succeeded.")
    error: str | None = None


@dataclass
class Job:
    id: str
    kind: str
    directory: Path
    created_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    status: JobStatus = JobStatus.QUEUED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: dict[str, int | str] = field(default_factory=dict)
    report: dict[str, Any] | None = None
    error: str | None = None

    def view(self) -> JobView:
        return JobView(id=self.id, kind=self.kind, status=self.status, created_at=self.created_at,
                       started_at=self.started_at, finished_at=self.finished_at, files=list(self.files),
                       params=dict(self.params), progress=dict(self.progress), report=self.report,
                       error=self.error)


# -- uploads -----------------------------------------------------------------------------------

def sanitise_filename(name: str | None, allowed: tuple[str, ...], fallback: str = "upload") -> str:
    """A safe file name keeping the client's extension, or UploadRejected(415) for another type."""
    base = re.split(r"[\\/]", name or "")[-1]  # drop any directory part, Windows or POSIX
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = "." + ext.lower()
    if ext not in allowed:
        shown = repr(base) if base else "(no name)"
        raise UploadRejected(f"File {shown} is not accepted here: send one of {', '.join(allowed)}.")
    stem = _UNSAFE.sub("_", stem).strip("._-")[:100] or fallback
    return stem + ext


def check_type(head: bytes, name: str) -> None:
    """The first bytes must agree with the extension (415 otherwise)."""
    ext = Path(name).suffix.lower()
    if ext == ".pdf":
        ok = head.startswith(b"%PDF-")
    elif ext == ".parquet":
        ok = head.startswith(b"PAR1")
    else:  # text formats
        ok = b"\x00" not in head and not head.startswith(_BINARY_MAGIC)
    if not ok:
        kind = {".pdf": "a PDF", ".parquet": "a Parquet file"}.get(ext, "text")
        raise UploadRejected(f"{name} is not {kind}: its content does not match its extension.")


@dataclass
class ByteBudget:
    """Bytes one request may still write: all its files together stay under the upload limit."""

    limit: int
    used: int = 0


def save_upload(source: BinaryIO, directory: Path, name: str, budget: ByteBudget) -> Path:
    """Copy `source` to `directory/name`, counted against `budget`; UploadRejected on type or size."""
    directory.mkdir(parents=True, exist_ok=True)
    target = (directory / name).resolve()
    if target.parent != directory.resolve():  # belt and braces: sanitise_filename already prevents it
        raise UploadRejected(f"{name!r} is not a plain file name.")
    stem, n = target.stem, 1
    while target.exists():  # two uploads with one name in one job: keep both
        n += 1
        target = target.with_name(f"{stem}-{n}{target.suffix}")
    head = source.read(8192)
    check_type(head, name)
    written = 0
    with target.open("wb") as out:
        chunk = head
        while chunk:
            written += len(chunk)
            if budget.used + written > budget.limit:
                out.close()
                target.unlink(missing_ok=True)
                raise UploadTooLarge(f"The upload is larger than the server's limit of "
                                          f"{budget.limit / 1024 / 1024:.4g} MB (CONSEIL_UPLOAD_MAX_MB).")
            out.write(chunk)
            chunk = source.read(COPY_CHUNK)
    if written == 0:
        target.unlink(missing_ok=True)
        raise UploadRejected(f"{name} is empty.")
    budget.used += written
    return target


# -- the job runner ----------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


class JobManager:
    """Ingestion jobs of one server: at most one queued or running, each in its own thread; recorded
    under `records_dir` (when given) so that a restart knows them."""

    def __init__(self, uploads_dir: Path, on_finish: Callable[[Job], None] | None = None,
                 records_dir: Path | None = None) -> None:
        self.uploads_dir = uploads_dir
        self.records_dir = records_dir
        self._on_finish = on_finish
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._recover()

    # -- records -------------------------------------------------------------------------------

    def _recover(self) -> None:
        """Load the recorded jobs; the ones a killed server left active become interrupted; uploads
        without an active job are deleted."""
        if self.records_dir is not None and self.records_dir.is_dir():
            for path in sorted(self.records_dir.glob("*.json")):
                job = _read_record(path, self.uploads_dir)
                if job is None:
                    log.warning("job record %s is unreadable; it is ignored", path.name)
                    continue
                if job.status in ACTIVE:
                    job.status, job.error, job.finished_at = JobStatus.INTERRUPTED, INTERRUPTED_ERROR, _now()
                    self._save(job)
                self._jobs[job.id] = job
            self._forget_old()
        if self.uploads_dir.is_dir():
            for folder in self.uploads_dir.iterdir():
                shutil.rmtree(folder, ignore_errors=True)  # no job is active before this server starts one

    def _save(self, job: Job) -> None:
        if self.records_dir is None:
            return
        self.records_dir.mkdir(parents=True, exist_ok=True)
        target = self.records_dir / f"{job.id}.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(job.view().model_dump_json(), encoding="utf-8")
        os.replace(temporary, target)

    def _scrub(self, job: Job, text: str) -> str:
        """Server paths out of a message: upload paths relative to the job, the rest of the data dir hidden."""
        for prefix, shown in ((str(job.directory) + os.sep, ""), (str(job.directory), "."),
                              (str(self.uploads_dir.parent) + os.sep, "")):
            text = text.replace(prefix, shown)
        return text

    def reserve(self, kind: str, params: dict[str, Any]) -> Job:
        """A new queued job with its own upload folder, or JobConflict while another is active."""
        with self._lock:
            for job in self._jobs.values():
                if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
                    raise JobConflict(job.id)
            job_id = uuid.uuid4().hex
            job = Job(id=job_id, kind=kind, directory=self.uploads_dir / job_id, created_at=_now(), params=params)
            self._jobs[job_id] = job
            self._forget_old()
            self._save(job)
            return job

    def discard(self, job: Job) -> None:
        """Drop a reserved job whose upload was refused, with whatever it saved."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.directory, ignore_errors=True)
        if self.records_dir is not None:
            (self.records_dir / f"{job.id}.json").unlink(missing_ok=True)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created_at, reverse=True)

    def start(self, job: Job, work: Work) -> None:
        self._save(job)  # with its saved file names
        thread = threading.Thread(target=self._run, args=(job, work), name=f"ingest-{job.id[:8]}", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()

    def _run(self, job: Job, work: Work) -> None:
        job.status, job.started_at = JobStatus.RUNNING, _now()
        self._save(job)

        def progress(stage: str, done: int, total: int) -> None:
            job.progress = {"stage": stage, "done": done, "total": total}
            if self._cancel.is_set():
                raise JobCancelled()

        # The outcome is recorded on disk first and published to readers after, so that a client who
        # sees the job finished (and its upload gone) also finds its record finished.
        outcome = replace(job)
        try:
            report = work(progress)
            outcome.report = json.loads(self._scrub(job, json.dumps(report, default=str)))
            outcome.status = JobStatus.SUCCEEDED
        except JobCancelled:
            outcome.status, outcome.error = JobStatus.CANCELLED, "The server shut down during the job; run it again."
        except ConseilError as exc:
            outcome.status, outcome.error = JobStatus.FAILED, self._scrub(job, str(exc))
        except Exception as exc:  # never lose a job silently; details stay in the server log
            log.exception("ingestion job %s failed", job.id)
            outcome.status = JobStatus.FAILED
            outcome.error = f"Ingestion failed unexpectedly ({type(exc).__name__}); the server log has the details."
        finally:
            outcome.finished_at, outcome.progress = _now(), dict(job.progress)
            shutil.rmtree(job.directory, ignore_errors=True)  # ingested (or failed): the upload is not needed
            try:
                self._save(outcome)
            except OSError:
                log.exception("could not record ingestion job %s", job.id)
            job.report, job.error, job.progress = outcome.report, outcome.error, outcome.progress
            job.finished_at, job.status = outcome.finished_at, outcome.status  # status last: readers poll it
            if self._on_finish is not None:
                try:
                    self._on_finish(job)
                except Exception:  # a failed refresh must not leave the job looking unfinished
                    log.exception("after ingestion job %s", job.id)

    def shutdown(self) -> None:
        """Ask a running job to stop at its next batch and wait for it (the store closes after)."""
        self._cancel.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status not in (JobStatus.QUEUED, JobStatus.RUNNING)]
        for job in sorted(finished, key=lambda j: j.created_at)[: max(0, len(self._jobs) - KEEP_JOBS)]:
            del self._jobs[job.id]
            if self.records_dir is not None:
                (self.records_dir / f"{job.id}.json").unlink(missing_ok=True)


def _read_record(path: Path, uploads_dir: Path) -> Job | None:
    try:
        view = JobView.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Job(id=view.id, kind=view.kind, directory=uploads_dir / view.id, created_at=view.created_at,
               params=view.params, files=view.files, status=view.status, started_at=view.started_at,
               finished_at=view.finished_at, progress=view.progress, report=view.report, error=view.error)
