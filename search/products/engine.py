"""Product search: understand the question, filter and rank in one Qdrant query, verify every hit.

    with Engines.open(settings, need=["products"]) as engines:   # conseil.search.engines
        response = engines.product_engine().search(SearchRequest(query="champú sin sulfatos"))

or `ProductSearch(index, embedder, kb)` on any `IndexReader`, or `ProductSearch.from_store(...)`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from conseil.search.cache import SearchCaches
from conseil.search.embedder import Embedder
from conseil.search.errors import IndexMissingError, QueryError
from conseil.search.index.contract import Filter, Hit, HybridQuery, IndexReader, MatchAny
from conseil.search.index.schema import PRODUCTS_COLLECTION
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import CollectionSource, missing_index_message, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import fold
from conseil.search.products.contract import (
    FacetsResponse,
    FacetValue,
    ProductHit,
    SearchRequest,
    SearchResponse,
)
from conseil.search.products.currency import CurrencyRates, in_catalog_currency
from conseil.search.products.describe import describe
from conseil.search.products.filters import build_filter
from conseil.search.products.labels import category_labels, claim_labels, facet_label
from conseil.search.products.payloads import with_payloads
from conseil.search.products.popularity import SORT_POOL, popularity, sort_hits
from conseil.search.products.verify import IngredientItem, audit_warnings, ingredient_items, verify
from conseil.search.query import Constraints, Interpretation, QueryVocabulary, merge_explicit, parse_query
from conseil.search.query.gloss import english_gloss
from conseil.search.query.ignored import nothing_usable, with_unusable_words
from conseil.search.query.messages import concern_name, message, skin_type_name
from conseil.search.query.vocabulary import guess_language

log = logging.getLogger("conseil.search")

FACETS = {"brand": "brand", "category": "category", "skin_type": "skin_types"}
# Payload a hit needs: loading whole payloads (ingredient names, extras...) costs more than the query.
HIT_FIELDS = ("product_id", "source", "name", "brand", "category_path", "price", "currency", "skin_types",
              "skin_types_origin", "concerns", "claims", "audit", "ingredient_items", "extra")
# Extra hits fetched so that a hit dropped by verification does not shorten the page.
VERIFY_MARGIN = 5
ITEMS_MEMO_SIZE = 50_000  # products whose derived ingredient items are kept (content-checked)
# What the understanding of a request depends on: not its page, ranking, sort or facets flag, so the
# page's facets request (the same body, right after its search) reuses the search's understanding.
UNDERSTOOD_FROM = {"query", "language", "exclude", "include", "skin_type", "concern", "category", "brand",
                   "price_min", "price_max", "parse"}


def retrieval_text(interp: Interpretation) -> str:
    """What is embedded and BM25-matched: the semantic text plus, for a query in another language,
    its English gloss, since the default model and the catalog's texts are English."""
    semantic = interp.semantic_text.strip()
    if interp.language == "en" or not semantic:
        return semantic
    gloss = english_gloss(semantic, interp.language)
    return f"{semantic} {gloss}".strip()


class ProductSearch:
    """`caches`: only for an owner that calls `caches.invalidate()` whenever the index changes (the
    server); without them every search computes everything."""

    def __init__(self, index: IndexReader, embedder: Embedder, kb: IngredientKnowledge,
                 caches: SearchCaches | None = None, rates: CurrencyRates | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.kb = kb
        self.caches = caches
        self.bm25 = Bm25Encoder()
        self.violations_dropped = 0  # verification failures: should stay 0; exported as a metric
        self.rates = rates  # the user's currency rate table: a query price in another currency is converted
        # point id -> (KB, stored items, derived items): reused only while the KB object and the stored
        # items are equal, so it needs no invalidation (the server's generation-keyed cache does).
        self._items_memo: dict[str, tuple[IngredientKnowledge, Any, list[IngredientItem]]] = {}
        self.vocabulary = self._vocabulary()
        self.currencies = self._currencies()
        self._catalog_words: dict[str, bool] = {}  # folded word -> a product contains it (BM25)

    @classmethod
    def from_store(cls, store: CollectionSource, embedder: Embedder, kb: IngredientKnowledge,
                   caches: SearchCaches | None = None, rates: CurrencyRates | None = None) -> ProductSearch:
        """On the products collection of an open store; IndexMissingError when it does not exist."""
        dense_size = store.dense_size(PRODUCTS_COLLECTION)
        if dense_size is None:
            raise IndexMissingError(missing_index_message(PRODUCTS_COLLECTION, store.settings))
        return cls(store.collection(products_schema(dense_size), create=False), embedder, kb, caches,
                   rates=rates)

    def _vocabulary(self) -> QueryVocabulary:
        categories = {fold(str(v)): str(v) for v, _ in self.index.facet("category", limit=5000)}
        brands = {fold(str(v)): str(v) for v, _ in self.index.facet("brand_key", limit=5000)}
        return QueryVocabulary(categories=categories, brands=brands)

    def _currencies(self) -> tuple[str, ...]:
        return tuple(str(v) for v, _ in self.index.facet("currency", limit=50))

    def refresh_vocabulary(self) -> None:
        self.vocabulary = self._vocabulary()
        self.currencies = self._currencies()
        self._catalog_words = {}

    def _catalog_knows(self, word: str) -> bool:
        """Does any product's text contain `word` (BM25 tokens)? A stop word (no token) counts as known."""
        key = fold(word)
        known = self._catalog_words.get(key)
        if known is None:
            sparse = self.bm25.query(word)
            known = not sparse.indices or bool(self.index.query(HybridQuery(
                dense=None, sparse=sparse, limit=1, prefetch_limit=1, with_payload=False)))
            if len(self._catalog_words) >= 50_000:
                self._catalog_words = {}  # bounded: a long-running server sees many distinct words
            self._catalog_words[key] = known
        return known

    def interpret(self, req: SearchRequest) -> Interpretation:
        """The request understood; a QueryError carries the language its client sentence is in."""
        try:
            return self._interpret(req)
        except QueryError as exc:
            if exc.language is None:
                text = req.query.strip()
                exc.language = req.language or (guess_language(text, fold(text).split()) if text else "en")
            raise

    def _interpret(self, req: SearchRequest) -> Interpretation:
        text = req.query.strip()
        explicit = any([req.exclude, req.include, req.skin_type, req.concern, req.category, req.brand,
                        req.price_min is not None, req.price_max is not None])
        if not text and not explicit:
            raise QueryError("The query is empty: type what the client is looking for, or give constraints "
                             "such as --exclude parabens.", key="error_query_empty")
        if text and req.parse:
            interp = parse_query(text, self.kb, self.vocabulary)
        else:
            interp = Interpretation(query=text, language="en", semantic_text=text, constraints=Constraints(),
                                    chips=(), warnings=())
        if explicit:
            interp = merge_explicit(interp, self.kb, exclude=req.exclude, include=req.include,
                                    skin_types=req.skin_type, concerns=req.concern, categories=req.category,
                                    brands=req.brand, price_min=req.price_min, price_max=req.price_max,
                                    vocabulary=self.vocabulary)
        c = interp.constraints
        if c.price_min is not None and c.price_max is not None and c.price_min > c.price_max:
            raise QueryError(f"The price range is empty: minimum {c.price_min:g} is above maximum {c.price_max:g}.",
                             key="error_price_range", min=f"{c.price_min:g}", max=f"{c.price_max:g}")
        return in_catalog_currency(interp, self.currencies, self.rates, req.language or interp.language)

    def search(self, req: SearchRequest, *, looked_up: bool = False) -> SearchResponse:
        """`looked_up`: the caller has just called `cached(req)` and missed (counted once, not twice)."""
        response = None if looked_up else self.cached(req)
        if response is not None:
            return response
        stable = self.caches is not None and self.caches.usable()
        key = self._response_key(req) if stable else None
        response = self._search(req, stable)
        if self.caches is not None and key is not None:
            self.caches.responses.put(key, response)
        return response

    def _response_key(self, req: SearchRequest) -> tuple[int, str] | None:
        return (self.caches.generation, req.model_dump_json()) if self.caches is not None else None

    def cached(self, req: SearchRequest) -> SearchResponse | None:
        """The answer to this very request on the current index, if one is cached (microseconds: the
        server calls it on its event loop). Safe without the search lock: entries are stored only under
        it, keyed with the generation every index write moves."""
        if self.caches is None or not self.caches.usable():
            return None
        began = time.perf_counter()
        hit: SearchResponse | None = self.caches.responses.get(self._response_key(req))
        if hit is None:
            return None
        return hit.model_copy(update={"took_ms": round((time.perf_counter() - began) * 1000, 2)})

    def _search(self, req: SearchRequest, stable: bool) -> SearchResponse:
        began = time.perf_counter()
        interp, language = self._understood(req, stable)  # language: of every text the client reads
        if nothing_usable(interp):  # "xyzzy plugh": no products rather than the whole catalogue by chance
            interp = replace(interp, warnings=interp.warnings + (message(language, "nothing_usable"),))
            return SearchResponse(
                query=req.query, interpretation=describe(interp, self.kb, language), hits=[], facets={}, total=0,
                limit=req.limit, offset=req.offset, took_ms=round((time.perf_counter() - began) * 1000, 2),
                dropped_violations=self.violations_dropped, message=message(language, "nothing_usable"))
        flt = build_filter(interp.constraints)
        semantic = retrieval_text(interp)
        dense = self._embed_query(semantic) if semantic and req.mode != "bm25" else None
        sparse = self.bm25.query(semantic) if semantic and req.mode != "dense" else None
        want = req.limit + VERIFY_MARGIN
        c = interp.constraints
        fields = HIT_FIELDS + (("ingredients_raw",) if c.exclude_ingredients or c.include_ingredients else ())
        # Sorted by price or rating: the most relevant SORT_POOL products, re-ordered, then paged.
        sorting = req.sort != "relevance"
        limit, offset = (SORT_POOL + VERIFY_MARGIN, 0) if sorting else (want, req.offset)
        ranked = self.index.query(HybridQuery(
            dense=dense, sparse=sparse, filter=flt, limit=limit, offset=offset, fusion=req.fusion,
            prefetch_limit=max(100, 4 * (offset + limit)), with_payload=False))
        # Payloads of the page's own candidates first (search/products/payloads.py). Exclusions order
        # the fully verified candidates first and sorting re-orders them all: those need every one.
        whole = sorting or bool(c.exclude_families or c.exclude_ingredients)
        first = ranked if whole else ranked[: req.limit]
        verified, dropped = self._verified(self._payloads(first, fields, stable), c, stable, language,
                                           strict=req.strict)
        if len(verified) < req.limit and len(first) < len(ranked):  # a candidate failed: the margin's turn
            more, more_dropped = self._verified(self._payloads(ranked[len(first):], fields, stable), c, stable,
                                                language, strict=req.strict)
            verified, dropped = verified + more, dropped + more_dropped
        if sorting:
            ordered = sort_hits(verified[:SORT_POOL], req.sort, lambda h: h.price, lambda h: h.rating)
            hits = ordered[req.offset: req.offset + req.limit]
        else:
            hits = verified[: req.limit]
        total = self._count(flt, stable)
        facets = self._labelled(self._facets(flt, stable), language) if req.facets else {}
        return SearchResponse(
            query=req.query, interpretation=describe(interp, self.kb, language), hits=hits, facets=facets, total=total,
            limit=req.limit, offset=req.offset, took_ms=round((time.perf_counter() - began) * 1000, 2),
            dropped_violations=dropped,  # this query's; the process total is a metric
            message=message(language, "no_results") if not hits and req.offset == 0 else "")

    def facets(self, req: SearchRequest) -> FacetsResponse:
        """The request's facets and total alone (no embedding, no ranking): a page asks for its hits
        with `facets=False` and for these beside them, so the first results never wait for facets."""
        stable = self.caches is not None and self.caches.usable()
        interp, language = self._understood(req, stable)
        if nothing_usable(interp):  # as `search`: no products rather than the whole catalogue
            return FacetsResponse(facets={}, total=0)
        flt = build_filter(interp.constraints)
        return FacetsResponse(facets=self._labelled(self._facets(flt, stable), language),
                              total=self._count(flt, stable))

    def _understood(self, req: SearchRequest, stable: bool) -> tuple[Interpretation, str]:
        """The request understood (parsed, untagged skin types relaxed, unusable words set aside) and the
        language of its texts; kept while the index is stable, keyed by what it depends on (the KB and
        vocabulary objects included: a refreshed vocabulary is a new object)."""
        if self.caches is None or not stable:
            return self._understand(req, stable)
        key = (self.caches.generation, "understood", self.kb.version, id(self.kb), id(self.vocabulary),
               req.model_dump_json(include=UNDERSTOOD_FROM))
        understood: tuple[Interpretation, str] | None = self.caches.filters.get(key)
        if understood is None:
            understood = self._understand(req, stable)
            self.caches.filters.put(key, understood)
        return understood

    def _understand(self, req: SearchRequest, stable: bool) -> tuple[Interpretation, str]:
        interp = self.interpret(req)
        language = req.language or interp.language
        interp = self._relax_if_untagged(interp, stable, language)
        return with_unusable_words(interp, self._catalog_knows), language

    def _payloads(self, hits: list[Hit], fields: tuple[str, ...], stable: bool) -> list[Hit]:
        return with_payloads(self.index, hits, fields, self.caches if stable else None, HIT_FIELDS)

    def _embed_query(self, text: str) -> list[float]:
        """Query vectors depend only on the model and the exact text embedded."""
        if self.caches is None:
            return self.embedder.embed_query(text)
        key = (self.embedder.name, self.embedder.query_prefix, text)
        vector = self.caches.embeddings.get(key)
        if vector is None:
            vector = self.embedder.embed_query(text)
            self.caches.embeddings.put(key, vector)
        return vector

    def _count(self, flt: Filter, stable: bool) -> int:
        if self.caches is None or not stable:
            return self.index.count(flt)
        key = (self.caches.generation, "count", flt)
        total: int | None = self.caches.filters.get(key)
        if total is None:
            total = self.index.count(flt)
            self.caches.filters.put(key, total)
        return total

    def _facets(self, flt: Filter, stable: bool) -> dict[str, list[FacetValue]]:
        """Facets are counted over the filtered set: they depend on the filter, not on the query text."""
        key = (self.caches.generation, "facets", flt) if self.caches is not None and stable else None
        if self.caches is not None and key is not None:
            cached: dict[str, list[FacetValue]] | None = self.caches.filters.get(key)
            if cached is not None:
                return {name: list(values) for name, values in cached.items()}
        facets = {name: [FacetValue(value=str(v), count=n) for v, n in self.index.facet(field, flt, limit=15)]
                  for name, field in FACETS.items()}
        if self.caches is not None and key is not None:
            self.caches.filters.put(key, facets)
        return facets

    def _labelled(self, facets: dict[str, list[FacetValue]], language: str) -> dict[str, list[FacetValue]]:
        """Facets with labels in `language` (counts are cached per filter, labels added per response)."""
        return {name: [FacetValue(value=v.value, count=v.count, label=facet_label(name, v.value, self.kb, language))
                       for v in values] for name, values in facets.items()}

    def _items(self, hit: Hit, stable: bool) -> list[IngredientItem]:
        """The hit's ingredient items with families from the current KB, memoised per point while the
        index is stable (verification itself still runs on every hit)."""
        if self.caches is None or not stable:
            return self._memo_items(hit)
        key = (self.caches.generation, self.kb.version, id(self.kb), hit.id)
        items: list[IngredientItem] | None = self.caches.items.get(key)
        if items is None:
            items = ingredient_items(hit.payload, self.kb)
            self.caches.items.put(key, items)
        return items

    def _card(self, hit: Hit, stable: bool, language: str) -> dict[str, Any]:
        """What the hit shows whatever the constraints (its fields, labels in `language`, audit warnings,
        rating...), kept per product and language while the index is stable (measured in process: 0.30 ->
        0.02 ms a page of 10). The verdict's parts (why, ingredients...) are never kept."""
        if self.caches is None or not stable:
            return self._build_card(hit.payload, language)
        key = (self.caches.generation, self.kb.version, id(self.kb), hit.id, language)
        card: dict[str, Any] | None = self.caches.cards.get(key)
        if card is None:
            card = self._build_card(hit.payload, language)
            self.caches.cards.put(key, card)
        return card

    def _build_card(self, p: dict[str, Any], language: str) -> dict[str, Any]:
        return dict(
            id=str(p.get("product_id")), source=str(p.get("source")), name=str(p.get("name")),
            brand=p.get("brand"), category=list(p.get("category_path") or []),
            category_labels=category_labels(p.get("category_path") or (), language), price=p.get("price"),
            currency=p.get("currency"), skin_types=list(p.get("skin_types") or []),
            concerns=list(p.get("concerns") or []), claims=list(p.get("claims") or []),
            claim_labels=claim_labels(p.get("claims") or (), self.kb, language),
            warnings=audit_warnings(p, self.kb, language), **popularity(p.get("extra")))

    def _memo_items(self, hit: Hit) -> list[IngredientItem]:
        """Verification fast path without the server's caches: re-deriving families costs ~0.2 ms a hit,
        comparing the stored items with the memoised ones a few microseconds."""
        stored = hit.payload.get("ingredient_items")
        known = self._items_memo.get(hit.id)
        if known is not None and known[0] is self.kb and known[1] == stored:
            return known[2]
        items = ingredient_items(hit.payload, self.kb)
        if len(self._items_memo) >= ITEMS_MEMO_SIZE:
            self._items_memo.clear()
        self._items_memo[hit.id] = (self.kb, stored, items)
        return items

    def _relax_if_untagged(self, interp: Interpretation, stable: bool = False, language: str = "en") -> Interpretation:
        """Skin types and concerns come from brand tags that many products lack (no Sephora product is
        tagged for sensitive skin). When a requested tag matches no product at all, it ranks instead of
        filtering, and the response says so. Exclusions are never relaxed."""
        c = interp.constraints
        untagged = [(kind, value) for kind, values in (("skin_types", c.skin_types), ("concerns", c.concerns))
                    for value in values if self._count(Filter(must=(MatchAny(kind, (value,)),)), stable) == 0]
        if not untagged:
            return interp
        dropped = {value for _, value in untagged}
        relaxed = replace(c, skin_types=tuple(v for v in c.skin_types if v not in dropped),
                          concerns=tuple(v for v in c.concerns if v not in dropped))
        words = " ".join(f"{v.replace('_', ' ')} skin" if kind == "skin_types" else v.replace("_", " ")
                         for kind, v in untagged)
        notes = tuple(message(language, "relaxed", x=repr(v.replace("_", " ") if language == "en" else (
            skin_type_name(self.kb, v, language) if kind == "skin_types" else concern_name(self.kb, v, language))))
            for kind, v in untagged)
        return replace(interp, constraints=relaxed, semantic_text=f"{interp.semantic_text} {words}".strip(),
                       warnings=interp.warnings + notes)

    def _verified(self, raw_hits: list[Hit], constraints: Constraints, stable: bool = False,
                  language: str = "en", strict: bool = False) -> tuple[list[ProductHit], int]:
        """Verified hits, and how many failed verification. With exclusions, hits with unidentified items
        come after the fully verified ones (a stable partition of this page's candidates), or are left
        out in strict mode (not counted as dropped: they are not violations)."""
        excluding = bool(constraints.exclude_families or constraints.exclude_ingredients)
        hits: list[ProductHit] = []
        dropped = 0
        for hit in raw_hits:
            p = hit.payload
            verdict = verify(p, constraints, self.kb, self._items(hit, stable), language)
            if not verdict.ok:
                dropped += 1
                self.violations_dropped += 1
                log.error("dropped %s (%s): the index returned it but it %s", p.get("product_id"),
                          p.get("name"), "; ".join(verdict.violations))
                continue
            if excluding and strict and verdict.unidentified:
                continue  # strict mode: an exclusion that cannot be verified item by item is not offered
            hits.append(ProductHit(
                **self._card(hit, stable, language), score=round(hit.score, 6), why=verdict.why,
                ingredients=verdict.ingredients, matched_families=verdict.matched_families,
                unidentified=verdict.unidentified, matched_ingredients=verdict.matched_ingredients))
        if excluding:
            hits.sort(key=lambda h: bool(h.unidentified))  # stable: relevance order kept within each part
        return hits, dropped
