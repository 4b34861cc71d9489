"""Retries with backoff on transient Qdrant server failures, and error translation (no server needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from conseil.search.errors import (
    BackendUnavailableError,
    ConfigurationError,
    IndexMissingError,
    VectorIndexError,
)
from conseil.search.index.retry import is_transient, with_retries
from conseil.search.settings import Settings
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse


def http_error(status: int) -> UnexpectedResponse:
    return UnexpectedResponse(status, "err", b'{"status": {"error": "boom"}}', httpx.Headers())


class Flaky:
    """Fails with the given errors, in order, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_two_transient_failures_then_success_with_exponential_backoff() -> None:
    flaky = Flaky(ResponseHandlingException(httpx.ConnectError("refused")), http_error(503))
    waits: list[float] = []
    assert with_retries(flaky, what="query", where="http://q:6333", retries=3, backoff_s=0.5,
                        sleep=waits.append) == "ok"
    assert flaky.calls == 3
    assert waits == [0.5, 1.0]


def test_gives_up_after_the_retries_naming_the_server() -> None:
    flaky = Flaky(*[http_error(502)] * 5)
    waits: list[float] = []
    with pytest.raises(BackendUnavailableError, match=r"http://q:6333.*HTTP 502.*3 attempts"):
        with_retries(flaky, what="query", where="http://q:6333", retries=2, backoff_s=0.1, sleep=waits.append)
    assert flaky.calls == 3 and waits == [0.1, 0.2]
    assert issubclass(BackendUnavailableError, VectorIndexError), "the HTTP edge answers 503 for it"


@pytest.mark.parametrize("error", [http_error(400), http_error(401), http_error(404), ValueError("bad")])
def test_permanent_errors_are_not_retried(error: BaseException) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        with_retries(flaky, what="query", where="u", retries=5, backoff_s=0.1, sleep=lambda s: None)
    assert flaky.calls == 1


@pytest.mark.parametrize("error,transient", [
    (http_error(429), True), (http_error(504), True), (http_error(500), False), (http_error(409), False),
    (httpx.ReadTimeout("slow"), True), (ConnectionResetError(), True), (TimeoutError(), True),
    (ResponseHandlingException(ValueError("unparsable body")), False), (KeyError("x"), False),
])
def test_transient_classification(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient


def test_grpc_unavailable_is_transient() -> None:
    import grpc

    class Unavailable(grpc.RpcError):
        def code(self) -> Any:
            return grpc.StatusCode.UNAVAILABLE

    class Invalid(grpc.RpcError):
        def code(self) -> Any:
            return grpc.StatusCode.INVALID_ARGUMENT

    assert is_transient(Unavailable()) and not is_transient(Invalid())


@pytest.mark.index
def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    """A real client against a closed port: retries, then BackendUnavailableError naming the URL."""
    from conseil.search.index.store import open_store, products_schema

    settings = Settings(data_dir=tmp_path, qdrant_url="http://127.0.0.1:9", qdrant_retries=1,
                        qdrant_backoff_s=0.01, qdrant_timeout=2)
    with open_store(settings) as store, pytest.raises(BackendUnavailableError, match="127.0.0.1:9"):
        store.collection(products_schema(8), create=False)
    assert not (tmp_path / "index").exists(), "a server store takes no file lock"


@pytest.mark.index
def test_missing_server_collection_names_the_server(tmp_path: Path) -> None:
    from conseil.search.index.store import open_store, products_schema, stored_dense_size

    settings = Settings(data_dir=tmp_path, qdrant_url=":memory:")
    assert stored_dense_size(settings, "products") is None
    with open_store(settings) as store, pytest.raises(IndexMissingError, match=r"Qdrant server.*:memory:"):
        store.collection(products_schema(8), create=False)


def test_bad_url_and_refused_key_are_configuration_errors(tmp_path: Path) -> None:
    from conseil.search.index.qdrant_server import ServerOptions, _call

    with pytest.raises(ConfigurationError, match="not a URL"):
        from conseil.search.index.qdrant_server import connect

        connect(Settings(data_dir=tmp_path, qdrant_url="localhost:6333"))
    with pytest.raises(ConfigurationError, match="CONSEIL_QDRANT_API_KEY"):
        _call(Flaky(http_error(403)), "query", "https://q", ServerOptions(retries=0))
    with pytest.raises(VectorIndexError, match="HTTP 400.*boom"):
        _call(Flaky(http_error(400)), "query", "https://q", ServerOptions(retries=0))
