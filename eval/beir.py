"""A small reader and writer for the BEIR dataset layout, so that judgements can be shared with other tools.

    <dir>/corpus.jsonl        {"_id": "...", "title": "...", "text": "...", "metadata": {...}}   (optional)
    <dir>/queries.jsonl       {"_id": "...", "text": "...", "metadata": {...}}
    <dir>/qrels/<split>.tsv   query-id <TAB> corpus-id <TAB> score   (one header line)

Top-level keys other than `_id`, `title` and `text` are read into `metadata`, as BEIR's own loader
keeps them; writing puts all metadata under `metadata`, so a write-read round trip is exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conseil.search.errors import SourceError

QRELS_HEADER = ("query-id", "corpus-id", "score")

Qrels = dict[str, dict[str, int]]  # query id -> corpus id -> graded relevance (> 0: relevant)


class BeirFormatError(SourceError, ValueError):
    """A BEIR file has a line that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class BeirDoc:
    id: str
    text: str
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BeirQuery:
    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class BeirDataset:
    queries: list[BeirQuery]
    qrels: Qrels
    corpus: list[BeirDoc] = field(default_factory=list)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BeirFormatError(f"{path}:{number}: not a JSON object ({exc.msg}).") from exc
            if not isinstance(record, dict) or "_id" not in record or "text" not in record:
                raise BeirFormatError(f'{path}:{number}: a record needs "_id" and "text".')
            yield number, record


def _metadata(record: dict[str, Any], own: tuple[str, ...]) -> dict[str, Any]:
    meta = dict(record.get("metadata") or {})
    meta.update({k: v for k, v in record.items() if k not in own and k != "metadata"})
    return meta


def read_corpus(path: Path) -> list[BeirDoc]:
    return [BeirDoc(id=str(r["_id"]), text=str(r["text"]), title=str(r.get("title") or ""),
                    metadata=_metadata(r, ("_id", "title", "text")))
            for _, r in _records(path)]


def read_queries(path: Path) -> list[BeirQuery]:
    return [BeirQuery(id=str(r["_id"]), text=str(r["text"]), metadata=_metadata(r, ("_id", "text")))
            for _, r in _records(path)]


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            cells = line.rstrip("\r\n").split("\t")
            if not line.strip() or (number == 1 and tuple(cells) == QRELS_HEADER):
                continue
            if len(cells) != 3:
                raise BeirFormatError(f"{path}:{number}: expected query-id, corpus-id and score separated "
                                      "by tabs.")
            try:
                score = int(cells[2])
            except ValueError as exc:
                raise BeirFormatError(f"{path}:{number}: the score {cells[2]!r} is not an integer.") from exc
            qrels.setdefault(cells[0], {})[cells[1]] = score
    return qrels


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_corpus(path: Path, docs: Iterable[BeirDoc]) -> None:
    _write_jsonl(path, ({"_id": d.id, "title": d.title, "text": d.text,
                         **({"metadata": d.metadata} if d.metadata else {})} for d in docs))


def write_queries(path: Path, queries: Iterable[BeirQuery]) -> None:
    _write_jsonl(path, ({"_id": q.id, "text": q.text, **({"metadata": q.metadata} if q.metadata else {})}
                        for q in queries))


def write_qrels(path: Path, qrels: Qrels) -> None:
    for qid, judged in qrels.items():
        for cid in judged:
            if "\t" in qid or "\t" in cid or "\n" in qid or "\n" in cid:
                raise BeirFormatError(f"ids cannot hold tabs or line breaks: {qid!r} / {cid!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("\t".join(QRELS_HEADER) + "\n")
        for qid, judged in qrels.items():
            for cid, score in judged.items():
                handle.write(f"{qid}\t{cid}\t{int(score)}\n")


def load(directory: Path, split: str = "test") -> BeirDataset:
    """Queries and qrels (required) and the corpus (when the directory has one)."""
    corpus_path = directory / "corpus.jsonl"
    return BeirDataset(queries=read_queries(directory / "queries.jsonl"),
                       qrels=read_qrels(directory / "qrels" / f"{split}.tsv"),
                       corpus=read_corpus(corpus_path) if corpus_path.exists() else [])


def save(directory: Path, dataset: BeirDataset, split: str = "test") -> None:
    write_queries(directory / "queries.jsonl", dataset.queries)
    write_qrels(directory / "qrels" / f"{split}.tsv", dataset.qrels)
    if dataset.corpus:
        write_corpus(directory / "corpus.jsonl", dataset.corpus)
