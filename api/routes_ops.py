"""Operations routes: liveness, readiness, metrics (no key needed) and `whoami` (any valid key).

`/metrics` is open like `/healthz`: it exposes counts and latencies only (no product, study or key
data), so a Prometheus scraper needs no credential; bind to loopback or filter it at the proxy if
even that is too much.
"""

from __future__ import annotations

from typing import Annotated

from conseil.search.index.schema import PRODUCTS_COLLECTION, STUDIES_COLLECTION
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .auth import KeyRing, Permission, Principal, current_principal
from .http_errors import error_docs
from .metrics import CONTENT_TYPE
from .runtime import Runtime, runtime_of

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str = "ok"


class FingerprintView(BaseModel):
    state: str = Field(description='"ok", "damaged" (another count than the last ingest left: restore or '
                                   're-ingest), "interrupted" (an ingest was killed: re-run it) or "unrecorded".')
    expected: int | None = None
    found: int | None = None


class Readiness(BaseModel):
    ready: bool = Field(description="The products index is open, undamaged, and the model loaded.")
    model: str
    collections: dict[str, int] = Field(description="Points per open collection (studies: for a caller "
                                                    "whose key may search them).")
    fingerprint: dict[str, FingerprintView] = Field(
        default_factory=dict, description="Each collection against the counts its last ingest recorded.")
    incomplete_studies: int | None = Field(None, description="Studies with fewer passages stored than they have "
                                                             "(a killed ingest; re-run it). Shown to study callers.")
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
def readyz(request: Request, runtime: Annotated[Runtime, Depends(runtime_of)]) -> JSONResponse:
    """Ready to search: index open and undamaged, model loaded (503 until a products index exists, and
    while an index holds another count than its last ingest left). Study sizes need a study key."""
    ready = runtime.ready
    studies = _may_see_studies(request)
    shown = [f for f in runtime.findings if studies or f.collection != STUDIES_COLLECTION]  # sizes need a key
    problems = [why for name, why in runtime.open_errors.items() if studies or name != STUDIES_COLLECTION]
    problems += [f.sentence() for f in shown if f.state in ("damaged", "interrupted")]
    if not studies and (STUDIES_COLLECTION in runtime.open_errors or any(
            f.state == "damaged" for f in runtime.findings if f.collection == STUDIES_COLLECTION)):
        problems.append("index damaged: studies (details for a key that may search studies)")
    if studies:
        problems += [s.sentence() for s in runtime.incomplete]
    if runtime.engines.products is None and PRODUCTS_COLLECTION not in runtime.open_errors:
        problems.insert(0, "No products index yet: ingest one (POST /v1/ingest/products).")
    sizes = {name: n for name, n in runtime.index_sizes().items() if studies or name != STUDIES_COLLECTION}
    prints = {f.collection: FingerprintView(state=f.state, expected=f.expected, found=f.found)
              if studies or f.collection != STUDIES_COLLECTION else FingerprintView(state=f.state)
              for f in runtime.findings}
    body = Readiness(ready=ready, model=runtime.embedder.name, collections=sizes, fingerprint=prints,
                     incomplete_studies=len(runtime.incomplete) if studies else None, detail=" ".join(problems))
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _may_see_studies(request: Request) -> bool:
    """Whether the request carries a valid key whose role may search studies (no key: no)."""
    keyring = getattr(request.app.state, "keyring", None)
    header = request.headers.get("x-api-key") or ""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    presented = header or (bearer if scheme.lower() == "bearer" else "")
    principal = keyring.authenticate(presented.strip()) if isinstance(keyring, KeyRing) and presented else None
    return principal is not None and Permission.STUDIES in principal.permissions


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
