"""Quality and speed of product search on the in-domain suite, per retrieval mode and beside the
baseline, in one run.

    python -m conseil.eval.product_eval [--suite DIR] [--export FILE] [--modes bm25,dense,hybrid_rrf,hybrid_dbsf]
                                        [--baseline-sample N] [--skip-baseline] [--json] [--out FILE]

Needs an index of the Sephora export under CONSEIL_DATA_DIR. Every query of the suite
(`eval/datasets/sephora_products`, see `product_suite`) runs through `ProductSearch.search` in each
mode twice: limit 10 with facets (the advisor's call: latency and the @10 metrics) and limit 100
without facets (recall). The baseline (`eval/baseline.py`) runs on a deterministic sample of the
combinations in all their languages (local mode is ~1 s a query), and Conseil's figures on the same
sample are reported beside it. Definitions:

  * violation rate: returned hits (top 10) whose ingredient list, analysed by the knowledge base,
    contains a family the query excludes, over all returned hits (must be 0); the constraints are
    the suite's, not the parser's, so a missed exclusion counts;
  * constraint precision@10: share of the returned top-10 hits that satisfy every stated constraint
    (grade 3 or 4), averaged over queries that returned something;
  * recall@100: share of the satisfying products found in the top 100 (trec_eval recall.100), and
    capped recall@100: found / min(satisfying, 100), which is 1.0 when the page is perfect;
  * nDCG@10: graded relevance 4/3/2/1 (product_suite's grades; 4 adds the product's own confirmed
    "free of" claim, so it is the only part that ranks within the satisfying set), trec_eval's
    ndcg_cut.10 (linear gains);
  * interpretation accuracy: the parsed constraints equal the stated ones (families, skin type,
    category, price cap), per field and all together, per language.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conseil.search.engines import Engines
from conseil.search.errors import EvaluationError

from . import beir
from .metrics import evaluate as metric_means
from .product_suite import (
    EXPORT,
    SUITE_DIR,
    CatalogProduct,
    Combo,
    combos_from_queries,
    ground_truth,
    violates,
)

if TYPE_CHECKING:
    from conseil.search.products.engine import ProductSearch

MODES: dict[str, tuple[str, str]] = {"bm25": ("bm25", "rrf"), "dense": ("dense", "rrf"),
                                     "hybrid_rrf": ("hybrid", "rrf"), "hybrid_dbsf": ("hybrid", "dbsf")}
BASELINE = "baseline_llamaindex"
BASELINE_COMBOS = 15
SAMPLE_SEED = 7


class SuiteMismatch(EvaluationError):
    """The stored suite no longer matches what the generator computes from the export."""


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0}

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "mean": round(statistics.fmean(ordered), 2)}


def check_stored(qrels: beir.Qrels, queries: Sequence[beir.BeirQuery], truth: Mapping[str, Mapping[str, int]]) -> None:
    """Every stored judgement must be what the generator computes now (same export, same knowledge base)."""
    for q in queries:
        full = truth[str(q.metadata["combo"])]
        wrong = [pid for pid, g in qrels.get(q.id, {}).items() if full.get(pid) != g]
        counts = {str(g): sum(1 for v in full.values() if v == g) for g in (4, 3, 2, 1)}
        if wrong or counts != q.metadata.get("truth_counts"):
            raise SuiteMismatch(
                f"query {q.id}: the stored suite disagrees with the ground truth computed now (e.g. "
                f"{wrong[:3] or counts}); the export or the knowledge base changed: regenerate it with "
                "`python -m conseil.eval.product_suite --write` and commit the new suite.")


def score(top10: Mapping[str, Sequence[str]], top100: Mapping[str, Sequence[str]],
          queries: Sequence[beir.BeirQuery], combos: Mapping[str, Combo], truth: Mapping[str, Mapping[str, int]],
          catalog: Mapping[str, CatalogProduct]) -> dict[str, Any]:
    """The suite's metrics over `queries` for one run (ids best first)."""
    hits = violating = unverifiable = 0
    with_violation = empty = 0
    precisions: list[float] = []
    capped: list[float] = []
    graded: dict[str, dict[str, int]] = {}
    satisfying: dict[str, dict[str, int]] = {}
    for q in queries:
        combo = combos[str(q.metadata["combo"])]
        full = truth[combo.id]
        ranked = list(top10.get(q.id, ()))[:10]
        bad = sum(1 for pid in ranked if violates(catalog.get(pid), combo.exclude_families))
        hits += len(ranked)
        violating += bad
        with_violation += bad > 0
        unverifiable += sum(1 for pid in ranked if pid in catalog and not catalog[pid].has_ingredients)
        if ranked:
            precisions.append(sum(1 for pid in ranked if full.get(pid, 0) >= 3) / len(ranked))
        else:
            empty += 1
        # nDCG@10 needs the grades of the ideal top 10 and of what was returned, not the whole grade-1 set.
        graded[q.id] = {pid: g for pid, g in full.items() if g >= 2} | {pid: full[pid] for pid in ranked
                                                                         if full.get(pid, 0) > 0}
        satisfying[q.id] = {pid: 1 for pid, g in full.items() if g >= 3}
        deep = set(list(top100.get(q.id, ()))[:100])
        if satisfying[q.id]:
            capped.append(len(deep & set(satisfying[q.id])) / min(len(satisfying[q.id]), 100))
    ndcg = metric_means(graded, {q.id: list(top10.get(q.id, ()))[:10] for q in queries}, ["ndcg@10"])
    recall = metric_means(satisfying, {q.id: list(top100.get(q.id, ()))[:100] for q in queries}, ["recall@100"])
    return {"queries": len(queries), "hits": hits, "violating_hits": violating,
            "violation_rate": round(violating / hits, 4) if hits else 0.0,
            "queries_with_violation": with_violation, "unverifiable_hits": unverifiable, "empty_queries": empty,
            "constraint_precision@10": round(statistics.fmean(precisions), 4) if precisions else 0.0,
            "ndcg@10": round(ndcg["ndcg@10"], 4), "recall@100": round(recall["recall@100"], 4),
            "capped_recall@100": round(statistics.fmean(capped), 4) if capped else 0.0}


def score_by_language(top10: Mapping[str, Sequence[str]], top100: Mapping[str, Sequence[str]],
                      queries: Sequence[beir.BeirQuery], *args: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"all": score(top10, top100, queries, *args), "by_language": {}}
    for lang in sorted({str(q.metadata["language"]) for q in queries}):
        subset = [q for q in queries if q.metadata["language"] == lang]
        out["by_language"][lang] = score(top10, top100, subset, *args)
    return out


def interpretation(engine: ProductSearch, queries: Sequence[beir.BeirQuery],
                   combos: Mapping[str, Combo]) -> dict[str, Any]:
    """Does the parser read each stated constraint, and nothing else of that kind?"""
    from conseil.search.products.contract import SearchRequest
    from conseil.search.query.product_types import CategoryMatcher, load_product_types

    fields = ("exclude_families", "skin_types", "category", "price_max", "all")
    # An index built with the product-type vocabulary filters "toner" on the type id, which means the
    # combination's Sephora category ("toners"): either key is the right reading.
    types = CategoryMatcher(load_product_types())

    def same_category(found: tuple[str, ...], wanted: str) -> bool:
        return list(found) == [wanted] or (
            len(found) == 1 and types.match_name(found[0]) is not None
            and types.match_name(found[0]) == types.match_name(wanted))

    per_lang: dict[str, dict[str, list[bool]]] = {}
    failures: list[dict[str, Any]] = []
    for q in queries:
        combo = combos[str(q.metadata["combo"])]
        c = engine.interpret(SearchRequest(query=q.text)).constraints
        ok = {"exclude_families": set(c.exclude_families) == set(combo.exclude_families),
              "skin_types": set(c.skin_types) == ({combo.skin_type} if combo.skin_type else set()),
              "category": same_category(c.categories, combo.category),
              "price_max": c.price_max == combo.price_max}
        ok["all"] = all(ok.values())
        table = per_lang.setdefault(str(q.metadata["language"]), {f: [] for f in fields})
        for f in fields:
            table[f].append(ok[f])
        if not ok["all"]:
            failures.append({"id": q.id, "text": q.text, "wrong": [f for f in fields[:-1] if not ok[f]]})
    by_language = {lang: {f: round(sum(v) / len(v), 4) for f, v in t.items()} for lang, t in per_lang.items()}
    overall = {f: round(sum(sum(t[f]) for t in per_lang.values()) / len(queries), 4) for f in fields}
    return {"all": overall, "by_language": by_language, "failures": failures}


def run_conseil(engine: ProductSearch, queries: Sequence[beir.BeirQuery], mode: str, fusion: str
                ) -> tuple[dict[str, list[str]], dict[str, list[str]], list[float], int]:
    from conseil.search.products.contract import SearchRequest

    for q in queries[:5]:  # warm-up
        engine.search(SearchRequest(query=q.text, mode=mode, fusion=fusion))
    dropped_before = engine.violations_dropped
    top10: dict[str, list[str]] = {}
    top100: dict[str, list[str]] = {}
    latencies: list[float] = []
    for q in queries:
        r = engine.search(SearchRequest(query=q.text, mode=mode, fusion=fusion))
        latencies.append(r.took_ms)
        top10[q.id] = [h.id for h in r.hits]
        deep = engine.search(SearchRequest(query=q.text, mode=mode, fusion=fusion,
                                           limit=100, facets=False))
        top100[q.id] = [h.id for h in deep.hits]
    return top10, top100, latencies, engine.violations_dropped - dropped_before


def baseline_sample(combos: Sequence[str], n: int) -> list[str]:
    return sorted(random.Random(SAMPLE_SEED).sample(sorted(combos), min(n, len(combos))))


def evaluate(engine: ProductSearch, suite_dir: Path = SUITE_DIR, export: Path = EXPORT,
             modes: Sequence[str] = tuple(MODES), baseline_combos: int = BASELINE_COMBOS,
             catalog: Sequence[CatalogProduct] | None = None, log: Any = None) -> dict[str, Any]:
    from .product_suite import fingerprint, load_catalog

    def say(msg: str) -> None:
        if log is not None:
            print(msg, file=log, flush=True)

    dataset = beir.load(suite_dir)
    combos = combos_from_queries(dataset.queries)
    products = list(catalog) if catalog is not None else load_catalog(export)
    truth = {cid: ground_truth(products, c) for cid, c in combos.items()}
    check_stored(dataset.qrels, dataset.queries, truth)
    by_id = {p.id: p for p in products}
    args = (combos, truth, by_id)
    languages: dict[str, int] = {}
    for q in dataset.queries:
        languages[str(q.metadata["language"])] = languages.get(str(q.metadata["language"]), 0) + 1
    sample_ids = set(baseline_sample(list(combos), baseline_combos)) if baseline_combos > 0 else set()
    sample = [q for q in dataset.queries if q.metadata["combo"] in sample_ids]
    report: dict[str, Any] = {
        "suite": {"dir": str(suite_dir), "export": str(export), "queries": len(dataset.queries),
                  "combinations": len(combos), "languages": languages, "fingerprint": fingerprint(dataset)},
        "products_indexed": engine.index.count(), "modes": {},
        # latency depends on what else runs on the machine: record it beside the figures
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_start": round(os.getloadavg()[0], 2)}}
    say("interpretation ...")
    report["interpretation"] = interpretation(engine, dataset.queries, combos)
    for name in modes:
        mode, fusion = MODES[name]
        say(f"mode {name} ...")
        top10, top100, latencies, dropped = run_conseil(engine, dataset.queries, mode, fusion)
        scored = score_by_language(top10, top100, dataset.queries, *args)
        scored["latency_ms"] = percentiles(latencies)
        scored["latencies_ms"] = [round(x, 2) for x in latencies]
        scored["dropped_by_verification"] = dropped
        if sample:
            scored["on_baseline_sample"] = score(top10, top100, sample, *args)
            scored["on_baseline_sample"]["latency_ms"] = percentiles(
                [x for q, x in zip(dataset.queries, latencies, strict=True) if q.metadata["combo"] in sample_ids])
        report["modes"][name] = scored
    if sample:
        say(f"baseline on {len(sample)} queries ...")
        report["baseline"] = run_baseline(engine, export, sample, args)
        report["baseline"]["sample_combinations"] = sorted(sample_ids)
    report["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    return report


def run_baseline(engine: ProductSearch, export: Path, queries: Sequence[beir.BeirQuery], args: tuple[Any, ...]
                 ) -> dict[str, Any]:
    from .baseline import Baseline

    combos = args[0]
    baseline = Baseline.build(engine, export)
    top10: dict[str, list[str]] = {}
    top100: dict[str, list[str]] = {}
    latencies: list[float] = []
    for q in queries[:3]:  # warm-up: the first call loads the model's runtime
        baseline.retrieve(q.text, [], top_k=10)
    for q in queries:
        combo = combos[str(q.metadata["combo"])]
        hits, took = baseline.retrieve(q.text, combo.exclude_families, 10, combo.price_max)
        latencies.append(took)
        top10[q.id] = [h.product_id for h in hits]
        deep, _ = baseline.retrieve(q.text, combo.exclude_families, 100, combo.price_max)
        top100[q.id] = [h.product_id for h in deep]
    out = score_by_language(top10, top100, queries, *args)
    out["latency_ms"] = percentiles(latencies)
    out["latencies_ms"] = [round(x, 2) for x in latencies]
    out["note"] = ("llama-index VectorStoreIndex + QdrantVectorStore (qdrant-client local mode), same model and "
                   "vectors, MetadataFilters NIN on the user's ingredient names and LTE on price, given the "
                   "suite's constraints (no parsing): dense retrieval of the whole query text")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=SUITE_DIR)
    parser.add_argument("--export", type=Path, default=EXPORT)
    parser.add_argument("--data-dir", type=Path, help="CONSEIL_DATA_DIR holding the products index")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--baseline-sample", type=int, default=BASELINE_COMBOS,
                        help="combinations (x every language of the suite) the baseline runs on; 0 skips it")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the result JSON")
    parser.add_argument("--out", type=Path, help="also write the result JSON here")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := [m for m in modes if m not in MODES]:
        print(f"error: unknown mode(s) {unknown}: use {', '.join(MODES)}")
        return 2
    if not args.export.is_file():
        print(f"error: the export {args.export} is missing: pass --export PATH/product_info.csv")
        return 2
    from conseil.search.errors import ConseilError
    from conseil.search.settings import Settings

    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    try:
        with Engines.open(settings, need=["products"]) as engines:
            engine = engines.product_engine()
            report = evaluate(engine, args.suite, args.export, modes,
                              0 if args.skip_baseline else args.baseline_sample, log=sys.stderr)
    except (ConseilError, SuiteMismatch) as exc:
        print(f"error: {exc}")
        return 2
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_summary(report)
    return 0


def print_summary(report: dict[str, Any]) -> None:
    s = report["suite"]
    print(f"{s['queries']} queries ({s['combinations']} combinations x {len(s['languages'])} languages), "
          f"{report['products_indexed']} products indexed")
    print(f"interpretation accuracy: {report['interpretation']['all']['all']:.3f}  " + "  ".join(
        f"{lang} {v['all']:.2f}" for lang, v in report["interpretation"]["by_language"].items()))
    print(f"{'run':<20} {'viol.':>6} {'cP@10':>6} {'nDCG@10':>8} {'R@100':>6} {'cR@100':>7} {'p50 ms':>7} {'p99 ms':>7}")
    rows = [(name, m) for name, m in report["modes"].items()]
    if "baseline" in report:
        rows.append((BASELINE + " (sample)", report["baseline"]))
    for name, m in rows:
        a = m["all"]
        print(f"{name:<20} {a['violation_rate']:>6.3f} {a['constraint_precision@10']:>6.3f} {a['ndcg@10']:>8.3f} "
              f"{a['recall@100']:>6.3f} {a['capped_recall@100']:>7.3f} {m['latency_ms']['p50']:>7.1f} "
              f"{m['latency_ms']['p99']:>7.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
