"""Operations routes: liveness, readiness, metrics (no key needed) and `whoami` (any valid key).

`/metrics` is open like `/healthz`: it exposes counts and latencies only (no product, study or key
data), so a Prometheus scraper needs no credential; bind to loopback or filter it at the proxy if
even that is too much.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .auth import Principal, current_principal
from .http_errors import error_docs
from .metrics import CONTENT_TYPE
from .runtime import Runtime, runtime_of

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    ready: bool = Field(description="The products index is open and the model loaded.")
    model: str
    collections: dict[str, int] = Field(description="Points per open collection.")
    detail: str = ""


class WhoAmI(BaseModel):
    name: str
    role: str
    permissions: list[str]
    studies: bool = Field(description="Whether this caller may search consumer studies.")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive and answering."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(runtime: Annotated[Runtime, Depends(runtime_of)]) -> JSONResponse:
    """Ready to search: index open, model loaded (503 until a products index exists)."""
    ready = runtime.ready
    body = Readiness(ready=ready, model=runtime.embedder.name, collections=runtime.index_sizes(),
                     detail="" if ready else "No products index yet: ingest one (POST /v1/ingest/products).")
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
def metrics(runtime: Annotated[Runtime, Depends(runtime_of)]) -> Response:
    """Prometheus metrics of this server (text exposition format)."""
    return Response(runtime.metrics.render(), media_type=CONTENT_TYPE)


@router.get("/v1/whoami", response_model=WhoAmI, responses=error_docs(401), tags=["auth"])
def whoami(principal: Annotated[Principal, Depends(current_principal)]) -> WhoAmI:
    """The caller's name and role (the web page signs in with it)."""
    return WhoAmI(name=principal.name, role=principal.role.value,
                  permissions=sorted(p.value for p in principal.permissions),
                  studies=bool(principal.audiences))
