"""`conseil knowledge coverage|explain`: no index needed, real knowledge base, demo catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conseil.search.knowledge.coverage import ITEM_STEPS

pytestmark = pytest.mark.index  # runs the CLI in a process

CLI = [sys.executable, "-m", "conseil.api.cli", "knowledge"]
DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo" / "products.jsonl"


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CONSEIL_DATA_DIR=str(tmp_path / "no-index"), COLUMNS="200")
    return subprocess.run(CLI + args, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_coverage_reports_steps_and_unresolved_names(tmp_path: Path) -> None:
    done = run(["coverage", str(DEMO), "--json", "--top", "5"], tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["format"], report["products"]) == ("generic", 100)
    assert report["resolved"] == sum(report["by_step"].get(s, 0) for s in ITEM_STEPS)  # every resolving step
    assert set(report["by_step"]) <= {*ITEM_STEPS, "scan", "pattern", "unidentified"}
    assert 0.95 < report["resolved_share"] <= 1.0 and report["top_unresolved"]
    assert not (tmp_path / "no-index").exists()  # no index was opened or created
    text = run(["coverage", str(DEMO)], tmp_path)
    assert "resolved:" in text.stdout and "exact" in text.stdout


def test_coverage_names_a_missing_file(tmp_path: Path) -> None:
    done = run(["coverage", str(tmp_path / "nope.csv")], tmp_path)
    assert done.returncode == 2 and "nope.csv" in done.stderr


def test_explain_shows_the_steps_functions_and_families(tmp_path: Path) -> None:
    done = run(["explain", "Methyl Hydroxybenzoate", "Fragance", "--language", "fr", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    paraben, typo = json.loads(done.stdout)
    assert (paraben["canonical"], paraben["via"]) == ("Methylparaben", "synonym")
    assert {"id": "parabens", "name": "parabènes"} in paraben["families"]
    assert any(f["id"] == "Preservative" and f["name"] == "Conservateur" for f in paraben["functions"])
    assert (typo["canonical"], typo["via"]) == ("Parfum", "typo") and typo["trail"]
    text = run(["explain", "Dimeticone"], tmp_path)
    assert "Dimethicone (via synonym)" in text.stdout and "silicones" in text.stdout
    assert run(["explain", "x", "--language", "xx"], tmp_path).returncode == 2
