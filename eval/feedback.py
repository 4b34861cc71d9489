"""Feedback → a judged query set in BEIR format (`conseil eval feedback`).

    queries.jsonl     one query per distinct (normalised query, kind); metadata: kind, language, role, votes
    qrels/test.tsv    query-id, target id, grade: helpful majority → 1 (2 with two or more helpful votes),
                      unhelpful majority → 0; a tie is dropped and counted
    README.md         where the judgements came from and what the corpus is

No corpus.jsonl: in this set the BEIR corpus is the live index itself (product ids of the products
collection, `doc_id#page` of the studies collection), which the harness searches; copying the
catalog would only go stale. Answer votes judge a generated answer, not a retrieved document: they
are counted and summarised, never turned into qrels.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conseil.eval.beir import BeirDataset, BeirQuery, save
from conseil.search.feedback import FeedbackRecord

RETRIEVAL_KINDS = ("search", "study")
_EDGE_PUNCT = re.compile(r"^[\s\W_]+|[\s\W_]+$", re.UNICODE)


def normalize_query(text: str) -> str:
    """Case, width, spacing and surrounding punctuation do not make another query ("Shampoo ?" = "shampoo")."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _EDGE_PUNCT.sub("", " ".join(text.split()))


def query_id(kind: str, normalized: str) -> str:
    digest = hashlib.sha1(f"{kind}\x00{normalized}".encode()).hexdigest()[:12]
    return f"fb-{kind}-{digest}"


@dataclass
class ExportCounts:
    records: int = 0
    queries: int = 0
    judgements: int = 0
    relevant: int = 0
    not_relevant: int = 0
    ties_dropped: int = 0
    below_min_votes: int = 0
    answer_votes: int = 0
    answer_helpful: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items())) or "none"
        out = [f"feedback records: {self.records} ({kinds})",
               (f"judged queries: {self.queries}; judgements: {self.judgements} "
                f"({self.relevant} helpful, {self.not_relevant} not helpful)"),
               f"ties dropped: {self.ties_dropped}; below --min-votes: {self.below_min_votes}"]
        if self.answer_votes:
            rate = self.answer_helpful / self.answer_votes
            out.append(f"answer votes: {self.answer_votes} ({rate:.0%} helpful), summarised only: an answer is "
                       "not a document of the index")
        return out


def grade(helpful: int, unhelpful: int) -> int | None:
    """Majority of votes; None for a tie. Two or more helpful votes in the majority make it 2."""
    if helpful == unhelpful:
        return None
    if helpful > unhelpful:
        return 2 if helpful >= 2 else 1
    return 0


def build_dataset(records: Iterable[FeedbackRecord], *, min_votes: int = 1) -> tuple[BeirDataset, ExportCounts]:
    """The BEIR judged set of the retrieval votes, and the counts of what went where."""
    if min_votes < 1:
        raise ValueError("min_votes must be at least 1")
    counts = ExportCounts()
    votes: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    texts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    languages: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    roles: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for record in records:
        counts.records += 1
        counts.by_kind[record.kind] = counts.by_kind.get(record.kind, 0) + 1
        if record.kind not in RETRIEVAL_KINDS:
            counts.answer_votes += 1
            counts.answer_helpful += record.helpful
            continue
        key: tuple[str, str] = (record.kind, normalize_query(record.query))
        if not key[1]:
            continue
        votes[key][record.target_id].append(record.helpful)
        texts[key][" ".join(record.query.split())] += 1
        roles[key][record.role] += 1
        if record.language:
            languages[key][record.language] += 1

    queries: list[BeirQuery] = []
    qrels: dict[str, dict[str, int]] = {}
    for key in sorted(votes):
        kind_name, normalized = key
        judged: dict[str, int] = {}
        for target, values in sorted(votes[key].items()):
            if len(values) < min_votes:
                counts.below_min_votes += 1
                continue
            score = grade(sum(values), len(values) - sum(values))
            if score is None:
                counts.ties_dropped += 1
                continue
            judged[target] = score
        if not judged:
            continue
        qid = query_id(kind_name, normalized)
        qrels[qid] = judged
        metadata: dict[str, object] = {"kind": kind_name, "role": roles[key].most_common(1)[0][0],
                                       "votes": sum(len(v) for v in votes[key].values())}
        if languages[key]:
            metadata["language"] = languages[key].most_common(1)[0][0]
        queries.append(BeirQuery(id=qid, text=texts[key].most_common(1)[0][0], metadata=metadata))
        counts.judgements += len(judged)
        counts.relevant += sum(1 for s in judged.values() if s > 0)
        counts.not_relevant += sum(1 for s in judged.values() if s == 0)
    counts.queries = len(queries)
    return BeirDataset(queries=queries, qrels=qrels), counts


README = """# Judged queries from feedback

Written by `conseil eval feedback` from `{source}` ({records} votes; --min-votes {min_votes}).

* `queries.jsonl`: one query per distinct normalised query and kind (`search`: product search,
  `study`: study search); metadata: kind, most frequent language and role, number of votes.
* `qrels/test.tsv`: per judged result, the majority of votes: helpful → 1, or 2 with two or more
  helpful votes; not helpful → 0; ties dropped.
* No `corpus.jsonl`: the corpus is the live index (product ids; study `doc_id#page`), which the
  harness searches (`python -m conseil.eval.feedback_eval --dataset THIS_DIR`).
"""


def export(records: list[FeedbackRecord], out: Path, *, min_votes: int = 1, source: str = "") -> ExportCounts:
    dataset, counts = build_dataset(records, min_votes=min_votes)
    save(out, dataset)
    (out / "README.md").write_text(README.format(source=source, records=counts.records, min_votes=min_votes),
                                   encoding="utf-8")
    return counts
