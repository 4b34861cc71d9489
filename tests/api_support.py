"""Helpers for the HTTP API tests: a demo data directory (built once per session, copied per
module), one key per role, and an app factory over the fake embedder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, fake_embedder
from conseil.api.auth import ApiKey, Role, hash_key
from conseil.api.cli import demo_catalog_path
from conseil.api.config import ApiSettings
from conseil.api.server import create_app
from conseil.search.embedder import Embedder
from conseil.search.settings import Settings
from fastapi import FastAPI

STUDIES = REPO / "corpora" / "studies"
SECRETS = {Role.ADVISOR: "test-advisor-key", Role.ANALYST: "test-analyst-key", Role.ADMIN: "test-admin-key"}
KEYS = [ApiKey(name=f"{role.value}-1", role=role, sha256=hash_key(secret)) for role, secret in SECRETS.items()]


def auth(role: Role | None, style: str = "bearer") -> dict[str, str]:
    if role is None:
        return {}
    secret = SECRETS[role]
    return {"Authorization": f"Bearer {secret}"} if style == "bearer" else {"X-API-Key": secret}


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embedding_model="hash-test")


def demo_data(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of a data directory holding the demo catalog and the demo studies (fake
    embedder). The template is built once per session under the session's temporary base."""
    template = tmp_path_factory.getbasetemp() / "api-demo-template" / "data"
    if not (template / "index" / "studies" / "meta.json").exists():
        from conseil.ingest.products import ingest_products
        from conseil.ingest.studies import ingest_studies

        shutil.rmtree(template, ignore_errors=True)
        settings = demo_settings(template)
        ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder)
        ingest_studies(settings, [STUDIES], embedder_factory=fake_embedder)
    target = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("conseil.lock"))
    return target


def make_app(data_dir: Path, *, embedder_factory: Callable[[], Embedder] = fake_embedder,
             api_settings: ApiSettings | None = None, **kwargs: Any) -> FastAPI:
    return create_app(demo_settings(data_dir), embedder_factory=embedder_factory, keys=KEYS,
                      api_settings=api_settings or ApiSettings(api_keys_file=None, api_keys=None), **kwargs)
