"""The HTTP API: `create_app(settings)` builds a FastAPI app whose lifespan owns the index.

    app = create_app(Settings())                        # `conseil serve` runs it with uvicorn
    uvicorn --factory conseil.api.server:app_from_env   # the same, for a process manager

Run ONE server process per data directory (no `--workers`): the process holds the embedded index
lock for its lifetime. Nothing is built at import time; the lifespan opens the Store, loads the
model and the knowledge base, builds the engines and the metrics, and closes them at shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from conseil.search.embedder import Embedder
from conseil.search.settings import STUDIES, Settings
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from . import (
    routes_ask,
    routes_catalog,
    routes_desk,
    routes_feedback,
    routes_ingest,
    routes_ops,
    routes_search,
)
from .auth import ApiKey, KeyRing, env_keys
from .config import ApiSettings
from .fault_edge import UnhandledErrorMiddleware
from .http_errors import BodyLimitMiddleware, install_error_handlers
from .metrics import ApiMetrics, MetricsMiddleware
from .runtime import Runtime
from .strict import refuse_unknown_parameters

log = logging.getLogger("conseil.api")

STATIC_DIR = Path(__file__).resolve().parent / "static"
MULTIPART_OVERHEAD = 1024 * 1024  # form fields and part headers around the uploaded bytes
API_VERSION = "1.0"
DESCRIPTION = """Ingredient-aware product search and consumer-study search for a beauty retailer.

Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>` (keys: `conseil keys create`).
Roles: **advisor** (products, ingredients, audit), **analyst** (+ studies), **admin** (+ ingestion).
Errors are `{"error": code, "detail": sentence}`.
"""


def build_keyring(settings: Settings, api_settings: ApiSettings, keys: Sequence[ApiKey] | None) -> KeyRing:
    """Explicit keys (tests, embedding) replace the configured sources; otherwise environment + file."""
    if keys is not None:
        return KeyRing(keys)
    return KeyRing(env_keys(api_settings.api_keys), api_settings.keys_file(settings))


def create_app(settings: Settings, *, embedder_factory: Callable[[], Embedder] | None = None,
               keys: Sequence[ApiKey] | None = None, api_settings: ApiSettings | None = None,
               static_dir: Path | None = STATIC_DIR) -> FastAPI:
    """The app for one data directory. `embedder_factory` defaults to the configured model;
    `keys` defaults to CONSEIL_API_KEYS plus the keys file; `static_dir` is the web page, if present."""
    limits = api_settings or ApiSettings()

    def make_embedder() -> Embedder:
        if embedder_factory is not None:
            return embedder_factory()
        from conseil.search.embedder import load_embedder  # torch loads here, not at import

        return load_embedder(settings)

    def make_study_embedder() -> Embedder | None:
        """The studies' own model, when the settings give them another one (an injected factory serves
        both)."""
        if embedder_factory is not None or settings.model_for(STUDIES) == settings.embedding_model:
            return None
        from conseil.search.embedder import load_embedder

        return load_embedder(settings, STUDIES)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        keyring = build_keyring(settings, limits, keys)  # a broken key file stops the start, with its error
        runtime = await run_in_threadpool(Runtime.open, settings, limits, make_embedder, make_study_embedder)
        app.state.keyring = keyring
        app.state.runtime = runtime
        if not keyring.keys():
            log.warning("No API key is configured: every /v1 route will answer 401. Create one with "
                        "`conseil keys create NAME --role admin`.")
        log.info("Conseil serving %s (model %s); collections: %s", settings.data_dir, runtime.embedder.name,
                 runtime.index_sizes() or "none yet")
        try:
            yield
        finally:
            app.state.runtime = None
            await run_in_threadpool(runtime.close)  # waits for a running job, then releases the index

    app = FastAPI(title="Conseil", version=API_VERSION, description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json",
                  dependencies=[Depends(refuse_unknown_parameters)])  # unknown query/form names: 422
    install_error_handlers(app)

    def limit_for(path: str) -> int:
        if path.startswith("/v1/ingest/"):
            return limits.upload_max_bytes + MULTIPART_OVERHEAD
        return limits.max_body_bytes

    def metrics_of() -> ApiMetrics | None:
        runtime = getattr(app.state, "runtime", None)
        return runtime.metrics if isinstance(runtime, Runtime) else None

    # Added last = outermost: the metrics see every answer, 413s from the body limit included.
    app.add_middleware(UnhandledErrorMiddleware)  # innermost: unexpected errors and panics as JSON
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(MetricsMiddleware, metrics_of=metrics_of)

    app.state.api_settings = limits
    for module in (routes_search, routes_catalog, routes_ingest, routes_ops, routes_feedback, routes_ask, routes_desk):
        app.include_router(module.router)
    if static_dir is not None and static_dir.is_dir():
        # Mounted after every route, so the API always wins; "/" serves index.html.
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="web")
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory conseil.api.server:app_from_env`: everything from CONSEIL_* variables."""
    return create_app(Settings())
