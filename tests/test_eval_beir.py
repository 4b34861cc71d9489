"""`evaluate_beir` and `conseil eval beir` on a tiny BEIR dataset: real Qdrant Edge index, every mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conseil.eval.beir import BeirDataset, BeirDoc, BeirQuery, save
from conseil.eval.beir_run import BeirResult, doc_text, embed_corpus, evaluate_beir, fuse_convex, run_names
from conseil.search.settings import Settings
from typer.testing import CliRunner

from tests.conftest import fake_embedder

DOCS = [
    BeirDoc("d1", "Statins lower cholesterol and may reduce breast cancer recurrence.",
            title="Statins and cancer"),
    BeirDoc("d2", "Flaxseed lignans slow prostate tumour growth.", title="Flaxseed"),
    BeirDoc("d3", "Mercury in tuna: how much fish is safe during pregnancy?", title="Fish and mercury"),
    BeirDoc("d4", "Green tea catechins and blood pressure in adults.", title="Green tea"),
    BeirDoc("d5", "Hearing loss after industrial toxin exposure in children.", title="Deafness"),
    BeirDoc("d6", "Vitamin D supplements and bone density in older women.", title="Vitamin D"),
]
QUERIES = [BeirQuery("q1", "statins breast cancer"), BeirQuery("q2", "mercury fish pregnancy"),
           BeirQuery("q3", "deafness toxins"), BeirQuery("q-unjudged", "green tea")]
QRELS = {"q1": {"d1": 2, "d2": 0}, "q2": {"d3": 1}, "q3": {"d5": 1}}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    save(tmp_path / "tiny", BeirDataset(queries=QUERIES, qrels=QRELS, corpus=DOCS))
    return tmp_path / "tiny"


@pytest.mark.index
def test_every_mode_on_a_tiny_dataset(tiny: Path, settings: Settings) -> None:
    result = evaluate_beir(tiny, ["bm25", "dense", "hybrid"], ["rrf", "dbsf", "convex"], settings,
                           embedder=fake_embedder())
    assert [r.run for r in result.runs] == ["bm25", "dense", "hybrid-rrf", "hybrid-dbsf", "hybrid-convex"]
    assert (result.docs, result.queries, result.qrels) == (6, 3, 4)  # the unjudged query is not scored
    # Each query shares its rare words with its one relevant document only: BM25 puts it first.
    assert result.run("bm25").metrics == {"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0, "hit@10": 1.0}
    for run in result.runs:
        assert run.metrics["recall@100"] == 1.0  # 6 documents, depth 100: everything comes back
        assert 0 < run.latency.p50_ms and run.engine_latency.p50_ms <= run.latency.p99_ms
        assert run.published_ndcg10 is None  # not a dataset with published figures
    assert not result.vectors_cached and settings.data_dir.joinpath("eval", "cache").is_dir()


def test_convex_fusion_by_hand() -> None:
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]  # min-max: a 1, b 0.5, c 0
    bm25 = [("c", 12.0), ("b", 4.0)]  # min-max: c 1, b 0
    # w = 0.4: a 0.4; b 0.4 * 0.5 = 0.2; c 0.6 * 1 = 0.6  ->  c, a, b
    assert fuse_convex(dense, bm25, 0.4) == ["c", "a", "b"]
    # w = 0.8: a 0.8; b 0.4; c 0.2  ->  a, b, c
    assert fuse_convex(dense, bm25, 0.8) == ["a", "b", "c"]
    assert fuse_convex([], [("x", 3.0)], 0.5) == ["x"]


@pytest.mark.index
def test_a_second_run_reuses_the_document_vectors(tiny: Path, settings: Settings) -> None:
    first = evaluate_beir(tiny, ["dense"], [], settings, embedder=fake_embedder())
    again = evaluate_beir(tiny, ["dense"], [], settings, embedder=fake_embedder())
    assert not first.vectors_cached and again.vectors_cached and again.embed_seconds == 0.0
    texts = [doc_text(d) for d in DOCS]
    cached, _, hit = embed_corpus(fake_embedder(), texts, settings.data_dir / "eval" / "cache")
    fresh = fake_embedder().embed_documents(texts)
    assert hit and all(c == pytest.approx(f, abs=1e-6) for c, f in zip(cached, fresh, strict=True))  # float32
    # (metrics are not compared: the hash embedder ties d2 and d5 for q3, and the engine's order of
    # tied points is not fixed from one index to the next)
    other_model = evaluate_beir(tiny, ["dense"], [], settings, embedder=fake_embedder(dimension=16))
    assert not other_model.vectors_cached  # the cache is keyed by model and texts


def test_bad_requests_are_explained(tiny: Path, settings: Settings) -> None:
    with pytest.raises(ValueError, match="modes are bm25, dense, hybrid"):
        run_names(["sparse"], ["rrf"])
    with pytest.raises(ValueError, match="No query .* is judged in qrels/dev.tsv"):
        save(tiny, BeirDataset(queries=QUERIES, qrels={"other": {"d1": 1}}), split="dev")
        evaluate_beir(tiny, ["bm25"], [], settings, split="dev", embedder=fake_embedder())


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    import conseil.search.embedder as embedder_module

    monkeypatch.setenv("CONSEIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")  # the table's headers on one line
    monkeypatch.setattr(embedder_module, "load_embedder", lambda settings: fake_embedder())
    return CliRunner()


@pytest.mark.index
def test_the_command_end_to_end(tiny: Path, tmp_path: Path, cli_env: CliRunner) -> None:
    from conseil.api.cli import app

    out_file = tmp_path / "reports" / "tiny.json"
    done = cli_env.invoke(app, ["eval", "beir", str(tiny), "--mode", "bm25", "--mode", "hybrid",
                                "--fusion", "dbsf", "--json", "--out", str(out_file)])
    assert done.exit_code == 0, done.output
    printed = BeirResult.model_validate(json.loads(done.stdout))
    assert [r.run for r in printed.runs] == ["bm25", "hybrid-dbsf"]
    assert BeirResult.model_validate_json(out_file.read_text()) == printed
    table = cli_env.invoke(app, ["eval", "beir", str(tiny), "--mode", "all"])
    assert table.exit_code == 0, table.output
    assert "nDCG@10" in table.stdout and "hybrid-rrf" in table.stdout and "dense" in table.stdout


def test_the_command_refuses_bad_input(tiny: Path, tmp_path: Path, cli_env: CliRunner) -> None:
    from conseil.api.cli import app

    missing = cli_env.invoke(app, ["eval", "beir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "is not a BEIR dataset" in missing.output
    bad_mode = cli_env.invoke(app, ["eval", "beir", str(tiny), "--mode", "sparse"])
    assert bad_mode.exit_code == 2 and "Unknown mode or fusion 'sparse'" in bad_mode.output


@pytest.mark.model
def test_the_real_model_ranks_by_meaning(tmp_path: Path) -> None:
    # Paraphrases that share no word with their document: only the dense side can find them.
    docs = DOCS + [BeirDoc("d7", "Myocardial infarction risk rises with processed meat intake.", title="")]
    queries = [BeirQuery("p1", "heart attack from eating bacon"),
               BeirQuery("p2", "can't hear after chemicals")]
    qrels = {"p1": {"d7": 1}, "p2": {"d5": 1}}
    save(tmp_path / "para", BeirDataset(queries=queries, qrels=qrels, corpus=docs))
    result = evaluate_beir(tmp_path / "para", ["dense", "hybrid"], ["rrf"],
                           Settings(data_dir=tmp_path / "data"))
    assert result.model == "all-MiniLM-L6-v2"
    assert result.run("dense").metrics["mrr@10"] == 1.0
    assert result.run("hybrid-rrf").metrics["hit@10"] == 1.0
