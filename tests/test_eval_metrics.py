"""The metrics go through pytrec_eval; a hand-computed case and a pure-Python reference pin them down."""

from __future__ import annotations

import math

import pytest
from conseil.eval.metrics import evaluate, parse_metric, per_query
from hypothesis import given, settings
from hypothesis import strategies as st

# q1 judges a (2), b (1) and c (0: judged, not relevant); q2 judges d (1) only; q3 judges e (1) and
# gets nothing back; "q-unjudged" has results but no judgements and is left out of every mean.
QRELS = {"q1": {"a": 2, "b": 1, "c": 0}, "q2": {"d": 1}, "q3": {"e": 1}}
RUN = {"q1": ["x", "a", "c", "b"], "q2": ["y", "z", "w", "d"], "q3": [], "q-unjudged": ["a"]}

L2 = math.log2


def test_a_hand_computed_case() -> None:
    scores = per_query(QRELS, RUN, ["ndcg@3", "recall@3", "mrr@3", "hit@3", "ndcg@10", "recall@10", "mrr@10"])
    assert set(scores) == {"q1", "q2", "q3"}
    q1, q2, q3 = scores["q1"], scores["q2"], scores["q3"]
    # q1: gains by rank x=0, a=2, c=0, b=1. DCG@3 = 2/log2(3); the ideal order a, b gives
    # IDCG = 2/log2(2) + 1/log2(3). Within 10, b at rank 4 adds 1/log2(5).
    assert q1["ndcg@3"] == pytest.approx((2 / L2(3)) / (2 + 1 / L2(3)))
    assert q1["ndcg@10"] == pytest.approx((2 / L2(3) + 1 / L2(5)) / (2 + 1 / L2(3)))
    assert q1["recall@3"] == pytest.approx(1 / 2)  # a of {a, b}; c (0) is not relevant
    assert q1["recall@10"] == 1.0
    assert q1["mrr@3"] == pytest.approx(1 / 2) and q1["hit@3"] == 1.0  # first relevant: a at rank 2
    # q2: d is at rank 4: nothing within 3; within 10, DCG = 1/log2(5), IDCG = 1, RR = 1/4.
    assert (q2["ndcg@3"], q2["recall@3"], q2["mrr@3"], q2["hit@3"]) == (0.0, 0.0, 0.0, 0.0)
    assert q2["ndcg@10"] == pytest.approx(1 / L2(5)) and q2["mrr@10"] == pytest.approx(1 / 4)
    # q3 returned nothing: it counts, with 0 everywhere.
    assert all(v == 0.0 for v in q3.values())
    means = evaluate(QRELS, RUN, ["mrr@10", "hit@3"])
    assert means["mrr@10"] == pytest.approx((1 / 2 + 1 / 4 + 0) / 3)
    assert means["hit@3"] == pytest.approx(1 / 3)


def test_order_is_ours_not_trec_evals_tie_breaking() -> None:
    # trec_eval sorts by score and breaks ties by document id; the ranks given must survive that.
    assert per_query({"q": {"a": 1}}, {"q": ["z", "a"]}, ["mrr@10"])["q"]["mrr@10"] == 0.5
    assert per_query({"q": {"a": 1}}, {"q": ["a", "a", "z"]}, ["mrr@10"])["q"]["mrr@10"] == 1.0


@pytest.mark.parametrize("label", ["ndcg", "ndcg@0", "map@10", "recall@x"])
def test_unknown_metrics_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match="ndcg@10"):
        parse_metric(label)


# -- property: the same numbers as a small pure-Python implementation ------------------------------

def _reference(qrels: dict[str, int], ranked: list[str], name: str, k: int) -> float:
    seen: list[str] = []
    for doc in ranked:
        if doc not in seen:
            seen.append(doc)
    top = seen[:k]
    relevant = {d for d, r in qrels.items() if r > 0}
    first = next((i for i, d in enumerate(top, 1) if d in relevant), None)
    if name == "mrr":
        return 1 / first if first else 0.0
    if name == "hit":
        return 1.0 if first else 0.0
    if name == "recall":
        return len(relevant & set(top)) / len(relevant) if relevant else 0.0
    dcg = sum(qrels.get(d, 0) / math.log2(i + 1) for i, d in enumerate(top, 1) if qrels.get(d, 0) > 0)
    ideal = sorted((r for r in qrels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 1) for i, r in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


DOCS = st.sampled_from([f"d{i}" for i in range(12)])


@settings(max_examples=150, deadline=None)
@given(judged=st.dictionaries(DOCS, st.integers(0, 3), min_size=1, max_size=8),
       ranked=st.lists(DOCS, max_size=15), k=st.integers(1, 12),
       name=st.sampled_from(["ndcg", "recall", "mrr", "hit"]))
def test_agrees_with_a_reference_implementation(judged: dict[str, int], ranked: list[str], k: int,
                                                 name: str) -> None:
    label = f"{name}@{k}"
    got = per_query({"q": judged}, {"q": ranked}, [label])["q"][label]
    assert got == pytest.approx(_reference(judged, ranked, name, k), abs=1e-4)  # float noise
