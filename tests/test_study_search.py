"""Study search on the real Qdrant Edge engine over a few hand-made passages (fake embedder: fast).

The passages stand in for what `conseil ingest studies` stores (one point per chunk, payload as in
`search.schema`), so these tests do not depend on the ingestion being present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import fake_embedder
from conseil.search.errors import IndexMissingError, IndexSchemaError, QueryError
from conseil.search.index.contract import IndexPoint
from conseil.search.index.schema import study_point_id
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import open_store, studies_schema
from conseil.search.settings import Settings
from conseil.search.studies.contract import StudySearchRequest
from conseil.search.studies.engine import StudySearch, citation, highlight, query_keys, sparse_text

pytestmark = pytest.mark.index

MAKEUP = "Makeup Changes the Apparent Size of Facial Features"

# (doc_id, title, year, market, language, study_type, kind, audience, [(page, page_end, section, text)])
DOCS: list[tuple[str, str, int, str, str, str, str, str, list[tuple[int, int, str, str]]]] = [
    ("doc-makeup", MAKEUP, 2017, "US", "en", "peer-reviewed", "pdf", "analyst", [
        (1, 1, "Abstract", ("Across three studies eyes and eyebrows appeared larger with makeup than without "
                           "makeup. The lips did not appear larger.")),
        (3, 4, "Results", "In studies with professionally applied makeup the nose appeared smaller with makeup."),
        (6, 6, "Discussion", "Makeup modifies the apparent size of the eyes, a factor of beauty linked to age."),
    ]),
    ("doc-contrast", "Facial Contrast Is a Cue for Perceiving Health", 2016, "US", "en", "peer-reviewed", "pdf",
     "analyst", [
        (1, 1, "Abstract", ("Faces with increased facial contrast appeared healthier; makeup increases contrast "
                           "around the eyes.")),
    ]),
    ("doc-inci", "Lecture d'un étiquetage cosmétique", 2025, "FR", "fr", "course-notes", "pdf", "analyst", [
        (2, 2, "La liste INCI", ("Les ingrédients sont classés par ordre décroissant de concentration jusqu'au "
                                "seuil de 1 %. Les produits cosmétiques portent la liste INCI.")),
        (3, 3, "Allergènes", "Les allergènes parfumants doivent apparaître individuellement dans la liste."),
    ]),
    ("doc-sun", "Suncream Unmet Needs Analysis", 2025, "KR", "ko", "report", "pdf", "analyst", [
        (3, 3, "Market pain", "PILLING under makeup shows a 99% unmet rate in sunscreen reviews."),
    ]),
    ("doc-survey", "Skincare survey Malaysia 2021", 2021, "MY", "en", "survey", "survey", "analyst", [
        (1, 1, "", "On average, how much do you spend on skincare products each month? RM 50 - RM 100."),
    ]),
    ("doc-secret", "Confidential makeup launch plan", 2024, "FR", "en", "internal", "pdf", "marketing", [
        (1, 1, "Plan", "Makeup launch: eyes and eyebrows palette, larger eyes effect."),
    ]),
]


def points() -> list[IndexPoint]:
    embedder, bm25 = fake_embedder(), Bm25Encoder()
    out = []
    for doc_id, title, year, market, language, study_type, kind, audience, chunks in DOCS:
        for i, (page, page_end, section, text) in enumerate(chunks):
            payload: dict[str, Any] = {
                "doc_id": doc_id, "path": f"studies/{doc_id}.pdf", "title": title, "year": year,
                "market": market, "language": language, "page": page, "page_end": page_end,
                "section": section, "study_type": study_type, "audience": audience, "kind": kind,
                "chunk_index": i, "text": text, "content_hash": f"{doc_id}-{i}"}
            out.append(IndexPoint(id=study_point_id(doc_id, i), dense=embedder.embed_documents([text])[0],
                                  sparse=bm25.document(text), payload=payload))
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudySearch]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("studies") / "data", embedding_model="hash-test")
    with open_store(settings) as store:
        index = store.collection(studies_schema(32), create=True)
        index.upsert(points())
        index.flush()
        yield StudySearch.from_store(store, fake_embedder())


def search(engine: StudySearch, query: str, **kwargs: Any) -> list[Any]:
    return engine.search(StudySearchRequest(query=query, **kwargs)).hits


# -- ranking, citations, highlighting ------------------------------------------------------------

def test_best_passage_is_cited_with_its_page_and_marked(engine: StudySearch) -> None:
    response = engine.search(StudySearchRequest(query="do eyes and eyebrows look larger with makeup?"))
    top = response.hits[0]
    assert (top.doc_id, top.page, top.page_end) == ("doc-makeup", 1, 1)
    assert top.citation == f"{MAKEUP} (2017), p. 1"
    assert "**eyes** and **eyebrows** appeared **larger**" in top.passage and "**larger**" in top.passage
    assert {"eyes", "eyebrows", "larger", "makeup"} <= {t.lower() for t in top.matched_terms}
    assert "**do**" not in top.passage.lower() and "**with**" not in top.passage.lower()
    assert (top.year, top.market, top.language, top.section, top.kind) == (2017, "US", "en", "Abstract", "pdf")
    assert response.total == 8 and response.total_documents == 5  # the marketing document is invisible
    assert response.took_ms >= 0 and not response.grouped


def test_a_passage_over_two_pages_cites_the_span(engine: StudySearch) -> None:
    hits = search(engine, "nose appeared smaller professionally applied makeup", mode="bm25")
    assert (hits[0].page, hits[0].page_end) == (3, 4)
    assert hits[0].citation == f"{MAKEUP} (2017), pp. 3\u20134"


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_finds_the_french_passage(engine: StudySearch, mode: str) -> None:
    hits = search(engine, "ordre décroissant de concentration des ingrédients INCI", mode=mode, limit=3)
    assert hits[0].doc_id == "doc-inci" and hits[0].page == 2


def test_accents_and_inflections_are_marked() -> None:
    marked = highlight("Les ingrédients cosmétiques et l'ingrédient", query_keys("ingredient cosmetique"))
    assert marked.text == "Les **ingrédients cosmétiques** et l'**ingrédient**"
    assert marked.terms == ["ingrédients", "cosmétiques", "ingrédient"]  # each form as written
    assert query_keys("Quelle est la liste des allergènes ?") == frozenset({"list", "allerg"})  # stems


def test_bm25_matches_the_content_words_as_typed() -> None:
    assert sparse_text("Quelle est la valeur par défaut ?") == "valeur défaut"  # French grammar words out
    assert sparse_text("선크림 밀림 불만") == "선크림 밀림 불만"  # not folded: Hangul would fall apart
    assert sparse_text("the of") == "the of"  # nothing left: the query as typed


def test_snippet_is_cut_around_the_matches() -> None:
    text = "filler words " * 60 + "the periorbital luminance predicts health " + "more filler " * 60
    marked = highlight(text, query_keys("periorbital luminance"))
    assert marked.snippet.startswith("\u2026") and marked.snippet.endswith("\u2026")
    assert "**periorbital luminance**" in marked.snippet and len(marked.snippet) < 360


def test_citation_forms() -> None:
    assert citation("Report", None, 2, 2, "pdf") == "Report, p. 2"
    assert citation("Survey", 2021, 1, 1, "survey") == "Survey (2021)"
    assert citation("Guide", 2019, 7, 9, "pdf") == "Guide (2019), pp. 7\u20139"


# -- filters and audiences -------------------------------------------------------------------------

def test_year_range(engine: StudySearch) -> None:
    hits = search(engine, "makeup", year_from=2020, limit=20)
    assert hits and all(h.year is not None and h.year >= 2020 for h in hits)
    assert {h.doc_id for h in search(engine, "makeup eyes", year_from=2016, year_to=2016)} == {"doc-contrast"}


def test_market_language_type_and_kind(engine: StudySearch) -> None:
    assert {h.doc_id for h in search(engine, "makeup", market=["kr"], limit=20)} == {"doc-sun"}
    assert {h.doc_id for h in search(engine, "liste", language=["FR"], limit=20)} == {"doc-inci"}
    assert {h.doc_id for h in search(engine, "makeup", study_type=["report"], limit=20)} == {"doc-sun"}
    assert {h.doc_id for h in search(engine, "skincare spend", kind=["survey"], limit=20)} == {"doc-survey"}


def test_audiences_decide_what_is_visible(engine: StudySearch) -> None:
    assert "doc-secret" not in {h.doc_id for h in search(engine, "makeup launch palette", limit=20)}
    marketing = search(engine, "makeup launch palette", audiences=["marketing"], limit=20)
    assert {h.doc_id for h in marketing} == {"doc-secret"}
    nobody = engine.search(StudySearchRequest(query="makeup", audiences=[]))
    assert nobody.hits == [] and nobody.total == 0


# -- grouping and pagination -----------------------------------------------------------------------

def test_group_by_document_keeps_the_best_passage_and_lists_other_pages(engine: StudySearch) -> None:
    flat = search(engine, "makeup eyes larger", limit=20)
    assert [h.doc_id for h in flat].count("doc-makeup") > 1
    grouped = engine.search(StudySearchRequest(query="makeup eyes larger", group_by_document=True, limit=20))
    docs = [h.doc_id for h in grouped.hits]
    assert grouped.grouped and len(docs) == len(set(docs))
    assert docs == list(dict.fromkeys(h.doc_id for h in flat))  # documents in the order of their best passage
    best = grouped.hits[docs.index("doc-makeup")]
    first_flat = next(h for h in flat if h.doc_id == "doc-makeup")
    assert (best.page, best.passage) == (first_flat.page, first_flat.passage)
    other_pages = {p for h in flat if h.doc_id == "doc-makeup" and h.page != best.page
                   for p in range(h.page, h.page_end + 1)}
    assert set(best.also_on_pages) == other_pages


def test_pagination(engine: StudySearch) -> None:
    # Sets where passages could tie: Qdrant breaks equal scores in no fixed order.
    two = [(h.doc_id, h.chunk_index) for h in search(engine, "eyebrows appeared larger", mode="bm25", limit=2)]
    after = search(engine, "eyebrows appeared larger", mode="bm25", limit=1, offset=1)
    assert [(h.doc_id, h.chunk_index) for h in after] == two[1:]
    docs = [h.doc_id for h in search(engine, "makeup eyes", group_by_document=True, limit=3)]
    second = [h.doc_id for h in search(engine, "makeup eyes", group_by_document=True, limit=2, offset=1)]
    assert len(second) == 2 and docs[0] not in second and set(second) == set(docs[1:3])


def test_a_query_of_grammar_words_finds_nothing_by_bm25(engine: StudySearch) -> None:
    assert search(engine, "the of and", mode="bm25") == []


# -- errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    ({"query": "   "}, "empty"),
    ({"query": "x" * 501}, "501 characters"),
    ({"query": "makeup", "year_from": 2020, "year_to": 2010}, "year range"),
])
def test_invalid_requests(engine: StudySearch, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        engine.search(StudySearchRequest(**kwargs))


def test_missing_index_says_how_to_build_it(settings: Settings) -> None:
    from conseil.search.engines import Engines

    with pytest.raises(IndexMissingError, match="conseil ingest studies PATH"), Engines.open(settings, need=["studies"]):
        pass


def test_wrong_model_dimension_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash-test")
    with open_store(settings) as store:
        index = store.collection(studies_schema(16), create=True)
        with pytest.raises(IndexSchemaError, match="16-dimension"):
            StudySearch(index, fake_embedder(32))
