"""One command for every benchmark: each script under `eval/` runs as a subprocess with --json,
its figures are printed and gathered into one JSON object, and can be appended to a report.

    python -m conseil.eval.bench_all [--all | --ingest --search --api --studies] [--append-to REPORT]
                                     [--out FILE] [--timeout SECONDS]

Speed is measured here, never asserted in tests. The search benchmark includes the llama-index
baseline, so the baseline's figures sit beside ours. A script that fails or times out is recorded
with its error and the others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# name -> (module, extra arguments, what it measures)
BENCHES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "ingest": ("conseil.eval.bench_ingest", (), "ingestion rate vs raw encode rate, re-ingest, memory"),
    "search": ("conseil.eval.bench_search", (), "search latency, filtered recall, violations, llama-index baseline"),
    "api": ("conseil.eval.bench_api", (), "HTTP API load: throughput and latency under concurrency"),
    "studies": ("conseil.eval.bench_studies", (), "PDF extraction, studies ingestion vs raw encode, search latency"),
}


def last_json_object(stdout: str) -> dict[str, Any]:
    """The JSON object a script printed (scripts may print a line of text after it)."""
    start = stdout.find("{")
    decoder = json.JSONDecoder()
    while start != -1:
        try:
            value, _ = decoder.raw_decode(stdout[start:])
            if isinstance(value, dict):
                return value
        except json.JSONDecodeError:
            pass
        start = stdout.find("{", start + 1)
    raise ValueError("no JSON object in the output")


def run_bench(name: str, timeout: float, extra: Sequence[str] = ()) -> dict[str, Any]:
    module, args, _ = BENCHES[name]
    began = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", module, *args, *extra, "--json"], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    seconds = round(time.perf_counter() - began, 1)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": f"exit status {done.returncode}: {' | '.join(tail)}", "seconds": seconds}
    try:
        figures = last_json_object(done.stdout)
    except ValueError:
        return {"error": "printed no JSON figures", "seconds": seconds}
    return {"figures": figures, "seconds": seconds}


def run_all(names: Sequence[str], timeout: float, log: Any = sys.stderr) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in names:
        print(f"bench {name}: {BENCHES[name][2]} ...", file=log, flush=True)
        results[name] = run_bench(name, timeout)
        print(json.dumps(results[name], indent=2, ensure_ascii=False), file=log, flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="every benchmark (the default when none is chosen)")
    for name, (_, _, what) in BENCHES.items():
        parser.add_argument(f"--{name}", action="store_true", help=what)
    parser.add_argument("--append-to", type=Path, help="a report.md to append the Benchmarks section to")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per script (default 3600)")
    args = parser.parse_args(argv)
    names = [n for n in BENCHES if getattr(args, n)]
    if args.all or not names:
        names = list(BENCHES)
    results = run_all(names, args.timeout)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.append_to:
        from .report import ReportError, append_benchmarks

        try:
            append_benchmarks(args.append_to, results)
        except ReportError as exc:
            print(f"error: {exc}")
            return 2
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
