"""NFCorpus, from its original release layout to BEIR's, checked against BEIR's published counts.

    conseil eval nfcorpus [--source ../shared/data/nfcorpus] [--out DIR]

The original release (Boteva et al., ECIR 2016) has, per split, `{split}.docs` (ID<TAB>TEXT),
`{split}.titles.queries` (ID<TAB>TEXT) and `{split}.2-1-0.qrel` (TREC: QUERY 0 DOC LEVEL). BEIR's
conversion (what the published nDCG@10 figures are measured on) keeps:

* queries: the page titles ("Do Cholesterol Statin Drugs Cause Breast Cancer?"), only those with
  at least one judgement: test 323, dev 324;
* qrels: the 2-1-0 grading (direct link 2, indirect link 1): test 12,334, dev 11,385 lines;
* corpus: every document of the train, dev and test splits, title + abstract: 3,633.

What the snapshot in ../shared/data allows (see its SOURCE.txt): the same queries and qrels, but
the corpus is the union of the dev and test documents only (3,395: no train split, so 238
train-only documents, none judged for dev or test, are missing as distractors) and its text is the
release's pre-processed form (lower-cased, stop-words and numbers removed), not BEIR's raw title
and abstract. The conversion says so in its notes; figures on it are close to, not the same as,
the published ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conseil.search.errors import SourceError

from .beir import BeirDoc, BeirQuery, Qrels, write_corpus, write_qrels, write_queries

SPLITS = ("train", "dev", "test")
# BEIR's nfcorpus (ir_datasets `beir/nfcorpus[/split]`): split -> (queries, qrels lines).
BEIR_COUNTS = {"test": (323, 12_334), "dev": (324, 11_385), "train": (2_590, 110_575)}
BEIR_CORPUS_DOCS = 3_633
# Published nDCG@10 on beir/nfcorpus test, for the table printed beside ours.
PUBLISHED_NDCG10 = {
    "bm25": (0.3218, "BM25 flat, Anserini BEIR regressions"),
    "dense": (0.3159, "all-MiniLM-L6-v2, MTEB"),
}
_TITLE_MARK = " abstract "  # the pre-processed text is "<title> abstract <abstract>"
# Most titles are the PubMed page's "<title> - PubMed - NCBI", pre-processed; BEIR's titles are not.
_PAGE_SUFFIX = " pubmed ncbi"


class NfcorpusError(SourceError, ValueError):
    """The source folder is not NFCorpus's original layout; the message names the missing file."""


@dataclass
class Conversion:
    out: Path
    docs: int
    queries: dict[str, int]  # split -> queries kept (those with judgements)
    qrels: dict[str, int]  # split -> judgement lines
    notes: list[str] = field(default_factory=list)

    def matches_beir(self, split: str) -> bool:
        return (self.queries.get(split), self.qrels.get(split)) == BEIR_COUNTS[split]


def _tsv(path: Path, cells: int) -> list[list[str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = line.rstrip("\r\n").split("\t")
            if len(row) != cells:
                raise NfcorpusError(f"{path}:{number}: expected {cells} tab-separated fields, "
                                    f"found {len(row)}.")
            rows.append(row)
    return rows


def split_title(text: str) -> tuple[str, str]:
    """'statin breast cancer survival pubmed ncbi abstract recent studies ...' -> (title, abstract)."""
    title, mark, rest = text.partition(_TITLE_MARK)
    if not (mark and rest.strip()):
        return "", text.strip()
    return title.strip().removesuffix(_PAGE_SUFFIX).strip(), rest.strip()


def read_split(source: Path, split: str) -> tuple[list[BeirDoc], list[BeirQuery], Qrels] | None:
    """One split of the original release, or None when its files are absent."""
    docs_path, queries_path = source / f"{split}.docs", source / f"{split}.titles.queries"
    qrels_path = source / f"{split}.2-1-0.qrel"
    present = [p.exists() for p in (docs_path, queries_path, qrels_path)]
    if not any(present):
        return None
    if not all(present):
        files = (docs_path, queries_path, qrels_path)
        missing = [p.name for p, ok in zip(files, present, strict=True) if not ok]
        raise NfcorpusError(f"{source}: the {split} split lacks {', '.join(missing)}; NFCorpus's original "
                            "release has {split}.docs, {split}.titles.queries and {split}.2-1-0.qrel.")
    docs = []
    for doc_id, text in _tsv(docs_path, 2):
        title, body = split_title(text)
        docs.append(BeirDoc(doc_id, body, title=title))
    qrels: Qrels = {}
    for qid, _, doc_id, level in _tsv(qrels_path, 4):
        qrels.setdefault(qid, {})[doc_id] = int(level)
    queries = [BeirQuery(qid, text) for qid, text in _tsv(queries_path, 2) if qid in qrels]
    return docs, queries, qrels


def convert(source: Path, out: Path) -> Conversion:
    """Write BEIR's layout under `out` (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)."""
    if not source.is_dir():
        raise NfcorpusError(f"{source} is not a folder: point --source at NFCorpus's original release "
                            "(the folder with test.docs, test.titles.queries, test.2-1-0.qrel).")
    corpus: dict[str, BeirDoc] = {}
    queries: list[BeirQuery] = []
    conversion = Conversion(out=out, docs=0, queries={}, qrels={})
    for split in SPLITS:
        read = read_split(source, split)
        if read is None:
            conversion.notes.append(f"no {split} split in {source}: its documents are missing from the "
                                    "corpus")
            continue
        docs, split_queries, qrels = read
        for doc in docs:
            corpus.setdefault(doc.id, doc)
        queries.extend(split_queries)
        write_qrels(out / "qrels" / f"{split}.tsv", qrels)
        conversion.queries[split] = len(split_queries)
        conversion.qrels[split] = sum(len(judged) for judged in qrels.values())
        unknown = {d for judged in qrels.values() for d in judged} - set(corpus)
        if unknown:
            raise NfcorpusError(f"{source}: {len(unknown)} documents judged in {split} are not in any .docs "
                                f"file (e.g. {min(unknown)}).")
    if "test" not in conversion.queries:
        raise NfcorpusError(f"{source} has no test split (test.docs, test.titles.queries, test.2-1-0.qrel).")
    write_corpus(out / "corpus.jsonl", corpus.values())
    write_queries(out / "queries.jsonl", queries)
    conversion.docs = len(corpus)
    for split, (want_q, want_r) in BEIR_COUNTS.items():
        if split in conversion.queries and not conversion.matches_beir(split):
            conversion.notes.append(f"{split}: {conversion.queries[split]} queries / "
                                    f"{conversion.qrels[split]} "
                                    f"judgements, BEIR has {want_q} / {want_r}")
    if conversion.docs != BEIR_CORPUS_DOCS:
        conversion.notes.append(f"corpus: {conversion.docs} documents, BEIR has {BEIR_CORPUS_DOCS}; text is "
                                "the "
                                "release's pre-processed form (lower-cased, stop-words removed)")
    return conversion


def default_out(data_dir: Path) -> Path:
    return data_dir / "eval" / "nfcorpus-beir"


def is_nfcorpus(directory: Path) -> bool:
    """A BEIR folder written by `convert` (used to print the published figures beside ours)."""
    return "nfcorpus" in directory.resolve().name.lower()
