"""Extractive answers on the full corpora: latency, and whether the cited study pages answer.

    python -m conseil.eval.bench_answers [--products-data-dir DIR] [--studies-data-dir DIR]
                                         [--studies-source PATH]... [--json]

Products: the 210 advisor queries of `eval/product_queries.py`, asked of `AskService` over the
products index in --products-data-dir (default /tmp/conseil-sephora/data, the full Sephora export;
build one with `conseil ingest products ../shared/data/sephora-products/product_info.csv`).
Studies: the judged questions (100) of `eval/studies_qrels` over the studies index in
--studies-data-dir; when it has none, the script ingests --studies-source (default
../shared/data/studies and ../shared/data/surveys) there first, with the same model.

Printed: answer latency p50/p99 (routing, retrieval with query embedding, extractive synthesis;
model loading excluded), per corpus and together; for the study questions, the share routed to
studies, and the share whose *cited* pages include a judged page (page span match as in
`studies_eval`), once as routed and once with the domain forced to studies, beside the share
whose *retrieved* passages include one (the ceiling the citations can reach).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .beir import load
from .product_queries import product_queries
from .studies_eval import QRELS_DIR, RankedPassage, matched_key, percentile

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ALL = frozenset({"products", "studies", "ingredients"})


def _latency(values: Sequence[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99)}


def _ensure_studies(data_dir: Path, sources: list[Path], embedder: Any) -> None:
    from conseil.ingest.studies import ingest_studies
    from conseil.search.settings import Settings

    settings = Settings(data_dir=data_dir)
    if (settings.index_dir / "studies" / "meta.json").exists():
        return
    began = time.perf_counter()
    report = ingest_studies(settings, sources, embedder_factory=lambda: embedder)
    print(f"ingested studies into {data_dir}: {report.summary().get('chunks')} chunks in "
          f"{time.perf_counter() - began:.0f} s")


def run(products_dir: Path, studies_dir: Path, study_sources: list[Path]) -> dict[str, Any]:
    from conseil.search.answers.contract import AskRequest
    from conseil.search.answers.service import AskService
    from conseil.search.embedder import load_embedder
    from conseil.search.index.store import Store
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.products.engine import ProductSearch
    from conseil.search.settings import Settings
    from conseil.search.studies.engine import StudySearch

    product_settings = Settings(data_dir=products_dir)
    embedder = load_embedder(product_settings)
    study_embedder = load_embedder(product_settings, "studies")  # the studies' own model
    _ensure_studies(studies_dir, study_sources, study_embedder)
    kb = IngredientKnowledge.load()
    product_store = Store(product_settings)  # IndexLockedError, naming the holder, if another process has it
    study_store = Store(Settings(data_dir=studies_dir))
    try:
        products = ProductSearch.from_store(product_store, embedder, kb)
        studies = StudySearch.from_store(study_store, study_embedder)
        service = AskService(kb, products=lambda: products, studies=lambda: studies, embedder=embedder)
        dataset = load(QRELS_DIR)

        def timed(question: str, domains: Sequence[str] = ()) -> tuple[Any, Any, float]:
            began = time.perf_counter()
            prepared = service.prepare(AskRequest.model_validate({"question": question, "domains": list(domains)}),
                                       allowed=ALL, audiences=("analyst",))
            response = service.complete(prepared)
            return prepared, response, (time.perf_counter() - began) * 1000

        for warm in ("serum without parabens", "what do consumers think of clean beauty?"):
            timed(warm)
        product_ms: list[float] = []
        product_answered = product_violations = 0
        for q in product_queries():
            _, response, ms = timed(q.text)
            product_ms.append(ms)
            product_answered += response.answered
            product_violations += products.violations_dropped
        study_ms: list[float] = []
        routed = cited_ok = forced_ok = retrieved_ok = 0
        misses: list[str] = []
        for query in dataset.queries:
            judged = dataset.qrels.get(query.id, {})
            prepared, response, ms = timed(query.text)
            study_ms.append(ms)
            routed += "studies" in response.route.domains
            cited_ok += _cites_judged(prepared, response, judged)
            prepared_f, response_f, _ = timed(query.text, ("studies",))
            ok = _cites_judged(prepared_f, response_f, judged)
            forced_ok += ok
            retrieved_ok += any(matched_key(RankedPassage(*span), judged) for span in prepared_f.study_spans.values())
            if not ok:
                misses.append(query.id)
        n = len(dataset.queries)
        return {
            "products_index": str(products_dir), "products": products.index.count(),
            "studies_index": str(studies_dir), "study_passages": studies.index.count(),
            "latency_products": _latency(product_ms), "latency_studies": _latency(study_ms),
            "latency_all": _latency(product_ms + study_ms),
            "product_queries_answered": f"{product_answered}/{len(product_ms)}",
            "dropped_violations": products.violations_dropped,
            "study_questions": n, "routed_to_studies": round(routed / n, 3),
            "cited_page_answers_as_routed": round(cited_ok / n, 3),
            "cited_page_answers_forced_studies": round(forced_ok / n, 3),
            "retrieved_page_answers": round(retrieved_ok / n, 3),
            "forced_misses": misses,
        }
    finally:
        study_store.close()
        product_store.close()


def _cites_judged(prepared: Any, response: Any, judged: dict[str, int]) -> bool:
    spans = prepared.study_spans
    return any(matched_key(RankedPassage(*spans[c.n]), judged) for c in response.citations
               if c.cited and c.n in spans)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--products-data-dir", type=Path, default=Path("/tmp/conseil-sephora/data"))
    parser.add_argument("--studies-data-dir", type=Path, default=Path("/tmp/conseil-bench-answers/data"))
    parser.add_argument("--studies-source", type=Path, action="append",
                        help="folders to ingest when the studies index is missing (repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sources = args.studies_source or [SHARED / "studies", SHARED / "surveys"]
    result = run(args.products_data_dir, args.studies_data_dir, sources)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key in ("latency_products", "latency_studies", "latency_all"):
        lat = result[key]
        print(f"{key:<18} n={lat['n']:<4} p50 {lat['p50_ms']:.1f} ms  p99 {lat['p99_ms']:.1f} ms")
    print(f"products: {result['products']} in {result['products_index']}; answered "
          f"{result['product_queries_answered']}; dropped violations {result['dropped_violations']}")
    print(f"studies: {result['study_passages']} passages in {result['studies_index']}; "
          f"{result['study_questions']} judged questions")
    for key in ("routed_to_studies", "cited_page_answers_as_routed", "cited_page_answers_forced_studies",
                "retrieved_page_answers"):
        print(f"  {key:<36} {result[key]:.3f}")


if __name__ == "__main__":
    main()
