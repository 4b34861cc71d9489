"""Search routes: the same request/response contract as the CLI's `--json`.

Studies are searched with the audiences of the caller's role, whatever the body says: an advisor is
refused (403) before the engine runs, and even then the engine would find nothing for no audience.

The product route is the hot one (load target: p99 <= 50 ms at 100 req/s on 2 cores). Profiled under
load (py-spy, eval/bench_api.py), most of its time went to thread-pool hops: FastAPI runs every sync
dependency (key check, role check, content type, runtime) and the endpoint on the pool, and then
re-validates the returned model on it. So it runs the same checks (the auth module's own functions)
on the event loop, answers a cached answer there, and hops once, for the search itself.
"""

from __future__ import annotations

from typing import Annotated

from conseil.search.products.contract import FacetsResponse, SearchRequest, SearchResponse
from conseil.search.studies.contract import StudySearchRequest, StudySearchResponse
from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .auth import Permission, Principal, api_key_header, bearer_scheme, current_principal, require
from .http_errors import error_docs, require_json
from .runtime import Runtime, runtime_of


def json_response(model: BaseModel) -> Response:
    """The model serialised by pydantic-core in this thread: FastAPI would re-validate the returned
    model on another thread-pool hop before serialising it (measured in eval/bench_api.py)."""
    return Response(content=model.model_dump_json(), media_type="application/json")


router = APIRouter(prefix="/v1/search", tags=["search"])
SEARCH_ERRORS = error_docs(400, 401, 403, 413, 415, 422, 503)
_products_allowed = require(Permission.PRODUCTS)


async def product_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """`require(Permission.PRODUCTS)` and `require_json`, on the event loop (microseconds of work each)."""
    principal = _products_allowed(current_principal(request, bearer, header))
    require_json(request)
    return principal


def _search_products(runtime: Runtime, body: SearchRequest) -> Response:
    engine = runtime.product_engine()
    with runtime.rw.read():
        response = engine.search(body, looked_up=True)
    return json_response(response)


@router.post("/products", response_model=SearchResponse, responses=SEARCH_ERRORS)
async def search_products(
    body: SearchRequest,
    principal: Annotated[Principal, Depends(product_caller)],
    request: Request,
) -> Response:
    """Products for an advisor's question: constraints understood, every exclusion verified."""
    runtime = runtime_of(request)
    cached = runtime.product_engine().cached(body)
    if cached is not None:
        return json_response(cached)
    return await run_in_threadpool(_search_products, runtime, body)


def _product_facets(runtime: Runtime, body: SearchRequest) -> Response:
    engine = runtime.product_engine()
    with runtime.rw.read():
        return json_response(engine.facets(body))


@router.post("/products/facets", response_model=FacetsResponse, responses=SEARCH_ERRORS)
async def product_facets(
    body: SearchRequest,
    principal: Annotated[Principal, Depends(product_caller)],
    request: Request,
) -> Response:
    """Facets and total of a product search, alone: send the search itself with `facets: false` and
    this beside it, so the first page of results does not wait for the facet counts."""
    return await run_in_threadpool(_product_facets, runtime_of(request), body)


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
