"""The ingredient knowledge base: synonyms, families and their rules, scan, vocabularies, the data file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conseil.search.errors import KnowledgeBaseError
from conseil.search.index.schema import CONCERNS, SKIN_TYPES
from conseil.search.knowledge.base import IngredientKnowledge, read_knowledge_file
from conseil.search.knowledge.text import fold
from conseil.search.query import LANGUAGES

REPO = Path(__file__).resolve().parents[1]
DATA_FILE = REPO / "corpora" / "knowledge" / "ingredients.json.gz"
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()

REQUIRED_FAMILIES = (
    "parabens", "formaldehyde_releasers", "fragrance", "fragrance_allergens", "essential_oils", "silicones",
    "volatile_silicones", "sulfates", "mineral_oils", "drying_alcohols", "pegs", "phthalates",
    "chemical_uv_filters", "mineral_uv_filters", "clean_at_sephora",
)


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def canonical(kb: IngredientKnowledge, name: str) -> str | None:
    found = kb.resolve(name)
    return found.canonical if found else None


@pytest.mark.parametrize(("name", "expected"), [
    ("Water", "Water"), ("Aqua", "Water"), ("Eau", "Water"), ("Water/Aqua/Eau", "Water"),
    ("Eau/Aqua/Water", "Water"), ("Water (Aqua, Eau)", "Water"), ("Water\\Aqua\\Eau", "Water"),
    ("Microcrystalline Wax/Cera Microcristallina/Cire Microcristalline", "Microcrystalline Wax"),
    ("Parfum", "Parfum"), ("Fragrance", "Parfum"), ("Aroma", "Parfum"), ("Fragrance (Parfum)", "Parfum"),
    ("Alcohol Denat.", "Alcohol Denat."), ("SD Alcohol 40-B", "Alcohol Denat."), ("SD Alcohol 39C", "Alcohol Denat."),
    ("Alcohol Denat. (SD Alcohol 39-C)", "Alcohol Denat. SD Alcohol 39-C"),  # its own CosIng inventory name
    ("CI 77891", "Titanium Dioxide"), ("Ci77891", "Titanium Dioxide"), ("C.I. 77891", "Titanium Dioxide"),
    ("titanium dioxide", "Titanium Dioxide"), ("Titanium Dioxide (CI 77891)", "Titanium Dioxide"),
    ("Methyl Paraben", "Methylparaben"), ("methylparaben", "Methylparaben"), ("Methyl-Paraben", "Methylparaben"),
    ("Sodium Laureth Sulfate", "Sodium Laureth Sulfate"), ("SLES", "Sodium Laureth Sulfate"),
    ("SLS", "Sodium Lauryl Sulfate"), ("Oxybenzone", "Benzophenone-3"), ("Octinoxate", "Ethylhexyl Methoxycinnamate"),
    ("Avobenzone", "Butyl Methoxydibenzoylmethane"), ("D-Limonene", "Limonene"), ("Lilial", "Butylphenyl Methylpropional"),
    ("Alphaisomethyl Ionone", "Alpha-Isomethyl Ionone"), ("Paraffinum Liquidum", "Mineral Oil"),
    ("Lavandula Angustifolia (Lavender) Oil", "Lavandula Oil/Extract"), ("Red 7 Lake", "CI 15850"),
])
def test_synonyms_and_spellings_resolve(kb: IngredientKnowledge, name: str, expected: str) -> None:
    assert canonical(kb, name) == expected


def test_ingredient_records_carry_cas_and_annex_notes(kb: IngredientKnowledge) -> None:
    paraben = kb.resolve("Methylparaben")
    assert paraben is not None and "99-76-3" in paraben.cas
    assert any(note.startswith("EU Annex V/12: allowed preservative; max conc") for note in paraben.regulatory)
    lilial = kb.resolve("Butylphenyl Methylpropional")
    assert lilial is not None and any("Annex II" in note and "prohibited" in note for note in lilial.regulatory)
    limonene = kb.resolve("Limonene")
    assert limonene is not None and any("2023/1545" in note for note in limonene.regulatory)
    assert kb.ingredient_name_index()["aqua"] == "Water"


def test_unknown_names_resolve_to_none(kb: IngredientKnowledge) -> None:
    assert kb.resolve_label("Benzl Benzoate").via == "typo"  # a long name's typo is resolved, and says so
    assert kb.resolve("Tlc") is None and kb.resolve("Ureaa") is None  # never on short names
    assert kb.resolve("Ethylhexylparaben") is None
    assert kb.resolve("Water/Glycerin") is None  # two different ingredients: for scan(), not resolve()
    assert kb.resolve("Glycerin/Unknownium Copolymer") is None  # no majority


@pytest.mark.parametrize("family_id", REQUIRED_FAMILIES)
def test_required_families_exist_and_have_members(kb: IngredientKnowledge, family_id: str) -> None:
    family = kb.family(family_id)
    assert kb.members(family_id), family_id
    assert family.description
    assert all(family.names.get(lang) for lang in LANGUAGES), f"{family_id} lacks a language"


def test_unknown_family_lists_valid_ids(kb: IngredientKnowledge) -> None:
    with pytest.raises(KnowledgeBaseError, match="parabens"):
        kb.family("paraben-ish")
    with pytest.raises(KnowledgeBaseError):
        kb.members("nope")


@pytest.mark.parametrize("name", ["Sodium Lauryl Sulfate", "Sodium Laureth Sulfate", "Ammonium Lauryl Sulfate",
                                  "Ammonium Laureth Sulfate", "Sodium Coco-Sulfate", "Sodium Myreth Sulfate",
                                  "TEA-Lauryl Sulfate", "Sodium Laureth-12 Sulfate", "Magnesium Laureth Sulfate"])
def test_sulfates(kb: IngredientKnowledge, name: str) -> None:
    assert "sulfates" in kb.families_of_name(name)


@pytest.mark.parametrize("name", ["Behentrimonium Methosulfate", "Cetrimonium Methosulfate", "Magnesium Sulfate",
                                  "Zinc Sulfate", "Sodium Sulfate", "Barium Sulfate", "Sodium Chondroitin Sulfate",
                                  "Disodium Laureth Sulfosuccinate", "Sodium C14-16 Olefin Sulfonate",
                                  "Ethyl PEG-15 Cocamine Sulfate"])
def test_not_sulfates(kb: IngredientKnowledge, name: str) -> None:
    assert "sulfates" not in kb.families_of_name(name)


@pytest.mark.parametrize(("name", "drying"), [
    ("Alcohol Denat.", True), ("SD Alcohol 40-B", True), ("Alcohol", True), ("Isopropyl Alcohol", True),
    ("Ethanol", True), ("Sugarcane Alcohol Denat", True),
    ("Cetearyl Alcohol", False), ("Cetyl Alcohol", False), ("Stearyl Alcohol", False), ("Behenyl Alcohol", False),
    ("Benzyl Alcohol", False), ("Phenethyl Alcohol", False), ("Myristyl Alcohol", False), ("C12-15 Alcohols", False),
])
def test_drying_alcohols(kb: IngredientKnowledge, name: str, drying: bool) -> None:
    assert ("drying_alcohols" in kb.families_of_name(name)) is drying


def test_labelled_fragrance_allergens(kb: IngredientKnowledge) -> None:
    allergens = kb.members("fragrance_allergens")
    assert 78 <= len(allergens) <= 90, len(allergens)  # ~80 of Reg. (EU) 2023/1545, plus Lilial and Lyral
    assert allergens <= kb.members("fragrance")
    assert {"Limonene", "Linalool", "Coumarin", "Citral", "Benzyl Salicylate", "Vanillin", "Menthol",
            "Rose Ketones", "Butylphenyl Methylpropional"} <= allergens
    assert {"Parfum"} <= kb.members("fragrance") - allergens
    about = read_knowledge_file(DATA_FILE)["_about"]
    assert 78 <= about["counts"]["annex_iii_labelled_allergen_entries"] <= 85


def test_includes_expand_to_parent_families(kb: IngredientKnowledge) -> None:
    assert kb.members("volatile_silicones") <= kb.members("silicones")
    assert kb.members("fragrance_allergens") <= kb.members("fragrance")
    assert kb.members("parabens") <= kb.members("clean_at_sephora")
    assert kb.members("formaldehyde_releasers") <= kb.members("formaldehyde") <= kb.members("clean_at_sephora")
    assert kb.members("chemical_uv_filters") | kb.members("mineral_uv_filters") <= kb.members("uv_filters")
    assert {"Cyclopentasiloxane", "Cyclomethicone"} <= kb.members("volatile_silicones")
    assert "Dimethicone" in kb.members("silicones") - kb.members("volatile_silicones")
    assert {"Titanium Dioxide", "Zinc Oxide"} <= kb.members("mineral_uv_filters")
    assert {"Sodium Lauryl Sulfate", "Benzophenone-3", "Hydroquinone"} <= kb.members("clean_at_sephora")
    assert "fragrance" in kb.families_of_name("Linalool")


@pytest.mark.parametrize(("name", "family_id"), [
    ("Ethylhexylparaben", "parabens"), ("Dimethicone Crosspolymer", "silicones"),
    ("Bis-Vinyl Dimethicone/Methicone Silsesquioxane Crosspolymer", "silicones"), ("PEG-150 Distearate", "pegs"),
    ("Diisononyl Phthalate", "phthalates"), ("Boswellia Carterii Oil", "essential_oils"),
    ("Citrus Aurantium Dulcis (Orange) Peel Oil", "essential_oils"), ("Octyl Dimethoxycinnamate", "chemical_uv_filters"),
    ("Trifluoropropyl Dimethicone", "pfas"), ("Cocamide DEA", "ethanolamines"), ("MDM Hydantoin", "formaldehyde"),
    ("Natural Flavor", "fragrance"), ("Red 40 Lake", "colorants"), ("Hydrogenated Microcrystalline Wax", "mineral_oils"),
])
def test_pattern_rules_apply_to_unknown_names(kb: IngredientKnowledge, name: str, family_id: str) -> None:
    assert family_id in kb.families_of_name(name)


@pytest.mark.parametrize(("name", "family_id"), [
    ("Polyquaternium-15", "formaldehyde_releasers"), ("Saccharomyces/Silicon Ferment", "silicones"),
    ("Silica", "silicones"), ("Polyethylene Terephthalate", "phthalates"), ("3-Propylidenephthalide", "phthalates"),
    ("Camellia Sinensis (Green Tea) Leaf Extract", "ethanolamines"), ("Tea Tree Oil", "ethanolamines"),
    ("Simmondsia Chinensis (Jojoba) Seed Oil", "essential_oils"), ("Rosa Canina Fruit Oil", "essential_oils"),
    ("C13-14 Isoparaffin", "mineral_oils"), ("Microcrystalline Cellulose", "mineral_oils"),
    ("PPG-3 Benzyl Ether Myristate", "pegs"), ("Paraben-Free", "parabens"), ("Phthalate-Free Fragrance", "phthalates"),
    ("Sodium Monofluorophosphate", "pfas"), ("Drometrizole Trisiloxane", "volatile_silicones"),
    ("Aluminum Starch Octenylsuccinate", "aluminum_salts"), ("CI 77891", "colorants"), ("Mica", "colorants"),
])
def test_pattern_rule_exceptions(kb: IngredientKnowledge, name: str, family_id: str) -> None:
    assert family_id not in kb.families_of_name(name)


def test_rule_families_explain_themselves(kb: IngredientKnowledge) -> None:
    for family_id in ("parabens", "silicones", "sulfates", "pegs", "drying_alcohols", "mineral_oils"):
        patterns = kb.family(family_id).patterns
        assert patterns and all(isinstance(p, str) and p for p in patterns)
    assert any("methosulfate" in p for p in kb.family("sulfates").patterns)


def test_scan_finds_names_merged_by_a_missing_comma(kb: IngredientKnowledge) -> None:
    def scan(text: str) -> list[str]:
        return [ing.canonical for ing in kb.scan(text)]
    assert scan("Coumarin Limonene") == ["Coumarin", "Limonene"]
    assert scan("Parfum (Fragrance) D-Limonene") == ["Parfum", "Limonene"]
    assert scan("Linalool Citral, Geraniol Farnesol") == ["Linalool", "Citral", "Geraniol", "Farnesol"]
    assert scan("Alpha-Isomethyl Ionone Benzyl Salicylate") == ["Alpha-Isomethyl Ionone", "Benzyl Salicylate"]
    assert scan("Zyxyl Alcohol") == []  # no drying 'Alcohol' taken from the end of an unknown name
    assert scan("Glycerin Alcohol") == ["Glycerin", "Alcohol"]
    assert scan("") == []


@pytest.mark.parametrize(("name", "family_id"), [
    ("parabenów", "parabens"), ("silikonów", "silicones"), ("siarczanów", "sulfates"), ("parabenů", "parabens"),
    ("sulfátů", "sulfates"), ("silikonů", "silicones"), ("parabeni", "parabens"), ("siliconi", "silicones"),
    ("solfati", "sulfates"), ("Parabene", "parabens"), ("Silikone", "silicones"), ("Sulfate", "sulfates"),
    ("Duftstoffe", "fragrance"), ("Parfüm", "fragrance"), ("parabenos", "parabens"), ("siliconas", "silicones"),
    ("sulfatos", "sulfates"), ("perfume", "fragrance"), ("fragancia", "fragrance"), ("parabènes", "parabens"),
    ("silicones", "silicones"), ("sulfates", "sulfates"), ("parfum", "fragrance"), ("huiles essentielles",
    "essential_oils"), ("olejków eterycznych", "essential_oils"), ("ftalatów", None), ("ftalanów", "phthalates"),
    ("oli minerali", "mineral_oils"), ("filtres chimiques", "chemical_uv_filters"), ("PEG", "pegs"),
    ("Clean at Sephora", "clean_at_sephora"), ("allergènes", "fragrance_allergens"),
    ("παραβένια", "parabens"), ("παραβενίων", "parabens"), ("σιλικόνες", "silicones"), ("θειικά", "sulfates"),
    ("θειικές ενώσεις", "sulfates"), ("άρωμα", "fragrance"), ("ΑΡΩΜΑ", "fragrance"), ("ορυκτέλαια", "mineral_oils"),
    ("οινόπνευμα", "drying_alcohols"), ("αιθέρια έλαια", "essential_oils"), ("φθαλικές ενώσεις", "phthalates"),
    ("αλλεργιογόνα", "fragrance_allergens"), ("αλλεργιογόνων", "fragrance_allergens"),
])
def test_family_names_in_every_language(kb: IngredientKnowledge, name: str, family_id: str | None) -> None:
    assert kb.family_name_index().get(fold(name)) == family_id


def test_every_family_is_named_in_every_language(kb: IngredientKnowledge) -> None:
    for family in kb.families.values():
        assert set(family.names) == set(LANGUAGES), family.id
        assert all(family.names[lang] for lang in LANGUAGES), family.id


def test_skin_types_and_concerns_in_seven_languages(kb: IngredientKnowledge) -> None:
    assert set(kb.skin_types) == set(SKIN_TYPES)
    assert set(kb.concerns) == set(CONCERNS)
    for vocab in (kb.skin_types, kb.concerns):
        for code, by_lang in vocab.items():
            assert all(by_lang.get(lang) for lang in LANGUAGES), code
    dry = {fold(n) for names in kb.skin_types["dry"].values() for n in names}
    for name in ("dry skin", "peau sèche", "piel seca", "pelle secca", "trockene Haut", "skóra sucha",
                 "skóry suchej", "suchá pleť", "suchou pleť", "ξηρή επιδερμίδα", "ξηρό δέρμα"):
        assert fold(name) in dry, name
    assert "przebarwienia" in kb.concerns["dark_spots"]["pl"]


def test_describe_is_json_ready(kb: IngredientKnowledge) -> None:
    known = kb.describe("Methyl Paraben")
    assert known["canonical"] == "Methylparaben" and known["known"] and "parabens" in known["families"]
    unknown = kb.describe("Ethylhexylparaben")
    assert unknown["canonical"] is None and not unknown["known"] and "parabens" in unknown["families"]
    json.dumps([known, unknown])


def test_ingredient_families_are_valid_and_closed_under_includes(kb: IngredientKnowledge) -> None:
    families = kb.families
    for ing in kb.ingredients():
        for fid in ing.families:
            parents = {f.id for f in families.values() if fid in f.includes}
            assert parents <= ing.families, (ing.canonical, fid)


def test_data_file_header_carries_sources_and_licences() -> None:
    assert DATA_FILE.stat().st_size < 3_200_000  # 29,000 ingredients (the CosIng inventory), one line each
    about = read_knowledge_file(DATA_FILE)["_about"]
    text = json.dumps(about)
    for needle in ("CC BY 4.0", "2011/833/EU", "ODbL 1.0", "MIT", "Clean at Sephora", "knowledge_build",
                   "European Union", "Open Beauty Facts", "curlsbot"):
        assert needle in text, needle
    assert all(src["files"] for src in about["sources"])




def test_load_errors_are_knowledge_base_errors(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="missing"):
        IngredientKnowledge.load(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="not valid JSON"):
        IngredientKnowledge.load(bad)
    bad.write_text(json.dumps({"families": {}}), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="malformed"):
        IngredientKnowledge.load(bad)
    data = read_knowledge_file(DATA_FILE)
    data["ingredients"][0]["families"] = ["no_such_family"]
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="no_such_family"):
        IngredientKnowledge.load(bad)


def test_build_script_explains_a_missing_shared_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conseil.ingest.knowledge_build import main

    assert main(["--shared", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out.json")]) == 2
    assert "--shared" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.shared
def test_regenerated_file_equals_the_committed_one(tmp_path: Path) -> None:
    if not (SHARED_DATA / "ontology").is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}): cannot regenerate the knowledge file")
    from conseil.ingest.knowledge_build import KNOWLEDGE_DIR, build, write

    out = tmp_path / "ingredients.json.gz"
    data, _ = build(SHARED_DATA, KNOWLEDGE_DIR / "curation.json")
    write(data, out)
    assert out.read_bytes() == DATA_FILE.read_bytes(), "run `python -m conseil.ingest.knowledge_build` and commit"
