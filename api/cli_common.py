"""What every `conseil` sub-command module shares: the consoles and the one error translation.

The sub-command modules (`cli_ask`, `cli_eval`, `cli_index`, `cli_server`, `cli_studies`, ...)
import from here, never from `api.cli`: `api.cli` imports them to register their commands, so an
import back would be a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from conseil.search.errors import ConseilError
from rich.console import Console

console = Console(stderr=True)  # messages, progress, errors
out = Console()  # results
F = TypeVar("F", bound=Callable[..., Any])

TRANSLATES_ERRORS = "__conseil_translates_errors__"  # marks a wrapped command (tests check every command has it)


def friendly_errors(func: F) -> F:
    """The CLI's one error translation: a Conseil error becomes one red line and the exit code its
    class carries (`exit_code`, e.g. 3 when another process holds the index, 2 otherwise)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConseilError as exc:
            console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(exc.exit_code) from None
        except BaseException as exc:  # a Rust panic of the index engine is not an Exception
            from conseil.search.index.damage import damaged_index, is_engine_panic

            if not is_engine_panic(exc):
                raise
            error = damaged_index(exc, "running the command")
            console.print(f"[bold red]error:[/] {error}")
            raise typer.Exit(error.exit_code) from None

    setattr(wrapper, TRANSLATES_ERRORS, True)
    return wrapper  # type: ignore[return-value]


def check_language(value: str | None) -> str | None:
    """Typer callback of `--language`: a supported language code (any case), else a usage error that
    names the option and the codes (exit 2). The HTTP API falls back to English for an unknown code; a
    person typing the option is better told."""
    if value is None:
        return None
    from conseil.search.query.language_data import LANGUAGES  # imports the parser: only when given

    code = value.strip().lower()
    if code not in LANGUAGES:
        raise typer.BadParameter(f"{value!r} is not a supported language; use one of {', '.join(LANGUAGES)}.")
    return code


LANGUAGE_HELP = "Language of the texts the client reads (en fr es it de pl cs el); default: "


def validation_message(exc: Any) -> str:
    """A pydantic ValidationError as one line: `field: message; ...`."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def demo_catalog_path() -> Path:
    from importlib.resources import files

    return Path(str(files("conseil.corpora") / "demo" / "products.jsonl"))
