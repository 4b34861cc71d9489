"""`POST /v1/ask`: an answer with numbered citations, as JSON or as server-sent events.

The caller's role decides which domains may be searched (advisor: products and ingredients, never
studies — the studies engine is not even called; analyst and admin: also studies). With
`Accept: text/event-stream` the answer streams: `route`, `delta` ({"text"}) events, then `done` (the
whole AskResponse) or `error` ({"error", "detail", "message", "message_language"}: `detail` English,
`message` in the answer's language). Retrieval runs under the index read lock (an LLM
router call does not hold it) before anything is sent, so index and query errors are ordinary JSON
errors; an LLM failure is a 503 (or, with CONSEIL_LLM_FALLBACK, the extractive answer with
`fallback` set).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from conseil.search.answers.contract import AskEvent, AskRequest, AskResponse
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from .auth import Permission, Principal, current_principal
from .http_errors import error_docs, require_json
from .runtime import Runtime, runtime_of

router = APIRouter(prefix="/v1", tags=["answers"])
DOMAIN_PERMISSIONS = {"products": Permission.PRODUCTS, "studies": Permission.STUDIES,
                      "ingredients": Permission.INGREDIENTS}


def allowed_domains(principal: Principal) -> frozenset[str]:
    return frozenset(d for d, p in DOMAIN_PERMISSIONS.items() if p in principal.permissions)


def sse(event: AskEvent) -> str:
    return f"event: {event.event}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"


@router.post("/ask", response_model=AskResponse, responses={
    **error_docs(400, 401, 413, 415, 422, 503),
    200: {"content": {"text/event-stream": {}},
          "description": "The answer; as server-sent events when the request accepts text/event-stream."}})
def ask(
    body: AskRequest,
    request: Request,
    principal: Annotated[Principal, Depends(current_principal)],
    _json: Annotated[None, Depends(require_json)],
    runtime: Annotated[Runtime, Depends(runtime_of)],
) -> AskResponse | StreamingResponse:
    """Answer a product, study or ingredient question with [n] citations (offline extractive by
    default; the configured LLM with CONSEIL_LLM)."""
    service = runtime.answers
    prepared = service.prepare(body, allowed=allowed_domains(principal), audiences=principal.audiences,
                               lock=runtime.rw.read)
    if "text/event-stream" in request.headers.get("accept", ""):
        def events() -> Iterator[str]:
            for event in service.stream(prepared):
                yield sse(event)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return service.complete(prepared)  # an LLMError is answered 503 by the one error handler
