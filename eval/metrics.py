"""Ranking metrics (nDCG@k, recall@k, MRR@k, hit@k) computed by pytrec_eval, the trec_eval bindings.

Why pytrec_eval rather than ranx: BEIR's own `EvaluateRetrieval` scores with pytrec_eval, so figures
computed here are computed exactly as the published BEIR/MTEB/Anserini ones (same gain, same
tie-breaking, relevance > 0 counts as relevant); and it is one small wheel (`pytrec-eval-terrier`)
where ranx pulls numba and llvmlite.

A run here is a ranked list of ids per query. trec_eval re-sorts by score (ties broken by document
id), so each list is handed over with strictly decreasing scores that keep our order. Queries
without judgements are left out (they have no relevant document to find); queries with judgements
but no results score 0, as in trec_eval's `-c` convention and BEIR's averaging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Qrels = Mapping[str, Mapping[str, int]]  # query id -> doc id -> graded relevance (> 0: relevant)
Ranking = Mapping[str, Sequence[str]]  # query id -> doc ids, best first

METRICS = ("ndcg", "recall", "mrr", "hit")


@dataclass(frozen=True)
class MetricSpec:
    name: str  # one of METRICS
    k: int

    @property
    def label(self) -> str:
        return f"{self.name}@{self.k}"


def parse_metric(label: str) -> MetricSpec:
    """'ndcg@10' -> MetricSpec('ndcg', 10); a clear error for anything else."""
    name, _, cut = label.lower().partition("@")
    if name not in METRICS or not cut.isdigit() or int(cut) < 1:
        raise ValueError(f"Unknown metric {label!r}: use one of {', '.join(m + '@K' for m in METRICS)} "
                         "with K a positive integer, e.g. ndcg@10.")
    return MetricSpec(name, int(cut))


def _trec_run(ranking: Sequence[str], depth: int) -> dict[str, float]:
    run: dict[str, float] = {}
    for doc in ranking:
        if doc not in run:  # a document counts once, at its best rank
            run[doc] = float(depth - len(run))
        if len(run) == depth:
            break
    return run


def per_query(qrels: Qrels, ranking: Ranking, metrics: Iterable[str]) -> dict[str, dict[str, float]]:
    """Each metric for each judged query: {query id: {"ndcg@10": 0.61, ...}}."""
    import pytrec_eval  # lazy: keeps `conseil --help` instant

    specs = [parse_metric(m) for m in metrics]
    judged = {qid: {doc: int(rel) for doc, rel in docs.items()} for qid, docs in qrels.items() if docs}
    out: dict[str, dict[str, float]] = {qid: {} for qid in judged}
    if not judged:
        return out
    # MRR and hit need the run cut at k (trec_eval's recip_rank has no cut-off); nDCG and recall
    # have trec_eval cut measures, evaluated on the run cut at the deepest k asked for.
    by_depth: dict[int, list[MetricSpec]] = {}
    for spec in specs:
        depth = spec.k if spec.name in ("mrr", "hit") else max(s.k for s in specs)
        by_depth.setdefault(depth, []).append(spec)
    for depth, group in by_depth.items():
        measures = set()
        for spec in group:
            cut = {"ndcg": f"ndcg_cut.{spec.k}", "recall": f"recall.{spec.k}"}
            measures.add(cut.get(spec.name, "recip_rank"))
        run = {qid: _trec_run(ranking.get(qid, ()), depth) for qid in judged}
        # trec_eval skips queries with an empty run; they score 0 (added below).
        scored = pytrec_eval.RelevanceEvaluator(judged, measures).evaluate(
            {qid: docs for qid, docs in run.items() if docs})
        for qid in judged:
            values = scored.get(qid, {})
            for spec in group:
                if spec.name == "ndcg":
                    value = values.get(f"ndcg_cut_{spec.k}", 0.0)
                elif spec.name == "recall":
                    value = values.get(f"recall_{spec.k}", 0.0)
                else:
                    rr = values.get("recip_rank", 0.0)
                    value = rr if spec.name == "mrr" else float(rr > 0)
                out[qid][spec.label] = float(value)
    return out


def evaluate(qrels: Qrels, ranking: Ranking, metrics: Iterable[str]) -> dict[str, float]:
    """The mean of each metric over the judged queries (BEIR's figures are these means)."""
    labels = [parse_metric(m).label for m in metrics]
    scores = per_query(qrels, ranking, labels)
    if not scores:
        return {label: 0.0 for label in labels}
    return {label: sum(q[label] for q in scores.values()) / len(scores) for label in labels}
