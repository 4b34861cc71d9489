"""Knowledge-base figures for issue 13 (a benchmark script, not a timed test).

    python -m conseil.eval.bench_knowledge [--baseline-rev REV] [--json]

Prints, with the baseline beside each figure:
  * coverage: share of ingredient mentions resolved on the Sephora export and on cosmetics.csv
    (`conseil knowledge coverage`), by resolution step;
  * false "free of" on the labelled adversarial set (eval/datasets/label_variants/variants.jsonl);
  * knowledge-base load time and resident memory, for the current file and the baseline revision's
    file (each loaded by this code in a fresh interpreter, median of 3), and the one-off cost of the
    first unknown name (the lazy tables), cold and after `warm()` (which the server runs at start);
  * the size of the shipped JSON.
Load times depend on the machine's load: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CATALOGS = {"sephora": SHARED / "sephora-products" / "product_info.csv",
            "cosmetics": SHARED / "sephora-cosmetics-skintype" / "cosmetics.csv"}
BASELINE_SHARE = {"sephora": 0.606, "cosmetics": 0.559}  # issue 13, measured on the 2,580-name knowledge base
TARGET_SHARE = {"sephora": 0.99, "cosmetics": 0.98}
DATA = REPO / "corpora" / "knowledge" / "ingredients.json.gz"
_LOAD_PROBE = r"""
import json, resource, sys, time
from pathlib import Path
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
from conseil.search.knowledge.base import IngredientKnowledge
before = rss()
c, t = time.process_time(), time.perf_counter()
kb = IngredientKnowledge.load(Path(sys.argv[1])); load, load_cpu = time.perf_counter() - t, time.process_time() - c
after = rss()
c, t = time.process_time(), time.perf_counter()
kb.resolve('Xyzzyplorbium Extract'); first, first_cpu = time.perf_counter() - t, time.process_time() - c
warmed = type(kb).load(Path(sys.argv[1]))
t = time.process_time(); getattr(warmed, 'warm', lambda: None)(); warm = time.process_time() - t
t = time.perf_counter(); warmed.resolve('Xyzzyplorbium Extract'); after_warm = time.perf_counter() - t
print(json.dumps({"load_ms": load * 1000, "load_cpu_ms": load_cpu * 1000, "rss_mb": after - before,
                  "first_unknown_ms": first * 1000, "first_unknown_cpu_ms": first_cpu * 1000,
                  "rss_after_first_unknown_mb": rss() - before, "warm_cpu_ms": warm * 1000,
                  "first_unknown_after_warm_ms": after_warm * 1000}))
"""


def load_figures(path: Path, runs: int = 3) -> dict[str, float]:
    samples = [json.loads(subprocess.run([sys.executable, "-c", _LOAD_PROBE, str(path)], check=True,
                                         capture_output=True, text=True).stdout) for _ in range(runs)]
    return {k: round(statistics.median(s[k] for s in samples), 1) for k in samples[0]}


def coverage() -> dict[str, Any]:
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.knowledge.coverage import measure

    kb = IngredientKnowledge.load()
    out = {}
    for name, path in CATALOGS.items():
        read = read_products(path)
        out[name] = measure((r.ingredients_raw for r in read.records), kb).as_dict(top=10)
    return out


def false_free_of() -> dict[str, int]:
    from conseil.search.knowledge.analysis import analyze
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.products.verify import stored_items, verify
    from conseil.search.query import Constraints

    kb = IngredientKnowledge.load()
    rows = [json.loads(line) for line in (REPO / "eval" / "datasets" / "label_variants" / "variants.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    checks = false_free = 0
    for row in rows:
        declaration = f"Water, Glycerin, {row['variant']}, Tocopherol"
        payload = {"ingredients_raw": declaration, "ingredient_items": stored_items(analyze(declaration, kb))}
        for family in row["families"] or ["parabens"]:
            verdict = verify(payload, Constraints(exclude_families=(family,)), kb)
            checks += 1
            said_free = any(w.text.startswith("free of") for w in verdict.why)
            false_free += said_free and (family in row["families"] or row["expected"] == "unidentifiable")
    return {"variants": len(rows), "checks": checks, "false_free_of": false_free}


def baseline_file(rev: str) -> Path:
    shown = [subprocess.run(["git", "show", f"{rev}:corpora/knowledge/{name}"], check=False, cwd=REPO,
                            capture_output=True)
             for name in ("ingredients.json.gz", "ingredients.json")]  # older revisions ship plain JSON
    blob = next((s.stdout for s in shown if s.returncode == 0), None)
    if blob is None:
        raise SystemExit(f"no knowledge file at {rev}")
    with tempfile.NamedTemporaryFile(prefix="kb-baseline-", suffix=".json", delete=False) as handle:
        handle.write(blob)
    return Path(handle.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", default="b0a5a7d", help="git revision of the baseline knowledge file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    base = baseline_file(args.baseline_rev)
    figures: dict[str, Any] = {
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(),
        "file_bytes": {"current": DATA.stat().st_size, "baseline": base.stat().st_size},
        "load": {"current": load_figures(DATA), "baseline": load_figures(base)},
        "adversarial": false_free_of(),
        "coverage": coverage() if all(p.is_file() for p in CATALOGS.values()) else "skipped: ../shared/data absent",
    }
    base.unlink()
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"machine: {figures['uptime']}")
    sizes = figures["file_bytes"]
    print(f"knowledge file: {sizes['current'] / 1e6:.2f} MB (baseline {sizes['baseline'] / 1e6:.2f} MB)")
    now, then = figures["load"]["current"], figures["load"]["baseline"]
    print(f"load CPU: {now['load_cpu_ms']:.0f} ms (baseline {then['load_cpu_ms']:.0f} ms); first unknown name CPU: "
          f"{now['first_unknown_cpu_ms']:.0f} ms (baseline {then['first_unknown_cpu_ms']:.0f} ms)")
    print(f"load: {now['load_ms']:.0f} ms, +{now['rss_mb']:.1f} MB RSS (baseline {then['load_ms']:.0f} ms, "
          f"+{then['rss_mb']:.1f} MB); first unknown name {now['first_unknown_ms']:.0f} ms, "
          f"+{now['rss_after_first_unknown_mb']:.1f} MB RSS in all (baseline {then['first_unknown_ms']:.0f} ms, "
          f"+{then['rss_after_first_unknown_mb']:.1f} MB); warming the tables at start (a server thread) "
          f"{now['warm_cpu_ms']:.0f} ms CPU, then the first unknown name {now['first_unknown_after_warm_ms']:.1f} ms")
    adv = figures["adversarial"]
    print(f"adversarial set: {adv['variants']} variants, {adv['checks']} exclusion checks, "
          f"false 'free of': {adv['false_free_of']} (target 0)")
    if isinstance(figures["coverage"], dict):
        for name, cov in figures["coverage"].items():
            print(f"coverage {name}: {cov['resolved_share']:.4f} of {cov['mentions']} mentions "
                  f"(baseline {BASELINE_SHARE[name]}, target {TARGET_SHARE[name]}); by step {cov['by_step']}")
    else:
        print(f"coverage: {figures['coverage']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
