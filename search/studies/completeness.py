"""Which studies are only partly stored: checked at open (server start, `/readyz`).

Every study passage records its document's passage count (`passages`, written by
`conseil.ingest.studies`); a document is complete when that many of its points are stored. A crash
between two upsert batches leaves fewer; the next ingest run re-indexes the document, and until then
the server reports it instead of serving it as healthy.
"""

from __future__ import annotations

from dataclasses import dataclass

from conseil.search.index.contract import IndexReader


@dataclass(frozen=True)
class IncompleteStudy:
    doc_id: str
    path: str
    stored: int
    expected: int  # 0: the points do not record a count (indexed before counts were written)

    def sentence(self) -> str:
        expected = str(self.expected) if self.expected else "an unrecorded number of"
        return (f"{self.path}: {self.stored} of {expected} passages stored; run `conseil ingest studies` "
                "on it again (or POST /v1/ingest/studies) to complete it")


def incomplete_studies(index: IndexReader) -> list[IncompleteStudy]:
    """Documents whose stored passages are fewer (or more) than their recorded count."""
    paths: dict[str, str] = {}
    stored: dict[str, int] = {}
    expected: dict[str, int] = {}
    for hit in index.scroll(fields=["doc_id", "path", "passages"], batch=2000):
        doc_id = str(hit.payload.get("doc_id", ""))
        count = hit.payload.get("passages")
        paths.setdefault(doc_id, str(hit.payload.get("path", "")))
        stored[doc_id] = stored.get(doc_id, 0) + 1
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            expected[doc_id] = count
    found = [IncompleteStudy(doc_id, paths[doc_id], n, expected.get(doc_id, 0)) for doc_id, n in stored.items()]
    return sorted((s for s in found if s.expected != s.stored), key=lambda s: s.path)
