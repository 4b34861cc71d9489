"""The coverage routes of issue 13's long tail: names run together (split), names cut by a stray comma
(joined), locant commas, a name printed with its CAS number or grade, and a plant named without its
part (plant). Each with the false positives it must not produce: a wrong route would turn an
unidentified item, which withholds "free of", into an identified one."""

from __future__ import annotations

from typing import Any

import pytest
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.inci import parse_declaration
from conseil.search.knowledge.merged import joins, split_merged
from conseil.search.products.verify import verify
from conseil.search.query import Constraints
from label_support import payload, says_free_of


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()




# -- split ----------------------------------------------------------------------------------------

def _steps(known: dict[str, str]) -> Any:
    return lambda name: known.get(name, "unidentified")


def test_split_needs_every_word_in_a_name_of_its_own() -> None:
    known = _steps({"butylene glycol": "exact", "menthol": "exact", "water": "exact", "alcohol": "exact"})
    assert split_merged("butylene glycol menthol", known) == ("butylene glycol", "menthol")
    assert split_merged("butylene glycol menthol extra", known) == ()  # a word left over
    assert split_merged("menthol alcohol", known) == ()  # a generic word alone ("alcohol": which?)
    assert split_merged("menthol", known) == ()  # one name is no merge


def test_split_never_guesses_between_two_cuts() -> None:
    known = _steps({"a1 b1": "exact", "c1": "exact", "a1": "exact", "b1 c1": "exact"})
    assert split_merged("a1 b1 c1", _steps({"alpha beta": "exact", "gamma": "exact", "alpha": "exact",
                                            "beta gamma": "exact"})) == ()
    assert split_merged("a1 b1 c1", known) == ()  # too-short one-word parts are never cut at


def test_split_only_on_own_names_never_typos() -> None:
    assert split_merged("menthol glycerine", _steps({"menthol": "exact", "glycerine": "typo"})) == ()


def test_a_split_item_is_identified_and_keeps_every_parts_families(kb: IngredientKnowledge) -> None:
    product = payload(kb, "Water, Butylene Glycol Menthol, Methylparaben Propylparaben")
    verdict = verify(product, Constraints(exclude_families=("silicones",)), kb)
    assert verdict.fully_verified and says_free_of(verdict)
    assert not verify(product, Constraints(exclude_families=("parabens",)), kb).ok
    assert not verify(product, Constraints(exclude_ingredients=("menthol",)), kb).ok


def test_leftover_words_keep_the_item_unidentified(kb: IngredientKnowledge) -> None:
    product = payload(kb, "Water, Cane Sugar Alcohol And Distilled Water")
    verdict = verify(product, Constraints(exclude_families=("parabens",)), kb)
    assert verdict.unidentified and not says_free_of(verdict)


# -- joined and locant commas ---------------------------------------------------------------------

def test_joined_only_when_one_piece_names_nothing() -> None:
    steps = _steps({"ethylhexyl methoxycinnamate": "exact", "peg-8": "exact", "dimethicone": "exact",
                    "peg-8 dimethicone": "exact"})
    assert joins("ethylhexyl", "methoxycinnamate", steps) == "ethylhexyl methoxycinnamate"
    assert joins("peg-8", "dimethicone", steps) == ""  # two names of their own stay two items


def test_a_joined_item_keeps_its_pieces_families(kb: IngredientKnowledge) -> None:
    items = analyze("Water, Sodium Lauryl, Sulfate, Glycerin", kb).items
    assert [i.canonical for i in items] == ["Water", "Sodium Lauryl Sulfate", "Glycerin"]
    assert items[1].step == "joined" and "sulfates" in items[1].families


def test_locant_commas() -> None:
    names = [i.name for i in parse_declaration("Water, 2-Oleamido-1, 3-Octadecanediol, 1, 2-Hexanediol").items]
    assert names == ["water", "2-oleamido-1,3-octadecanediol", "1,2-hexanediol"]
    # a name ending in a number is not a locant: two items
    assert [i.name for i in parse_declaration("Laureth-4, 1,2-Hexanediol").items] == ["laureth-4", "1,2-hexanediol"]
    assert len(parse_declaration("Laureth-4, 2-Hexanediol").items) == 2
    assert len(parse_declaration("CAS 124-13-0, 2-Hexanediol").items) == 2


# -- name with CAS number or grade ----------------------------------------------------------------

def test_a_cas_number_after_the_name(kb: IngredientKnowledge) -> None:
    found = kb.resolve_label("Linalool 78-70-6")
    assert found.via == "normalised" and kb.resolve("Linalool 78-70-6").canonical == "Linalool"  # type: ignore[union-attr]
    conflict = kb.resolve_label("Propylparaben 99-76-3")  # Methylparaben's number: never guessed
    assert conflict.index is None
    assert {kb.ingredient_of(kb.resolve_label(n)).canonical for n in ("Propylparaben", "Methylparaben")} == {  # type: ignore[union-attr]
        kb.ingredients()[i].canonical for i in conflict.candidates}
    assert "parabens" in kb.families_of_name("Linalool 99-76-3")  # the number's families count too


def test_pharmacopoeia_grades(kb: IngredientKnowledge) -> None:
    assert kb.resolve("Stearic Acid USP").canonical == "Stearic Acid"  # type: ignore[union-attr]
    assert kb.resolve("Methylparaben Ph. Eur.").canonical == "Methylparaben"  # type: ignore[union-attr]
    assert kb.resolve("Stearic Acid Usp Extra") is None


# -- plants ---------------------------------------------------------------------------------------

def test_a_plant_without_its_part_is_one_of_its_parts(kb: IngredientKnowledge) -> None:
    found = kb.resolve_label("Olea Europaea (Olive) Oil")
    olive = kb.ingredient_of(found)
    assert found.via == "plant" and olive is not None
    assert {"olea europaea fruit oil", "olea europaea leaf oil"} <= set(olive.groups)
    product = payload(kb, "Water, Olea Europaea (Olive) Oil, Glycerin")
    assert not verify(product, Constraints(exclude_ingredients=("olea europaea leaf oil",)), kb).ok


def test_a_plant_ingredient_has_every_candidates_families(kb: IngredientKnowledge) -> None:
    bitter_orange = kb.resolve("Citrus Aurantium Amara Oil")
    assert bitter_orange is not None
    peel = kb.resolve("Citrus Aurantium Peel Oil")
    assert peel is not None and peel.families <= bitter_orange.families
    assert peel.families <= kb.families_of_name("Citrus Aurantium Amara Oil")


def test_a_written_part_the_plant_lacks_is_never_another_part(kb: IngredientKnowledge) -> None:
    """A part the inventory does not list for that plant's product is that plant's product, one of the listed
    ones for its families (`part`), never one listed part; an entry that writes no part takes it (`botanical`)."""
    for name, group in (("Ziziphus Jujuba Fruit Extract", "Ziziphus Jujuba Extract"),
                        ("Nephelium Lappaceum Seed Extract", "Nephelium Lappaceum Extract")):
        found, how = kb.resolve(name), kb.resolve_label(name)
        assert how.via == "part" and found is not None and found.canonical == group, name
        listed = [kb.ingredients()[i] for i in how.candidates]
        assert len(listed) >= 2 and all(m.families <= found.families and m.key in found.groups for m in listed)
    shea = kb.resolve("Butyrospermum Parkii Nut Butter")
    assert shea is not None and shea.canonical == "Butyrospermum Parkii Butter"
    assert kb.resolve_label("Butyrospermum Parkii Nut Butter").via == "botanical"
    assert kb.resolve("Camellia Sinensis Leaf Extrakt").canonical == "Camellia Sinensis Leaf Extract"  # type: ignore[union-attr]
    assert kb.resolve_label("Camellia Sinensis Seed/Leaf Extract").via != "part"  # several parts: never guessed


def test_a_written_part_keeps_every_candidates_families(kb: IngredientKnowledge) -> None:
    """Regression: the claim audit lost "Mentha Piperita (Peppermint) Leaf Oil" as a fragrance when the
    part filter dropped the plant's candidates (none is a plain leaf oil) instead of keeping their families."""
    assert {"fragrance", "essential_oils"} <= kb.families_of_name("Mentha Piperita (Peppermint) Leaf Oil")
    product = payload(kb, "Water, Mentha Piperita (Peppermint) Leaf Oil")
    assert not verify(product, Constraints(exclude_families=("fragrance",)), kb).ok
