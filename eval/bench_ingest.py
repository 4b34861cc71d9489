"""Ingestion benchmark on a real product file (default: the full Sephora export).

Prints, for the same product texts:
  * raw model encode rate (texts/s): the configured embedder over all dense texts at once,
    the best a pipeline could do with this model on this machine;
  * first-ingest rate (products/s) of `conseil ingest products` into an empty index, model load
    excluded (reported separately), and its ratio to the raw rate (target >= 0.90);
  * unchanged re-ingest time and its speed-up over the first ingest (target >= 50x);
  * peak resident memory of each ingest run.

Each ingest runs in its own process (the real CLI), so peak memory is that run's own.

    python -m conseil.eval.bench_ingest [PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sephora-products" / "product_info.csv"


def raw_encode_rate(path: Path) -> tuple[float, int]:
    from conseil.ingest.products import _document
    from conseil.ingest.sources import read_products
    from conseil.search.embedder import bulk_settings, load_embedder
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.settings import Settings

    settings = Settings()
    kb = IngredientKnowledge.load()
    texts = [_document(r, kb, "", "").dense_text for r in read_products(path).records]
    # The runtime and threads `conseil ingest products` uses (ONNX Runtime on every core for the
    # bundled model), so the ratio compares like with like.
    embedder = load_embedder(bulk_settings(settings))
    embedder.embed_documents(texts[:64])  # warm-up
    began = time.perf_counter()
    embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - began), len(texts)


# Runs the real CLI in a child that reports its own peak RSS on its last stderr line.
_CHILD = """
import resource, runpy, sys
sys.argv = ["conseil", "ingest", "products", sys.argv[1], "--json"]
try:
    runpy.run_module("conseil.api.cli", run_name="__main__")
except SystemExit as exc:
    if exc.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run_ingest(path: Path, data_dir: Path) -> tuple[dict[str, float], float]:
    env = dict(os.environ, CONSEIL_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], env=env, capture_output=True, text=True,
                          check=True)
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout), peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path} does not exist (the default needs ../shared/data beside the repository)")

    with tempfile.TemporaryDirectory(prefix="conseil-bench-") as tmp:
        first, first_mem = run_ingest(args.path, Path(tmp))
        again, again_mem = run_ingest(args.path, Path(tmp))
    raw_rate, texts = raw_encode_rate(args.path)

    embedded = first["new"] + first["changed"]
    first_seconds = first["seconds"] - first["model_load_seconds"]
    first_rate = embedded / first_seconds
    figures = {
        "file": str(args.path),
        "products": first["rows_read"],
        "texts_encoded": texts,
        "raw_encode_rate_texts_per_s": round(raw_rate, 1),
        "first_ingest_seconds_excluding_model_load": round(first_seconds, 2),
        "model_load_seconds": first["model_load_seconds"],
        "first_ingest_rate_products_per_s": round(first_rate, 1),
        "first_ingest_vs_raw_encode": round(first_rate / raw_rate, 3),
        "unchanged_reingest_seconds": again["seconds"],
        "unchanged_reingest_speedup": round(first["seconds"] / max(again["seconds"], 1e-3), 1),
        "unchanged_reingest_embedded": again["new"] + again["changed"],
        "peak_rss_mb_first_ingest": round(first_mem, 1),
        "peak_rss_mb_reingest": round(again_mem, 1),
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print("targets: first ingest >= 0.90 x raw encode rate; unchanged re-ingest >= 50x faster")


if __name__ == "__main__":
    main()
