"""No English in a response in another language (issue 14, item 5).

Every non-English query of the product suite (eval/datasets/sephora_products/queries.jsonl, plus
Greek queries of the same combinations while the suite has none) is run through the engine on a real
Qdrant Edge index (fake embedder) of the demo catalog and a slice of the Sephora export: the products of
the suite's categories. EVERY text field of each response is walked and checked for English phrases of
the language data and English stop words (`conseil.eval.response_language`).

Excepted by field name, because the client reads them as written or because they are codes
(`EXCEPTED_FIELDS`): product and brand names, raw category paths (`category`; `category_labels` is
checked), claim codes (`claims`; `claim_labels` is checked), skin-type and concern codes, ingredient
names as listed (`ingredients`, `offending`, `matched_*`, `unidentified`), the query's own words
(`query`, `semantic_text`, `source_text`, ignored words), constraint codes, brand facet labels.
Sentences that quote those values are checked with the values taken out.

Marked `index` and `shared` (the slice is read from ../shared/data; skipped where it is absent).
tests/test_response_language_check.py shows, in the unit tier, that the checker finds what it must.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SHARED_DATA, fake_embedder
from conseil.api.cli import demo_catalog_path
from conseil.eval.response_language import leaks, suite_queries, text_fields
from conseil.ingest.products import ingest_products
from conseil.search.index.store import open_index, products_schema
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import normalize_name
from conseil.search.products.contract import SearchRequest
from conseil.search.products.engine import ProductSearch
from conseil.search.query import LANGUAGES
from conseil.search.settings import Settings

SLICE_PER_CATEGORY = 6
LEVELS = ("primary_category", "secondary_category", "tertiary_category")


def _suite_categories() -> set[str]:
    import json

    from conseil.eval.product_suite import SUITE_DIR

    rows = [json.loads(line) for line in (SUITE_DIR / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    return {str(r["metadata"]["constraints"]["category"]) for r in rows if r["metadata"]["constraints"].get("category")}


def _slice(export: Path, out: Path) -> Path:
    """The export's first products with an ingredient list in each of the suite's categories."""
    wanted = _suite_categories()
    taken: dict[str, int] = defaultdict(int)
    with export.open(encoding="utf-8", newline="") as f, out.open("w", encoding="utf-8", newline="") as g:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(g, fieldnames=list(reader.fieldnames or ()))
        writer.writeheader()
        for row in reader:
            level = next((normalize_name(row[c]) for c in reversed(LEVELS) if normalize_name(row.get(c) or "") in wanted), None)
            if level is not None and row.get("ingredients") and taken[level] < SLICE_PER_CATEGORY:
                taken[level] += 1
                writer.writerow(row)
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductSearch]:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}): the Sephora slice is read from it")
    shared = SHARED_DATA
    kb = IngredientKnowledge.load()
    folder = tmp_path_factory.mktemp("leak")
    settings = Settings(data_dir=folder / "data", embedding_model="hash-test")
    ingest_products(settings, demo_catalog_path(), source="demo", embedder_factory=fake_embedder, kb=kb)
    export = shared / "sephora-products" / "product_info.csv"
    ingest_products(settings, _slice(export, folder / "slice.csv"), source="sephora",
                    embedder_factory=fake_embedder, kb=kb)
    with open_index(settings, products_schema(32), create=False) as index:
        yield ProductSearch(index, fake_embedder(), kb)


pytestmark = pytest.mark.index
QUERIES = suite_queries()


@pytest.mark.shared
@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_no_english_in_any_text_field(engine: ProductSearch, lang: str) -> None:
    queries = [(qid, text) for qid, q_lang, text in QUERIES if q_lang == lang]
    assert len(queries) >= 20, f"the suite has {len(queries)} {lang} queries"
    checked, texts, found = 0, set(), []
    for qid, text in queries:
        response = engine.search(SearchRequest(query=text, limit=5)).model_dump()
        assert response["interpretation"]["language"] == lang, (qid, text)
        n, bad = leaks(response, lang)
        checked += n
        texts |= {path for path, _ in text_fields(response)}
        found += [f"{qid} {path}: {t!r} {words}" for path, t, words in bad]
    assert not found, "\n".join(found[:20])
    # the walk saw what the client reads: sentences, labels, breadcrumbs, facets
    assert {"hits.why.text", "hits.category_labels", "interpretation.summary", "interpretation.chips.label",
            "facets.category.label", "facets.skin_type.label"} <= texts, sorted(texts)
    assert checked > 20 * len(queries)  # some 48 text fields a response (5 hits, facets, chips...)


@pytest.mark.shared
def test_claims_and_breadcrumbs_come_back_translated_beside_the_raw_values(engine: ProductSearch) -> None:
    response = engine.search(SearchRequest(query="sérum sans parabènes", limit=10))
    hit = next(h for h in response.hits if h.claims)
    assert len(hit.category_labels) == len(hit.category) and hit.category_labels != hit.category
    assert len(hit.claim_labels) == len(hit.claims)
    parabens = [label for code, label in zip(hit.claims, hit.claim_labels) if code == "without:parabens"]
    assert parabens in ([], ["sans parabènes"])
    english = engine.search(SearchRequest(query="serum without parabens", limit=10))
    assert all(h.category_labels == h.category for h in english.hits if h.source == "sephora")
