"""One conformance suite for every VectorIndex backend (engine-to-engine: test_backend_congruence.py).

Backends: "edge" (EdgeIndex, the embedded default), "client-memory" (QdrantServerIndex over
qdrant-client's local mode: the server backend's own code path on an in-process stand-in) and
"server" (QdrantServerIndex on a real Qdrant server, only when CONSEIL_TEST_QDRANT_URL is set:
`CONSEIL_TEST_QDRANT_URL=http://localhost:6333 python -m pytest -m qdrant_server tests/test_index_conformance.py`).

Every expectation is computed independently in Python from the test documents (cosine, BM25 with
Qdrant's IDF, RRF with k=60, DBSF), so a backend that agreed with another but not with Qdrant's
definitions would still fail.

Tie caveat: when two points have exactly the same score, engines may order them differently
(the embedded engine and local mode break ties differently). Ranked lists are therefore compared as
ranked groups: consecutive hits with equal scores form one group, compared as a set. The test
embedders are chosen so that ties are rare (see `tie_free_embedder`), so the groups are mostly single.
"""

from __future__ import annotations

import hashlib
import math
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conseil.search.embedder import Embedder
from conseil.search.errors import IndexMissingError, IndexSchemaError
from conseil.search.index.contract import (
    CollectionSchema,
    Filter,
    Hit,
    HybridQuery,
    IndexPoint,
    MatchAny,
    Range,
    SparseVector,
    VectorIndex,
)
from conseil.search.index.edge import EdgeIndex
from conseil.search.index.qdrant_server import QdrantServerIndex, ServerOptions
from conseil.search.index.sparse import Bm25Encoder

# Local mode says, once, that it searches exactly whatever the search params: known, it is the stand-in.
pytestmark = [pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning"), pytest.mark.index]

SERVER_URL = os.environ.get("CONSEIL_TEST_QDRANT_URL")
DIM = 24
MODEL = "tie-free-test"


class TieFreeBackend:
    """Bag-of-words vectors with a hash-derived irrational weight per word: exact cosine ties
    between different texts are practically impossible, unlike with 0/±1 counts."""

    def __init__(self, dimension: int = DIM) -> None:
        self.dimension = dimension

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vec = [0.0] * self.dimension
            for word in text.lower().split():
                digest = hashlib.sha256(word.encode()).digest()
                for k in range(3):
                    vec[digest[k] % self.dimension] += math.sqrt(2 + digest[k + 3]) * (1 if digest[k + 6] % 2 else -1)
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            vectors.append([x / norm for x in vec])
        return vectors


def tie_free_embedder(dimension: int = DIM) -> Embedder:
    return Embedder(TieFreeBackend(dimension), name=MODEL, dimension=dimension, batch_size=16)


# -- the test collection ---------------------------------------------------------------------------

DOCS: list[dict[str, Any]] = [
    {"product_id": "A1", "text": "gentle hydrating serum with hyaluronic acid", "brand": "Alba",
     "families": ["humectants"], "price": 12.0, "category": ["serums"]},
    {"product_id": "A2", "text": "vitamin c brightening serum with fragrance", "brand": "Alba",
     "families": ["fragrance"], "price": 35.5, "category": ["serums"]},
    {"product_id": "B1", "text": "rich night cream for dry skin with parabens", "brand": "Bora",
     "families": ["parabens", "fragrance"], "price": 48.0, "category": ["moisturizers"]},
    {"product_id": "B2", "text": "oil free gel moisturizer for oily skin", "brand": "Bora",
     "families": [], "price": 22.0, "category": ["moisturizers"]},
    {"product_id": "C1", "text": "sulfate free shampoo for curly hair", "brand": "Cora",
     "families": ["silicones"], "price": 18.0, "category": ["shampoo", "hair"]},
    {"product_id": "C2", "text": "clarifying shampoo with sodium laureth sulfate", "brand": "Cora",
     "families": ["sulfates", "fragrance"], "price": 9.5, "category": ["shampoo", "hair"]},
    {"product_id": "C3", "text": "silicone free conditioner for dry hair", "brand": "Cora",
     "families": [], "price": 14.0, "category": ["conditioner", "hair"]},
    {"product_id": "D1", "text": "mineral sunscreen spf 50 for sensitive skin", "brand": "Dune",
     "families": ["mineral_uv_filters"], "price": 30.0, "category": ["sunscreen"]},
    {"product_id": "D2", "text": "chemical sunscreen spf 30 lightweight fluid", "brand": "Dune",
     "families": ["chemical_uv_filters", "fragrance"], "price": 27.0, "category": ["sunscreen"]},
    {"product_id": "E1", "text": "fragrance free barrier repair cream for sensitive skin", "brand": "Eos",
     "families": ["ceramides"], "price": 41.0, "category": ["moisturizers"]},
    {"product_id": "E2", "text": "exfoliating toner with glycolic acid", "brand": "Eos",
     "families": ["aha"], "price": 19.0, "category": ["toners"]},
    {"product_id": "E3", "text": "hydrating toner without alcohol", "brand": "Eos",
     "families": [], "price": None, "category": ["toners"]},
]
SCHEMA = CollectionSchema(name="conformance", dense_name="dense", dense_size=DIM, sparse_name="bm25",
                          payload_indexes={"product_id": "keyword", "brand": "keyword", "families": "keyword",
                                           "category": "keyword", "price": "float"})
NAMESPACE = uuid.UUID("6f7c1b7e-0e0a-4f52-9d1c-0b1f2d3e4a5b")


def pid(product_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, product_id))


def payload_of(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def build_points() -> list[IndexPoint]:
    emb, bm25 = tie_free_embedder(), Bm25Encoder()
    dense = emb.embed_documents([d["text"] for d in DOCS])
    return [IndexPoint(id=pid(d["product_id"]), dense=list(v), sparse=bm25.document(d["text"]),
                       payload=payload_of(d)) for d, v in zip(DOCS, dense, strict=True)]


# -- one fresh index per backend -------------------------------------------------------------------

Opener = Callable[..., VectorIndex]  # (create: bool, model: str = MODEL) -> index


@pytest.fixture(params=["edge", "client-memory", pytest.param("server", marks=pytest.mark.qdrant_server)])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    opened: list[VectorIndex] = []
    if request.param == "edge":
        def open_edge(create: bool, model: str = MODEL) -> VectorIndex:
            for index in opened:  # one shard handle at a time, as the Store guarantees
                index.close()
            opened.clear()
            index = EdgeIndex.open(tmp_path, SCHEMA, create=create, model=model)
            opened.append(index)
            return index
        yield open_edge
        for index in opened:
            index.close()
        return
    from qdrant_client import QdrantClient

    if request.param == "client-memory":
        client = QdrantClient(location=":memory:")
        schema, where = SCHEMA, "qdrant-client local mode (:memory:)"
    else:
        if not SERVER_URL:
            pytest.skip("set CONSEIL_TEST_QDRANT_URL to run the conformance suite against a real Qdrant server")
        client = QdrantClient(url=SERVER_URL, api_key=os.environ.get("CONSEIL_TEST_QDRANT_API_KEY"))
        schema = CollectionSchema(name=f"conformance_{uuid.uuid4().hex[:8]}", dense_name="dense",
                                  dense_size=DIM, sparse_name="bm25", payload_indexes=SCHEMA.payload_indexes)
        where = SERVER_URL

    def open_client(create: bool, model: str = MODEL) -> VectorIndex:
        return QdrantServerIndex.open(client, schema, create=create, model=model, where=where,
                                      options=ServerOptions(upsert_batch=5))  # several batches per upsert

    yield open_client
    if request.param == "server" and client.collection_exists(schema.name):
        client.delete_collection(schema.name)
    client.close()


@pytest.fixture
def index(opener: Opener) -> VectorIndex:
    idx = opener(create=True)
    idx.upsert(build_points())
    idx.flush()
    return idx


# -- independent references --------------------------------------------------------------------------

def matches(doc: dict[str, Any], flt: Filter) -> bool:
    def holds(cond: Any) -> bool:
        value = doc.get(cond.key)
        if isinstance(cond, MatchAny):
            values = value if isinstance(value, list) else [value]
            return any(v in cond.values for v in values)
        if value is None:
            return False
        return (cond.gte is None or value >= cond.gte) and (cond.lte is None or value <= cond.lte)
    return all(holds(c) for c in flt.must) and not any(holds(c) for c in flt.must_not)


def dense_ranking(query: str, flt: Filter) -> list[tuple[str, float]]:
    q = tie_free_embedder().embed_query(query)
    points = {p.id: p for p in build_points()}
    scored = [(pid(d["product_id"]), sum(a * b for a, b in zip(q, points[pid(d["product_id"])].dense, strict=True)))
              for d in DOCS if matches(d, flt)]
    return sorted(scored, key=lambda s: -s[1])


def sparse_ranking(query: str, flt: Filter) -> list[tuple[str, float]]:
    """BM25 with Qdrant's IDF modifier: idf = ln((N - df + 0.5) / (df + 0.5) + 1), over the whole collection."""
    q = Bm25Encoder().query(query)
    points = build_points()
    n = len(points)
    df = Counter(i for p in points for i in p.sparse.indices)
    scored = []
    for p, d in zip(points, DOCS, strict=True):
        if not matches(d, flt):
            continue
        doc = dict(zip(p.sparse.indices, p.sparse.values, strict=True))
        score = sum(v * doc[i] * math.log((n - df[i] + 0.5) / (df[i] + 0.5) + 1)
                    for i, v in zip(q.indices, q.values, strict=True) if i in doc)
        if score > 0:
            scored.append((p.id, score))
    return sorted(scored, key=lambda s: -s[1])


def rrf(*rankings: list[tuple[str, float]], k: int = 60) -> list[tuple[str, float]]:
    fused: defaultdict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, (point, _) in enumerate(ranking):
            fused[point] += 1.0 / (k + rank)  # Qdrant counts ranks from 0
    return sorted(fused.items(), key=lambda s: -s[1])


def dbsf(*rankings: list[tuple[str, float]]) -> list[tuple[str, float]]:
    fused: defaultdict[str, float] = defaultdict(float)
    for ranking in rankings:
        scores = [s for _, s in ranking]
        if len(scores) == 1:
            fused[ranking[0][0]] += 0.5
            continue
        mean = sum(scores) / len(scores)
        std = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
        for point, s in ranking:
            fused[point] += 0.5 if std == 0 else (s - (mean - 3 * std)) / (6 * std)
    return sorted(fused.items(), key=lambda s: -s[1])


def groups(ranked: list[tuple[str, float]], rel: float = 1e-5) -> list[frozenset[str]]:
    """Consecutive equal scores as one set: tie order is the engine's choice (module docstring).
    "Equal" within `rel`: engines score in float32, and RRF's 1/61 + 1/63 = 1/63 + 1/61 ties exactly."""
    out: list[tuple[float, set[str]]] = []
    for point, score in ranked:
        if out and math.isclose(out[-1][0], score, rel_tol=rel, abs_tol=1e-9):
            out[-1][1].add(point)
        else:
            out.append((score, {point}))
    return [frozenset(ids) for _, ids in out]


def assert_tie_free(ranking: list[tuple[str, float]]) -> None:
    """Precondition of a fused-ranking check: every prefetch score distinct (module docstring)."""
    assert all(len(g) == 1 for g in groups(ranking, rel=1e-6)), f"pick another test query: ties in {ranking}"


def as_pairs(hits: list[Hit]) -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in hits]


def assert_same_ranking(hits: list[Hit], expected: list[tuple[str, float]]) -> None:
    got = as_pairs(hits)
    assert groups(got) == groups(expected[:len(got)]) or [g for g, _ in got] == [e for e, _ in expected[:len(got)]], \
        f"\n got      {got}\n expected {expected[:len(got)]}"
    for (_, score), (_, want) in zip(got, expected, strict=False):
        assert score == pytest.approx(want, rel=1e-4, abs=1e-6)


FRAGRANCE_FREE = Filter(must_not=(MatchAny("families", ("fragrance",)),))
CHEAP_SKIN = Filter(must=(Range("price", lte=40.0),), must_not=(MatchAny("category", ("hair",)),))


# -- the contract ----------------------------------------------------------------------------------

def test_create_reopen_and_model_check(opener: Opener) -> None:
    with pytest.raises(IndexMissingError):
        opener(create=False)
    first = opener(create=True)
    first.upsert(build_points())
    first.flush()
    again = opener(create=False)
    assert again.count() == len(DOCS), "a reopened collection keeps its points"
    assert again.schema.dense_size == DIM
    with pytest.raises(IndexSchemaError, match="other-model"):
        opener(create=False, model="other-model")


def test_upsert_retrieve_and_payload(index: VectorIndex) -> None:
    hits = {h.id: h for h in index.retrieve([pid("B1"), pid("E3")])}
    assert set(hits) == {pid("B1"), pid("E3")}
    assert hits[pid("B1")].payload == payload_of(DOCS[2])
    assert "price" not in hits[pid("E3")].payload
    index.set_payload(pid("B1"), {"product_id": "B1", "brand": "Bora", "families": []})
    (rewritten,) = index.retrieve([pid("B1")])
    assert rewritten.payload == {"product_id": "B1", "brand": "Bora", "families": []}, "set_payload overwrites"
    index.upsert(build_points()[:1])  # upserting an existing id replaces it, no duplicate
    assert index.count() == len(DOCS)


def test_delete(index: VectorIndex) -> None:
    index.delete([pid("A1"), pid("C2")])
    index.delete([])
    assert index.count() == len(DOCS) - 2
    assert index.retrieve([pid("A1")]) == []
    assert {h.id for h in index.scroll()} == {pid(d["product_id"]) for d in DOCS} - {pid("A1"), pid("C2")}


@pytest.mark.parametrize("flt", [
    Filter(),
    Filter(must=(MatchAny("brand", ("Cora", "Eos")),)),
    Filter(must=(MatchAny("families", ("fragrance", "parabens")),)),
    FRAGRANCE_FREE,
    Filter(must=(Range("price", gte=18.0, lte=35.5),)),
    Filter(must=(Range("price", gte=20.0),), must_not=(MatchAny("families", ("fragrance",)),)),
    CHEAP_SKIN,
], ids=["all", "match-any", "match-any-list", "must-not", "range", "range-and-not", "range-not-category"])
def test_count_with_filters(index: VectorIndex, flt: Filter) -> None:
    assert index.count(flt) == sum(matches(d, flt) for d in DOCS)


def test_scroll_selects_fields_and_pages(index: VectorIndex) -> None:
    hits = list(index.scroll(FRAGRANCE_FREE, fields=["product_id", "price"], batch=3))
    assert sorted(h.payload["product_id"] for h in hits) == sorted(d["product_id"] for d in DOCS
                                                                   if matches(d, FRAGRANCE_FREE))
    assert all(set(h.payload) <= {"product_id", "price"} for h in hits)
    assert len({h.id for h in hits}) == len(hits), "paging neither repeats nor skips"
    assert all(h.payload == {} for h in index.scroll(fields=False, batch=5))


def test_facet_counts(index: VectorIndex) -> None:
    for key, flt in [("brand", Filter()), ("families", Filter()), ("category", FRAGRANCE_FREE)]:
        expected: Counter[str] = Counter()
        for d in DOCS:
            if matches(d, flt):
                values = d[key] if isinstance(d[key], list) else [d[key]]
                expected.update(set(values))
        got = index.facet(key, flt, limit=100)
        assert dict(got) == dict(expected), key
        assert [c for _, c in got] == sorted((c for _, c in got), reverse=True), "by count, largest first"
    assert len(index.facet("brand", limit=2)) == 2


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
@pytest.mark.parametrize("flt", [Filter(), FRAGRANCE_FREE, CHEAP_SKIN], ids=["no-filter", "must-not", "range"])
@pytest.mark.parametrize("text", ["hydrating serum", "sulfate free shampoo", "night cream for sensitive skin"])
def test_hybrid_query(index: VectorIndex, fusion: str, flt: Filter, text: str) -> None:
    dense, sparse = dense_ranking(text, flt), sparse_ranking(text, flt)
    assert_tie_free(dense)  # a tie inside a prefetch changes fused scores, per the engine's tie order
    assert_tie_free(sparse)
    expected = rrf(dense, sparse) if fusion == "rrf" else dbsf(dense, sparse)
    hits = index.query(HybridQuery(dense=tie_free_embedder().embed_query(text),
                                   sparse=Bm25Encoder().query(text), filter=flt, limit=6,
                                   fusion=fusion))
    assert hits, "every query matches something"
    assert all(matches(h.payload, flt) for h in hits), "the filter holds in both prefetches"
    assert_same_ranking(hits, expected)


@pytest.mark.parametrize("exact", [False, True])
def test_dense_only(index: VectorIndex, exact: bool) -> None:
    text = "moisturizer for dry skin"
    hits = index.query(HybridQuery(dense=tie_free_embedder().embed_query(text), sparse=None,
                                   filter=FRAGRANCE_FREE, limit=5, exact=exact, hnsw_ef=64))
    assert_same_ranking(hits, dense_ranking(text, FRAGRANCE_FREE))


def test_sparse_only_and_empty_sparse(index: VectorIndex) -> None:
    text = "toner without alcohol"
    hits = index.query(HybridQuery(dense=None, sparse=Bm25Encoder().query(text), limit=5))
    assert_same_ranking(hits, sparse_ranking(text, Filter()))
    listing = index.query(HybridQuery(dense=None, sparse=SparseVector((), ()), filter=FRAGRANCE_FREE, limit=4,
                                      offset=1, with_payload=["product_id"]))
    every = [h.id for h in index.scroll(FRAGRANCE_FREE, fields=False)]
    assert [h.id for h in listing] == every[1:5], "nothing to rank by: a filtered listing in id order"


def test_offset_pages_the_same_ranking(index: VectorIndex) -> None:
    text = "serum with acid"
    q = HybridQuery(dense=tie_free_embedder().embed_query(text), sparse=Bm25Encoder().query(text), limit=8)
    full = index.query(q)
    page = index.query(HybridQuery(dense=q.dense, sparse=q.sparse, limit=3, offset=2))
    assert [h.id for h in page] == [h.id for h in full[2:5]]


def test_payload_selection_in_query(index: VectorIndex) -> None:
    text = "sunscreen spf"
    hits = index.query(HybridQuery(dense=tie_free_embedder().embed_query(text),
                                   sparse=Bm25Encoder().query(text), limit=3, with_payload=["brand"]))
    assert hits and all(set(h.payload) == {"brand"} for h in hits)
    bare = index.query(HybridQuery(dense=None, sparse=Bm25Encoder().query(text), limit=3, with_payload=False))
    assert bare and all(h.payload == {} for h in bare)
