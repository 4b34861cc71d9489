"""The analyst desk: the studies' filter values with counts, and a cited document opened at its page.

    GET /v1/studies/facets          year, market, language and study type, with document counts
    GET /v1/studies/{doc_id}/file   the document itself (the page adds #page=N), analysts and admins

Both go through the same role check as the study search (an advisor gets 403) and see only the
documents of the caller's audiences. A file is served only from the configured study folders
(`CONSEIL_STUDY_DIRS`) and only when its content hash is the cited document's id, so a renamed,
edited or unrelated file is never served in its place.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path as FilePath
from typing import Annotated, Any

from conseil.search.index.contract import Filter, MatchAny
from conseil.search.products.contract import FacetValue
from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from .auth import Permission, Principal, require
from .config import ApiSettings
from .http_errors import error_docs
from .runtime import Runtime, runtime_of

router = APIRouter(prefix="/v1/studies", tags=["studies"])
FACET_FIELDS = ("year", "market", "language", "study_type")
MEDIA_TYPES = {".pdf": "application/pdf", ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
               ".csv": "text/csv; charset=utf-8"}


class StudyFacets(BaseModel):
    """Values present in the studies the caller may search, each with its number of documents."""

    documents: int
    year: list[FacetValue] = Field(description="Newest first.")
    market: list[FacetValue]
    language: list[FacetValue]
    study_type: list[FacetValue]


def audience_filter(principal: Principal) -> Filter:
    return Filter(must=(MatchAny("audience", tuple(principal.audiences)),))


def study_facets(runtime: Runtime, principal: Principal) -> StudyFacets:
    engine = runtime.study_engine()
    seen: dict[str, dict[str, Any]] = {}
    with runtime.rw.read():
        for hit in engine.index.scroll(audience_filter(principal), fields=("doc_id",) + FACET_FIELDS, batch=2000):
            seen.setdefault(str(hit.payload.get("doc_id")), hit.payload)
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    for payload in seen.values():
        for name in FACET_FIELDS:
            value = payload.get(name)
            if value not in (None, ""):
                counts[name][str(int(value)) if name == "year" else str(value)] += 1

    def values(name: str) -> list[FacetValue]:
        items = counts[name].items()
        ordered = sorted(items, reverse=True) if name == "year" else sorted(items, key=lambda kv: (-kv[1], kv[0]))
        return [FacetValue(value=v, count=n) for v, n in ordered]

    return StudyFacets(documents=len(seen), **{name: values(name) for name in FACET_FIELDS})


@router.get("/facets", response_model=StudyFacets, responses=error_docs(401, 403, 503))
async def get_study_facets(
    principal: Annotated[Principal, Depends(require(Permission.STUDIES))],
    runtime: Annotated[Runtime, Depends(runtime_of)],
) -> StudyFacets:
    """Filter values for the analyst desk, counted in documents (not passages)."""
    return await run_in_threadpool(study_facets, runtime, principal)


def study_dirs(request: Request) -> list[FilePath]:
    settings = getattr(request.app.state, "api_settings", None)
    return list(settings.study_dirs) if isinstance(settings, ApiSettings) else []


def locate(key: str, doc_id: str, roots: list[FilePath]) -> FilePath | None:
    """The file stored under `key` ("<root name>/<relative path>") in one of `roots`, if its content
    hash is `doc_id`."""
    for root in roots:
        root = root.expanduser().resolve()
        head, _, rest = key.partition("/")
        candidates = [root / rest] if rest and head == root.name else []
        candidates.append(root / key)
        for candidate in candidates:
            path = candidate.resolve()
            if not path.is_file() or not path.is_relative_to(root):
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest()[: len(doc_id)] == doc_id:
                return path
    return None


def _study_file(runtime: Runtime, principal: Principal, doc_id: str, roots: list[FilePath]) -> FilePath:
    engine = runtime.study_engine()
    flt = Filter(must=(MatchAny("doc_id", (doc_id,)), MatchAny("audience", tuple(principal.audiences))))
    with runtime.rw.read():
        first = next(iter(engine.index.scroll(flt, fields=("path",), batch=1)), None)
    if first is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No study document with id {doc_id!r}.")
    path = locate(str(first.payload.get("path") or ""), doc_id, roots)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"The file of study {doc_id!r} is not in the served study folders "
                            "(CONSEIL_STUDY_DIRS) or has changed since it was ingested: re-ingest it.")
    return path


@router.get("/{doc_id}/file", responses=error_docs(401, 403, 404, 503))
async def get_study_file(
    doc_id: Annotated[str, Path(pattern=r"^[0-9a-f]{8,64}$", description="The document id a study hit gives.")],
    principal: Annotated[Principal, Depends(require(Permission.STUDIES))],
    runtime: Annotated[Runtime, Depends(runtime_of)],
    roots: Annotated[list[FilePath], Depends(study_dirs)],
) -> FileResponse:
    """The cited document (open it at a page with `#page=N`), for analysts and admins only."""
    path = await run_in_threadpool(_study_file, runtime, principal, doc_id, roots)
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"Cache-Control": "private, no-store",
                                 "Content-Disposition": f"inline; filename=\"{path.name}\""})
