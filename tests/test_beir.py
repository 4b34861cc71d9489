"""The BEIR reader/writer round trip, the page-level metrics on a hand-computed case, and the
shipped study questions (enough of them, several languages, every judgement well formed)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conseil.eval.beir import (
    BeirDataset,
    BeirDoc,
    BeirFormatError,
    BeirQuery,
    load,
    read_qrels,
    read_queries,
    save,
)
from conseil.eval.studies_eval import (
    QRELS_DIR,
    RankedPassage,
    matched_key,
    parse_key,
    percentile,
    same_file,
    score_run,
    to_trec_run,
)


def test_round_trip(tmp_path: Path) -> None:
    dataset = BeirDataset(
        queries=[BeirQuery("q1", "Le maquillage agrandit-il les yeux ?", {"language": "fr"}), BeirQuery("q2", "x")],
        qrels={"q1": {"studies/a.pdf#p3": 2, "studies/a.pdf#p1": 1}, "q2": {"surveys/s.csv#p1": 1}},
        corpus=[BeirDoc("studies/a.pdf#p1", "Abstract…", title="A", metadata={"year": 2017}), BeirDoc("d2", "t")])
    save(tmp_path, dataset)
    assert (tmp_path / "qrels" / "test.tsv").read_text().splitlines()[0] == "query-id\tcorpus-id\tscore"
    assert load(tmp_path) == dataset



def test_round_trip_keeps_every_split_and_grade(tmp_path: Path) -> None:
    corpus = [BeirDoc("MED-1", "statins \t tabs and \u00e9 in text", title=""),
              BeirDoc("MED-2", "b", title="T")]
    queries = [BeirQuery("PLAIN-1", "do statins cause cancer?"), BeirQuery("PLAIN-2", "dha")]
    test_qrels = {"PLAIN-1": {"MED-1": 2, "MED-2": 0}}  # 0: judged, not relevant, still written back
    dev_qrels = {"PLAIN-2": {"MED-2": 1}}
    save(tmp_path, BeirDataset(queries=queries, qrels=test_qrels, corpus=corpus), split="test")
    save(tmp_path, BeirDataset(queries=queries, qrels=dev_qrels), split="dev")
    assert load(tmp_path, "test") == BeirDataset(queries=queries, qrels=test_qrels, corpus=corpus)
    assert load(tmp_path, "dev").qrels == dev_qrels
    with pytest.raises(BeirFormatError, match="tabs"):
        save(tmp_path / "bad", BeirDataset(queries=queries, qrels={"q\t1": {"d": 1}}))

def test_reads_beir_files_written_by_others(tmp_path: Path) -> None:
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"_id": "1", "text": "vitamin d", "url": "http://x"}) + "\n\n", encoding="utf-8")
    assert read_queries(tmp_path / "queries.jsonl") == [BeirQuery("1", "vitamin d", {"url": "http://x"})]
    (tmp_path / "t.tsv").write_text("1\tdoc-1\t1\n1\tdoc-2\t0\n")  # no header line
    assert read_qrels(tmp_path / "t.tsv") == {"1": {"doc-1": 1, "doc-2": 0}}


@pytest.mark.parametrize("name,content,message", [
    ("queries.jsonl", '{"_id": "1"}\n', 'needs "_id" and "text"'),
    ("queries.jsonl", "not json\n", "queries.jsonl:1"),
    ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\td1\thigh\n", "qrels.tsv:2"),
])
def test_malformed_lines_are_located(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BeirFormatError, match=message):
        read_queries(path) if name.endswith(".jsonl") else read_qrels(path)


# -- page-level metrics ---------------------------------------------------------------------------

QRELS = {
    "q1": {"studies/a.pdf#p3": 2, "studies/b.pdf#p1": 1},
    "q2": {"studies/c.pdf#p5": 1},
    "q3": {"surveys/d.csv#p1": 1},
    "q4": {"studies/e.pdf#p1": 1, "studies/e.pdf#p2": 0},
}
OTHER = RankedPassage("studies/z.pdf", 1, 1)
RUN = {
    "q1": [OTHER, RankedPassage("a.pdf", 2, 4), RankedPassage("/srv/data/studies/b.pdf", 1, 1)],  # rank 2
    "q2": [RankedPassage("studies/c.pdf", 1, 4)] + [OTHER] * 4 + [RankedPassage("studies/c.pdf", 5, 5)],  # rank 6
    "q3": [OTHER],  # no match
    "q4": [RankedPassage("studies/e.pdf", 2, 2)] + [OTHER] * 9 + [RankedPassage("studies/e.pdf", 1, 1)],  # rank 11
    "q-unjudged": [OTHER],
}


def test_metrics_on_a_hand_computed_case() -> None:
    scores = score_run(RUN, QRELS)
    assert scores.ranks == {"q1": 2, "q2": 6, "q3": None, "q4": 11}
    assert scores.n == 4
    assert scores.hit == 0.25  # only q1 within 5
    assert scores.mrr == pytest.approx((1 / 2 + 1 / 6) / 4, abs=1e-4)  # q4's rank 11 is past the cut-off


def test_matching_rules() -> None:
    assert same_file("studies/x/y.pdf", "x/y.pdf") and same_file("/abs/studies/x/y.pdf", "studies/x/y.pdf")
    assert not same_file("a/y.pdf", "b/y.pdf") and not same_file("xy.pdf", "y.pdf")
    judged = {"studies/a.pdf#p3": 1, "studies/a.pdf#p4": 2, "studies/a.pdf#p9": 0}
    assert matched_key(RankedPassage("a.pdf", 3, 4), judged) == "studies/a.pdf#p4"  # most relevant page
    assert matched_key(RankedPassage("a.pdf", 9, 9), judged) is None  # relevance 0 is not relevant
    assert matched_key(RankedPassage("a.pdf", None), judged) is None  # a passage without pages is "page 1"
    assert matched_key(RankedPassage("surveys/s.csv", None), {"surveys/s.csv#p1": 1}) == "surveys/s.csv#p1"
    assert parse_key("studies/x#y.pdf#p12") == ("studies/x#y.pdf", 12)
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0 and percentile([1.0, 2.0], 0.99) == 2.0


def test_metrics_agree_with_pytrec_eval() -> None:
    import pytrec_eval  # a core dependency: `conseil eval` scores with it

    top10 = {qid: ranked[:10] for qid, ranked in RUN.items() if qid in QRELS}
    measures = pytrec_eval.RelevanceEvaluator(QRELS, {"recip_rank", "success"}).evaluate(to_trec_run(top10, QRELS))
    scores = score_run(RUN, QRELS)
    assert sum(m["success_5"] for m in measures.values()) / len(QRELS) == pytest.approx(scores.hit)
    assert sum(m["recip_rank"] for m in measures.values()) / len(QRELS) == pytest.approx(scores.mrr, abs=1e-4)


# -- the shipped question set ------------------------------------------------------------------------

def test_the_study_questions_are_judged_and_multilingual() -> None:
    dataset = load(QRELS_DIR)
    ids = [q.id for q in dataset.queries]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    assert set(dataset.qrels) == set(ids), "every question has at least one judged page"
    languages = [q.metadata["language"] for q in dataset.queries]
    assert {"en", "fr", "es", "de"} <= set(languages) and languages.count("fr") >= 10
    for judged in dataset.qrels.values():
        assert any(r == 2 for r in judged.values()), "each question names the page that answers it"
        for key in judged:
            path, page = parse_key(key)
            assert path.startswith(("studies/", "surveys/")) and page >= 1


def test_the_judged_pages_exist(shared_data: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # these PDFs have harmless xref warnings
    page_counts: dict[str, int] = {}
    for judged in load(QRELS_DIR).qrels.values():
        for key in judged:
            path, page = parse_key(key)
            assert (shared_data / path).is_file(), key
            if not path.endswith(".pdf"):
                assert page == 1, key
                continue
            if path not in page_counts:
                page_counts[path] = len(pypdf.PdfReader(str(shared_data / path)).pages)
            assert page <= page_counts[path], key
