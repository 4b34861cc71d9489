"""BM25 sparse vectors from Qdrant Edge's own embedder (the collection applies the IDF modifier)."""

from __future__ import annotations

import qdrant_edge as qe
from conseil.search.index.contract import SparseVector


class Bm25Encoder:
    """Documents and queries tokenised the same way the Qdrant server's BM25 would."""

    def __init__(self) -> None:
        # ASCII folding lets "sérum" and "serum", "parabène" and "paraben" share tokens.
        self._bm25 = qe.Bm25(qe.Bm25Config(language="english", ascii_folding=True))

    def document(self, text: str) -> SparseVector:
        vec = self._bm25.embed_document(text)
        return SparseVector(tuple(vec.indices), tuple(vec.values))

    def query(self, text: str) -> SparseVector:
        vec = self._bm25.embed_query(text)
        return SparseVector(tuple(vec.indices), tuple(vec.values))
