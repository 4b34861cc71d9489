"""Search routes: the same request/response contract as the CLI's `--json`.

Studies are searched with the audiences of the caller's role, whatever the body says: an advisor is
refused (403) before the engine runs, and even then the engine would find nothing for no audience.
"""

from __future__ import annotations

from typing import Annotated

from conseil.search.contract import SearchRequest, SearchResponse
from conseil.search.studies_contract import StudySearchRequest, StudySearchResponse
from fastapi import APIRouter, Depends

from .auth import Permission, Principal, require
from .http_edge import error_docs, require_json
from .runtime import Runtime, runtime_of

router = APIRouter(prefix="/v1/search", tags=["search"])
SEARCH_ERRORS = error_docs(400, 401, 403, 413, 415, 422, 503)


@router.post("/products", response_model=SearchResponse, responses=SEARCH_ERRORS)
def search_products(
    body: SearchRequest,
    principal: Annotated[Principal, Depends(require(Permission.PRODUCTS))],
    _json: Annotated[None, Depends(require_json)],
    runtime: Annotated[Runtime, Depends(runtime_of)],
) -> SearchResponse:
    """Products for an advisor's question: constraints understood, every exclusion verified."""
    engine = runtime.product_engine()
    with runtime.rw.read():
        return engine.search(body)


@router.post("/studies", response_model=StudySearchResponse, responses=SEARCH_ERRORS)
def search_studies(
    body: StudySearchRequest,
    principal: Annotated[Principal, Depends(require(Permission.STUDIES))],
    _json: Annotated[None, Depends(require_json)],
    runtime: Annotated[Runtime, Depends(runtime_of)],
) -> StudySearchResponse:
    """Passages of consumer studies, with citations (analysts and admins; `audiences` is set from the
    caller's role and any value sent is ignored)."""
    request = body.model_copy(update={"audiences": list(principal.audiences)})
    engine = runtime.study_engine()
    with runtime.rw.read():
        return engine.search(request)
