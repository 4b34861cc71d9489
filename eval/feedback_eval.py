"""Does positive feedback help ranking? Evaluate a feedback judged set, and a boost, before using either.

    python -m conseil.eval.feedback_eval --dataset DATA_DIR/feedback/beir      # from `conseil eval feedback`
    python -m conseil.eval.feedback_eval --simulate --catalog product_info.csv   # the boost, SIMULATED votes

1. `evaluate`: every `search` query of a BEIR set from feedback runs through ProductSearch (the
   live index is the corpus); nDCG@10 and hit@10 against the votes.
2. The experiment: a re-ranking that lifts products with net positive feedback for the same
   normalised query (net 👍 minus 👎, most first; the engine's order otherwise). The feedback log is
   SIMULATED, since there is no real feedback yet: the 210 queries of eval/product_queries.py are each
   searched by simulated advisors who look down the top 10 (position-biased) and vote by a hidden
   "true" grade of each product (in the asked category, then the catalog's rating and loves count:
   what clients liked, which the ranker never sees), with a fraction of votes flipped as noise. The
   sessions are split in two halves: the boost is learned on one half and measured on the other,
   then the halves swap (2-fold cross-validation). Measured against the hidden grades (over the top-50
   pool) and against the held-out half's own votes exported through eval/feedback.py.

The product ranking is unchanged by this module: it reports, and nothing turns the boost on.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from conseil.eval.beir import load
from conseil.eval.feedback import build_dataset, normalize_query, query_id
from conseil.eval.product_queries import BenchQuery, product_queries
from conseil.search.engines import Engines
from conseil.search.feedback import FeedbackRecord, new_record
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings

K = 10
POOL = 50  # candidates re-ranked (and graded) per query


def ndcg(ranking: Sequence[str], judged: Mapping[str, int], k: int = K) -> float:
    """nDCG@k with linear gains (BEIR/trec_eval's), the ideal taken over the judged documents."""
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def hit(ranking: Sequence[str], judged: Mapping[str, int], k: int = K) -> float:
    return 1.0 if any(judged.get(doc, 0) > 0 for doc in ranking[:k]) else 0.0


def boost(ranking: Sequence[str], net: Mapping[str, int]) -> list[str]:
    """Products with net positive feedback first (most first, ties in the engine's order), then the rest."""
    liked = sorted((doc for doc in ranking if net.get(doc, 0) > 0), key=lambda d: -net[d])
    return liked + [doc for doc in ranking if net.get(doc, 0) <= 0]


def net_votes(records: Sequence[FeedbackRecord]) -> dict[str, dict[str, int]]:
    """normalised query -> product id -> helpful minus unhelpful votes (product search votes only)."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        if r.kind == "search":
            table[normalize_query(r.query)][r.target_id] += 1 if r.helpful else -1
    return table


def search_ids(engine: ProductSearch, query: str, limit: int = POOL) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(query=query, limit=limit)).hits]


# -- 1. a judged set from real feedback --------------------------------------------------------------

def evaluate(engine: ProductSearch, dataset_dir: Path) -> dict[str, float]:
    dataset = load(dataset_dir)
    scores: list[tuple[float, float]] = []
    for q in dataset.queries:
        judged = dataset.qrels.get(q.id, {})
        if q.metadata.get("kind") != "search" or not any(g > 0 for g in judged.values()):
            continue  # study and answer votes are not product search; no helpful result: nothing to find
        ranking = search_ids(engine, q.text, K)
        scores.append((ndcg(ranking, judged), hit(ranking, judged)))
    n = len(scores)
    return {"queries": n, "ndcg@10": sum(s[0] for s in scores) / n if n else 0.0,
            "hit@10": sum(s[1] for s in scores) / n if n else 0.0}


# -- 2. the boost experiment on a simulated feedback log ---------------------------------------------

@dataclass(frozen=True)
class Simulation:
    sessions: int = 8          # simulated advisors per query
    look_decay: float = 0.15   # P(looks at rank r) = 1 / (1 + decay * (r - 1))
    vote_good: float = 0.5     # P(👍 | looked, grade 2); grade 1 votes 👍 half as often
    vote_bad: float = 0.3      # P(👎 | looked, grade 0)
    noise: float = 0.1         # P(a vote is flipped)
    seed: int = 7


def read_popularity(catalog: Path) -> dict[str, tuple[float, int]]:
    """product id -> (rating, loves count), from the Sephora export."""
    out: dict[str, tuple[float, int]] = {}
    with catalog.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                rating, loves = float(row.get("rating") or 0), int(float(row.get("loves_count") or 0))
                out[row["product_id"]] = (rating, loves)
            except ValueError:
                continue
    return out


def true_grade(category: Sequence[str], query: BenchQuery, popularity: tuple[float, int] | None,
               loves_cut: int) -> int:
    """The hidden grade: 0 outside the asked category; then 2 for well rated and much loved, 1 for
    well rated, 0 otherwise (SIMULATED client preference)."""
    if query.category not in {c.strip().lower() for c in category}:
        return 0
    rating, loves = popularity or (0.0, 0)
    if rating >= 4.3 and loves >= loves_cut:
        return 2
    return 1 if rating >= 4.0 else 0


def simulate_votes(query: BenchQuery, ranking: Sequence[str], grades: Mapping[str, int], sim: Simulation,
                   rng: random.Random, session: int) -> list[FeedbackRecord]:
    votes = []
    for rank, doc in enumerate(ranking[:K], 1):
        if rng.random() >= 1.0 / (1.0 + sim.look_decay * (rank - 1)):
            continue
        g = grades.get(doc, 0)
        p_up = sim.vote_good if g == 2 else sim.vote_good / 2 if g == 1 else 0.0
        p_down = sim.vote_bad if g == 0 else 0.0
        roll = rng.random()
        helpful = True if roll < p_up else False if roll < p_up + p_down else None
        if helpful is None:
            continue
        if rng.random() < sim.noise:
            helpful = not helpful
        votes.append(new_record(role="advisor", key_name=f"simulated-{session}", kind="search",
                                query=query.text, target_id=doc, helpful=helpful, language=query.language,
                                rank=rank))
    return votes


def experiment(engine: ProductSearch, catalog: Path, sim: Simulation) -> dict[str, float]:
    popularity = read_popularity(catalog)
    loves = sorted(v[1] for v in popularity.values())
    loves_cut = loves[len(loves) // 2] if loves else 0  # median loves count
    rng = random.Random(sim.seed)
    queries = product_queries()
    pools: dict[str, list[str]] = {}
    truth: dict[str, dict[str, int]] = {}
    halves: tuple[list[FeedbackRecord], list[FeedbackRecord]] = ([], [])
    for q in queries:
        response = engine.search(SearchRequest(query=q.text, limit=POOL))
        pools[q.text] = [h.id for h in response.hits]
        truth[q.text] = {h.id: true_grade(h.category, q, popularity.get(h.id), loves_cut)
                         for h in response.hits}
        for session in range(sim.sessions):
            halves[session % 2].extend(simulate_votes(q, pools[q.text], truth[q.text], sim, rng, session))

    totals: dict[str, float] = defaultdict(float)
    for train, test in ((halves[0], halves[1]), (halves[1], halves[0])):
        learned = net_votes(train)
        held_out, _ = build_dataset(test)  # the held-out half's votes, as `conseil eval feedback` exports them
        for q in queries:
            base = pools[q.text]
            boosted = boost(base, learned.get(normalize_query(q.text), {}))
            totals["truth_base"] += ndcg(base, truth[q.text])
            totals["truth_boost"] += ndcg(boosted, truth[q.text])
            judged = held_out.qrels.get(query_id("search", normalize_query(q.text)), {})
            if any(g > 0 for g in judged.values()):
                totals["votes_n"] += 1
                totals["votes_base"] += ndcg(base, judged)
                totals["votes_boost"] += ndcg(boosted, judged)
    runs = 2 * len(queries)
    votes_n = totals["votes_n"] or 1.0
    return {"queries": len(queries), "votes": len(halves[0]) + len(halves[1]),
            "relevant_in_pool": sum(1 for t in truth.values() for g in t.values() if g > 0) / len(queries),
            "ndcg@10 truth base": totals["truth_base"] / runs,
            "ndcg@10 truth boost": totals["truth_boost"] / runs,
            "held-out queries": totals["votes_n"] / 2,
            "ndcg@10 votes base": totals["votes_base"] / votes_n,
            "ndcg@10 votes boost": totals["votes_boost"] / votes_n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, help="A BEIR set written by `conseil eval feedback`.")
    parser.add_argument("--simulate", action="store_true",
                        help="Run the boost experiment on simulated feedback.")
    parser.add_argument("--catalog", type=Path, help="The Sephora product_info.csv the index was built from.")
    parser.add_argument("--sessions", type=int, default=Simulation.sessions)
    parser.add_argument("--noise", type=float, default=Simulation.noise)
    args = parser.parse_args(argv)
    if not args.dataset and not args.simulate:
        parser.error("give --dataset DIR, --simulate --catalog FILE, or both")
    if args.simulate and not (args.catalog and args.catalog.is_file()):
        parser.error("--simulate needs --catalog: the Sephora product_info.csv the index was built from")
    with Engines.open(Settings(), need=["products"]) as engines:
        engine = engines.product_engine()
        if args.dataset:
            print(f"feedback set {args.dataset}: {evaluate(engine, args.dataset)}")
        if args.simulate:
            result = experiment(engine, args.catalog, Simulation(sessions=args.sessions, noise=args.noise))
            print("SIMULATED feedback (no real feedback yet), 2-fold cross-validation:")
            for name, value in result.items():
                print(f"  {name:24} {value:.4f}" if isinstance(value, float) else f"  {name:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
