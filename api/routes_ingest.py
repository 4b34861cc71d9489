"""Admin ingestion routes: upload, get 202 and a job id, follow it at `GET /v1/jobs/{id}`.

    curl -H "Authorization: Bearer $KEY" -F file=@product_info.csv -F format=sephora \
         http://127.0.0.1:8000/v1/ingest/products
    curl -H "Authorization: Bearer $KEY" -F files=@brief.pdf -F files=@notes.md -F market=FR \
         http://127.0.0.1:8000/v1/ingest/studies
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Response, UploadFile, status

from .auth import Permission, Principal, require
from .http_errors import error_docs, require_multipart
from .ingest_store import ingest_products_in_store, ingest_studies_in_store
from .jobs import (
    MAPPING_TYPES,
    PRODUCT_TYPES,
    STUDY_TYPES,
    ByteBudget,
    Job,
    JobView,
    Progress,
    sanitise_filename,
    save_upload,
)
from .runtime import Runtime, runtime_of

router = APIRouter(tags=["ingestion"])
UPLOAD_ERRORS = error_docs(401, 403, 409, 413, 415, 422)
STUDIES_ROOT = "uploads"  # study files sit in <job dir>/uploads/: their stored path is "uploads/<name>"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
JOB_ID = r"^[0-9a-f]{32}$"

Admin = Annotated[Principal, Depends(require(Permission.INGEST))]
Multipart = Annotated[None, Depends(require_multipart)]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


def _accepted(job: Job, response: Response) -> JobView:
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job.view()


@router.post("/v1/ingest/products", response_model=JobView, status_code=status.HTTP_202_ACCEPTED,
             responses=UPLOAD_ERRORS)
def ingest_products(
    principal: Admin,
    _multipart: Multipart,
    runtime: RuntimeDep,
    response: Response,
    file: Annotated[UploadFile, File(description="Product file: CSV, JSONL or Parquet.")],
    source: Annotated[str | None, Form(pattern=_NAME, description="Source name (default: from the format "
                                                                  "or the file name).")] = None,
    format: Annotated[Literal["auto", "sephora", "cosmetics", "generic"], Form()] = "auto",
    sync: Annotated[bool, Form(description="Delete this source's products absent from the file.")] = False,
    mapping: Annotated[UploadFile | None, File(description="Column mapping (JSON) for the generic format.")] = None,
) -> JobView:
    """Ingest a product file in the background (admin). Only new or changed products are embedded."""
    name = sanitise_filename(file.filename, PRODUCT_TYPES, fallback="products")  # 415 before anything is kept
    mapping_name = sanitise_filename(mapping.filename, MAPPING_TYPES, fallback="mapping") if mapping else None
    job = runtime.jobs.reserve("products", {"format": format, "source": source, "sync": sync,
                                            "by": principal.name})
    try:
        budget = ByteBudget(runtime.api_settings.upload_max_bytes)
        path = save_upload(file.file, job.directory, name, budget)
        mapping_path = save_upload(mapping.file, job.directory, mapping_name, budget) if mapping and mapping_name else None
    except BaseException:
        runtime.jobs.discard(job)
        raise
    job.files = [p.name for p in (path, mapping_path) if p is not None]

    def work(progress: Progress) -> dict[str, Any]:
        report = ingest_products_in_store(runtime.store, runtime.settings, path, lock=runtime.rw,
                                          open_lock=runtime.open_lock, embedder=runtime.embedder, kb=runtime.kb,
                                          fmt=format, mapping=mapping_path, source=source, sync=sync,
                                          progress=progress)
        summary = report.summary()
        summary["first_rejects"] = [asdict(r) for r in report.rejects[:20]]
        return json.loads(json.dumps(summary, default=str))

    runtime.jobs.start(job, work)
    return _accepted(job, response)


@router.post("/v1/ingest/studies", response_model=JobView, status_code=status.HTTP_202_ACCEPTED,
             responses=UPLOAD_ERRORS)
def ingest_studies(
    principal: Admin,
    _multipart: Multipart,
    runtime: RuntimeDep,
    response: Response,
    files: Annotated[list[UploadFile], File(description="Study files: PDF, Markdown, text or survey CSV.")],
    title: Annotated[str | None, Form(max_length=300, description="Title (one file only).")] = None,
    year: Annotated[int | None, Form(ge=1900, le=2100)] = None,
    market: Annotated[str | None, Form(pattern=_NAME, description='e.g. "FR", "global"')] = None,
    language: Annotated[str | None, Form(pattern=r"^[a-z]{2}$", description="ISO 639-1 code")] = None,
    study_type: Annotated[str | None, Form(pattern=_NAME, description='e.g. "report", "survey"')] = None,
    audience: Annotated[str | None, Form(pattern=_NAME, description='Who may read them (default "analyst").')] = None,
) -> JobView:
    """Ingest study documents in the background (admin). The optional fields apply to every file sent
    and win over what ingestion infers; a new version of a file name replaces the older one."""
    if not files:
        raise HTTPException(422, "Send at least one file.")
    if title is not None and len(files) > 1:
        raise HTTPException(422,
                            "A title applies to one file: send the files one by one, or leave the title out.")
    names = [sanitise_filename(f.filename, STUDY_TYPES, fallback="study") for f in files]
    meta = {k: v for k, v in {"title": title, "year": year, "market": market, "language": language,
                              "study_type": study_type, "audience": audience}.items() if v is not None}
    job = runtime.jobs.reserve("studies", {**meta, "by": principal.name})
    root = job.directory / STUDIES_ROOT
    try:
        budget = ByteBudget(runtime.api_settings.upload_max_bytes)
        saved = [save_upload(f.file, root, n, budget) for f, n in zip(files, names, strict=True)]
        if meta:
            (root / "study.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        runtime.jobs.discard(job)
        raise
    job.files = [p.name for p in saved]

    def work(progress: Progress) -> dict[str, Any]:
        report = ingest_studies_in_store(runtime.store, runtime.settings, [root], lock=runtime.rw,
                                         open_lock=runtime.open_lock, embedder=runtime.study_embedder,
                                         progress=progress)
        return json.loads(json.dumps(report.as_dict(), default=str))

    runtime.jobs.start(job, work)
    return _accepted(job, response)


@router.get("/v1/jobs", response_model=list[JobView], responses=error_docs(401, 403))
def list_jobs(principal: Admin, runtime: RuntimeDep) -> list[JobView]:
    """Recent ingestion jobs, newest first (admin)."""
    return [job.view() for job in runtime.jobs.list()]


@router.get("/v1/jobs/{job_id}", response_model=JobView, responses=error_docs(401, 403, 404, 422))
def get_job(job_id: Annotated[str, Path(pattern=JOB_ID)], principal: Admin, runtime: RuntimeDep) -> JobView:
    """One ingestion job: status, progress, and its report once finished (admin)."""
    job = runtime.jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ingestion job {job_id} (the server keeps the last "
                                                       "100 since it started).")
    return job.view()
