"""Any retailer's catalog (issue 17): product types, ids, currencies, the ingest preview. Pure Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conseil.ingest.preview import preview_products
from conseil.ingest.sources import read_products
from conseil.search.errors import ConfigurationError, SourceError
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.currency import CurrencyRates, in_catalog_currency, parse_rates
from conseil.search.query import Constraints, Interpretation, QueryVocabulary, parse_query
from conseil.search.query.model import LANGUAGES
from conseil.search.query.product_types import CategoryMatcher, load_product_types, parse_product_types

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"
TYPES = load_product_types()

# Category names as shops write them, per language (plural, accents, capitals): each must map.
CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "toner": {"en": "Toners", "fr": "Lotions toniques", "es": "Tónicos", "it": "Tonici", "de": "Gesichtswasser",
              "pl": "Toniki", "cs": "Pleťové vody", "el": "Τονωτικές λοσιόν"},
    "moisturiser": {"en": "Moisturizers", "fr": "Crèmes hydratantes", "es": "Cremas hidratantes",
                    "it": "Creme idratanti", "de": "Feuchtigkeitscremes", "pl": "Kremy nawilżające",
                    "cs": "Hydratační krémy", "el": "Ενυδατικές κρέμες"},
    "serum": {"en": "Serums", "fr": "Sérums", "es": "Sueros", "it": "Sieri", "de": "Seren", "pl": "Serum do twarzy",
              "cs": "Séra", "el": "Οροί προσώπου"},
    "face oil": {"en": "Facial Oils", "fr": "Huiles visage", "es": "Aceites faciales", "it": "Olio viso",
                 "de": "Gesichtsöle", "pl": "Olejki do twarzy", "cs": "Pleťový olej", "el": "Λάδια προσώπου"},
    "mist": {"en": "Face Mists", "fr": "Brumes visage", "es": "Brumas faciales", "it": "Spray viso",
             "de": "Gesichtsspray", "pl": "Mgiełki do twarzy", "cs": "Pleťová mlha", "el": "Σπρέι προσώπου"},
    "cleanser": {"en": "Facial Cleansers", "fr": "Nettoyants visage", "es": "Limpiadores faciales",
                 "it": "Detergenti viso", "de": "Reinigungsgel", "pl": "Żele do mycia twarzy", "cs": "Čisticí gel", "el": "Καθαριστικά προσώπου"},
    "bath": {"en": "Bath Salts", "fr": "Sels de bain", "es": "Sales de baño", "it": "Sali da bagno",
             "de": "Badesalz", "pl": "Olejki do kąpieli", "cs": "Koupelové soli", "el": "Άλατα μπάνιου"},
    "face mask": {"en": "Face Masks", "fr": "Masques visage", "es": "Mascarillas faciales", "it": "Maschere viso",
                  "de": "Gesichtsmasken", "pl": "Maseczki do twarzy", "cs": "Pleťové masky", "el": "Μάσκες προσώπου"},
    "shampoo": {"en": "Shampoos", "fr": "Shampooings", "es": "Champús", "it": "Shampoo", "de": "Shampoos",
                "pl": "Szampony", "cs": "Šampony", "el": "Σαμπουάν"},
}


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the vocabulary and category mapping -------------------------------------------------------------


def test_vocabulary_has_every_language_and_a_hierarchy() -> None:
    for t in TYPES.types.values():
        assert all(t.names[lang].strip() for lang in LANGUAGES), t.id
        assert TYPES.lineage(t.id)[-1] in {"skincare", "makeup", "hair", "bath & body", "fragrance"}, t.id
    assert TYPES.lineage("night cream") == ("night cream", "moisturiser", "skincare")
    for wanted in ("cleanser", "toner", "serum", "moisturiser", "eye care", "mist", "face oil", "exfoliator", "peel",
                   "balm", "body wash", "bath", "shampoo", "conditioner", "foundation", "primer", "mascara",
                   "lipstick", "nail polish", "fragrance", "sunscreen"):
        assert wanted in TYPES.types


def test_vocabulary_errors_name_the_entry() -> None:
    with pytest.raises(ConfigurationError, match="'toner' has no names for language"):
        parse_product_types({"types": [{"id": "toner", "parent": None, "en": "toner"}]}, "t.json")
    entry = {"id": "toner", "parent": "skin", **dict.fromkeys(LANGUAGES, "x")}
    with pytest.raises(ConfigurationError, match="unknown parent 'skin'"):
        parse_product_types({"types": [entry]}, "t.json")


@pytest.mark.parametrize("type_id", sorted(CATEGORY_NAMES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_category_names_map_in_every_language(type_id: str, lang: str) -> None:
    assert CategoryMatcher(TYPES).match_name(CATEGORY_NAMES[type_id][lang]) == type_id


def test_singular_plural_and_british_american_spellings() -> None:
    matcher = CategoryMatcher(TYPES)
    for name in ("Moisturiser", "Moisturisers", "moisturizer", "MOISTURIZERS"):
        assert matcher.match_name(name) == "moisturiser"
    assert matcher.match_name("Toner") == matcher.match_name("Toners") == "toner"
    assert matcher.match_name("Exfoliant") == matcher.match_name("Exfoliators") == "exfoliator"


def test_sephora_paths_keep_their_meaning() -> None:
    matcher = CategoryMatcher(TYPES)
    assert matcher.types_of(("Skincare", "Cleansers", "Toners")) == ("toner", "skincare")  # not a cleanser
    assert matcher.match_path(("Skincare", "Treatments", "Facial Peels")) == "peel"
    assert matcher.match_path(("Skincare", "Moisturizers", "Mists & Essences")) == "mist"
    assert matcher.match_path(("Bath & Body", "Bath & Shower", "Body Wash & Shower Gel")) == "body wash"
    assert matcher.match_path(("Skincare", "High Tech Tools", "Hair Removal")) == "skincare"  # a root: shallowest
    assert matcher.match_path(("Tools & Brushes", "Beauty Tools", "Tweezers & Eyebrow Tools")) is None
    assert matcher.match_path(()) is None


def test_mapping_file_categories_win(tmp_path: Path) -> None:
    matcher = CategoryMatcher(TYPES, {"oil": "face oil", "skincare > treatment": "serum"})
    assert CategoryMatcher(TYPES).match_name("Oil") is None
    assert matcher.match_name("Oil") == "face oil"
    assert matcher.match_path(("Skincare", "Treatment")) == "serum"
    data = write(tmp_path / "p.csv", "id,name,category\n1,x,Oil\n")
    bad = write(tmp_path / "m.json", '{"values": {"category": {"Oil": "oils"}}}')
    with pytest.raises(SourceError, match=r"values.category.Oil' maps to unknown code\(s\) \['oils'\]"):
        read_products(data, mapping=bad)


@pytest.mark.parametrize(("query", "type_id"), [
    ("toner without alcohol", "toner"), ("lotion tonique sans alcool", "toner"), ("tónico sin alcohol", "toner"),
    ("face oil", "face oil"), ("huile visage", "face oil"), ("olio viso", "face oil"), ("Gesichtsöl", "face oil"),
    ("mist without fragrance", "mist"), ("brume visage sans parfum", "mist"), ("bruma viso", "mist"),
    ("olejek do kąpieli", "bath"), ("serum", "serum"), ("cleanser", "cleanser"), ("sérum sans parabènes", "serum"),
    ("krem nawilżający bez parabenów", "moisturiser"), ("pleťový olej", "face oil"),
])
def test_query_words_filter_on_the_shared_type(kb: IngredientKnowledge, query: str, type_id: str) -> None:
    """A catalog ingested with the vocabulary stores type ids: the query filters on the same id everywhere."""
    categories = {t: t for t in TYPES.types}
    interp = parse_query(query, kb, QueryVocabulary(categories=categories, brands={}))
    assert interp.constraints.categories == (type_id,)


def test_a_type_missing_from_the_catalog_falls_back_to_its_parent(kb: IngredientKnowledge) -> None:
    vocabulary = QueryVocabulary(categories={"moisturiser": "moisturiser"}, brands={})
    assert parse_query("night cream", kb, vocabulary).constraints.categories == ("moisturiser",)
    assert parse_query("mascara", kb, QueryVocabulary(categories={"eye makeup": "eye makeup"},
                                                      brands={})).constraints.categories == ()


# -- ids ---------------------------------------------------------------------------------------------------


def test_composite_ids_and_duplicates_name_both_rows(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "url,size,name\nu1,50ml,Cream\nu1,100ml,Cream\nu1,50ml,Cream again\n")
    mapping = write(tmp_path / "m.json", '{"columns": {"id": ["url", "size"], "name": "name"}}')
    read = read_products(data, mapping=mapping)
    assert [r.product_id for r in read.records] == ["u1|50ml", "u1|100ml"]
    (reject,) = read.rejects
    assert reject.row == 3 and reject.product_id == "u1|50ml"
    assert "row 3 ('Cream again') and row 1 ('Cream')" in reject.reason


def test_hashed_ids_are_stable_and_distinct(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "url,name\nu1,Toner 100ml\nu1,Toner 250ml\n")
    mapping = write(tmp_path / "m.json", '{"columns": {"id": {"hash": ["url", "name"]}, "name": "name"}}')
    first = [r.product_id for r in read_products(data, mapping=mapping).records]
    write(data, "url,name\nu1,Toner 250ml\nu1,Toner 100ml\n")  # row order does not matter
    assert sorted(first) == sorted(r.product_id for r in read_products(data, mapping=mapping).records)
    assert len(set(first)) == 2 and all(i.startswith("h") and len(i) == 17 for i in first)


def test_id_normalisation_is_reported_never_silent(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", 'id,name\n"\nA1",Cream\n"B2\u00a0",Toner\nC3,Serum\n')
    read = read_products(data)
    assert [r.product_id for r in read.records] == ["A1", "B2", "C3"]
    assert read.stats["ids_normalised"] == 2
    assert read.notes[0].startswith("2 id(s) normalised: row 1:") and "'B2\\xa0' stored as 'B2'" in read.notes[0]
    assert any("stored as 'A1'" in w for w in read.records[0].extra["warnings"])
    assert "warnings" not in read.records[2].extra


# -- currencies --------------------------------------------------------------------------------------------


def test_prices_keep_the_currency_of_their_symbol(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "id,name,price\n1,a,£5.20\n2,b,12 zł\n")
    read = read_products(data)
    assert [(r.price, r.currency) for r in read.records] == [(5.2, "GBP"), (12.0, "PLN")]
    assert read.notes == [] and read.currencies == {"GBP": 1, "PLN": 1}


def test_bare_prices_warn_naming_rows_or_are_refused_when_strict(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "id,name,price\n" + "".join(f"{i},n{i},{i}.50\n" for i in range(1, 8)))
    read = read_products(data)
    (note,) = read.notes
    assert "7 price(s) in column 'price' have no currency" in note and "rows 1, 2, 3, 4, 5 and 2 more" in note
    assert {r.currency for r in read.records} == {"USD"}
    with pytest.raises(SourceError, match="Refused \\(--strict\\)"):
        read_products(data, strict=True)
    mapping = write(tmp_path / "m.json", '{"defaults": {"currency": "GBP"}}')
    mapped = read_products(data, mapping=mapping, strict=True)
    assert mapped.notes == [] and {r.currency for r in mapped.records} == {"GBP"}


def _priced(high: float, currency: str | None) -> Interpretation:
    return Interpretation("q", "pl", "krem", Constraints(price_max=high, currency=currency), (), ())


def test_query_price_in_another_currency_is_converted_or_noted() -> None:
    rates = parse_rates({"base": "EUR", "rates": {"GBP": 0.85, "PLN": 4.25}}, "r.json")
    converted = in_catalog_currency(_priced(20, "PLN"), ["GBP"], rates)
    assert converted.constraints.price_max == 4.0 and converted.constraints.currency == "GBP"
    assert "20.00 PLN converted to ≤ 4.00 GBP" in converted.warnings[0].replace("Price ≤ ", "")
    noted = in_catalog_currency(_priced(20, "PLN"), ["GBP"], None)
    assert noted.constraints.price_max == 20 and noted.constraints.currency == "GBP"
    assert "The price filter used ≤ 20.00 GBP" in noted.warnings[0] and "converts PLN" in noted.warnings[0]
    same = in_catalog_currency(_priced(20, "GBP"), ["GBP"], None)
    assert same.warnings == () and same.constraints.price_max == 20
    mixed = in_catalog_currency(_priced(20, None), ["GBP", "USD"], rates)
    assert "prices in GBP, USD" in mixed.warnings[0]
    unpriced = replace(_priced(20, "PLN"), constraints=Constraints())
    assert in_catalog_currency(unpriced, ["GBP"], None) is unpriced


def test_rate_tables_are_validated() -> None:
    assert CurrencyRates("EUR", {"GBP": 0.5}).convert(1.0, "GBP", "EUR") == 2.0
    with pytest.raises(ConfigurationError, match="rate 'GBP'"):
        parse_rates({"base": "EUR", "rates": {"GBP": -1}}, "r.json")
    with pytest.raises(ConfigurationError, match="'base'"):
        parse_rates({"base": "euro", "rates": {"GBP": 1}}, "r.json")


# -- the UK-shaped example and the preview -----------------------------------------------------------------


def test_uk_example_preview(tmp_path: Path, kb: IngredientKnowledge) -> None:
    preview = preview_products(EXAMPLES / "uk-shop.csv", mapping=EXAMPLES / "uk-shop-mapping.json", kb=kb)
    assert (preview.rows_read, preview.products, preview.rejected) == (26, 26, 0)
    assert preview.unmapped_categories == {"Hygiene": 1} and preview.typed == 25
    assert preview.product_types["toner"] == 5 and preview.product_types["face oil"] == 3
    assert preview.currencies == {"GBP": 26}
    assert preview.notes and "'Marula Facial Oil\\xa0' stored as 'Marula Facial Oil'" in preview.notes[0]
    assert preview.coverage.with_ingredients == 26 and 0 < preview.coverage.items_resolved <= preview.coverage.items
    assert preview.summary()["typed_share"] == round(25 / 26, 4)


# -- what ingest/generic-schema.md promises ----------------------------------------------------------------


def test_every_documented_ingredient_list_form_parses_alike(kb: IngredientKnowledge, tmp_path: Path) -> None:
    from conseil.search.knowledge.analysis import analyze

    forms = ["Aqua (Water), Glycerin, Methylparaben", "['aqua', 'glycerin', 'methylparaben']",
             '["Aqua", "Glycerin", "Methylparaben"]']
    data = write(tmp_path / "p.jsonl", '{"id": "1", "name": "a", "ingredients": ["Aqua", "Glycerin", "Methylparaben"]}\n')
    (record,) = read_products(data).records
    for raw in [*forms, record.ingredients_raw]:
        analysis = analyze(raw, kb)
        assert [r.key for r in analysis.items] == ["water", "glycerin", "methylparaben"], raw
        assert "parabens" in analysis.families
    toner = analyze("['aqua', 'alcohol denat.', 'hamamelis virginiana water', 'parfum']", kb)
    assert {"drying_alcohols", "fragrance"} <= toner.families
    assert "drying_alcohols" not in analyze("Aqua, Cetearyl Alcohol", kb).families


def test_the_docs_list_every_family_id() -> None:
    docs = (Path(__file__).resolve().parents[1] / "ingest" / "generic-schema.md").read_text(encoding="utf-8")
    from conseil.search.knowledge.base import read_knowledge_file

    kb_file = Path(__file__).resolve().parents[1] / "corpora" / "knowledge" / "ingredients.json.gz"
    families = read_knowledge_file(kb_file)["families"]
    assert [f for f in families if f"| `{f}` |" not in docs] == []


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CONSEIL_DATA_DIR=str(data_dir), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "conseil.api.cli", *args], env=env, capture_output=True,
                          text=True, check=False, timeout=300)


@pytest.mark.index  # the index tier is the one allowed to start processes (tests/conftest.py on main)
def test_dry_run_cli_writes_nothing_and_strict_refuses(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    done = _cli(["ingest", "products", str(EXAMPLES / "uk-shop.csv"), "--mapping",
                 str(EXAMPLES / "uk-shop-mapping.json"), "--dry-run", "--json"], data_dir)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["products"], summary["typed"], summary["unmapped_categories"]) == (26, 25, {"Hygiene": 1})
    assert not data_dir.exists(), "a dry run opens no index and writes no report"
    bare = write(tmp_path / "bare.csv", "id,name,price\n1,a,5.20\n")
    refused = _cli(["ingest", "products", str(bare), "--dry-run", "--strict"], data_dir)
    assert refused.returncode == 2 and "Refused (--strict)" in refused.stderr and "Traceback" not in refused.stderr
    noted = _cli(["ingest", "products", str(bare), "--dry-run"], data_dir)
    assert noted.returncode == 0 and "have no currency" in noted.stdout
