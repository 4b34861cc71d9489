"""`conseil index export|import|copy`: move an index between engines without re-embedding.

    conseil index export COLLECTION DIR                 # the configured backend -> files
    conseil index import DIR [--collection NAME]        # files -> the configured backend (resumable)
    conseil index copy COLLECTION (--to-url URL | --to-data-dir DIR) [--to-collection NAME]

The configured backend is the usual one: CONSEIL_QDRANT_URL (server) or CONSEIL_DATA_DIR (embedded).
Registered on the CLI's typer app by `register(app)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from conseil.search.errors import ConfigurationError
from conseil.search.settings import Settings

from .cli_common import console, friendly_errors, out

index_app = typer.Typer(help="Move an index between the embedded engine and a Qdrant server (no re-embedding).",
                        no_args_is_help=True)


@contextmanager
def _progress(as_json: bool) -> Iterator[Callable[[str, int, int], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json or not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage.capitalize()}ing points", total=total)
            bar.update(tasks[stage], completed=done)

        yield progress


def _print(report: Any, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps(report.summary()))
        return
    verb = {"export": "Exported", "import": "Imported", "copy": "Copied"}[report.operation]
    resumed = f" (resumed at batch {report.resumed_from_batch})" if report.resumed_from_batch else ""
    out.print(f"{verb} {report.points} points of [bold]{report.collection}[/] in {report.batches} batches"
              f"{resumed}, {report.seconds:.1f} s\n  from {report.source}\n  to   {report.target}\n"
              f"  model {report.model}; the target holds {report.total} points (count checked)")


def export_command(
    collection: Annotated[str, typer.Argument(help="products or studies.")],
    directory: Annotated[Path, typer.Argument(help="New or empty directory for manifest.json and batch files.")],
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Points per batch file.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Export a collection (vectors and payloads, no re-embedding) to a directory."""
    from conseil.ingest.transfer import export_collection

    with _progress(as_json) as progress:
        report = export_collection(Settings(), collection, directory, batch=batch, progress=progress)
    _print(report, as_json)


def import_command(
    directory: Annotated[Path, typer.Argument(help="A directory written by `conseil index export`.")],
    collection: Annotated[str | None, typer.Option(help="Collection name on the target (default: the exported one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import an export into the configured backend; an interrupted import resumes where it stopped."""
    from conseil.ingest.transfer import import_collection

    with _progress(as_json) as progress:
        report = import_collection(Settings(), directory, collection=collection, progress=progress)
    _print(report, as_json)


def copy_command(
    collection: Annotated[str, typer.Argument(help="products or studies.")],
    to_url: Annotated[str | None, typer.Option(help="Target Qdrant server URL (http://HOST:6333).")] = None,
    to_data_dir: Annotated[Path | None, typer.Option(help="Target embedded data directory.")] = None,
    to_collection: Annotated[str | None, typer.Option(help="Collection name on the target.")] = None,
    to_api_key: Annotated[str | None, typer.Option(envvar="CONSEIL_TO_QDRANT_API_KEY",
                                                   help="API key of the target server.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Copy a collection from the configured backend straight to another one (embedded <-> server)."""
    from conseil.ingest.transfer import copy_collection

    if (to_url is None) == (to_data_dir is None):
        raise ConfigurationError("Give exactly one target: --to-url URL (a Qdrant server) or --to-data-dir DIR "
                                 "(an embedded index).")
    source = Settings()
    target = (source.model_copy(update={"qdrant_url": to_url, "qdrant_api_key": to_api_key and _secret(to_api_key)})
              if to_url else source.model_copy(update={"qdrant_url": None, "data_dir": to_data_dir}))
    with _progress(as_json) as progress:
        report = copy_collection(source, target, collection, target_collection=to_collection, progress=progress)
    _print(report, as_json)


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


def register(app: typer.Typer) -> None:
    """Add the `index` command group (idempotent)."""
    if any(group.name == "index" for group in app.registered_groups):
        return
    index_app.command("export")(friendly_errors(export_command))
    index_app.command("import")(friendly_errors(import_command))
    index_app.command("copy")(friendly_errors(copy_command))
    app.add_typer(index_app, name="index")
