"""The two engines end to end: the demo catalog ingested and searched on both, same results.

Embedded Qdrant Edge vs the server backend on qdrant-client's local mode (`CONSEIL_QDRANT_URL=local`,
kept on disk between the ingest and the searches),
through the real ingest pipeline and `ProductSearch`: interpretation, totals, facets, and hits with
their scores. Tie caveat (see tests/test_index_conformance.py): ranked lists compare as groups of
equal scores; and when a prefetch ranking itself holds an exact tie (BM25 often scores two product
names alike), each engine orders the tied points its own way, which changes their fused RRF/DBSF
scores. Such queries check every rank input and the candidates instead of the fused order; the
test asserts that most queries are compared hit by hit, and prints how many.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conseil.search.embedder import Embedder
from conseil.search.index.contract import ForwardingIndex, Hit, HybridQuery, VectorIndex
from test_index_conformance import MODEL, as_pairs, groups, tie_free_embedder

pytestmark = [pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning"), pytest.mark.index]

DEMO_QUERIES: list[dict[str, Any]] = [
    {"query": "shampoo without sulfates"},
    {"query": "moisturizer without parabens or fragrance for dry skin"},
    {"query": "serum without parabens or fragrance for dry skin"},
    {"query": "sérum sans silicones ni parfum pour peau sensible"},
    {"query": "crème sans silicones pour peau sèche"},
    {"query": "champú sin sulfatos"},
    {"query": "crema senza profumo per pelle secca"},
    {"query": "Creme ohne Parabene"},
    {"query": "krem bez parabenów"},
    {"query": "šampon bez sulfátů"},
    {"query": "sunscreen for sensitive skin"},
    {"query": "vitamin c serum under $40"},
    {"query": "conditioner", "exclude": ["sulfates"], "limit": 20},
    {"query": "cleanser", "exclude": ["fragrance", "essential_oils"]},
    {"query": "with niacinamide"},
    {"query": "retinol night cream", "price_max": 60},
    {"query": "hair oil without silicones"},
    {"query": "toner without drying alcohols for oily skin"},
    {"query": "mineral sunscreen", "mode": "dense"},
    {"query": "mineral sunscreen", "mode": "bm25"},
    {"query": "moisturizer", "fusion": "dbsf"},
    {"query": "moisturizer", "offset": 5, "limit": 5},
    {"query": "", "exclude": ["parabens"], "category": ["moisturizers"]},
    {"query": "lip balm", "exclude": ["mineral_oils", "fragrance"]},
    {"query": "eye cream for dark circles"},
]


def ranked_groups_of(response: Any) -> list[frozenset[str]]:
    return groups([(h.id, h.score) for h in response.hits])


def comparable(response: Any) -> dict[str, Any]:
    """Everything a caller sees but the timing and the hits (compared as ranked groups)."""
    data = response.model_dump()
    data.pop("took_ms", None)
    data.pop("hits")
    return data


class RecordingIndex(ForwardingIndex):
    """Passes everything through, remembering the last Query API request the engine sent."""

    def __init__(self, inner: VectorIndex) -> None:
        super().__init__(inner)
        self.last: HybridQuery | None = None

    def query(self, request: HybridQuery) -> list[Hit]:
        self.last = request
        return self.inner.query(request)


def prefetch_rankings(index: VectorIndex, request: HybridQuery) -> list[list[tuple[str, float]]]:
    """The dense and the sparse ranking the fused request was built from, each on its own."""
    out = []
    for dense, sparse in ((request.dense, None), (None, request.sparse)):
        if dense is None and (sparse is None or not sparse.indices):
            continue
        hits = index.query(HybridQuery(dense=dense, sparse=sparse, filter=request.filter,
                                       limit=request.prefetch_limit, with_payload=False))
        out.append(as_pairs(hits))
    return out


def search_both(tmp_path: Path, embedder_factory: Callable[[], Embedder], model: str,
                queries: list[dict[str, Any]]) -> list[list[tuple[Any, list[list[tuple[str, float]]]]]]:
    """Per backend, per query: the response and the prefetch rankings behind it."""
    from conseil.api.cli import demo_catalog_path
    from conseil.ingest.products import ingest_products
    from conseil.search.index.store import open_index, products_schema, stored_dense_size
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.products.contract import SearchRequest
    from conseil.search.products.engine import ProductSearch
    from conseil.search.settings import Settings

    kb = IngredientKnowledge.load()
    embedder = embedder_factory()
    results = []
    for name, url in [("edge", None), ("client-local", "local")]:
        settings = Settings(data_dir=tmp_path / name, embedding_model=model, qdrant_url=url)
        report = ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=lambda: embedder,
                                 kb=kb)
        assert report.rows_read >= 100
        size = stored_dense_size(settings, "products")
        assert size == embedder.dimension, "the dense size is read back from either backend"
        with open_index(settings, products_schema(size), create=False) as index:
            recorder = RecordingIndex(index)
            engine = ProductSearch(recorder, embedder, kb)
            runs = []
            for q in queries:
                response = engine.search(SearchRequest(**q))
                assert recorder.last is not None
                runs.append((response, prefetch_rankings(index, recorder.last)))
            results.append(runs)
    return results


def assert_congruent(edge: list[Any], memory: list[Any]) -> int:
    """Both engines agree; returns how many fused rankings were compared strictly (see below)."""
    strict = 0
    for q, (a, a_pre), (b, b_pre) in zip(DEMO_QUERIES, edge, memory, strict=True):
        assert comparable(a) == comparable(b), q  # interpretation, total, facets
        # Each ranking the engine fuses is the same on both, up to the order of exact ties.
        assert [groups(r) for r in a_pre] == [groups(r) for r in b_pre], q
        tied = any(len(g) > 1 for r in a_pre for g in groups(r))
        if len(a_pre) == 1 or not tied:
            # Same ids in the same order (ties as groups), same scores.
            assert ranked_groups_of(a) == ranked_groups_of(b), (q, as_pairs(a.hits), as_pairs(b.hits))
            # DBSF normalises scores with each engine's own float arithmetic: last digits may differ.
            assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], abs=2e-4), q
            strict += 1
        else:
            # A tie inside a prefetch: each engine ranks the tied points in its own order, which
            # changes their RRF/DBSF scores; the candidates and every rank input agree (above).
            from conseil.search.index.schema import point_id

            hit_ids = {point_id(h.source, h.id) for h in [*a.hits, *b.hits]}
            assert hit_ids <= {i for r in a_pre for i, _ in r}, q
    assert sum(len(r.hits) for r, _ in edge) >= 100, "the queries return enough hits for the check to mean much"
    return strict


def test_demo_catalog_searches_agree_fake_embedder(tmp_path: Path) -> None:
    edge, memory = search_both(tmp_path, tie_free_embedder, MODEL, DEMO_QUERIES)
    strict = assert_congruent(edge, memory)
    print(f"fake embedder: {strict}/{len(DEMO_QUERIES)} queries compared hit by hit")
    assert strict >= len(DEMO_QUERIES) // 2, "most queries have tie-free rankings"


@pytest.mark.model
def test_demo_catalog_searches_agree_real_model(tmp_path: Path) -> None:
    from conseil.search.embedder import load_embedder
    from conseil.search.settings import Settings

    settings = Settings(data_dir=tmp_path)
    edge, memory = search_both(tmp_path, lambda: load_embedder(settings), settings.embedding_model, DEMO_QUERIES)
    strict = assert_congruent(edge, memory)
    print(f"real model: {strict}/{len(DEMO_QUERIES)} queries compared hit by hit")
    assert strict >= len(DEMO_QUERIES) // 2, "most queries have tie-free rankings"
