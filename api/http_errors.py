"""HTTP errors: exceptions become status codes and one JSON shape, bodies are bounded, types checked.

Every error answer is `{"error": "<code>", "detail": "<sentence a person can act on>"}` (422 adds
`"errors": [{"loc", "msg", "type"}]`; a QueryError, an LLMError and a 422 on a search add `"message"`,
the client's sentence from corpora/language/messages.json, and `"message_language"`, the language it
is written in: the request's, English for one without data). Never a stack trace: unexpected
exceptions are logged and answered with a generic 500.

A `ConseilError` is answered by ONE handler, with the `http_status` and `error_code` its class
carries (the table is drawn in `conseil.search.errors`): QueryError 400, JobConflict and
AmbiguousProduct 409, UploadTooLarge 413, UploadRejected 415, VectorIndexError 503 (IndexMissingError
adds how to build the index over HTTP), the rest 500. Besides those:

    no / unknown API key   401
    role lacks the right   403
    unknown id or name     404
    body over the limit    413  (BodyLimitMiddleware, before any route runs)
    wrong content type     415
    invalid parameters     422  (malformed JSON too)
    IndexDamagedError      503  "index_damaged" (engine panics too: see api/fault_edge.py)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from conseil.search.errors import ConseilError, IndexMissingError, LLMError, QueryError
from conseil.search.knowledge.text import fold
from conseil.search.query.messages import ClientMessage, client_message, message, message_language
from conseil.search.query.model import MAX_QUERY_CHARS
from conseil.search.query.vocabulary import guess_language
from conseil.search.studies.contract import MAX_STUDY_QUERY_CHARS
from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("conseil.api")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
          500: "internal_error", 503: "unavailable"}
INGEST_HINT = (" While the server runs it holds the index: ingest over HTTP instead, with an admin key "
               "(POST /v1/ingest/products or /v1/ingest/studies).")


def error_response(status_code: int, detail: str, *, code: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"error": code or _CODES.get(status_code, "error"), "detail": detail, **extra}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _validation_detail(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """One readable sentence plus the per-field list (without echoing the input back)."""
    listed = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in errors]
    invalid_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if invalid_json is not None:
        reason = (invalid_json.get("ctx") or {}).get("error", "")
        return f"The request body is not valid JSON{f': {reason}' if reason else ''}.", listed
    parts = [f"{'.'.join(e['loc'])}: {e['msg']}" for e in listed]
    return "Invalid request: " + "; ".join(parts), listed


def conseil_error_response(exc: ConseilError) -> JSONResponse:
    """The answer to any Conseil error: the status and code its class carries, its message."""
    if exc.http_status >= 500:
        log.error("%s: %s", type(exc).__name__, exc)
    detail = str(exc) + (INGEST_HINT if isinstance(exc, IndexMissingError) else "")
    if isinstance(exc, (QueryError, LLMError)):  # and the client's sentence, in the request's language
        return error_response(exc.http_status, detail, code=exc.error_code,
                              **client_message(exc.key, exc.language, **exc.values))
    return error_response(exc.http_status, detail, code=exc.error_code)



def _search_message(exc: RequestValidationError, *, studies: bool = False) -> ClientMessage:
    """An invalid search's sentence for the client (`message`, `message_language`), in the body's
    language or its query's (a study search names it `message_language`: its `language` filters
    documents)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    query = body.get("query") if isinstance(body.get("query"), str) else ""
    named = body.get("message_language" if studies else "language")
    language = named if isinstance(named, str) else None
    language = language or (guess_language(query[:MAX_QUERY_CHARS], fold(query[:MAX_QUERY_CHARS]).split())
                            if query else "en")
    too_long = any(e.get("type") == "string_too_long" and tuple(e.get("loc", ()))[-1:] == ("query",)
                   for e in exc.errors())
    price = next((e for e in exc.errors() if tuple(e.get("loc", ()))[-1:] in (("price_min",), ("price_max",))), None)
    language = message_language(language)
    if price is not None and not studies and not too_long:  # the sentence QueryError's own check would say
        text = message(language, "error_price_negative", x=price.get("input"))
    elif not too_long:
        text = message(language, "error_request")
    else:
        text = message(language, "error_study_query_too_long", limit=MAX_STUDY_QUERY_CHARS) if studies \
            else message(language, "error_query_too_long", limit=MAX_QUERY_CHARS)
    return ClientMessage(message=text, message_language=language)


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        detail, listed = _validation_detail(list(exc.errors()))
        if request.url.path.startswith("/v1/search/"):  # the client's (or analyst's) sentence too
            studies = request.url.path.startswith("/v1/search/studies")
            return error_response(422, detail, errors=listed, **_search_message(exc, studies=studies))
        return error_response(422, detail, errors=listed)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return error_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    async def on_conseil(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConseilError)
        return conseil_error_response(exc)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "The server hit an unexpected error; it has been logged.")

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ConseilError, on_conseil)
    app.add_exception_handler(Exception, on_unexpected)


# -- content types -------------------------------------------------------------------------------

def _media_type(request: Request) -> str | None:
    value = request.headers.get("content-type")
    return value.split(";", 1)[0].strip().lower() if value else None


def require_json(request: Request) -> None:
    """Dependency: a JSON body (415 for another declared type; no type at all is read as JSON)."""
    media = _media_type(request)
    if media is not None and media != "application/json" and not media.endswith("+json"):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"Send the body as JSON (Content-Type: application/json), not {media}.")


def require_multipart(request: Request) -> None:
    """Dependency: a multipart/form-data upload (415 otherwise)."""
    if _media_type(request) != "multipart/form-data":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "Upload files as multipart/form-data (e.g. curl -F file=@products.csv).")


# -- body size -----------------------------------------------------------------------------------

class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body outgrows its limit; an HTTPException so FastAPI's body
    parsing passes it through (it turns other exceptions into 400) and the handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413,
                         f"The request body is larger than this route's limit of {_size(limit)}.")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.4g} MB" if n >= 1024 * 1024 else f"{n / 1024:.4g} KB"


class BodyLimitMiddleware:
    """413 for a body over the route's limit: at once from Content-Length, else while it streams."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0
        started = False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = json.dumps({"error": "payload_too_large",
                           "detail": f"The request body is larger than this route's limit of {_size(limit)}."}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str = Field(description='A stable code, e.g. "query_error", "index_missing", "forbidden".')
    detail: str = Field(description="What happened and what to do, in one or two sentences.")
    message: str | None = Field(None, description="A product search's error (400 query_error, 422): the client's "
                                                  "sentence in the request's language (its `language`, else the query's).")


def error_docs(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error codes a route may answer."""
    return {code: {"model": ErrorBody, "description": _CODES.get(code, "error").replace("_", " ")} for code in codes}
