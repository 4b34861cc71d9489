"""`conseil serve` and `conseil keys ...`: registered on the CLI's typer app by `register(app)`.

    conseil serve [--host 127.0.0.1] [--port 8000]
    conseil keys create NAME --role advisor|analyst|admin     # prints the new key once
    conseil keys list
    conseil keys revoke NAME

Also runnable alone (`python -m conseil.api.cli_server serve`), which the tests and the API
benchmark use so they do not depend on how the main CLI imports this module.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import typer
from conseil.search.settings import Settings

from .cli_common import console, friendly_errors, out
from .keys import Role


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: debug, info, warning, error.")] = "info",
    http: Annotated[str, typer.Option(help="HTTP parser: auto (httptools when installed), h11, httptools.")] = "auto",
    loop: Annotated[str, typer.Option(help="Event loop: auto (uvloop when installed), asyncio, uvloop.")] = "auto",
) -> None:
    """Serve the HTTP API and the web page (this process holds the index while it runs).

    While it runs, ingest through POST /v1/ingest/... with an admin key: `conseil ingest` would stop
    at the index lock, naming this server's pid.
    """
    import uvicorn
    from conseil.search.index.lock import IndexLock

    from .config import ApiSettings
    from .server import build_keyring, create_app

    settings = Settings()
    api_settings = ApiSettings()
    # Check the two things that most often stop a start, and say so in one line (uvicorn would
    # print a traceback from inside the lifespan): another process holds the index; a broken key file.
    if not settings.qdrant_url:  # a server backend has no file lock: the Qdrant server serializes writes
        with IndexLock(settings.index_dir):
            pass
    keyring = build_keyring(settings, api_settings, None)
    if not keyring.keys():
        console.print("[yellow]note:[/] no API key is configured, so every /v1 route answers 401: create one "
                      "with `conseil keys create NAME --role admin`.")
    if not _is_loopback(host):
        console.print(f"[yellow]note:[/] listening on {host}, beyond this machine: put TLS in front of it.")
    if api_settings.torch_threads:
        _limit_model_threads(api_settings.torch_threads)
    console.print(f"Serving {settings.data_dir} on http://{host}:{port} (docs at /docs); Ctrl-C stops.")
    # One process, one worker: the process owns the embedded index.
    uvicorn.run(create_app(settings, api_settings=api_settings), host=host, port=port, log_level=log_level,
                workers=1, access_log=log_level == "debug", http=http, loop=loop)


def _limit_model_threads(threads: int) -> None:
    """One intra-op thread by default: the server batches concurrent queries, and torch's spinning
    worker threads cost far more than they save when the other cores are busy (measured: one query
    16 ms of CPU with 1 thread, 120-250 ms with 2 on a loaded 2-core machine)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the install
        return
    torch.set_num_threads(threads)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def keys_create_command(
    name: Annotated[str, typer.Argument(help="Who or what uses the key, e.g. 'store-paris-01'.")],
    role: Annotated[Role, typer.Option(help="advisor, analyst or admin.")] = Role.ADVISOR,
) -> None:
    """Create an API key: printed once here, only its sha256 is stored (in the keys file)."""
    from .config import ApiSettings
    from .keys import add_key

    path = ApiSettings().keys_file(Settings())
    secret, record = add_key(path, name, role)
    console.print(f"Created key {record.name!r} ({record.role.value}) in {path}. It is shown once: store it now.")
    out.print(secret, markup=False, highlight=False)


def keys_list_command() -> None:
    """List the configured keys (names, roles, hash prefixes; the keys themselves are never stored)."""
    from rich.table import Table

    from .config import ApiSettings
    from .keys import env_keys, read_keys_file

    api_settings = ApiSettings()
    path = api_settings.keys_file(Settings())
    rows = [(k, str(path)) for k in read_keys_file(path)] + [(k, "CONSEIL_API_KEYS") for k in env_keys(api_settings.api_keys)]
    table = Table(title=f"{len(rows)} API keys")
    for column in ("name", "role", "sha256", "from"):
        table.add_column(column)
    for key, origin in rows:
        table.add_row(key.name, key.role.value, key.sha256[:12] + "…", origin)
    out.print(table)


def keys_revoke_command(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Remove a key from the keys file (a running server stops accepting it at once)."""
    from conseil.search.errors import ConfigurationError

    from .config import ApiSettings
    from .keys import revoke_key

    path = ApiSettings().keys_file(Settings())
    if not revoke_key(path, name):
        raise ConfigurationError(f"No key named {name!r} in {path} (`conseil keys list` shows them).")
    console.print(f"Revoked key {name!r}.")


def register(app: typer.Typer) -> None:
    """Add `serve` and `keys` to the CLI (idempotent: a second call changes nothing)."""
    if any(command.name == "serve" for command in app.registered_commands):
        return
    app.command("serve")(friendly_errors(serve_command))
    keys_app = typer.Typer(help="API keys of the HTTP server (roles: advisor, analyst, admin).",
                           no_args_is_help=True)
    keys_app.command("create")(friendly_errors(keys_create_command))
    keys_app.command("list")(friendly_errors(keys_list_command))
    keys_app.command("revoke")(friendly_errors(keys_revoke_command))
    app.add_typer(keys_app, name="keys")


def main(args: Any = None) -> None:
    """`serve` and `keys` alone, on an app of their own (no import of the main CLI)."""
    app = typer.Typer(no_args_is_help=True, add_completion=False)
    register(app)
    app(args)


if __name__ == "__main__":
    main()
