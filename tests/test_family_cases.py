"""Family names after "without" read in the case the language asks: the genitive after Polish and Czech
"bez" ("bez parabenów", not "bez parabeny"), from corpora/language/family_cases.json.

The real knowledge base and language data, no model, no index: part of the unit tier.
"""

from __future__ import annotations

from typing import Any

import pytest
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.describe import chip_label, describe
from conseil.search.products.labels import claim_label
from conseil.search.products.verify import audit_warnings, verify
from conseil.search.query import Constraints, Interpretation
from conseil.search.query.language_data import LANGUAGES, language_file
from conseil.search.query.messages import family_name, family_without, message, names_by_language

INFLECTED = ("pl", "cs")  # "bez" + genitive
# Names that are the same in every case: acronyms and the retailer's programme.
INVARIANT = frozenset({"pegs", "edta", "pfas", "clean_at_sephora"})
WATER: dict[str, Any] = {"ingredient_items": [["Water", "water", ["water"], []]]}
# Water, and an item the knowledge base cannot identify: "free of" cannot be said, only "not certain".
UNKNOWN: dict[str, Any] = {"ingredient_items": [["Water", "water", ["water"], []],
                                                ["Xyzzium Plorb", "xyzzium plorb", [], []]]}
# The sentence around a family the unverified why line writes, by language ({} is the family's form).
UNVERIFIED = {"pl": "brak {} nie jest pewny:", "cs": "nepřítomnost {} není jistá:"}


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


def test_every_family_has_a_reviewed_genitive_in_polish_and_czech(kb: IngredientKnowledge) -> None:
    forms = language_file("family_cases.json")["without"]
    for lang in INFLECTED:
        assert set(forms[lang]) == set(kb.families), lang  # no family left out, no unknown id
        for fid, form in forms[lang].items():
            nominative = family_name(kb, fid, lang)
            assert form.strip() == form and form, (lang, fid)
            assert (form == nominative) == (fid in INVARIANT), (lang, fid, form, nominative)


@pytest.mark.parametrize(("lang", "expected"), [("pl", "bez parabenów (30 nazw INCI)"),
                                                ("cs", "bez parabenů (30 názvů INCI)")])
def test_the_summary_says_without_parabens_in_the_genitive(kb: IngredientKnowledge, lang: str,
                                                           expected: str) -> None:
    interp = Interpretation(query="x", language=lang, semantic_text="krem",
                            constraints=Constraints(exclude_families=("parabens",)), chips=(), warnings=())
    count = len(kb.members("parabens"))
    assert describe(interp, kb, lang).summary == expected.replace("30", str(count))


@pytest.mark.parametrize("lang", INFLECTED)
def test_every_family_reads_in_the_genitive_wherever_it_follows_bez(kb: IngredientKnowledge, lang: str) -> None:
    for fid in kb.families:
        form = family_without(kb, fid, lang)
        assert chip_label(kb, "exclude_family", fid, lang) == f"bez {form}"
        assert claim_label(f"without:{fid}", kb, lang) == f"bez {form}"
        why = verify(WATER, Constraints(exclude_families=(fid,)), kb, language=lang).why
        if fid != "clean_at_sephora":  # water is on the Clean list: nothing to say "bez" about
            assert [w.text.split(":")[0] for w in why] == [f"bez {form}"], fid
        [warning] = audit_warnings({"audit": [{"claim": f"without:{fid}", "offending": ["X"]}]}, kb, lang)
        assert f" {form}, " in warning.text  # "deklaruje brak …", "uvádí, že je bez …"


def test_the_genitives_are_the_reviewed_ones(kb: IngredientKnowledge) -> None:
    assert family_without(kb, "parabens", "pl") == "parabenów"
    assert family_without(kb, "parabens", "cs") == "parabenů"
    assert family_without(kb, "fragrance", "pl") == "substancji zapachowych"
    assert family_without(kb, "fragrance", "cs") == "parfému"
    assert family_without(kb, "aluminum_salts", "cs") == "hlinitých solí"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in INFLECTED])
def test_languages_whose_without_takes_the_name_as_it_is(kb: IngredientKnowledge, lang: str) -> None:
    # fr/es/it take no case; German "ohne" and Greek "χωρίς" the accusative, the same form as the names.
    for fid in kb.families:
        assert family_without(kb, fid, lang) == family_name(kb, fid, lang)


@pytest.mark.parametrize("lang", INFLECTED)
def test_the_unverified_why_line_declines_the_family_and_quotes_an_ingredient(kb: IngredientKnowledge,
                                                                            lang: str) -> None:
    """Not "nie należy do: parabeny": the genitive after "brak"/"nepřítomnost"; an ingredient's name,
    which no table declines, is quoted after "składnika"/"složky" (the genitive noun)."""
    for fid in kb.families:
        if fid == "clean_at_sephora":
            continue
        [why] = verify(UNKNOWN, Constraints(exclude_families=(fid,)), kb, language=lang).why
        assert why.text.startswith(UNVERIFIED[lang].format(family_without(kb, fid, lang))), why.text
        assert "'Xyzzium Plorb'" in why.text
    [why] = verify(UNKNOWN, Constraints(exclude_ingredients=("retinol",)), kb, language=lang).why
    noun = {"pl": "składnika „retinol”", "cs": "složky „retinol“"}[lang]
    assert why.text.startswith(UNVERIFIED[lang].format(noun)), why.text


@pytest.mark.parametrize("lang", INFLECTED)
def test_a_family_after_rodziny_or_skupiny_is_in_the_genitive(kb: IngredientKnowledge, lang: str) -> None:
    """The contradiction error ("należy do wykluczonej rodziny silikonów"); the answers' "należy do
    rodziny parabenów" is tested end to end in test_answers.py."""
    head = {"pl": "rodziny", "cs": "skupiny"}[lang]
    for fid in kb.families:
        text = message(lang, "error_contradiction_family", x="X", family=names_by_language(kb, fid, declined=True))
        assert f" {head} {family_without(kb, fid, lang)}." in text, text


@pytest.mark.parametrize(("lang", "expected"), [
    ("pl", "deklaruje brak składnika „alcohol denat”, ale jego lista składników zawiera Alcohol"),
    ("cs", "uvádí, že je bez složky „alcohol denat“, ale jeho seznam složek obsahuje Alcohol"),
    ("el", "δηλώνει ότι δεν περιέχει «alcohol denat», αλλά η λίστα συστατικών του αναφέρει Alcohol"),
    ("en", "claims to be free of alcohol denat, but its ingredient list has Alcohol"),
])
def test_a_claim_about_one_ingredient_quotes_its_name_after_a_declined_noun(kb: IngredientKnowledge, lang: str,
                                                                           expected: str) -> None:
    """The label's ingredient name is not declined ("brak alcohol denat" would read as an error)."""
    item = {"claim": "without_ingredient:alcohol denat", "offending": ["Alcohol"]}
    [warning] = audit_warnings({"audit": [item]}, kb, lang)
    assert warning.text == expected
