"""NFCorpus's original release converted to BEIR's layout: BEIR's query and judgement counts, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from conseil.eval.beir import load, read_corpus
from conseil.eval.nfcorpus import BEIR_COUNTS, NfcorpusError, convert, split_title


def _release(directory: Path, split: str = "test") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{split}.docs").write_text(
        "MED-1\tstatin breast cancer survival abstract recent studies statins\n"
        "MED-2\tno title mark here\n", encoding="utf-8")
    (directory / f"{split}.titles.queries").write_text(
        "PLAIN-1\tdo statins cause breast cancer ?\nPLAIN-9\tunjudged query\n", encoding="utf-8")
    (directory / f"{split}.2-1-0.qrel").write_text("PLAIN-1\t0\tMED-1\t2\nPLAIN-1\t0\tMED-2\t1\n",
                                                   encoding="utf-8")
    return directory


def test_a_small_release_converts(tmp_path: Path) -> None:
    done = convert(_release(tmp_path / "src"), tmp_path / "out")
    assert (done.docs, done.queries, done.qrels) == (2, {"test": 1}, {"test": 2})
    dataset = load(tmp_path / "out", "test")
    assert [q.id for q in dataset.queries] == ["PLAIN-1"]  # BEIR keeps judged queries only
    assert dataset.qrels == {"PLAIN-1": {"MED-1": 2, "MED-2": 1}}
    first = dataset.corpus[0]
    assert (first.title, first.text) == ("statin breast cancer survival", "recent studies statins")
    assert any("BEIR has 3633" in note for note in done.notes)
    assert not done.matches_beir("test")


def test_title_split() -> None:
    assert split_title("a b abstract c d") == ("a b", "c d")
    assert split_title("a b pubmed ncbi abstract c") == ("a b", "c")  # the PubMed page title's suffix goes
    assert split_title("only abstract") == ("", "only abstract")  # no abstract text after the mark


def test_bad_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(NfcorpusError, match="not a folder"):
        convert(tmp_path / "nowhere", tmp_path / "out")
    src = _release(tmp_path / "src")
    (src / "test.2-1-0.qrel").unlink()
    with pytest.raises(NfcorpusError, match=r"test split lacks test\.2-1-0\.qrel"):
        convert(src, tmp_path / "out")
    (src / "test.2-1-0.qrel").write_text("PLAIN-1\t0\tMED-404\t1\n")
    with pytest.raises(NfcorpusError, match="MED-404"):
        convert(src, tmp_path / "out")


@pytest.mark.shared
def test_the_real_release_has_beirs_counts(shared_data: Path, tmp_path: Path) -> None:
    done = convert(shared_data / "nfcorpus", tmp_path / "nfcorpus-beir")
    # BEIR's beir/nfcorpus/test: 323 queries, 12,334 judgements; dev: 324 and 11,385 (ir_datasets).
    assert (done.queries["test"], done.qrels["test"]) == BEIR_COUNTS["test"] == (323, 12_334)
    assert (done.queries["dev"], done.qrels["dev"]) == BEIR_COUNTS["dev"] == (324, 11_385)
    # The corpus is what the snapshot holds: dev + test documents (BEIR's 3,633 include train-only ones).
    assert done.docs == 3_395
    test = load(tmp_path / "nfcorpus-beir", "test")
    ids = {d.id for d in test.corpus}
    assert all(doc in ids for judged in test.qrels.values() for doc in judged)
    assert {q.id for q in test.queries} >= set(test.qrels)
    med10 = next(d for d in read_corpus(tmp_path / "nfcorpus-beir" / "corpus.jsonl") if d.id == "MED-10")
    assert med10.title == "statin breast cancer survival nationwide cohort study finland"


def test_the_command_writes_and_compares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conseil.api.cli import app
    from typer.testing import CliRunner

    monkeypatch.setenv("CONSEIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "300")  # error lines unwrapped
    done = CliRunner().invoke(app, ["eval", "nfcorpus", "--source", str(_release(tmp_path / "src"))])
    assert done.exit_code == 0, done.output
    assert "test: 1 queries, 2 judgements (BEIR: 323, 12334: differs from BEIR)" in done.stdout
    written = load(tmp_path / "data" / "eval" / "nfcorpus-beir", "test")
    assert written.qrels == {"PLAIN-1": {"MED-1": 2, "MED-2": 1}}
    missing = CliRunner().invoke(app, ["eval", "nfcorpus", "--source", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "is not a folder" in missing.output
