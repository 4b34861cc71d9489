"""The `conseil` command line end to end, as a user runs it: real processes, real model, real engine;
and `--language` on `ask` and `audit` in process, on the demo index with the fake embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_support import RealDemo
from typer.testing import CliRunner

CLI = [sys.executable, "-m", "conseil.api.cli"]


def run(args: list[str], data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CONSEIL_DATA_DIR=str(data_dir), COLUMNS="200")
    return subprocess.run(CLI + args, check=False, env=env, input=stdin, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, real_demo: RealDemo) -> Path:
    # `conseil ingest demo --json` with the real model, run once a session (tests/model_support.py,
    # which also ingests the bundled studies there); this module's own copy.
    done = real_demo.products_ingest
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["new"] == 100 and summary["rejected"] == 0
    return real_demo.copy(tmp_path_factory.mktemp("cli"))


@pytest.mark.index
def test_help_is_instant_and_lists_commands(tmp_path: Path) -> None:
    done = run(["--help"], tmp_path)
    assert done.returncode == 0
    for command in ("ingest", "search", "audit"):
        assert command in done.stdout
    heavy = subprocess.run([sys.executable, "-c", ("import sys, conseil.api.cli; "
                            "print(any(m in sys.modules for m in ('torch', 'sentence_transformers', 'qdrant_edge')))")],
                           check=False, capture_output=True, text=True)
    assert heavy.stdout.strip() == "False", "heavy modules must load lazily"


@pytest.mark.index
def test_missing_file_is_one_clear_error_and_no_index(tmp_path: Path) -> None:
    done = run(["ingest", "products", str(tmp_path / "nope.csv")], tmp_path / "data")
    assert done.returncode == 2
    assert "nope.csv" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "index").exists()


@pytest.mark.index
def test_search_without_index_says_which_command_builds_it(tmp_path: Path) -> None:
    done = run(["search", "serum"], tmp_path / "data")
    assert done.returncode == 2 and "conseil ingest products" in done.stderr


@pytest.mark.model
def test_search_json_contract(demo_dir: Path) -> None:
    done = run(["search", "shampoo without sulfates", "--json", "--limit", "3"], demo_dir)
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout)
    assert set(response) >= {"query", "interpretation", "hits", "facets", "took_ms", "total"}
    assert response["hits"] and all("Shampoo" in " ".join(h["category"]) for h in response["hits"])
    assert {"id", "name", "brand", "category", "price", "skin_types", "claims", "score", "why"} <= set(response["hits"][0])


@pytest.mark.model
def test_batch_mode_one_process_one_line_per_query(demo_dir: Path) -> None:
    lines = "\n".join([
        "champú sin sulfatos",
        json.dumps({"query": "serum", "exclude": ["parabens", "fragrance"], "limit": 2}),
        json.dumps({"query": "serum", "skin_type": ["purple"]}),
        json.dumps({"query": "serum", "limit": 0}),
    ])
    done = run(["search", "--json", "--batch", "-"], demo_dir, stdin=lines)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["interpretation"]["constraints"]["exclude_families"] == ["sulfates"]
    assert len(out[1]["hits"]) <= 2 and set(out[1]["interpretation"]["constraints"]["exclude_families"]) == {
        "parabens", "fragrance"}
    assert "error" in out[2] and "dry" in out[2]["error"]
    assert "error" in out[3] and out[3]["line"] == 4


@pytest.mark.model
def test_audit_lists_deliberate_contradictions(demo_dir: Path) -> None:
    done = run(["audit", "--json"], demo_dir)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {"product_id": "DEMO-035", "claim": "without:parabens"}.items() <= next(
        r for r in rows if r["product_id"] == "DEMO-035").items()


@pytest.mark.model
def test_second_process_gets_a_clear_lock_error(demo_dir: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c",
                               ("import sys,pathlib;from conseil.search.index.lock import IndexLock;"
                               "l=IndexLock(pathlib.Path(sys.argv[1])/'index');l.acquire();print('held',flush=True);"
                               "sys.stdin.readline()"), str(demo_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = run(["search", "serum"], demo_dir)
        assert done.returncode == 3
        assert f"process {holder.pid}" in " ".join(done.stderr.split())
    finally:
        holder.kill()
        holder.wait()


# -- --language on `conseil ask` and `conseil audit` (in process, the demo index and the fake embedder) --

@pytest.fixture(scope="module")
def fake_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliRunner]:
    from api_support import demo_data
    from conftest import fake_embedder

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONSEIL_DATA_DIR", str(demo_data(tmp_path_factory, "cli-language")))
        mp.setenv("CONSEIL_EMBEDDING_MODEL", "hash-test")
        mp.delenv("CONSEIL_LLM", raising=False)
        mp.setattr("conseil.search.engines.load_embedder", lambda settings, *_: fake_embedder())
        yield CliRunner()


@pytest.mark.parametrize("command", [["ask", "what is methylparaben?"], ["audit"]])
def test_an_unsupported_language_is_a_usage_error_naming_the_option(command: list[str]) -> None:
    from conseil.api.cli import app

    result = CliRunner().invoke(app, [*command, "--language", "xx"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "--language" in said and "'xx' is not a supported language" in said
    assert "en, fr, es, it, de, pl, cs, el" in said


@pytest.mark.index
def test_ask_language_writes_the_answer_in_it(fake_demo: CliRunner) -> None:
    from conseil.api.cli import app
    from conseil.search.answers.contract import AskResponse

    result = fake_demo.invoke(app, ["ask", "is butylparaben a paraben?", "--json", "--language", "PL"])
    assert result.exit_code == 0, result.output
    answer = AskResponse.model_validate_json(result.stdout)
    assert answer.language == "pl" and "Tak: Butylparaben należy do rodziny parabenów." in answer.answer
    plain = fake_demo.invoke(app, ["ask", "is butylparaben a paraben?", "--language", "cs"])
    assert plain.exit_code == 0 and "Ano: Butylparaben patří do skupiny parabenů." in plain.stdout
    english = fake_demo.invoke(app, ["ask", "is butylparaben a paraben?", "--json"])
    assert AskResponse.model_validate_json(english.stdout).language == "en"  # the question's, as before


@pytest.mark.index
def test_audit_language_translates_the_claim_and_adds_the_warning(fake_demo: CliRunner) -> None:
    from conseil.api.cli import app

    result = fake_demo.invoke(app, ["audit", "--json", "--language", "pl"])
    assert result.exit_code == 0, result.output
    row = next(json.loads(line) for line in result.stdout.splitlines() if '"DEMO-035"' in line)
    assert row["claim"] == "without:parabens" and row["claim_text"] == "bez parabenów"
    assert row["warning"].startswith("deklaruje brak parabenów, ale jego lista składników zawiera ")
    english = fake_demo.invoke(app, ["audit", "--json"])
    plain = next(json.loads(line) for line in english.stdout.splitlines() if '"DEMO-035"' in line)
    assert plain["claim_text"] == "free of parabens" and "warning" not in plain  # unchanged without the option
    table = fake_demo.invoke(app, ["audit", "--language", "cs"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "bez parabenů" in table.stdout
