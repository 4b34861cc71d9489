"""The one object that opens the engines: product search, study search and the answer service.

    with Engines.open(settings, need=["products"]) as engines:     # a CLI command, an evaluation
        response = engines.product_engine().search(request)

    engines = Engines(settings, store, embedder, kb, caches)        # the server, on its own Store
    ...
    engines.open_available()                                        # after an ingestion job

Each engine opens on whichever collection exists; a missing one is not fatal here: asking for its
engine raises IndexMissingError naming the command that builds it (the server still starts, and an
admin can build the collection over HTTP). The answer service looks the engines up per question, so
an engine that appears after a job is answered from at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

from conseil.search.answers.service import AskService
from conseil.search.cache import SearchCaches
from conseil.search.embedder import Embedder, load_embedder
from conseil.search.errors import IndexDamagedError, IndexMissingError
from conseil.search.index.schema import PRODUCTS_COLLECTION, STUDIES_COLLECTION
from conseil.search.index.store import CollectionSource, missing_index_message, open_store, stored_dense_size
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.currency import load_rates
from conseil.search.products.engine import ProductSearch
from conseil.search.settings import Settings
from conseil.search.studies.engine import StudySearch

log = logging.getLogger("conseil.search")

class Engines:
    """The engines of one process over one open store, sharing one embedder and knowledge base.

    `products` and `studies` are None until their collection exists (and is one of `collections`);
    `product_engine()` and `study_engine()` return them or raise IndexMissingError. `caches`: only
    for an owner that invalidates them whenever the index changes (the server).
    """

    def __init__(self, settings: Settings, store: CollectionSource, embedder: Embedder, kb: IngredientKnowledge,
                 caches: SearchCaches | None = None, *,
                 collections: Sequence[str] = (PRODUCTS_COLLECTION, STUDIES_COLLECTION),
                 study_embedder: Embedder | None = None) -> None:
        """`collections`: the ones this process may search (a products-only command does not pay for
        opening the studies). `study_embedder`: the studies' model when it is not `embedder`'s
        (`Settings.studies_embedding_model`)."""
        self.settings = settings
        self.collections = tuple(collections)
        self.store = store
        self.embedder = embedder
        self.study_embedder = study_embedder or embedder
        self.kb = kb
        self.caches = caches
        self.products: ProductSearch | None = None
        self.studies: StudySearch | None = None
        self.open_errors: dict[str, str] = {}  # collection -> why it could not be opened (damaged files)
        self.open_available()

    @cached_property
    def answers(self) -> AskService:
        """Built on first use: a configured LLM's client (llama-index) loads only for questions."""
        return AskService.from_settings(self.settings, self.kb, products=self.product_engine,
                                        studies=self.study_engine, embedder=self.embedder)

    def open_available(self) -> None:
        """Open whichever collections exist and are not open yet (the caller serialises this with
        anything else that mutates the store). A damaged collection is recorded in `open_errors`, not raised: the other one still serves, and
        its engine accessor says why it cannot."""
        try:
            if self.products is None and self._openable(PRODUCTS_COLLECTION):
                rates = load_rates(self.settings.currency_rates) if self.settings.currency_rates else None
                self.products = ProductSearch.from_store(self.store, self.embedder, self.kb, self.caches,
                                                         rates=rates)
                self.open_errors.pop(PRODUCTS_COLLECTION, None)
        except IndexDamagedError as exc:
            self.open_errors[PRODUCTS_COLLECTION] = str(exc)
            log.error("%s", exc)
        try:
            if self.studies is None and self._openable(STUDIES_COLLECTION):
                self.studies = StudySearch.from_store(self.store, self.study_embedder)
                self.open_errors.pop(STUDIES_COLLECTION, None)
        except IndexDamagedError as exc:
            self.open_errors[STUDIES_COLLECTION] = str(exc)
            log.error("%s", exc)

    def _openable(self, collection: str) -> bool:
        return collection in self.collections and self.store.dense_size(collection) is not None

    def product_engine(self) -> ProductSearch:
        if self.products is None and PRODUCTS_COLLECTION in self.open_errors:
            raise IndexDamagedError(self.open_errors[PRODUCTS_COLLECTION])
        if self.products is None:
            raise IndexMissingError(missing_index_message(PRODUCTS_COLLECTION, self.settings))
        return self.products

    def study_engine(self) -> StudySearch:
        if self.studies is None and STUDIES_COLLECTION in self.open_errors:
            raise IndexDamagedError(self.open_errors[STUDIES_COLLECTION])
        if self.studies is None:
            raise IndexMissingError(missing_index_message(STUDIES_COLLECTION, self.settings))
        return self.studies

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, *, need: Sequence[str] = (),
             embedder_factory: Callable[[], Embedder] | None = None,
             study_embedder_factory: Callable[[], Embedder] | None = None) -> Iterator[Engines]:
        """For a process of its own (the CLI, an evaluation): lock the index for the block, load the
        model and the knowledge base, open the collections in `need` (all that exist when empty).

        A collection named in `need` that does not exist raises IndexMissingError before the lock is
        taken and the model loads (seconds saved on a mistyped data directory). The studies get their
        own model when the settings give them another one; an injected `embedder_factory` (tests)
        serves both unless `study_embedder_factory` is given too.
        """
        for collection in need:
            if stored_dense_size(settings, collection) is None:
                raise IndexMissingError(missing_index_message(collection, settings))
        with open_store(settings) as store:
            embedder = embedder_factory() if embedder_factory is not None else load_embedder(settings)
            collections = tuple(need) or (PRODUCTS_COLLECTION, STUDIES_COLLECTION)
            study_embedder = None
            if study_embedder_factory is not None:
                study_embedder = study_embedder_factory()
            elif (embedder_factory is None and STUDIES_COLLECTION in collections
                  and settings.model_for(STUDIES_COLLECTION) != embedder.name
                  and store.dense_size(STUDIES_COLLECTION) is not None):
                study_embedder = load_embedder(settings, STUDIES_COLLECTION)
            yield cls(settings, store, embedder, IngredientKnowledge.load(), collections=collections,
                      study_embedder=study_embedder)
