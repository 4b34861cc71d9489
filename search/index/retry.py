"""Retrying a request to the Qdrant server when it failed for a reason that may pass.

Transient: the connection was refused, reset or timed out, or the server (or a proxy in front of
a cluster) answered 429, 502, 503 or 504 — a node restarting, a leader election, a rolling
upgrade. Everything else (a bad request, a wrong API key, a missing collection) fails at once:
retrying cannot fix it. Every write Conseil sends is idempotent (upserts and deletes by fixed
ids, payload overwrites), so repeating one that may have reached the server is safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from conseil.search.errors import BackendUnavailableError

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({429, 502, 503, 504})


def is_transient(exc: BaseException) -> bool:
    """Whether `exc`, raised by qdrant-client, may succeed if the request is sent again."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    import httpx
    from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

    if isinstance(exc, UnexpectedResponse):
        return exc.status_code in TRANSIENT_STATUS
    if isinstance(exc, ResponseHandlingException):  # qdrant-client wraps transport errors in it
        return isinstance(exc.source, httpx.TransportError | ConnectionError | TimeoutError)
    if isinstance(exc, httpx.TransportError):
        return True
    try:
        import grpc
    except ImportError:  # pragma: no cover - grpcio comes with qdrant-client
        return False
    if isinstance(exc, grpc.RpcError) and hasattr(exc, "code"):
        return exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                              grpc.StatusCode.RESOURCE_EXHAUSTED)
    return False


def with_retries(call: Callable[[], T], *, what: str, where: str, retries: int, backoff_s: float,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """`call()`, sent again up to `retries` times after a transient failure, waiting `backoff_s`,
    then twice as long each time. Gives up with BackendUnavailableError naming `where`."""
    delay = backoff_s
    for attempt in range(retries + 1):
        try:
            return call()
        except Exception as exc:  # classified just below; the others are re-raised unchanged
            if not is_transient(exc):
                raise
            if attempt == retries:
                raise BackendUnavailableError(
                    f"The Qdrant server at {where} did not answer ({what}: {_describe(exc)}), "
                    f"{retries + 1} attempts over {_waited(backoff_s, retries):.1f} s: check that it "
                    "runs and is reachable (CONSEIL_QDRANT_URL), or raise CONSEIL_QDRANT_TIMEOUT / "
                    "CONSEIL_QDRANT_RETRIES.") from exc
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # the loop returns or raises


def _waited(backoff_s: float, retries: int) -> float:
    return sum(backoff_s * 2**n for n in range(retries))


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"HTTP {status}"
    source = getattr(exc, "source", None)
    inner = source if isinstance(source, BaseException) else exc
    return f"{type(inner).__name__}: {inner}".rstrip(": ")
