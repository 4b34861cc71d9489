"""Search caches: bounded LRU with counters; keys that never mix models, filters or index states;
invalidation whenever the server's index is written (an ingestion job), observed over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import auth, demo_data, make_app
from conftest import HashBackend, fake_embedder
from conseil.api.auth import Role
from conseil.api.cli import demo_catalog_path
from conseil.api.index_rwlock import GuardedIndex
from conseil.api.runtime import InvalidatingLock
from conseil.ingest.products import ingest_products
from conseil.search.cache import LruCache, SearchCaches
from conseil.search.embedder import Embedder
from conseil.search.index.contract import HybridQuery, VectorIndex
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index

ADMIN, ADVISOR = auth(Role.ADMIN), auth(Role.ADVISOR)


class CountingBackend(HashBackend):
    """Hash vectors, counting the texts embedded; `salt` makes a different "model"."""

    def __init__(self, salt: str = "") -> None:
        super().__init__(32)
        self.salt = salt
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return super().embed([f"{self.salt} {t}" for t in texts])


def embedder(name: str, backend: CountingBackend) -> Embedder:
    return Embedder(backend, name=name, dimension=32, batch_size=16)


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, kb: IngredientKnowledge) -> Iterator[VectorIndex]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("cache") / "data", embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    with open_index(settings, products_schema(32), create=False) as opened:
        yield opened


def comparable(response: Any) -> dict[str, Any]:
    """The answer without its timing; hits of equal fused score in a fixed order (the engine breaks
    RRF ties arbitrarily, with or without caches)."""
    dumped = response.model_dump(exclude={"took_ms"})
    dumped["hits"] = sorted(dumped["hits"], key=lambda h: (-h["score"], h["id"]))
    return dict(dumped)


# -- the LRU itself --------------------------------------------------------------------------------

def test_lru_evicts_the_least_recently_used_and_counts_hits_and_misses() -> None:
    cache: LruCache[int] = LruCache("t", 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent: "b" goes first
    cache.put("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries, stats.capacity) == (3, 1, 2, 2)


def test_lru_of_capacity_zero_keeps_nothing_and_negative_is_refused() -> None:
    cache: LruCache[int] = LruCache("off", 0)
    cache.put("a", 1)
    assert cache.get("a") is None and len(cache) == 0
    with pytest.raises(ValueError, match="capacity"):
        LruCache("bad", -1)


def test_invalidate_clears_every_cache_and_moves_the_generation() -> None:
    caches = SearchCaches()
    for cache in caches.all():
        cache.put("k", 1)
    caches.invalidate()
    assert caches.generation == 1
    assert all(len(cache) == 0 for cache in caches.all())


# -- keys ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("responses", [2048, 0], ids=["whole-answers", "parts-only"])
def test_cached_answers_equal_uncached_ones(index: VectorIndex, kb: IngredientKnowledge, responses: int) -> None:
    """Different filters never share totals or facets; repeats are answered from the caches, identical."""
    plain = ProductSearch(index, fake_embedder(), kb)
    caches = SearchCaches(responses=responses)
    cached = ProductSearch(index, fake_embedder(), kb, caches)
    requests = [SearchRequest(query=q) for q in (
        "serum without parabens", "serum without silicones", "shampoo without sulfates", "cream for dry skin",
        "serum", "serum without parabens under $20")] + [SearchRequest(query="serum", exclude=["fragrance"]),
                                                        SearchRequest(query="serum", offset=5, facets=False)]
    for _ in range(2):  # second round: from the caches
        for request in requests:
            assert comparable(cached.search(request)) == comparable(plain.search(request)), request.query
    assert caches.responses.hits == (len(requests) if responses else 0)
    assert caches.filters.hits > 0 and caches.items.hits > 0 and caches.embeddings.hits > 0
    assert caches.payloads.hits > 0 or responses, "repeated hits take their payload from the cache"
    assert caches.cards.hits > 0, "a product shown again takes its labels from the cache"
    facets = {json.dumps(cached.search(r).facets, default=str, sort_keys=True) for r in requests[:4]}
    assert len(facets) == 4, "four different filters, four different facet sets"


def test_a_different_model_never_gets_another_models_vector(index: VectorIndex, kb: IngredientKnowledge) -> None:
    caches = SearchCaches(responses=0)  # only the lower caches
    one, two = CountingBackend("one"), CountingBackend("two")
    first = ProductSearch(index, embedder("model-one", one), kb, caches)
    second = ProductSearch(index, embedder("model-two", two), kb, caches)
    first.search(SearchRequest(query="hydrating serum"))
    first.search(SearchRequest(query="hydrating serum", offset=5))
    assert one.texts == ["hydrating serum"], "the same text and model: embedded once"
    second.search(SearchRequest(query="hydrating serum"))
    assert two.texts == ["hydrating serum"], "another model embeds its own vector"
    first.search(SearchRequest(query="hydrating serums"))
    assert one.texts == ["hydrating serum", "hydrating serums"], "another text is another key"


def test_items_are_memoised_per_kb(index: VectorIndex, kb: IngredientKnowledge) -> None:
    """Families are re-derived from the engine's own KB: a second KB never reads the first's items."""
    caches = SearchCaches(responses=0)
    other_kb = IngredientKnowledge.load()
    ProductSearch(index, fake_embedder(), kb, caches).search(SearchRequest(query="serum"))
    misses = caches.items.misses
    ProductSearch(index, fake_embedder(), other_kb, caches).search(SearchRequest(query="serum"))
    assert caches.items.misses == 2 * misses


def test_cards_are_kept_per_language_and_kb(index: VectorIndex, kb: IngredientKnowledge) -> None:
    """A hit's labels are cached per language and KB: a French answer never shows an English card."""
    caches = SearchCaches(responses=0)
    engine = ProductSearch(index, fake_embedder(), kb, caches)
    request = SearchRequest(query="serum without parabens", language="en", facets=False)
    engine.search(request)
    misses = caches.cards.misses
    assert misses > 0 and caches.cards.hits == 0
    french = request.model_copy(update={"language": "fr"})
    assert comparable(engine.search(french)) == comparable(ProductSearch(index, fake_embedder(), kb).search(french))
    assert caches.cards.misses == 2 * misses, "another language: cards of its own"
    ProductSearch(index, fake_embedder(), IngredientKnowledge.load(), caches).search(request)
    assert caches.cards.misses == 3 * misses, "another KB: cards of its own"
    engine.search(request)
    assert caches.cards.hits == misses


def test_a_facets_request_after_its_search_reuses_the_understanding(index: VectorIndex,
                                                                   kb: IngredientKnowledge) -> None:
    """The page asks for a search's facets right after it, with the same body: parsed once, the same
    facets and total as an engine without caches; another text or an index change parses again."""
    caches = SearchCaches()
    engine = ProductSearch(index, fake_embedder(), kb, caches)
    parsed: list[str] = []
    interpret = engine.interpret
    engine.interpret = lambda req: parsed.append(req.query) or interpret(req)  # type: ignore[method-assign]
    request = SearchRequest(query="serum without parabens under $40", facets=False)
    engine.search(request)
    facets = engine.facets(request.model_copy(update={"facets": True, "offset": 10}))
    assert parsed == [request.query]
    assert facets == ProductSearch(index, fake_embedder(), kb).facets(request)
    engine.facets(request.model_copy(update={"query": "serum without silicones"}))
    assert parsed == [request.query, "serum without silicones"]
    caches.invalidate()
    engine.facets(request)
    assert parsed == [request.query, "serum without silicones", request.query], "an index change: parsed again"


def test_every_write_through_the_server_lock_invalidates(index: VectorIndex, kb: IngredientKnowledge) -> None:
    caches = SearchCaches()
    lock = InvalidatingLock(caches.invalidate)
    engine = ProductSearch(index, fake_embedder(), kb, caches)
    request = SearchRequest(query="serum without parabens")
    with lock.read():
        engine.search(request)
    assert len(caches.responses) == 1
    guarded = GuardedIndex(index, lock)
    guarded.flush()  # any write: upsert, payload, delete, flush
    assert caches.generation == 1 and len(caches.responses) == 0


def test_a_payload_written_through_the_server_lock_is_served_at_once(index: VectorIndex,
                                                                     kb: IngredientKnowledge) -> None:
    """Payloads come from the cache until an index write moves the generation: then the new one."""
    caches = SearchCaches(responses=0)
    lock = InvalidatingLock(caches.invalidate)
    engine = ProductSearch(index, fake_embedder(), kb, caches)
    request = SearchRequest(query="serum", facets=False)
    with lock.read():
        first = engine.search(request).hits[0]
        assert engine.search(request).hits[0].name == first.name and caches.payloads.hits > 0
    point = next(h for h in engine.index.query(HybridQuery(dense=None, sparse=engine.bm25.query("serum"), limit=50,
                                                           with_payload=["product_id"]))
                 if h.payload["product_id"] == first.id)
    original = index.retrieve([point.id])[0].payload
    guarded = GuardedIndex(index, lock)
    try:
        guarded.set_payload(point.id, {**original, "name": "Renamed Serum"})
        with lock.read():
            assert engine.search(request).hits[0].name == "Renamed Serum"
    finally:
        guarded.set_payload(point.id, original)


# -- over HTTP: an ingestion job changes the answers at once, and /metrics shows the counters -------

NEW_PRODUCT = json.dumps({"id": "CACHE-1", "name": "Quillon Paraben-Free Serum", "brand": "Quillon",
                          "category": "Skincare > Face Serums", "price": 19,
                          "ingredients": "Aqua, Glycerin, Niacinamide"}).encode() + b"\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(make_app(demo_data(tmp_path_factory, "cache-http"), static_dir=None)) as c:
        yield c


def wait_for(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120  # guards a hung job, not speed
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()
        if job["status"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def metric(client: TestClient, name: str, cache: str) -> float:
    text = client.get("/metrics").text
    line = next(x for x in text.splitlines() if x.startswith(f'{name}{{cache="{cache}"}} '))
    return float(line.split()[-1])


def test_an_ingestion_job_invalidates_answers_totals_and_facets(client: TestClient) -> None:
    body = {"query": "serum without parabens"}
    before = client.post("/v1/search/products", json=body, headers=ADVISOR).json()
    hits_before = metric(client, "conseil_cache_hits_total", "responses")
    again = client.post("/v1/search/products", json=body, headers=ADVISOR).json()
    assert metric(client, "conseil_cache_hits_total", "responses") == hits_before + 1
    assert {k: v for k, v in again.items() if k != "took_ms"} == {k: v for k, v in before.items() if k != "took_ms"}
    assert "Quillon" not in {f["value"] for f in before["facets"]["brand"]}

    job = client.post("/v1/ingest/products", headers=ADMIN,
                      files={"file": ("new.jsonl", NEW_PRODUCT, "application/octet-stream")}).json()
    assert wait_for(client, job["job_id"] if "job_id" in job else job["id"])["status"] == "succeeded"

    after = client.post("/v1/search/products", json=body, headers=ADVISOR).json()
    assert after["total"] == before["total"] + 1
    brands = {f["value"] for f in after["facets"]["brand"]}
    assert "Quillon" in brands or len(after["facets"]["brand"]) == 15, "the new brand is counted in the facets"
    assert metric(client, "conseil_cache_entries", "responses") >= 1


def test_metrics_export_every_cache(client: TestClient) -> None:
    text = client.get("/metrics").text
    for cache in ("embeddings", "filters", "items", "payloads", "cards", "responses"):
        for name in ("conseil_cache_hits_total", "conseil_cache_misses_total", "conseil_cache_entries"):
            assert f'{name}{{cache="{cache}"}}' in text


def test_settings_size_the_caches(tmp_path: Path) -> None:
    from conseil.api.config import ApiSettings

    limits = ApiSettings(api_keys_file=None, api_keys=None, cache_responses=0, cache_embeddings=7)
    with TestClient(make_app(demo_data_copy(tmp_path), api_settings=limits, static_dir=None)) as c:
        for _ in range(2):
            assert c.post("/v1/search/products", json={"query": "serum"}, headers=ADVISOR).status_code == 200
        text = c.get("/metrics").text
    assert 'conseil_cache_hits_total{cache="responses"} 0.0' in text
    assert 'conseil_cache_hits_total{cache="embeddings"} 1.0' in text


def demo_data_copy(tmp_path: Path) -> Path:
    """The demo data of the HTTP tests, ingested here (function-scoped tests cannot use the factory)."""
    data = tmp_path / "data"
    settings = Settings(data_dir=data, embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder)
    return data
