"""The last line of the HTTP edge: whatever escapes the routes becomes the JSON error, on a
connection that stays usable.

Starlette's own catch-all (`ServerErrorMiddleware`) answers and then re-raises, and uvicorn closes
the connection when an exception reaches it after the answer started: the next request a client
sends on that keep-alive connection was reset. This middleware sits inside it and re-raises
nothing: an unexpected exception is logged and answered with the generic JSON 500; an engine panic
(a BaseException, see `search.index.damage`) with the JSON 503 `index_damaged`.

It also bounds what one answer may weigh (MAX_RESPONSE_BYTES): a product whose row held 45 MB was
answered as 225 MB. Ingest now refuses such rows (ingest/limits.py); this is the second line, for an
index built before. Streamed answers (no Content-Length) are not counted.
"""

from __future__ import annotations

import logging

from conseil.search.index.damage import damaged_index, is_engine_panic
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_errors import error_response

log = logging.getLogger("conseil.api")

MAX_RESPONSE_BYTES = 8 * 1024 * 1024


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp, max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.app = app
        self.max_response_bytes = max_response_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        refused = False

        async def tracking_send(message: Message) -> None:
            nonlocal started, refused
            if refused:
                return  # the body of an answer replaced by the error below
            if message["type"] == "http.response.start":
                size = _content_length(message)
                if size > self.max_response_bytes:
                    refused = True
                    log.error("answer of %d bytes to %s %s refused", size, scope.get("method"), scope.get("path"))
                    message = _too_large(size, self.max_response_bytes)
                    await send(message["start"])
                    await send(message["body"])
                    started = True
                    return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # answered, logged with its traceback
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # half an answer is out: only closing the connection can tell the client
            answer = error_response(500, "The server hit an unexpected error; it has been logged.")
            await answer(scope, receive, send)
        except BaseException as exc:
            if not is_engine_panic(exc) or started:
                raise
            damaged = damaged_index(exc, f"answering {scope.get('method')} {scope.get('path')}")
            log.error("%s", damaged)
            answer = error_response(503, str(damaged), code="index_damaged")
            await answer(scope, receive, send)


def _content_length(message: Message) -> int:
    for name, value in message.get("headers") or ():
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return 0


def _too_large(size: int, limit: int) -> dict[str, Message]:
    answer = error_response(500, f"The answer would weigh {size / 1024 / 1024:.1f} MB, over this server's limit "
                                 f"of {limit / 1024 / 1024:.0f} MB: ask for fewer results, or check the product data "
                                 "(an oversized field; ingest now refuses rows over its limits).",
                            code="response_too_large")
    return {"start": {"type": "http.response.start", "status": answer.status_code, "headers": answer.raw_headers},
            "body": {"type": "http.response.body", "body": answer.body}}
