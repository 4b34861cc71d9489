"""The one engine opener (`conseil.search.engines.Engines`): real Qdrant Edge, fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_support import demo_data
from conftest import fake_embedder
from conseil.search.answers.contract import AskRequest
from conseil.search.embedder import Embedder
from conseil.search.engines import Engines
from conseil.search.errors import IndexLockedError, IndexMissingError
from conseil.search.index.store import open_store
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import SearchRequest
from conseil.search.settings import Settings
from conseil.search.studies.contract import StudySearchRequest

pytestmark = pytest.mark.index


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embedding_model="hash-test")


def test_opens_every_engine_on_one_store_with_one_embedder(tmp_path_factory: pytest.TempPathFactory) -> None:
    with Engines.open(_settings(demo_data(tmp_path_factory, "engines")), need=["products", "studies"],
                      embedder_factory=fake_embedder) as engines:
        products, studies = engines.product_engine(), engines.study_engine()
        assert products.embedder is studies.embedder is engines.embedder
        assert products.search(SearchRequest(query="serum without parabens")).hits
        assert studies.search(StudySearchRequest(query="sensitive skin", audiences=["analyst"])).hits
        answer = engines.answers.ask(AskRequest(question="what is methylparaben?"),
                                     allowed=frozenset({"ingredients"}), audiences=())
        assert answer.answered and engines.answers is engines.answers  # built once


def test_holds_the_index_lock_for_the_block(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = _settings(demo_data(tmp_path_factory, "engines-lock"))
    with Engines.open(settings, embedder_factory=fake_embedder), pytest.raises(IndexLockedError), open_store(settings):
        pass
    with open_store(settings):  # released after the block
        pass


def test_a_needed_missing_collection_fails_before_the_model_loads(tmp_path: Path) -> None:
    loads: list[int] = []

    def factory() -> Embedder:
        loads.append(1)
        return fake_embedder()

    with pytest.raises(IndexMissingError, match="conseil ingest products PATH"), \
            Engines.open(_settings(tmp_path / "data"), need=["products"], embedder_factory=factory):
        pass
    assert loads == []


def test_a_missing_collection_answers_only_when_asked_for_then_opens_once_built(tmp_path: Path) -> None:
    from conseil.ingest.studies import ingest_studies

    settings = _settings(tmp_path / "data")
    with open_store(settings) as store:
        engines = Engines(settings, store, fake_embedder(), IngredientKnowledge.load())
        with pytest.raises(IndexMissingError, match="conseil ingest studies PATH"):
            engines.study_engine()
        ingest_studies(settings, [Path(__file__).parent.parent / "corpora" / "studies"],
                       embedder_factory=fake_embedder, store=store)
        engines.open_available()
        assert engines.study_engine().search(StudySearchRequest(query="skin", audiences=["analyst"])).total > 0
        with pytest.raises(IndexMissingError, match="conseil ingest products PATH"):
            engines.product_engine()


def test_a_command_opens_only_the_collections_it_needs(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = _settings(demo_data(tmp_path_factory, "engines-need"))
    with Engines.open(settings, need=["products"], embedder_factory=fake_embedder) as engines:
        assert engines.products is not None and engines.studies is None
    with Engines.open(settings, embedder_factory=fake_embedder) as engines:
        assert engines.products is not None and engines.studies is not None
