"""Issue 13's list repairs: how a list is cut into items (chemical index names, batch codes, CL for CI,
words glued together, slashed names of one thing). Each repair with its false-positive guards: two real
ingredients are never glued into one item, and a repair never turns an unknown into a known by a guess.

The declarations are copied from the Sephora export (../shared/data/sephora-products, product id given)."""

from __future__ import annotations

from typing import Any

import pytest
from conseil.search.knowledge.analysis import analyze
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.fields import REPAIR_CL, REPAIR_INDEX, REPAIR_LOT
from conseil.search.knowledge.inci import parse_declaration
from conseil.search.knowledge.merged import same_thing, split_merged, unglue
from conseil.search.products.verify import verify
from conseil.search.query import Constraints
from label_support import payload, says_free_of


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def names(raw: str) -> list[str]:
    return [i.name for i in parse_declaration(raw).items]




# -- chemical (CAS) index names cut at their commas -------------------------------------------------

# P467146 (fragrance chemicals printed as CAS index names, parent first)
P467146 = (
    "Benzaldehyde, 3-ethoxy-4-hydroxy (powdery note/safe synthetic), Benzoic acid, 2-hydroxy-, (3Z)-3-hexen-1-yl "
    "ester (floral note/safe synthetic), Cyclopentaneacetic acid, 3-oxo-2-pentyl-, methyl ester (floral "
    "note/safe synthetic), Naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl (amber note/safe synthetic), "
    "Cedarwood Oil (woody note/botanical) , Propanol, oxybis (solvent/safe synthetic), Tetradecanoic acid, "
    "1-methylethyl ester (solvent/safe synthetic), aqua/water/eau.")


def test_a_chemical_index_name_is_one_item() -> None:
    assert names(P467146) == [
        "benzaldehyde, 3-ethoxy-4-hydroxy",
        "benzoic acid, 2-hydroxy-,-3-hexen-1-yl ester",  # "(3Z)" is read as a bracketed aside, as before
        "cyclopentaneacetic acid, 3-oxo-2-pentyl-, methyl ester",
        "naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl",
        "cedarwood oil",
        "propanol, oxybis",
        "tetradecanoic acid, 1-methylethyl ester",
        "aqua",
    ]
    joined = [i for i in parse_declaration(P467146).items if "," in i.name]
    assert joined and all(REPAIR_INDEX in i.repairs for i in joined)


def test_more_index_name_shapes() -> None:
    # P477240, P467146: a stereo descriptor, a propanoate, greek locants
    assert names("Naphtho[2,1-B]Furan, Dodecahydro-3a,6,6,9a-Tetramethyl-, (3ar,5as,9as,9br)- (Woody Note), "
                 "Glycerin") == ["naphtho[2,1-b]furan, dodecahydro-3a,6,6,9a-tetramethyl-,-", "glycerin"]
    assert len(parse_declaration("1-Propanol, 2-[1-(3,3-dimethyl-cyclohexyl)ethoxy]-2-methyl-,propanoate (musk "
                                 "note), 3-Cyclopentene-1-butanol, .alpha.,.beta.,2,2,3-pentamethyl").items) == 2


def test_index_name_guards_never_glue_two_ingredients() -> None:
    # real names, each standing alone: a stray comma is merged.joins' business, not this repair's
    assert names("Tocopheryl, Acetate, Glycerin") == ["tocopheryl", "acetate", "glycerin"]
    assert names("Cetyl Esters, Jojoba Esters, Glycerin") == ["cetyl esters", "jojoba esters", "glycerin"]
    assert names("Paraben-, Phthalate-, and Cruelty-Free") == []  # still prose, set aside
    # "Poly(oxy-1,2-ethanediyl)" is a parent of its own, not a substituent of the paraffin before it
    assert names("Paraffin Wax, Poly(oxy-1,2-ethanediyl), Glycerin")[0] == "paraffin wax"
    # "Alpha" opens the next name ("alpha,alpha-Dimethylphenethyl Butyrate"), not the end of the one before
    assert names("Phenethyl Alcohol, Alpha,alpha-Dimethylphenethyl Butyrate") == [
        "phenethyl alcohol", "alpha,alpha-dimethylphenethyl butyrate"]
    assert names("Laureth-4, 1,2-Hexanediol, PEG-40, Ethylhexyl, Methoxycinnamate") == [
        "laureth-4", "1,2-hexanediol", "peg-40", "ethylhexyl", "methoxycinnamate"]
    # a carbon-chain range is no locant: "Acetate" after "C12-15" stands alone (hypothesis found it)
    assert names("C12-15, Acetate, Glycerin") == ["c12-15", "acetate", "glycerin"]


def test_an_index_name_not_in_the_knowledge_base_stays_unidentified(kb: IngredientKnowledge) -> None:
    # One mention, not three; not "Benzoic Acid" (it is heptyl salicylate, which the CosIng inventory lacks;
    # the hexenyl and pentyl esters this test used are curated chemical names now): unidentified, fail closed
    [item] = analyze("Benzoic acid, 2-hydroxy-, heptyl ester", kb).items
    assert item.canonical is None and item.step == "unidentified"
    verdict = verify(payload(kb, "Water, Benzoic acid, 2-hydroxy-, heptyl ester"),
                     Constraints(exclude_families=["fragrance"]), kb)
    assert verdict.unidentified and not says_free_of(verdict)


# -- batch / lot codes --------------------------------------------------------------------------------

def test_a_batch_code_is_set_aside_and_recorded(kb: IngredientKnowledge) -> None:
    items = analyze("Iron Oxide V282466/1, Parfume/Fragrance N280447/1, C261574/1 Hydrogenated Soybean Oil", kb).items
    assert [i.canonical for i in items] == ["Iron Oxides", "Parfum", "Hydrogenated Soybean Oil"]
    assert items[0].item.repairs == (f"{REPAIR_LOT}: V282466/1",)
    assert "fragrance" in items[1].families


def test_a_bare_batch_code_is_no_item_but_a_note() -> None:
    declaration = parse_declaration("Mica, C179346/1, Silica")
    assert [i.name for i in declaration.items] == ["mica", "silica"]
    assert "C179346/1" in declaration.notes


def test_batch_code_guards() -> None:
    # a colour index pair, a PEG/PPG name and a CAS number are not batch codes
    assert names("CI 77491/77492") == ["ci 77491"]
    assert names("PEG/PPG-18/18 Dimethicone") == ["peg/ppg-18/18 dimethicone"]
    assert not any(i.repairs for i in parse_declaration("Linalool 78-70-6, CI 77491/77492").items)


# -- CL misread for CI ------------------------------------------------------------------------------

def test_cl_before_a_colour_index_is_ci(kb: IngredientKnowledge) -> None:
    items = analyze("CL 77492, Iron Oxides CL 77499, CL 75470/Carmine", kb).items
    assert [i.canonical for i in items] == ["CI 77492", "Iron Oxides", "CI 75470"]
    assert all(i.item.repairs == (REPAIR_CL,) for i in items)
    assert all("colorants" in i.families for i in items)


def test_cl_guards() -> None:
    # chloride, chlorella, "Cl" (Clinique's division code) without a colour index: untouched
    assert names("Sodium Chloride, Chlorella Vulgaris Extract, CL 1234") == [
        "sodium chloride", "chlorella vulgaris extract", "cl 1234"]
    assert not any(i.repairs for i in parse_declaration("Sodium Chloride, CL 1234, CL 99999").items)


# -- words glued without a space --------------------------------------------------------------------

def _steps(known: set[str]) -> Any:
    return lambda name: "exact" if name in known else "unidentified"


def test_unglue_needs_two_known_names_and_one_cut() -> None:
    steps = _steps({"crambe abyssinica seed oil", "limnanthes alba seed oil", "tocopherol", "limonene"})
    assert unglue("crambe abyssinica seed oillimnanthes alba seed oil", steps) == (
        "crambe abyssinica seed oil", "limnanthes alba seed oil")
    assert split_merged("tocopherollimonene", steps) == ("tocopherol", "limonene")
    assert unglue("tocopherollimonenex", steps) == ()  # a letter left over
    assert unglue("tocopherolglycerin", steps) == ()  # one half unknown
    # two ways to cut: never guessed
    ambiguous = _steps({"aaaaol", "bbbbeneccccc", "aaaaolbbbbene", "ccccc"})
    assert unglue("aaaaolbbbbeneccccc", ambiguous) == ()
    assert unglue("aaaaolbbbbeneccccc", _steps({"aaaaol", "bbbbeneccccc"})) == ("aaaaol", "bbbbeneccccc")


def test_unglued_items_are_identified_with_every_parts_families(kb: IngredientKnowledge) -> None:
    items = analyze("Crambe Abyssinica Seed Oillimnanthes Alba Seed Oil, Tocopherollimonene", kb).items
    assert [i.step for i in items] == ["unglued", "unglued"]
    assert "fragrance_allergens" in items[1].families  # limonene's
    verdict = verify(payload(kb, "Water, Tocopherollimonene"), Constraints(exclude_families=["fragrance_allergens"]),
                     kb)
    assert not verdict.ok and not says_free_of(verdict)


def test_unglue_guards(kb: IngredientKnowledge) -> None:
    # "water" alone is too generic to cut at; a real single name is never cut
    assert analyze("Glycerinwater", kb).items[0].step == "unidentified"
    assert analyze("Hydrogenated Polyisobutene", kb).items[0].step == "exact"


# -- slashed names of one thing -----------------------------------------------------------------------

def test_slash_parts_naming_one_thing(kb: IngredientKnowledge) -> None:
    [item] = analyze("Iris Florentina/Iris Florentina Root Extract", kb).items
    assert (item.canonical, item.step) == ("Iris Florentina Root Extract", "slash")


def test_slash_guards() -> None:
    def names_of(key: str) -> tuple[str, ...]:
        return (key,)

    # a part whose words are not within the identified name stays unidentified (another thing)
    assert same_thing(("oryza sativa cera", "rice bran wax"), {"oryza sativa cera": "oryza sativa cera"},
                      names_of) == ""
    # two identified ingredients are two things; one-word parts are too loose
    assert same_thing(("glycerin", "water"), {"glycerin": "glycerin", "water": "water"}, names_of) == ""
    assert same_thing(("iris", "iris florentina root extract"),
                      {"iris florentina root extract": "iris florentina root extract"}, names_of) == ""
    assert same_thing(("iris florentina", "iris florentina root extract"),
                      {"iris florentina root extract": "iris florentina root extract"},
                      names_of) == "iris florentina root extract"
