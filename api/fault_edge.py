"""The last line of the HTTP edge: whatever escapes the routes becomes the JSON error, on a
connection that stays usable.

Starlette's own catch-all (`ServerErrorMiddleware`) answers and then re-raises, and uvicorn closes
the connection when an exception reaches it after the answer started: the next request a client
sends on that keep-alive connection was reset. This middleware sits inside it and re-raises
nothing: an unexpected exception is logged and answered with the generic JSON 500; an engine panic
(a BaseException, see `search.index.damage`) with the JSON 503 `index_damaged`.
"""

from __future__ import annotations

import logging

from conseil.search.index.damage import damaged_index, is_engine_panic
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_edge import error_response

log = logging.getLogger("conseil.api")


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - answered, logged with its traceback
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
