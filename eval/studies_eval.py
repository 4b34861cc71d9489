"""Page-level retrieval quality of study search on the judged analyst questions (BEIR format).

    python -m conseil.eval.studies_eval [--data-dir DIR] [--qrels DIR] [--modes bm25,dense,hybrid,hybrid_dbsf]
                                        [--group-by-document] [--translate auto|gloss|none] [--json]

Needs a studies index (`conseil ingest studies ../shared/data/studies ../shared/data/surveys`) under
--data-dir (default: CONSEIL_DATA_DIR). Every question of `eval/studies_qrels` runs in each mode; it
prints hit@5 and MRR@10 per mode and per question language, and the latency p50/p99 of
`StudySearch.search` (query embedding included).

Judgements (`eval/studies_qrels/qrels/test.tsv`) are keyed "<path relative to shared/data>#p<page>",
e.g. "studies/cosmetologie-bts-fr/03_Etiquette__03b_trace_ecrite.pdf#p2"; surveys and text files,
which have no pages (their passages carry page None), are judged and matched as page 1. Relevance 2
marks the page that answers the question, 1 a page that supports it (the abstract of a paper whose
results page answers). A returned passage matches a judged key when its path and the judged path
end alike (one is a suffix of the other at a "/" boundary: the index keeps paths relative to the
folder that was ingested) and its page span [page, page_end] contains the judged page. hit@5: a
matching passage among the first 5; MRR@10: mean of 1/rank of the first matching passage within
the first 10 (0 when none). How the pages were judged: `eval/studies_qrels/README.md`. `--translate`
forces the engine's English gloss of non-English questions on or off (`search/studies/translate.py`).
The latency columns add the process CPU time per search, which the load of a shared machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conseil.search.engines import Engines

from .beir import BeirQuery, Qrels, load

if TYPE_CHECKING:
    from conseil.search.studies.engine import StudySearch

QRELS_DIR = Path(__file__).resolve().parent / "studies_qrels"
MODES = ("bm25", "dense", "hybrid")
# Hybrid with a named fusion, for choosing the default one (README: Choosing the fusion).
FUSED = {"hybrid_rrf": ("hybrid", "rrf"), "hybrid_dbsf": ("hybrid", "dbsf")}
HIT_K, MRR_K = 5, 10


@dataclass(frozen=True)
class RankedPassage:
    """What the metrics need of a returned hit."""

    path: str
    page: int | None
    page_end: int | None = None


def page_key(path: str, page: int) -> str:
    return f"{path}#p{page}"


def parse_key(key: str) -> tuple[str, int]:
    path, sep, page = key.rpartition("#p")
    if not sep or not page.isdigit():
        raise ValueError(f"{key!r} is not a '<path>#p<page>' judgement key.")
    return path, int(page)


def same_file(a: str, b: str) -> bool:
    """Paths that end alike: 'studies/x/y.pdf' and 'x/y.pdf' (relative to another root) are one file."""
    pa, pb = a.replace("\\", "/").strip("/").split("/"), b.replace("\\", "/").strip("/").split("/")
    n = min(len(pa), len(pb))
    return n > 0 and pa[-n:] == pb[-n:]


def matched_key(passage: RankedPassage, judged: Mapping[str, int]) -> str | None:
    """The most relevant judged key the passage matches (file and page span), or None."""
    first = passage.page if passage.page is not None else 1  # surveys and text files: no pages, "page 1"
    last = passage.page_end if passage.page_end is not None else first
    best: tuple[int, str] | None = None
    for key, relevance in judged.items():
        path, page = parse_key(key)
        if (relevance > 0 and first <= page <= last and same_file(passage.path, path)
                and (best is None or relevance > best[0])):
            best = (relevance, key)
    return best[1] if best else None


def first_relevant_rank(ranked: Sequence[RankedPassage], judged: Mapping[str, int]) -> int | None:
    """1-based rank of the first passage that matches a judged page."""
    for rank, passage in enumerate(ranked, 1):
        if matched_key(passage, judged):
            return rank
    return None


@dataclass
class Scores:
    """hit@k and MRR@k over a set of questions, with the rank of each question's first match."""

    hit: float
    mrr: float
    n: int
    ranks: dict[str, int | None] = field(default_factory=dict)


def score_run(run: Mapping[str, Sequence[RankedPassage]], qrels: Qrels, *, hit_k: int = HIT_K,
              mrr_k: int = MRR_K) -> Scores:
    """Page-level hit@hit_k and MRR@mrr_k; a judged question with no run counts as a miss."""
    ranks = {qid: first_relevant_rank(run.get(qid, ()), judged) for qid, judged in qrels.items()}
    n = len(ranks)
    if not n:
        return Scores(0.0, 0.0, 0)
    hit = sum(1 for r in ranks.values() if r is not None and r <= hit_k) / n
    mrr = sum(1 / r for r in ranks.values() if r is not None and r <= mrr_k) / n
    return Scores(round(hit, 4), round(mrr, 4), n, ranks)


def to_trec_run(run: Mapping[str, Sequence[RankedPassage]], qrels: Qrels) -> dict[str, dict[str, float]]:
    """The run as document scores for ranx / pytrec_eval: each passage becomes the judged key it matches
    (first occurrence only) or an id of its own, scored so that rank order is kept."""
    out: dict[str, dict[str, float]] = {}
    for qid, ranked in run.items():
        docs: dict[str, float] = {}
        for rank, passage in enumerate(ranked):
            key = (matched_key(passage, qrels.get(qid, {}))
                   or f"unjudged:{rank}:{passage.path}#p{passage.page}")
            docs.setdefault(key, float(len(ranked) - rank))
        out[qid] = docs
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))], 2)


# -- running the questions ---------------------------------------------------------------------

TRANSLATIONS = ("auto", "gloss", "none")  # the engine's English gloss of non-English questions: its own choice, on, off


def run_mode(engine: StudySearch, queries: Sequence[BeirQuery], mode: str, *, limit: int = MRR_K,
             group: bool = False, cpu: list[float] | None = None) -> tuple[dict[str, list[RankedPassage]], list[float]]:
    """Every question in one mode: the ranked passages and the wall latency (ms) of each search
    (`cpu`, when given, receives the process CPU time of each, which load disturbs less)."""
    from conseil.search.index.contract import DEFAULT_FUSION
    from conseil.search.studies.contract import StudySearchRequest

    mode, fusion = FUSED.get(mode, (mode, DEFAULT_FUSION))

    def request(text: str) -> StudySearchRequest:
        return StudySearchRequest(query=text, mode=mode, fusion=fusion, limit=limit,
                                  group_by_document=group)

    for q in queries[:3]:  # warm-up: first calls pay for lazy initialisation
        engine.search(request(q.text))
    run: dict[str, list[RankedPassage]] = {}
    latencies: list[float] = []
    for q in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        response = engine.search(request(q.text))
        latencies.append((time.perf_counter() - began) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - began_cpu) * 1000)
        run[q.id] = [RankedPassage(h.path, h.page, h.page_end) for h in response.hits]
    return run, latencies


def evaluate(engine: StudySearch, queries: Sequence[BeirQuery], qrels: Qrels, modes: Sequence[str],
             group: bool = False, translation: str = "auto") -> dict[str, Any]:
    if translation != "auto":
        engine.gloss = translation == "gloss"
    languages = sorted({str(q.metadata.get("language", "?")) for q in queries})
    report: dict[str, Any] = {"questions": len(queries), "languages": {
        lang: sum(1 for q in queries if q.metadata.get("language", "?") == lang) for lang in languages},
        "modes": {}, "translation": "gloss" if engine.gloss else "none", "model": engine.embedder.name}
    for mode in modes:
        cpu: list[float] = []
        run, latencies = run_mode(engine, queries, mode, group=group, cpu=cpu)
        overall = score_run(run, qrels)
        by_language = {}
        for lang in languages:
            ids = {q.id for q in queries if q.metadata.get("language", "?") == lang}
            s = score_run(run, {qid: j for qid, j in qrels.items() if qid in ids})
            by_language[lang] = {"hit@5": s.hit, "mrr@10": s.mrr, "n": s.n}
        report["modes"][mode] = {
            "hit@5": overall.hit, "mrr@10": overall.mrr, "n": overall.n, "by_language": by_language,
            "latency_ms": {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                           "mean": round(statistics.fmean(latencies), 2),
                           "cpu_mean": round(statistics.fmean(cpu), 2)},
            "missed@10": sorted(qid for qid, r in overall.ranks.items() if r is None)}
    return report


def print_report(report: dict[str, Any]) -> None:
    langs = ", ".join(f"{lang} {n}" for lang, n in report["languages"].items())
    print(f"{report['questions']} questions ({langs}); page-level, k=5 for hit, 10 for MRR; model "
          f"{report['model']}, query translation {report['translation']}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(f"{'mode':<8} {'hit@5':>6} {'MRR@10':>7} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7}   "
          "by language (hit@5 / MRR@10)")
    for mode, m in report["modes"].items():
        per = "  ".join(f"{lang} {v['hit@5']:.2f}/{v['mrr@10']:.2f}" for lang, v in m["by_language"].items())
        print(f"{mode:<8} {m['hit@5']:>6.3f} {m['mrr@10']:>7.3f} {m['latency_ms']['p50']:>8.1f} "
              f"{m['latency_ms']['p99']:>8.1f} {m['latency_ms']['cpu_mean']:>7.1f}   {per}")
    for mode, m in report["modes"].items():
        print(f"\n{mode}: no judged page in the top 10 for {', '.join(m['missed@10']) or 'none'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="CONSEIL_DATA_DIR holding the studies index")
    parser.add_argument("--qrels", type=Path, default=QRELS_DIR, help="BEIR directory of questions and qrels")
    parser.add_argument("--modes", default=",".join(MODES), help=f"of {', '.join((*MODES, *FUSED))}")
    parser.add_argument("--group-by-document", action="store_true")
    parser.add_argument("--translate", choices=TRANSLATIONS, default="auto",
                        help="gloss: append the English gloss of a non-English question's cosmetic words; "
                        "none: the question as typed; auto: the engine's choice (gloss with all-MiniLM-L6-v2)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from conseil.search.errors import ConseilError
    from conseil.search.settings import Settings

    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    dataset = load(args.qrels)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    try:
        with Engines.open(settings, need=["studies"]) as engines:
            engine = engines.study_engine()
            report = evaluate(engine, dataset.queries, dataset.qrels, modes, group=args.group_by_document,
                              translation=args.translate)
    except ConseilError as exc:
        print(f"error: {exc}")
        return 2
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
