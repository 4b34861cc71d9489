"""Evaluate retrieval on any BEIR dataset: index its corpus in a temporary Qdrant Edge index, run its
judged queries in each mode, score them with pytrec_eval (`eval/metrics.py`), time every query.

    from conseil.eval.beir_run import evaluate_beir
    result = evaluate_beir(Path("data/eval/nfcorpus-beir"), ["bm25", "dense", "hybrid"], ["rrf"], settings)
    print(result.model_dump_json(indent=2))

Documents are indexed as the product path indexes products: one dense vector (the configured model,
on "title text", as BEIR's sentence-transformers evaluation does) and one BM25 sparse vector
(`search.sparse.Bm25Encoder`, the product encoder) per document, payload the document id. Modes:
`bm25` and `dense` rank by one vector; `hybrid` is one Query API call with both prefetches fused
by Qdrant (`rrf`: reciprocal rank, k=60; `dbsf`: distribution-based score fusion), exactly the
product search's call (`search.index.edge.EdgeIndex.query`). `convex` is a weighted fusion Qdrant's
Query API does not offer: the dense and BM25 rankings come from two engine calls, each list's
scores are min-max normalised, and documents are ranked by `w * dense + (1 - w) * bm25`
(`dense_weight`, tuned on NFCorpus's dev split: see DENSE_WEIGHT).

Embedding the corpus is the slow part, so document vectors are cached in
`<data_dir>/eval/cache/<sha256 of model + texts>.npy`: a second run with other modes, another
fusion or another split reuses them and only rebuilds the (fast) temporary index.
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conseil.search.errors import EvaluationError
from pydantic import BaseModel, Field

from .beir import BeirDataset, BeirDoc, BeirFormatError, load
from .metrics import evaluate
from .nfcorpus import PUBLISHED_NDCG10, is_nfcorpus

if TYPE_CHECKING:
    from conseil.search.embedder import Embedder
    from conseil.search.index.edge import EdgeIndex
    from conseil.search.index.sparse import Bm25Encoder
    from conseil.search.settings import Settings

MODES = ("bm25", "dense", "hybrid")
FUSIONS = ("rrf", "dbsf", "convex")
# Convex fusion's dense weight, tuned on NFCorpus dev (never test): nDCG@10 0.3259 / 0.3293 / 0.3301 /
# 0.3298 / 0.3254 for 0.3 / 0.4 / 0.45 / 0.5 / 0.6 (engine RRF 0.3212, DBSF 0.3256); 0.45 is the middle
# of the flat 0.4-0.5 plateau.
DENSE_WEIGHT = 0.45
METRICS = ("ndcg@10", "recall@100", "mrr@10", "hit@10")
DEPTH = 100  # documents retrieved per query: recall@100 needs them
EMBED_CHUNK = 256  # documents per embedding call: the progress callback's step
_NAMESPACE = uuid.UUID("6f1d3c52-5b0e-4f43-9a55-0d6b8f3e2a11")

Progress = Callable[[int, int], None]  # (documents embedded so far, total)


class Latency(BaseModel):
    p50_ms: float
    p99_ms: float
    mean_ms: float


class RunResult(BaseModel):
    """One retrieval mode on one split."""

    run: str  # "bm25", "dense", "hybrid-rrf", "hybrid-dbsf"
    mode: str
    fusion: str | None
    metrics: dict[str, float]  # "ndcg@10", "recall@100", "mrr@10", "hit@10"
    latency: Latency  # query embedding + BM25 encoding + engine call
    engine_latency: Latency  # the engine call alone
    published_ndcg10: float | None = None  # the published figure for this mode, when the dataset is known
    published_source: str | None = None


class BeirResult(BaseModel):
    dataset: str
    path: str
    split: str
    model: str
    docs: int
    queries: int  # judged queries evaluated
    qrels: int  # judgement lines of the split
    depth: int = DEPTH
    prefetch_limit: int
    dense_weight: float  # convex fusion's weight of the dense list
    runs: list[RunResult]
    embed_seconds: float  # 0 when every vector came from the cache
    vectors_cached: bool
    index_seconds: float
    notes: list[str] = Field(default_factory=list)

    def run(self, name: str) -> RunResult:
        return next(r for r in self.runs if r.run == name)


class UnknownRun(EvaluationError, ValueError):
    """A mode or fusion name the BEIR runner does not know."""


def run_names(modes: Sequence[str], fusions: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """(run, mode, fusion) for each mode; hybrid once per fusion. Unknown names: a clear error."""
    unknown = [m for m in modes if m not in MODES] + [f for f in fusions if f not in FUSIONS]
    if unknown:
        raise UnknownRun(f"Unknown mode or fusion {unknown[0]!r}: modes are {', '.join(MODES)} (or all), "
                         f"fusions {', '.join(FUSIONS)}.")
    runs: list[tuple[str, str, str | None]] = []
    for mode in dict.fromkeys(modes):
        if mode == "hybrid":
            runs.extend((f"hybrid-{f}", "hybrid", f) for f in dict.fromkeys(fusions or ("rrf",)))
        else:
            runs.append((mode, mode, None))
    return runs


def doc_text(doc: BeirDoc) -> str:
    return f"{doc.title} {doc.text}".strip()


def _vectors_key(embedder: Embedder, texts: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{embedder.name}\x00{embedder.document_prefix}\x00".encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]


def embed_corpus(embedder: Embedder, texts: Sequence[str], cache_dir: Path | None,
                 progress: Progress | None = None) -> tuple[list[list[float]], float, bool]:
    """Document vectors, from the cache when this model already embedded these texts."""
    import numpy as np

    path = cache_dir / f"{_vectors_key(embedder, texts)}.npy" if cache_dir else None
    if path is not None and path.exists():
        array = np.load(path)
        if array.shape == (len(texts), embedder.dimension):
            if progress:
                progress(len(texts), len(texts))
            return array.tolist(), 0.0, True
    start = time.perf_counter()
    vectors: list[list[float]] = []
    for first in range(0, len(texts), EMBED_CHUNK):
        vectors.extend(embedder.embed_documents(texts[first:first + EMBED_CHUNK]))
        if progress:
            progress(len(vectors), len(texts))
    seconds = time.perf_counter() - start
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, np.asarray(vectors, dtype=np.float32))
        tmp.replace(path)  # a run killed midway leaves no truncated cache behind
    return vectors, seconds, False


def build_index(directory: Path, docs: Sequence[BeirDoc], vectors: Sequence[list[float]], bm25: Bm25Encoder,
                embedder: Embedder, batch_size: int) -> EdgeIndex:
    from conseil.search.index.contract import CollectionSchema, IndexPoint
    from conseil.search.index.edge import EdgeIndex
    from conseil.search.index.schema import DENSE_VECTOR, SPARSE_VECTOR

    schema = CollectionSchema(name="beir", dense_name=DENSE_VECTOR, dense_size=embedder.dimension,
                              sparse_name=SPARSE_VECTOR, payload_indexes={})
    index = EdgeIndex.open(directory, schema, create=True, model=embedder.name)
    for first in range(0, len(docs), batch_size):
        index.upsert([IndexPoint(id=str(uuid.uuid5(_NAMESPACE, d.id)), dense=list(v),
                                 sparse=bm25.document(doc_text(d)), payload={"doc_id": d.id})
                      for d, v in zip(docs[first:first + batch_size], vectors[first:first + batch_size],
                                      strict=True)])
    index.optimize()
    return index


def fuse_convex(dense: Sequence[tuple[str, float]], sparse: Sequence[tuple[str, float]],
                dense_weight: float) -> list[str]:
    """Ids ranked by the weighted sum of each list's min-max normalised scores (absent: 0)."""
    fused: dict[str, float] = {}
    for weight, ranked in ((dense_weight, dense), (1.0 - dense_weight, sparse)):
        if not ranked:
            continue
        scores = [score for _, score in ranked]
        low, high = min(scores), max(scores)
        for doc, score in ranked:
            norm = (score - low) / (high - low) if high > low else 1.0
            fused[doc] = fused.get(doc, 0.0) + weight * norm
    return sorted(fused, key=lambda doc: -fused[doc])


def _latency(samples: list[float]) -> Latency:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))] if ordered else 0.0
    return Latency(p50_ms=round(statistics.median(ordered), 3) if ordered else 0.0, p99_ms=round(p99, 3),
                   mean_ms=round(statistics.fmean(ordered), 3) if ordered else 0.0)


def run_queries(index: EdgeIndex, embedder: Embedder, bm25: Bm25Encoder, queries: Sequence[tuple[str, str]],
                mode: str, fusion: str | None, prefetch_limit: int, dense_weight: float = DENSE_WEIGHT,
                ) -> tuple[dict[str, list[str]], list[float], list[float]]:
    """Ranked doc ids per query, with per-query total and engine-only latencies in ms."""
    from conseil.search.index.contract import HybridQuery

    def one(text: str) -> tuple[list[str], float, float]:
        start = time.perf_counter()
        dense = embedder.embed_query(text) if mode in ("dense", "hybrid") else None
        sparse = bm25.query(text) if mode in ("bm25", "hybrid") else None
        engine = time.perf_counter()
        if fusion == "convex":
            limit = max(prefetch_limit, DEPTH)
            lists = [[(str(h.payload["doc_id"]), h.score) for h in index.query(HybridQuery(
                dense=d, sparse=sp, limit=limit, with_payload=["doc_id"]))] if (d or sp) else []
                for d, sp in ((dense, None), (None, sparse))]
            ranked = fuse_convex(lists[0], lists[1], dense_weight)[:DEPTH]
        else:
            ranked = [str(h.payload["doc_id"]) for h in index.query(HybridQuery(
                dense=dense, sparse=sparse, limit=DEPTH, fusion="dbsf" if fusion == "dbsf" else "rrf",
                prefetch_limit=max(prefetch_limit, DEPTH), with_payload=["doc_id"]))]
        end = time.perf_counter()
        return ranked, (end - start) * 1000, (end - engine) * 1000

    if queries:
        one(queries[0][1])  # warm-up: the first call pays for lazy initialisation
    ranking: dict[str, list[str]] = {}
    totals: list[float] = []
    engines: list[float] = []
    for qid, text in queries:
        ranking[qid], total, engine = one(text)
        totals.append(total)
        engines.append(engine)
    return ranking, totals, engines


def evaluate_beir(path: Path, modes: Sequence[str], fusions: Sequence[str], settings: Settings, *,
                  split: str = "test", embedder: Embedder | None = None, progress: Progress | None = None,
                  cache_dir: Path | None = None, prefetch_limit: int = DEPTH,
                  dense_weight: float = DENSE_WEIGHT,
                  dataset: BeirDataset | None = None) -> BeirResult:
    """Index the corpus at `path` in a temporary index, run the split's judged queries in each mode.

    `embedder` defaults to the configured model (`load_embedder(settings)`); `cache_dir` (default
    `<data_dir>/eval/cache`) keeps document vectors between runs. Raises ValueError naming what is
    wrong for an unknown mode or fusion, or a dataset without corpus or judged queries.
    """
    from conseil.search.index.sparse import Bm25Encoder

    runs = run_names(modes, fusions)
    data = dataset or load(path, split)
    if not data.corpus:
        raise BeirFormatError(f"{path} has no corpus.jsonl: a BEIR dataset needs corpus.jsonl, queries.jsonl and "
                         f"qrels/{split}.tsv.")
    judged = [(q.id, q.text) for q in data.queries if data.qrels.get(q.id)]
    if not judged:
        raise BeirFormatError(f"No query of {path / 'queries.jsonl'} is judged in qrels/{split}.tsv: check the "
                         "split "
                         "name and that the ids match.")
    if embedder is None:
        from conseil.search.embedder import load_embedder

        embedder = load_embedder(settings)
    texts = [doc_text(d) for d in data.corpus]
    vectors, embed_seconds, cached = embed_corpus(
        embedder, texts, settings.data_dir / "eval" / "cache" if cache_dir is None else cache_dir, progress)
    bm25 = Bm25Encoder()
    notes: list[str] = []
    known = is_nfcorpus(path) and split == "test"
    with tempfile.TemporaryDirectory(prefix="conseil-beir-") as tmp:
        start = time.perf_counter()
        index = build_index(Path(tmp), data.corpus, vectors, bm25, embedder, settings.batch_size)
        index_seconds = time.perf_counter() - start
        try:
            results = []
            for name, mode, fusion in runs:
                ranking, totals, engines = run_queries(index, embedder, bm25, judged, mode, fusion,
                                                       prefetch_limit,
                                                       dense_weight)
                published: tuple[float, str] | None = PUBLISHED_NDCG10.get(mode) if known else None
                model = embedder.name.lower().split("/")[-1]
                if published and mode == "dense" and model != "all-minilm-l6-v2":
                    published = None  # the published dense figure is for all-MiniLM-L6-v2 only
                results.append(RunResult(
                    run=name, mode=mode, fusion=fusion,
                    metrics={k: round(v, 4) for k, v in evaluate(data.qrels, ranking, METRICS).items()},
                    latency=_latency(totals), engine_latency=_latency(engines),
                    published_ndcg10=published[0] if published else None,
                    published_source=published[1] if published else None))
        finally:
            index.close()
    if is_nfcorpus(path):
        notes.append("NFCorpus here is converted from the original release: same queries and judgements as "
                     "BEIR, "
                     "but a smaller, pre-processed corpus (see conseil.eval.nfcorpus)")
    return BeirResult(
        dataset=path.resolve().name, path=str(path), split=split, model=embedder.name, docs=len(data.corpus),
        queries=len(judged), qrels=sum(len(v) for v in data.qrels.values()),
        prefetch_limit=max(prefetch_limit, DEPTH), dense_weight=dense_weight, runs=results,
        embed_seconds=round(embed_seconds, 2), vectors_cached=cached,
        index_seconds=round(index_seconds, 2), notes=notes)


def result_table_rows(result: BeirResult) -> list[dict[str, Any]]:
    """Flat rows for tables and reports: one per run."""
    return [{"run": r.run, **r.metrics, "p50_ms": r.latency.p50_ms, "p99_ms": r.latency.p99_ms,
             "engine_p50_ms": r.engine_latency.p50_ms, "published_ndcg@10": r.published_ndcg10}
            for r in result.runs]
