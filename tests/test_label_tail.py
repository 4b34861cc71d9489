"""The last stretch of issue 13's long tail on the Sephora export: chemical index names (curation
`chemical_names`), stereo descriptors cut off by a comma, words printed after a name (grades, what the
product does), isomer prefixes, a plant part the inventory lacks, the EU "Cera" and US "Wax" names of one
wax, the French part of a bilingual label, and curated everyday names of waxes and the like. Each with
what it must not do."""

from __future__ import annotations

import pytest
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.cutting import _pieces
from conseil.search.products.verify import verify
from conseil.search.query import Constraints
from label_support import payload, says_free_of


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def test_a_chemical_name_without_its_trailing_hyphen_is_the_same_name(kb: IngredientKnowledge) -> None:
    """The curated name ends "-tetramethyl-"; labels print it without the hyphen (the loose key).
    The curated names themselves are tested in test_chemical_names.py."""
    found = kb.resolve("Naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl")
    assert found is not None and found.canonical == "Dodecahydro-Tetramethylnaphthofuran"
    assert kb.resolve_label("Naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl").via == "normalised"


def test_a_chemical_name_brings_its_entrys_families(kb: IngredientKnowledge) -> None:
    """Hydroxyisohexyl 3-Cyclohexene Carboxaldehyde (Lyral) is a former allergen, whatever name is printed."""
    lyral = kb.resolve("3-Cyclohexene-1-carboxaldehyde, 4-(4-hydroxy-4-methylpentyl)-")
    assert lyral is not None and "fragrance_allergens" in lyral.families
    product = payload(kb, "Water, 4-(4-Hydroxy-4-methylpentyl)-3-cyclohexene-1-carboxaldehyde, Glycerin")
    assert not verify(product, Constraints(exclude_families=("fragrance_allergens",)), kb).ok


def test_a_stereo_descriptor_joins_the_index_name_before_it() -> None:
    pieces = _pieces("Naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl-, (3aR,5aS,9aS,9bR) (amber note), "
                     "Oxacyclohexadec-12-En-2-One, (12e) (musk note), Linalool, (E)")
    assert pieces == ["Naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl-, (3aR,5aS,9aS,9bR) (amber note)",
                      "Oxacyclohexadec-12-En-2-One, (12e) (musk note)", "Linalool", "(E)"]  # no locant: no join


def test_a_ring_name_or_indicated_hydrogen_is_no_substituent() -> None:
    assert _pieces("1,3-Benzodioxole-5-Propanal, .Alpha.-Methyl, Limonene") == [
        "1,3-Benzodioxole-5-Propanal, .Alpha.-Methyl", "Limonene"]
    assert _pieces("2(3H)-Furanone, dihydro-5-pentyl, Linalool") == ["2(3H)-Furanone, dihydro-5-pentyl", "Linalool"]


@pytest.mark.parametrize(("name", "canonical"), [
    ("Bentonite Clay", "Bentonite"), ("Indole Pure", "Indole"), ("Linalool. Vol", "Linalool"),
    ("Citric Acid Anhydrous", "Citric Acid"), ("Avobenzone Sunscreen", "Butyl Methoxydibenzoylmethane"),
    ("D-Sorbitol", "Sorbitol"), ("N-Butane", "Butane"), ("Terpineol Alpha", "Terpineol"),
    ("Food-Grade Paraffin", "Paraffin"), ("Dipotassium Glycyrrhizinate", "Dipotassium Glycyrrhizate"),
])
def test_words_around_a_name_are_set_aside(kb: IngredientKnowledge, name: str, canonical: str) -> None:
    found = kb.resolve(name)
    assert found is not None and found.canonical == canonical


def test_a_word_set_aside_keeps_its_own_family(kb: IngredientKnowledge) -> None:
    """"... Peel Oil Fragrance" resolves to the oil, and the word Fragrance still excludes it."""
    product = payload(kb, "Water, Citrus Aurantium Dulcis (Orange) Peel Oil Fragrance, Glycerin")
    verdict = verify(product, Constraints(exclude_families=("fragrance",)), kb)
    assert not verdict.ok and not says_free_of(verdict)


def test_only_an_entry_of_the_table_is_reached_by_setting_words_aside(kb: IngredientKnowledge) -> None:
    assert kb.resolve("Moroccan Lava Clay") is not None  # an INCI name of its own, not "Moroccan Lava"
    assert kb.resolve("Cashmere Mist Fragrance") is None


def test_the_eu_cera_and_us_wax_names_are_one_wax(kb: IngredientKnowledge) -> None:
    found = kb.resolve("Oryza Sativa Cera/Rice Bran Wax")
    assert found is not None and kb.resolve_label("Oryza Sativa Cera/Rice Bran Wax").via == "parts"
    assert kb.resolve("Helianthus Annuus Seed Cera/Sunflower Seed Wax") is not None
    assert kb.resolve("Honey Extract/Mel") is None  # two entries of their own, no wax: never one of them


def test_the_french_part_of_a_bilingual_label_names_no_other_substance(kb: IngredientKnowledge) -> None:
    beeswax = kb.resolve("Beeswax/Cire d'abeille")
    assert beeswax is not None and beeswax.canonical == "Cera Alba"
    assert kb.resolve("Beeswax/Paraffin Cire") is None  # "Paraffin" is no French word: another substance


def test_a_wax_blend_carries_every_part(kb: IngredientKnowledge) -> None:
    wax = analyze("100% Natural Coconut Soy Wax (No Paraffin), Cotton Wick", kb)
    assert wax.items[0].step == "everyday" and wax.items[0].canonical
    keys = {kb.resolve(n).key for n in ("Hydrogenated Soybean Oil", "Hydrogenated Coconut Oil")}  # type: ignore[union-attr]
    assert keys <= set(wax.canonical_keys)


def test_cane_sugar_alcohol_is_a_drying_alcohol(kb: IngredientKnowledge) -> None:
    product = payload(kb, "Organic Cane Sugar Alcohol, Water, Parfum")
    assert not verify(product, Constraints(exclude_families=("drying_alcohols",)), kb).ok


def test_a_highlight_naming_two_ingredients_gives_two_items(kb: IngredientKnowledge) -> None:
    found = analyze("-Centella Asiatica & Madecassoside: Soothe visible redness.\n\nWater, Madecassoside", kb)
    assert [i.item.name for i in found.items][:2] == ["centella asiatica", "madecassoside"]
    assert not found.unknown
    assert "d&c red 7" in {i.item.name for i in analyze("-D&C Red 7: a red.\n\nWater", kb).items}
