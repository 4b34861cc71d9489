"""The one error tree: every exception class of the codebase is a ConseilError carrying its HTTP status
and CLI exit code, and each edge (one HTTP handler, one CLI wrapper) answers with what the class carries."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
import typer
from conseil.search import errors
from conseil.search.errors import ConseilError

PACKAGES = ("conseil.search", "conseil.api", "conseil.ingest", "conseil.eval")
# Not Conseil errors on purpose: BodyTooLarge must be an HTTPException so that FastAPI's body parsing
# lets it through to the 413 answer (it turns other exceptions into 400).
FRAMEWORK_SIGNALS = {"conseil.api.http_errors.BodyTooLarge"}


def _modules() -> Iterator[str]:
    for package in PACKAGES:
        yield package
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            yield info.name


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
    return found


ALL_EXCEPTIONS = _exception_classes()


def test_the_walk_finds_the_classes_outside_errors_py() -> None:
    names = {cls.__name__ for cls in ALL_EXCEPTIONS}
    assert {"UploadRejected", "JobConflict", "AmbiguousProduct", "ReportError", "NfcorpusError",
            "BeirFormatError", "SuiteMismatch", "RowError", "FileRejected", "IndexLockedError"} <= names


@pytest.mark.parametrize("cls", ALL_EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_exception_class_is_in_the_tree(cls: type[BaseException]) -> None:
    if f"{cls.__module__}.{cls.__name__}" in FRAMEWORK_SIGNALS:
        return
    tree_class = cls if issubclass(cls, ConseilError) else None
    assert tree_class is not None, f"{cls.__module__}.{cls.__name__} is outside search/errors.py's tree"
    assert isinstance(tree_class.http_status, int) and 400 <= tree_class.http_status <= 599
    assert isinstance(tree_class.exit_code, int) and tree_class.exit_code > 0
    assert tree_class.error_code and tree_class.error_code.islower()


def test_the_docstring_draws_every_class() -> None:
    doc = errors.__doc__ or ""
    for cls in ALL_EXCEPTIONS:
        if f"{cls.__module__}.{cls.__name__}" not in FRAMEWORK_SIGNALS:
            assert f" {cls.__name__} " in doc, f"{cls.__name__} is missing from the hierarchy in search/errors.py"


EXPECTED_STATUS = {"QueryError": 400, "IndexMissingError": 503, "VectorIndexError": 503, "IndexLockedError": 503,
                   "BackendUnavailableError": 503, "LLMError": 503, "JobConflict": 409, "AmbiguousProduct": 409,
                   "UploadRejected": 415, "UploadTooLarge": 413, "ConfigurationError": 500, "SourceError": 500}


def _instance(cls: type[ConseilError]) -> ConseilError:
    """An instance whatever the constructor's arguments (the edges read only the class and str())."""
    exc = Exception.__new__(cls)
    Exception.__init__(exc, f"{cls.__name__} happened: do this.")
    return exc


CONSEIL_ERRORS = [c for c in ALL_EXCEPTIONS if issubclass(c, ConseilError)]


@pytest.mark.parametrize("cls", CONSEIL_ERRORS, ids=lambda c: c.__name__)
def test_the_http_handler_answers_with_the_class_status(cls: type[ConseilError]) -> None:
    from conseil.api.http_errors import install_error_handlers
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise _instance(cls)

    answer = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert answer.status_code == cls.http_status
    if cls.__name__ in EXPECTED_STATUS:
        assert answer.status_code == EXPECTED_STATUS[cls.__name__]
    body = answer.json()
    assert body["error"] == cls.error_code
    assert body["detail"].startswith(f"{cls.__name__} happened: do this.")


@pytest.mark.parametrize("cls", CONSEIL_ERRORS, ids=lambda c: c.__name__)
def test_the_cli_wrapper_exits_with_the_class_code(cls: type[ConseilError], capsys: pytest.CaptureFixture[str]) -> None:
    from conseil.api.cli_common import friendly_errors

    @friendly_errors
    def command() -> None:
        raise _instance(cls)

    with pytest.raises(typer.Exit) as exit_info:
        command()
    assert exit_info.value.exit_code == cls.exit_code
    assert f"{cls.__name__} happened: do this." in capsys.readouterr().err
    if cls.__name__ == "IndexLockedError":
        assert cls.exit_code == 3


def test_every_cli_command_goes_through_the_one_wrapper() -> None:
    from conseil.api.cli import app
    from conseil.api.cli_common import TRANSLATES_ERRORS

    def commands(group: typer.Typer, path: str) -> Iterator[tuple[str, object]]:
        for command in group.registered_commands:
            yield f"{path} {command.name}", command.callback
        for sub in group.registered_groups:
            assert sub.typer_instance is not None
            yield from commands(sub.typer_instance, f"{path} {sub.name}")

    found = dict(commands(app, "conseil"))
    assert len(found) > 15
    unwrapped = [name for name, callback in found.items() if not getattr(callback, TRANSLATES_ERRORS, False)]
    assert unwrapped == [], f"commands without friendly_errors: {unwrapped}"
