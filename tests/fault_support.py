"""The fault suite's helpers (tests/faults/): real processes killed with SIGKILL at chosen moments.

Every fault test is marked `faults` (run them alone with `pytest -m faults`), loopback only, and
bounded in time: each child process is waited for with a deadline, and killed when it passes.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


class Child:
    """A Python child process whose stdout lines are read until a marker, then maybe killed -9."""

    def __init__(self, script: str, *args: str, env: dict[str, str] | None = None) -> None:
        prelude = f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
        self.proc = subprocess.Popen([sys.executable, "-u", "-c", prelude + textwrap.dedent(script), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, marker: str, timeout: float = 60.0) -> str:
        """The first stdout line starting with `marker` (the child is killed if it never comes)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if line.startswith(marker):
                return line
        self.kill()
        raise AssertionError(f"the child never printed {marker!r}; its output:\n" + "\n".join(self.lines[-40:]))

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush, no atexit; what a power cut or the OOM killer does."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self, timeout: float = 60.0) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


class Children:
    """Starts children and kills whatever is left of them at the end of the test."""

    def __init__(self) -> None:
        self.started: list[Child] = []

    def start(self, script: str, *args: str, env: dict[str, str] | None = None) -> Child:
        child = Child(script, *args, env=env)
        self.started.append(child)
        return child


@pytest.fixture
def children() -> Iterator[Children]:
    group = Children()
    yield group
    for child in group.started:
        child.kill()


SERVER = """
import os, sys, time
from pathlib import Path
import uvicorn
from api_support import make_app
from conftest import HashBackend
from conseil.search.embedder import Embedder

SLOW = float(os.environ.get("FAULTS_SLOW_EMBED_S", "0"))  # seconds per document batch: a job to kill

class Slow(HashBackend):
    def embed(self, texts):
        if SLOW and len(texts) > 1:
            time.sleep(SLOW)
        return super().embed(texts)

if os.environ.get("FAULTS_PLANT_ERRORS"):  # a bug and an engine panic on chosen queries
    from conseil.search.products.engine import ProductSearch

    PanicException = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})  # as pyo3 makes it
    real_search = ProductSearch.search

    def search(self, request, **kwargs):
        if request.query == "boom":
            raise KeyError("a bug")
        if request.query == "panic":
            raise PanicException("called `Option::unwrap()` on a `None` value")
        return real_search(self, request, **kwargs)

    ProductSearch.search = search

app = make_app(Path(sys.argv[1]), embedder_factory=lambda: Embedder(Slow(32), name="hash-test", dimension=32,
                                                                    batch_size=16))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", timeout_keep_alive=30)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(children: Children, data_dir: Path, timeout: float = 90.0,
                 env: dict[str, str] | None = None) -> tuple[Child, str]:
    """A real `uvicorn` process over `data_dir` (fake embedder, the test keys) on a loopback port."""
    import httpx

    port = free_port()
    child = children.start(SERVER, str(data_dir), str(port), env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            break
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return child, base
        except httpx.TransportError:
            time.sleep(0.1)
    child.kill()
    output = child.proc.stdout.read() if child.proc.stdout else ""
    raise AssertionError(f"the server did not start: {output[-3000:]}")
