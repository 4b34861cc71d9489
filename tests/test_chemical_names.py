"""Chemical (CAS index, IUPAC) and trade names that real labels print for fragrance molecules (curation
`chemical_names`): each lands, as a synonym, on the CosIng inventory entry it denotes and carries that
entry's families, so an allergen written as its CAS index name still rules out "free of" that allergen."""

from __future__ import annotations

import pytest
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.verify import verify
from conseil.search.query import Constraints
from label_support import payload, says_free_of


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


@pytest.mark.parametrize(("name", "inci"), [
    ("Benzoic acid, 2-hydroxy-, hexyl ester", "Hexyl Salicylate"),  # CAS index name
    ("1,6-Octadien-3-ol, 3,7-dimethyl-, 3-acetate", "Linalyl Acetate"),
    ("2(3H)-Furanone, dihydro-5-pentyl-", "Gamma-Nonalactone"),
    ("Cyclohexanepropanol, 2,2,6-trimethyl-.alpha.-propyl-", "Trimethyl-Propylcyclohexanepropanol"),
    ("2,6,6-Trimethylcyclohexa-1,3-dienyl methanal", "2,3-Dihydro-2,2,6-Trimethylbenzaldehyde"),  # safranal
    ("Delta-1-(2,6,6-Trimethyl-3-Cyclohexen-1-Yl)-2- Buten-1-One", "Delta-Damascone"),  # a rose ketone
    ("Methyl cedryl ketone", "Acetylcedrene"),
    ("Hedione", "Methyldihydrojasmonate"),  # trade names of one substance
    ("Calone", "Methyl Benzodioxepinone"),
    ("Habanolide", "Oxacyclohexadecenone"),
    ("Mefrosol", "Phenylisohexanol"),
    ("Cyclopentaneacetic Acid, 3-Oxo-2-Pentyl-, Methyl Ester", "Methyldihydrojasmonate"),
    ("1,4-Dioxacycloheptadecane-5,17-Dione", "Ethylene Brassylate"),
    ("Propanol, oxybis-", "Dipropylene Glycol"),
    ("Benzoic acid, 2-hydroxy-, 3-hexen-1-yl ester", "cis-3-Hexenyl Salicylate"),
    ("Piperonal", "Heliotropine"),
    ("Pyrithione Zinc", "Zinc Pyrithione"),  # the US drug-facts name
])
def test_label_name_is_a_synonym_of_its_inventory_entry(kb: IngredientKnowledge, name: str, inci: str) -> None:
    found = kb.resolve_label(name)
    assert found.via == "synonym", found.trail
    entry = kb.resolve(inci)  # the INCI name itself, which may have joined a curated ingredient
    assert entry is not None and kb.ingredient_of(found) == entry
    assert kb.families_of_name(name) == entry.families


def test_an_allergen_printed_as_its_chemical_name_is_never_free_of_allergens(kb: IngredientKnowledge) -> None:
    for written in ("Linalyl Acetate", "1,6-Octadien-3-Ol, 3,7-Dimethyl-, 3-Acetate (Bergamot Note/Safe Synthetic)",
                    "Methyl Cedryl Ketone (Woody Note/Safe Synthetic)"):
        verdict = verify(payload(kb, f"Alcohol Denat., {written}, Aqua"),
                         Constraints(exclude_families=("fragrance_allergens",)), kb)
        assert not verdict.ok and not says_free_of(verdict), written
    control = verify(payload(kb, "Alcohol Denat., Calone (Melon Note/Safe Synthetic), Aqua"),
                     Constraints(exclude_families=("fragrance_allergens",)), kb)
    assert control.ok and says_free_of(control)  # a named non-allergen, fully identified


def test_a_note_annotation_does_not_hide_the_name(kb: IngredientKnowledge) -> None:
    items = analyze("Alcohol Denat., Calone (Melon Note/Safe Synthetic), "
                    "2(3H)-Furanone, Dihydro-5-Propyl- (Almond Note / Safe Synthetic), Aqua", kb).items
    assert [i.canonical for i in items] == ["Alcohol Denat.", "Methyl Benzodioxepinone", "Gamma-Heptalactone", "Water"]


def test_an_iupac_name_is_not_taken_for_a_short_name_inside_it(kb: IngredientKnowledge) -> None:
    # Timberol's IUPAC name used to reach 1-Hexen-3-Ol by the typo step
    found = kb.resolve_label("1-(2,2,6-Trimethylcyclohexyl)hexan-3-ol")
    assert kb.ingredient_of(found).canonical == "Trimethyl-Propylcyclohexanepropanol"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Floralozone", "Sylkolide", "Mahonial", "Prunolide", "Butyl cyclohexyl acetate"])
def test_uncertain_trade_names_stay_unidentified(kb: IngredientKnowledge, name: str) -> None:
    # an isomer mixture (ortho/para) or a name no source ties to one inventory entry: left out on purpose
    assert kb.ingredient_of(kb.resolve_label(name)) is None
