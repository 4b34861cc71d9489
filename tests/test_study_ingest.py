"""Consumer-study ingestion: demo corpus end to end, incremental runs, bad inputs, page mapping."""

from __future__ import annotations

import csv
import io
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, fake_embedder
from conseil.corpora.studies.make_demo_pdfs import text_pdf
from conseil.ingest.chunking import Chunker, Segment, find_headings, is_heading
from conseil.ingest.pdf import PdfLimits, extract_pdf, strip_running_lines
from conseil.ingest.studies import StudyIngestReport, ingest_studies
from conseil.ingest.study_sources import FileRejected, detect_language, walk_studies
from conseil.ingest.surveys import classify_tables, summarise_survey
from conseil.search.embedder import Embedder
from conseil.search.errors import SourceError
from conseil.search.index.contract import Filter, HybridQuery, MatchAny
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import open_index, studies_schema
from conseil.search.settings import Settings

DEMO = REPO / "corpora" / "studies"


class CountingFactory:
    """An embedder factory that counts how often the model is 'loaded'."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Embedder:
        self.calls += 1
        return fake_embedder()


def _no_model() -> Embedder:
    raise AssertionError("the model must not be loaded when nothing needs embedding")


def _ingest(settings: Settings, *paths: Path, sync: bool = False,
            factory: Callable[[], Embedder] | None = None, limits: PdfLimits | None = None) -> StudyIngestReport:
    return ingest_studies(settings, list(paths), sync=sync, embedder_factory=factory or CountingFactory(),
                          limits=limits)


def _by_path(report: StudyIngestReport) -> dict[str, tuple[str, str]]:
    return {f.path: (f.status, f.reason) for f in report.files}


def _points(settings: Settings) -> list[dict[str, object]]:
    with open_index(settings, studies_schema(32), create=False) as index:
        return [hit.payload for hit in index.scroll()]


def _page(lines: list[str]) -> list[tuple[str, float]]:
    return [(line, 11.0) for line in lines]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "studies"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


# -- demo corpus end to end ---------------------------------------------------------------------


@pytest.mark.index
def test_demo_studies_end_to_end(settings: Settings, demo: Path) -> None:
    factory = CountingFactory()
    report = _ingest(settings, demo, factory=factory)
    outcomes = _by_path(report)
    ingested = {p for p, (status, _) in outcomes.items() if status == "ingested"}
    assert ingested == {"studies/skinguide-consumer-profile.pdf", "studies/peaux-sensibles-skinguide-fr.pdf",
                        "studies/skin-types-assortment-note.md", "studies/survey-methodology.txt"}
    assert outcomes["studies/README.md"][0] == "skipped"
    assert outcomes["studies/study.json"][0] == "skipped"
    assert outcomes["studies/make_demo_pdfs.py"][0] == "skipped"
    assert factory.calls == 1 and report.pages == 5

    # every file has a line in the report file
    with open(report.report_file or "", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["path"] for r in rows} == set(outcomes)

    points = _points(settings)
    assert len(points) == report.chunks > 0
    profile = [p for p in points if p["path"] == "studies/skinguide-consumer-profile.pdf"]
    assert {p["page"] for p in profile} == {1, 2, 3}
    assert all(p["title"] == "Skinguide consumer profile: who answered and what they look for" for p in profile)
    assert all(p["year"] == 2024 and p["market"] == "global" and p["audience"] == "analyst" for p in profile)
    assert all(p["kind"] == "pdf" and p["study_type"] == "report" and p["language"] == "en" for p in profile)
    with_figure = [p for p in profile if "18,903" in str(p["text"])]  # the gender figures are on page 2
    assert with_figure and all(p["page"] <= 2 <= p["page_end"] for p in with_figure)  # type: ignore[operator]
    assert any(p["section"] == "4. Skin types" for p in profile)
    everything = " ".join(str(p["text"]) for p in points)
    assert "Conseil demo study" not in everything and "Page 1 of 3" not in everything  # header/footer gone

    french = [p for p in points if p["path"] == "studies/peaux-sensibles-skinguide-fr.pdf"]
    assert {p["language"] for p in french} == {"fr"} and {p["market"] for p in french} == {"FR"}
    text = [p for p in points if p["path"] == "studies/survey-methodology.txt"]
    assert {p["title"] for p in text} == {"How the Skinguide survey was collected"}  # inferred
    assert {p["language"] for p in text} == {"en"} and {p["page"] for p in text} == {None}
    note = [p for p in points if p["path"] == "studies/skin-types-assortment-note.md"]
    assert {"Key figures", "Sensitive skin"} <= {p["section"] for p in note}
    for field in ("doc_id", "path", "title", "year", "market", "language", "page", "page_end", "section",
                  "study_type", "audience", "kind", "chunk_index", "text", "content_hash"):
        assert all(field in p for p in points), field

    # the collection answers hybrid queries with page citations
    query = "how many respondents say they have sensitive skin"
    with open_index(settings, studies_schema(32), create=False) as index:
        hits = index.query(HybridQuery(dense=fake_embedder().embed_query(query),
                                       sparse=Bm25Encoder().query(query), limit=5,
                                       filter=Filter(must=(MatchAny("language", ("fr",)),))))
    assert hits and all(h.payload["language"] == "fr" and h.payload["page"] in (1, 2) for h in hits)


# -- incremental runs ---------------------------------------------------------------------------


@pytest.mark.index
def test_incremental_unchanged_moved_changed_and_sync(settings: Settings, demo: Path) -> None:
    first = _ingest(settings, demo)
    before = _points(settings)

    again = _ingest(settings, demo, factory=_no_model)
    assert again.count("unchanged") == 4 and again.chunks == 0

    # a move keeps the points (same folder metadata: the archive gets the same study.json)
    (demo / "archive").mkdir()
    shutil.copy(demo / "study.json", demo / "archive" / "study.json")
    (demo / "survey-methodology.txt").rename(demo / "archive" / "methodology.txt")
    moved = _ingest(settings, demo, factory=_no_model)
    assert _by_path(moved)["studies/archive/methodology.txt"] == ("moved", "was studies/survey-methodology.txt")
    after_move = _points(settings)
    assert len(after_move) == len(before)
    assert {p["path"] for p in after_move if p["title"] == "How the Skinguide survey was collected"} == {
        "studies/archive/methodology.txt"}
    # a move to a folder whose metadata differs is a metadata change: rebuilt, same doc_id
    (demo / "archive" / "study.json").write_text('{"market": "EU"}', encoding="utf-8")
    rebuilt = _ingest(settings, demo)
    assert _by_path(rebuilt)["studies/archive/methodology.txt"][0] == "rebuilt"
    assert {p["market"] for p in _points(settings) if p["path"] == "studies/archive/methodology.txt"} == {"EU"}
    assert len(_points(settings)) == len(before)

    note = demo / "skin-types-assortment-note.md"
    old_id = next(f.doc_id for f in first.files if f.path == "studies/skin-types-assortment-note.md")
    note.write_text(note.read_text(encoding="utf-8") + "\n## Update\n\nA new paragraph on oily skin.\n",
                    encoding="utf-8")
    changed = _ingest(settings, demo)
    status, reason = _by_path(changed)["studies/skin-types-assortment-note.md"]
    assert status == "changed" and old_id in reason
    stored_ids = {p["doc_id"] for p in _points(settings) if p["path"] == "studies/skin-types-assortment-note.md"}
    assert len(stored_ids) == 1 and old_id not in stored_ids

    (demo / "peaux-sensibles-skinguide-fr.pdf").unlink()
    kept = _ingest(settings, demo, factory=_no_model)  # without --sync nothing is deleted
    assert any(p["path"] == "studies/peaux-sensibles-skinguide-fr.pdf" for p in _points(settings))
    assert kept.count("deleted") == 0
    synced = _ingest(settings, demo, sync=True, factory=_no_model)
    assert _by_path(synced)["studies/peaux-sensibles-skinguide-fr.pdf"][0] == "deleted"
    assert not any(p["path"] == "studies/peaux-sensibles-skinguide-fr.pdf" for p in _points(settings))


@pytest.mark.index
def test_sync_only_deletes_under_the_given_roots(settings: Settings, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.txt").write_text("Skin hydration study. The respondents prefer light creams.", encoding="utf-8")
    (two / "b.txt").write_text("Sun care study. The respondents reapply sunscreen rarely.", encoding="utf-8")
    _ingest(settings, one)
    _ingest(settings, two)
    (one / "c.txt").write_text("Another study about cleansers and the evening routine.", encoding="utf-8")
    report = _ingest(settings, one, sync=True)
    assert report.count("deleted") == 0
    assert {p["path"] for p in _points(settings)} == {"one/a.txt", "one/c.txt", "two/b.txt"}


def test_a_missing_path_fails_before_the_index_is_touched(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        _ingest(settings, tmp_path / "nowhere", factory=_no_model)
    assert not settings.index_dir.exists()


# -- bad inputs ---------------------------------------------------------------------------------


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf([_page(["A confidential consumer panel on lipsticks."])]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.index
def test_each_bad_input_is_reported_and_the_rest_ingested(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    root.mkdir()
    good = text_pdf([_page(["Hydration panel", "Most respondents apply a moisturiser twice a day."])])
    (root / "good.pdf").write_bytes(good)
    (root / "locked.pdf").write_bytes(_encrypted_pdf("secret"))
    (root / "open-encrypted.pdf").write_bytes(_encrypted_pdf(""))
    (root / "corrupted.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    (root / "empty.pdf").write_bytes(b"")
    (root / "scan.pdf").write_bytes(_blank_pdf(2))
    (root / "huge.pdf").write_bytes(text_pdf([_page([f"Page {n} of a long annex on sunscreen."]) for n in range(6)]))
    (root / "latin1.txt").write_bytes("Étude crème hydratante : les répondantes préfèrent les textures légères."
                                      .encode("cp1252"))
    (root / "ragged.csv").write_text("gender,age\nfemale,25\nmale,31,extra\nfemale\nmale,40\nfemale,33\n", encoding="utf-8")
    (root / "blank.md").write_text("   \n\n", encoding="utf-8")

    report = _ingest(settings, root, limits=PdfLimits(max_pages=5))
    outcomes = _by_path(report)
    assert outcomes["inbox/good.pdf"][0] == "ingested"
    assert outcomes["inbox/open-encrypted.pdf"][0] == "ingested"  # the empty user password opens it
    assert outcomes["inbox/locked.pdf"][0] == "rejected" and outcomes["inbox/locked.pdf"][1].startswith("encrypted")
    assert outcomes["inbox/corrupted.pdf"][1].startswith("corrupted")
    assert outcomes["inbox/empty.pdf"] == ("rejected", "empty file: 0 bytes")
    assert outcomes["inbox/scan.pdf"][1].startswith("needs OCR")
    assert outcomes["inbox/huge.pdf"][1].startswith("too many pages: 6 pages")
    assert outcomes["inbox/latin1.txt"][0] == "ingested" and "not UTF-8" in outcomes["inbox/latin1.txt"][1]
    assert outcomes["inbox/ragged.csv"][0] == "ingested"
    assert "ragged CSV rows: 2 skipped (data rows 2, 3)" in outcomes["inbox/ragged.csv"][1]
    assert outcomes["inbox/blank.md"][1].startswith("empty file")
    texts = " ".join(str(p["text"]) for p in _points(settings))
    assert "crème hydratante" in texts  # decoded as Windows-1252, not mangled
    assert "female: 2 (66.7%)" in texts  # the ragged rows are left out of the counts

    # a file that breaks after it was indexed keeps its previous version
    (root / "good.pdf").write_bytes(b"garbage")
    broken = _ingest(settings, root, limits=PdfLimits(max_pages=5), factory=_no_model)
    status, reason = _by_path(broken)["inbox/good.pdf"]
    assert status == "rejected" and reason.endswith("the version indexed before is kept")
    assert any(p["path"] == "inbox/good.pdf" for p in _points(settings))
    synced = _ingest(settings, root, sync=True, limits=PdfLimits(max_pages=5), factory=_no_model)
    assert synced.count("deleted") == 0  # present but failing is not "gone"


def test_pdf_time_limit_is_checked_between_pages() -> None:
    ticks = iter(range(0, 1000, 10))  # every clock reading is 10 s later than the previous one
    data = text_pdf([_page([f"Page {n} about sunscreen texture."]) for n in range(4)])
    with pytest.raises(FileRejected) as err:
        extract_pdf(data, PdfLimits(max_seconds=15), clock=lambda: float(next(ticks)))
    assert err.value.reason == "timed out" and "of 4 pages" in str(err.value)


# -- extraction details -------------------------------------------------------------------------


def test_running_headers_and_footers_are_removed() -> None:
    pages = [
        "Journal of Skin Research 12 (2020) 1-9\nTitle of the paper\nText on page one.\nPage 1 / 4",
        "2 SMITH ET AL.\nMethods on page two.\nDownloaded by [Library] at 10:00 1 May 2020\nPage 2 / 4",
        "SKIN AND COSMETICS 3\nResults on page three.\nDownloaded by [Library] at 10:00 1 May 2020\nPage 3 / 4",
        "4 SMITH ET AL.\nDiscussion on page four.\nDownloaded by [Library] at 11:00 1 May 2020\nPage 4 / 4",
    ]
    cleaned, removed = strip_running_lines(pages)
    assert cleaned[1] == "Methods on page two." and cleaned[3] == "Discussion on page four."
    assert "Page" not in " ".join(cleaned) and "Downloaded" not in " ".join(cleaned)
    assert cleaned[0].startswith("Journal of Skin Research")  # on one page only: kept
    assert cleaned[2].startswith("SKIN AND COSMETICS 3")  # an odd-page running head seen once: kept
    assert removed == 9


def test_pdf_title_metadata_and_dehyphenation() -> None:
    data = text_pdf([[("A Study of Facial Contrast", 20.0), ("The con-", 11.0), ("trast declines with age.", 11.0)],
                     _page(["Second page."])], title="Microsoft Word - draft.docx", created="20190301000000Z")
    pdf = extract_pdf(data)
    assert pdf.title == "A Study of Facial Contrast"
    assert pdf.metadata_title is None and pdf.metadata_year == 2019  # a placeholder title is ignored
    assert "contrast declines" in pdf.pages[0]


def test_chunks_keep_their_page_span_and_section() -> None:
    pages = [" ".join(f"alpha{i} sentence one." for i in range(30)),
             "2.1 Methods\n" + " ".join(f"beta{i} sentence two." for i in range(30)),
             " ".join(f"gamma{i} sentence three." for i in range(30))]
    chunks = Chunker(chunk_size=48, overlap=8).chunk([Segment(t, n) for n, t in enumerate(pages, 1)])
    assert len(chunks) > 6
    for chunk in chunks:
        assert chunk.page is not None and chunk.page_end is not None and chunk.page <= chunk.page_end
        words = chunk.text.split()
        for word, page in (("alpha", 1), ("beta", 2), ("gamma", 3)):
            if any(w.startswith(word) for w in words):
                assert chunk.page <= page <= chunk.page_end, (chunk, word)
        if chunk.page == 1 and chunk.page_end == 1:
            assert chunk.section is None
    assert any(c.page < c.page_end for c in chunks)  # passages run over page breaks
    assert {c.section for c in chunks if c.page == 3} == {"2.1 Methods"}


def test_heading_heuristics() -> None:
    for line in ("2.1 Methods", "Results", "GENERAL DISCUSSION", "1. Définition réglementaire du produit",
                 "Facial Contrast and Perceived Health", "2. 피지 컨트롤"):
        assert is_heading(line), line
    for line in ("The results were clear.", "Shape Alone 0.53 0.14", "21 women) rated the models",
                 "D. M. (2014). Local masking in natural images", "5. HAZARD IDENTIFICATION ........ 41",
                 "Fig. 2 The interaction between feature and sex", "http://ec.europa.eu/health"):
        assert not is_heading(line), line
    assert [h for _, h in find_headings("# Title\ntext\n```\n# not a heading\n```\n## Part", "markdown")] == [
        "Title", "Part"]


def test_language_detection() -> None:
    samples = {
        "en": "The respondents said that the cream was too heavy for their skin and they would not buy it.",
        "fr": "Les répondantes ont dit que la crème était trop riche pour leur peau et qu'elles ne la "
              "rachèteraient pas.",
        "es": "Las encuestadas dijeron que la crema era demasiado pesada para su piel y que no la comprarían.",
        "it": "Le intervistate hanno detto che la crema era troppo pesante per la loro pelle e che non la "
              "comprerebbero più.",
        "de": "Die Befragten sagten, dass die Creme zu schwer für ihre Haut ist und sie nicht mehr kaufen.",
        "pl": "Respondentki powiedziały, że krem jest za ciężki dla ich skóry i nie kupią go ponownie, ale to "
              "jest dla nich ważne.",
        "cs": "Respondentky řekly, že krém je pro jejich pleť příliš těžký a že ho již nekoupí, ale je to pro "
              "ně také důležité.",
        "ko": "응답자들은 크림이 피부에 너무 무겁다고 말했습니다.",
    }
    for expected, text in samples.items():
        assert detect_language(text) == expected, expected
    assert detect_language("12 34 56") is None


# -- surveys ------------------------------------------------------------------------------------


def test_survey_documents_count_answers_exactly() -> None:
    data = (b"skin,benefits,age,spend,source\n"
            b"Dry,\"Hydration, Glow\",25,2 = Sometimes,Instagram\n"
            b"Oily,\"Glow, Oil control\",35,4 = Often,TikTok\n"
            b"Dry,Hydration,45,4 = Often,\"Other social media (Facebook, YouTube)\"\n"
            b"Combination,\"Hydration, Oil control\",,5 = Always,Instagram\n")
    docs = summarise_survey(data, title="Demo", codebook={"skin": "I would describe my skin type as..."})
    by_section = dict(docs.sections)
    skin = by_section["I would describe my skin type as..."]
    assert "(column skin)" in skin and "- Dry: 2 (50.0%)" in skin
    benefits = by_section["benefits"]
    assert "Several answers allowed" in benefits and "- Hydration: 3 (75.0%)" in benefits
    age = by_section["age"]
    assert "Answered by 3 of 4 respondents (1 blank)." in age and "mean 35, median 35, min 25, max 45" in age
    spend = by_section["spend"]
    assert spend.index("2 = Sometimes") < spend.index("4 = Often") and "Mean score: 3.75" in spend
    source = by_section["source"]  # commas inside parentheses do not make a multi-select
    assert "Other social media (Facebook, YouTube): 1 (25.0%)" in source
    assert docs.sections[0][0] == "Overview"


def test_codebooks_and_versions_of_one_survey(tmp_path: Path) -> None:
    rows = "".join(f"2021/12/0{n} 10:00,{g},{n}\n" for n, g in enumerate(["female", "male", "female"], 1))
    (tmp_path / "raw.csv").write_text("Timestamp,Gender ,How important is skincare?\n" + rows, encoding="utf-8")
    (tmp_path / "cleaned.csv").write_text("timestamp,gender,importance\n" + rows, encoding="utf-8")
    (tmp_path / "codebook.csv").write_text("Column Name,Description\ntimestamp,When\ngender,The gender\n"
                                           "importance,How important skincare is (1-5)\n", encoding="utf-8")
    roles = classify_tables(sorted(tmp_path.glob("*.csv")))
    assert roles[tmp_path / "codebook.csv"].role == "codebook"
    assert roles[tmp_path / "cleaned.csv"].role == "table"
    assert roles[tmp_path / "cleaned.csv"].codebook == tmp_path / "codebook.csv"
    assert roles[tmp_path / "raw.csv"].role == "duplicate" and roles[tmp_path / "raw.csv"].of == tmp_path / "cleaned.csv"


def test_walk_skips_what_is_not_a_study(tmp_path: Path) -> None:
    (tmp_path / "SOURCE.txt").write_text("origin", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"x")
    (tmp_path / ".hidden.pdf").write_bytes(b"x")
    (tmp_path / "a.md").write_text("# A", encoding="utf-8")
    (tmp_path / "a.md.meta.json").write_text('{"year": "2020", "language": "FR", "colour": "red"}',
                                             encoding="utf-8")
    files = {f.key.split("/", 1)[1]: f for f in walk_studies([tmp_path])}
    assert set(files) == {"SOURCE.txt", "notes.docx", "a.md", "a.md.meta.json"}
    assert files["SOURCE.txt"].skip and files["notes.docx"].skip and files["a.md.meta.json"].skip
    assert files["a.md"].sidecar == {"year": 2020, "language": "fr"}
    assert any("colour" in note for note in files["a.md"].notes)


# -- the real corpus ----------------------------------------------------------------------------


@pytest.mark.shared
def test_every_real_pdf_yields_text_with_page_numbers(shared_data: Path) -> None:
    pdfs = sorted((shared_data / "studies").glob("*/*.pdf"))
    assert len(pdfs) == 27
    pages = 0
    needs_ocr: list[str] = []
    extracting = chunking = 0.0
    for path in pdfs:
        began = time.perf_counter()
        try:
            pdf = extract_pdf(path.read_bytes())
        except FileRejected as exc:
            needs_ocr.append(f"{path.name}: {exc}")
            continue
        extracting += time.perf_counter() - began
        pages += pdf.page_count
        assert sum(len(p) for p in pdf.pages) > 500, path.name
        began = time.perf_counter()
        chunks = Chunker().chunk([Segment(text, n) for n, text in enumerate(pdf.pages, 1)])
        chunking += time.perf_counter() - began
        assert chunks and all(c.page is not None and 1 <= c.page <= (c.page_end or 0) <= pdf.page_count
                              for c in chunks), path.name
    # measured, not asserted: timings depend on the machine
    print(f"\n{len(pdfs)} PDFs, {pages} pages: extraction {extracting:.1f} s ({pages / extracting:.1f} pages/s), "
          f"chunking {chunking:.1f} s; rejected: {needs_ocr or 'none'}")
    assert not needs_ocr, needs_ocr
