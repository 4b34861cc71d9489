"""Names of issue 13's long tail (resolve.py, label_names.py, plants.py): a plant named alone, older botanical
names, common names, everyday and trade names, misprints the typo step used to refuse, and text that is
no substance. Each with what it must not do: a wrong route would turn an unidentified item, which
withholds "free of", into a wrongly identified one."""

from __future__ import annotations

import pytest
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.coverage import measure
from conseil.search.products.verify import verify
from conseil.search.query import Constraints
from label_support import payload, says_free_of


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()




@pytest.mark.parametrize(("name", "canonical", "via"), [
    ("Citrullus Vulgaris Fruit Extract", "Citrullus Lanatus Fruit Extract", "spelling"),  # older genus name
    ("Moringa Pterygosperma Seed Extract", "Moringa Oleifera Seed Extract", "spelling"),
    ("Citrus Medica Limonum Peel Extract", "Citrus Limon Peel Extract", "spelling"),
    ("Illex Paraguensis Leaf Extract", "Ilex Paraguariensis Leaf Extract", "spelling"),
    ("Ginger Root Oil", "Zingiber Officinale Root Oil", "common"),  # CosIng's "(Ginger)"
    ("Beet Root Extract", "Beta Vulgaris Root Extract", "common"),
    ("Queensland Nut Seed Oil", "Macadamia Ternifolia Seed Oil", "common"),
    ("Lemon Balm Leaf Extract", "Melissa Officinalis Leaf Extract", "common"),  # not "Citrus Limon Balm"
    ("Vitamin B12", "Cyanocobalamin", "everyday"),
    ("Ambroxan", "Ambroxide", "synonym"),
    ("Bismuth Oxychloride", "CI 77163", "synonym"),
    ("Alpha Keratin", "Keratin", "synonym"),
    ("Silicon Dioxide", "Silica", "synonym"),
    ("Natural Flavors", "Parfum", "synonym"),
    ("Artificial Flavor", "Parfum", "synonym"),
    ("Gerniol", "Geraniol", "typo"),  # seven letters: one letter dropped
    ("Arnesol", "Farnesol", "typo"),  # its first letter dropped
    ("Limonen", "Limonene", "typo"),
    ("Imodimethicone", "Amodimethicone", "typo"),  # a long name's misprinted first letter
    ("Eucalyptus Globululs Leaf Oil", "Eucalyptus Globulus Oil", "typo"),  # its synonym writes the leaf
    ("Centrimonium Chloride", "Cetrimonium Chloride", "typo"),  # a name two entries share still has typos
])
def test_names_resolve(kb: IngredientKnowledge, name: str, canonical: str, via: str) -> None:
    found = kb.resolve_label(name)
    ingredient = kb.ingredient_of(found)
    assert ingredient is not None and ingredient.canonical == canonical, found.trail
    assert found.via == via


@pytest.mark.parametrize(("name", "some_member"), [
    ("Passiflora Edulis", "passiflora edulis seed oil"),
    ("Chamomilla Recutita", "chamomilla recutita flower oil"),
    ("Vetiveria Zizanioides", "vetiveria zizanoides root oil"),  # botanical spelling -> CosIng's
])
def test_a_plant_named_alone_is_one_of_its_ingredients(kb: IngredientKnowledge, name: str, some_member: str) -> None:
    found = kb.resolve_label(name)
    plant = kb.ingredient_of(found)
    assert found.via == "plant" and plant is not None
    assert some_member in plant.groups  # "without <that member>" excludes it
    member = kb.resolve(some_member)
    assert member is not None and member.families <= plant.families  # every candidate's families


@pytest.mark.parametrize("name", ["Ginger", "Turmeric", "Sea Buckthorn"])
def test_a_common_name_alone_is_not_a_plant(kb: IngredientKnowledge, name: str) -> None:
    assert kb.resolve_label(name).via not in ("common", "plant")


def test_a_common_name_in_brackets_adds_no_family(kb: IngredientKnowledge) -> None:
    for declaration in ("Aqua, Zingiber Officinale (Ginger) Root Extract", "Aqua, Curcuma Longa (Turmeric) Root Extract"):
        item = analyze(declaration, kb).items[-1]
        assert item.canonical is not None and "essential_oils" not in item.families, declaration


def test_a_plant_named_alone_is_never_free_of_its_candidates_families(kb: IngredientKnowledge) -> None:
    assert "essential_oils" in kb.resolve("Chamomilla Recutita Flower Oil").families  # type: ignore[union-attr]
    verdict = verify(payload(kb, "Aqua, Chamomilla Recutita, Glycerin"),
                     Constraints(exclude_families=("essential_oils",)), kb)
    assert not verdict.ok and not says_free_of(verdict)


def test_vitamin_e_is_either_tocopherol_or_its_acetate(kb: IngredientKnowledge) -> None:
    found = kb.resolve_label("Vitamin E")
    assert found.via == "everyday" and len(found.candidates) == 2
    for excluded in ("tocopheryl acetate", "tocopherol"):
        verdict = verify(payload(kb, "Aqua, Vitamin E, Glycerin"), Constraints(exclude_ingredients=(excluded,)), kb)
        assert not verdict.ok and not says_free_of(verdict), excluded


def test_flavour_is_fragrance(kb: IngredientKnowledge) -> None:
    verdict = verify(payload(kb, "Aqua, Natural Flavors, Glycerin"), Constraints(exclude_families=("fragrance",)), kb)
    assert not verdict.ok and not says_free_of(verdict)


@pytest.mark.parametrize("name", ["Rose Flower Oil", "Cinnamon Bark Oil", "Chamomile Essential Oil"])
def test_a_common_name_of_several_species_is_not_guessed(kb: IngredientKnowledge, name: str) -> None:
    found = kb.resolve_label(name)
    assert found.via != "common" and not (found.via == "typo" and found.distance == 0)


@pytest.mark.parametrize("name", ["Lonones", "Mentkol", "Ure", "PEG-9"])
def test_short_misprints_by_substitution_are_not_guessed(kb: IngredientKnowledge, name: str) -> None:
    assert kb.resolve_label(name).via != "typo"


@pytest.mark.parametrize("name", ["Cotton Wick", "Pure", "Natural", "Naturally Derived", "FDA Approved", "Vegetable"])
def test_text_that_is_no_substance(kb: IngredientKnowledge, name: str) -> None:
    assert kb.resolve_label(name).via == "not_ingredient" and kb.not_an_ingredient(name)
    assert kb.families_of_name(name) == frozenset()


@pytest.mark.parametrize("name", [
    "Natural Fragrance", "Vegetable Oil", "Vegetable Glycerin", "Cotton Seed Oil", "Pure Jojoba Oil",
    "Naturally Derived Fragrance", "Natural Flavors", "Fragrance (Natural)", "Organic", "Wax", "Soy Wax",
    "Synthetic Fibers", "Phthalate-Free Fragrance",
])
def test_substances_are_never_not_an_ingredient(kb: IngredientKnowledge, name: str) -> None:
    assert kb.resolve_label(name).via != "not_ingredient"
    assert analyze(f"Aqua, {name}", kb).items[-1].via != "not_ingredient"


def test_no_substance_neither_blocks_nor_supports_free_of(kb: IngredientKnowledge) -> None:
    candle = verify(payload(kb, "Cera Alba, Parfum, Cotton Wick"), Constraints(exclude_families=("parabens",)), kb)
    assert candle.fully_verified and says_free_of(candle)  # the wick is no unidentified ingredient
    assert analyze("Cera Alba, Parfum, Cotton Wick", kb).unknown == ()
    scented = verify(payload(kb, "Cera Alba, Parfum, Cotton Wick"), Constraints(exclude_families=("fragrance",)), kb)
    assert not scented.ok  # the wick hides nothing: the fragrance is still found


def test_coverage_shows_no_substance_on_its_own_row() -> None:
    kb = IngredientKnowledge.load()
    report = measure(["Aqua, Glycerin, Cotton Wick", "Aqua, Xyzzyplorbium"], kb).as_dict()
    assert report["by_step"]["not_ingredient"] == 1 and report["not_ingredient"] == 1
    assert report["resolved"] == 4 and report["mentions"] == 5
    assert report["resolved_share_substances"] == round(3 / 4, 4)
    assert [r["name"] for r in report["top_unresolved"]] == ["xyzzyplorbium"]
