"""Greek queries, as thoroughly as the Czech ones: every excluded family and its inflections, inclusions,
"free" forms, skin types, concerns, product types, negation scope, accents dropped, capitals and final
sigma, Greek mixed with Latin INCI names, unknown names and false positives.

Prices are in tests/test_query_prices.py, glosses in tests/test_query_gloss.py, folding, tokens, BM25
and the document language detector in tests/test_greek_script.py (each beside the other languages').
"""

from __future__ import annotations

from typing import Any

import pytest
from conseil.search.errors import QueryError
from conseil.search.query import Chip
from test_query_support import constraint_values, expect, parse

P, F = "parabens", "fragrance"


# -- exclusions: every family, in the forms an advisor types or dictates ----------------------------------

@pytest.mark.parametrize("query,family", [
    ("χωρίς παραβένια", P), ("χωρίς παραβένιο", P), ("χωρίς παραβενίων", P), ("χωρίς παραβένες", P),
    ("χωρίς άρωμα", F), ("χωρίς αρώματα", F), ("χωρίς αρωματικές ουσίες", F), ("χωρίς αρώματος", F),
    ("χωρίς σιλικόνες", "silicones"), ("χωρίς σιλικόνη", "silicones"), ("χωρίς σιλικονών", "silicones"),
    ("χωρίς θειικά", "sulfates"), ("χωρίς θειικά άλατα", "sulfates"), ("χωρίς θειικών", "sulfates"),
    ("χωρίς θειικές ενώσεις", "sulfates"),
    ("χωρίς ορυκτέλαια", "mineral_oils"), ("χωρίς ορυκτέλαιο", "mineral_oils"), ("χωρίς ορυκτά έλαια", "mineral_oils"),
    ("χωρίς παραφίνη", "mineral_oils"),
    ("χωρίς οινόπνευμα", "drying_alcohols"), ("χωρίς αλκοόλη", "drying_alcohols"), ("χωρίς αλκοόλ", "drying_alcohols"),
    ("χωρίς αιθέρια έλαια", "essential_oils"), ("χωρίς αιθέριο έλαιο", "essential_oils"),
    ("χωρίς αιθέρια λάδια", "essential_oils"),
    ("χωρίς φθαλικές ενώσεις", "phthalates"), ("χωρίς φθαλικά", "phthalates"),
    ("χωρίς PEG", "pegs"), ("χωρίς άλατα αλουμινίου", "aluminum_salts"),
    ("χωρίς χημικά φίλτρα", "chemical_uv_filters"), ("χωρίς φορμαλδεΰδη", "formaldehyde"),
    ("χωρίς αλλεργιογόνα", "fragrance_allergens"), ("χωρίς αλλεργιογόνα αρώματος", "fragrance_allergens"),
    ("χωρίς συντηρητικά", "preservatives"), ("χωρίς ισοθειαζολινόνες", "isothiazolinones"),
    ("χωρίς χρωστικές", "colorants"), ("χωρίς EDTA", "edta"),
])
def test_every_family_and_its_inflections(query: str, family: str) -> None:
    interp = parse(query)
    assert interp.constraints.exclude_families == (family,), interp
    assert interp.language == "el" and interp.warnings == () and interp.semantic_text == "", interp


@pytest.mark.parametrize("query", [
    "χωρίς σιλικόνες και άρωμα", "χωρίς σιλικόνες και χωρίς άρωμα", "χωρίς σιλικόνες ούτε άρωμα",
    "χωρίς σιλικόνες ή άρωμα", "χωρίς σιλικόνες κι άρωμα", "χωρίς σιλικόνες, χωρίς άρωμα",
    "ελεύθερο από σιλικόνες και άρωμα", "που δεν περιέχει σιλικόνες ούτε άρωμα",
])
def test_coordinated_exclusions(query: str) -> None:
    assert parse(query).constraints.exclude_families == ("silicones", F)


def test_a_list_of_three_after_one_preposition() -> None:
    for query in ("κρέμα χωρίς παραβένια, άρωμα και σιλικόνες", "κρέμα χωρίς παραβένια, χωρίς άρωμα, χωρίς σιλικόνες"):
        expect(query, exclude_families=[P, F, "silicones"], semantic="κρέμα")


# -- "free" forms and the other negations -------------------------------------------------------------------

@pytest.mark.parametrize("query,family", [
    ("ελεύθερο από σιλικόνες", "silicones"), ("ελεύθερη από άρωμα", F), ("ελεύθερα από παραβένια", P),
    ("απαλλαγμένο από παραβένια", P), ("απαλλαγμένη από θειικά", "sulfates"),
    ("δεν περιέχει παραβένια", P), ("που δεν περιέχει οινόπνευμα", "drying_alcohols"),
    ("που δεν περιέχουν σιλικόνες", "silicones"),
    ("άοσμη κρέμα", F), ("άοσμο σαμπουάν", F), ("κρέμα χωρίς πρόσθετο άρωμα", F), ("χωρίς πρόσθετα αρώματα", F),
    ("χωρίς καθόλου άρωμα", F), ("χωρίς κανένα παραβένιο", P), ("χωρίς τα παραβένια", P),
    ("0% παραβένια", P), ("είναι αλλεργική στο άρωμα", F), ("αλλεργία στα παραβένια", P),
    ("αλλεργικός στις σιλικόνες", "silicones"),
])
def test_free_forms_and_other_negations(query: str, family: str) -> None:
    assert parse(query).constraints.exclude_families == (family,), query


def test_a_filler_around_an_allergy_leaves_no_semantic_text() -> None:
    """"είναι" ("she is") is a filler like "είμαι", so the dictated sentence leaves nothing to embed."""
    expect("είναι αλλεργική στο άρωμα", exclude_families=[F], semantic="")


# -- inclusions: everyday names to INCI keys -------------------------------------------------------------

@pytest.mark.parametrize("query,key", [
    ("με νιασιναμίδη", "niacinamide"), ("με υαλουρονικό οξύ", "hyaluronic acid"),
    ("με υαλουρονικού οξέος", "hyaluronic acid"), ("με ρετινόλη", "retinol"), ("με βιταμίνη C", "ascorbic acid"),
    ("με βιταμίνη E", "tocopherol"), ("με σκουαλάνιο", "squalane"), ("με σαλικυλικό οξύ", "salicylic acid"),
    ("με γλυκολικό οξύ", "glycolic acid"), ("με κεραμίδια", "ceramide np"), ("με πανθενόλη", "panthenol"),
    ("με καφεΐνη", "caffeine"), ("με βούτυρο καριτέ", "butyrospermum parkii butter"),
    ("που περιέχει ρετινόλη", "retinol"), ("εμπλουτισμένη με νιασιναμίδη", "niacinamide"),
    ("πλούσια σε ουρία", "urea"),
])
def test_inclusions_are_translated_to_inci_keys(query: str, key: str) -> None:
    interp = parse(query)
    assert interp.constraints.include_ingredients == (key,), interp
    assert interp.warnings == ()


def test_two_inclusions_and_an_exclusion() -> None:
    expect("ορός με νιασιναμίδη και υαλουρονικό οξύ χωρίς άρωμα", categories=["face serums"],
           include_ingredients=["niacinamide", "hyaluronic acid"], exclude_families=[F], semantic="ορός")


# -- named ingredients to avoid, Greek and Latin (INCI) in one query --------------------------------------

@pytest.mark.parametrize("query,key", [
    ("χωρίς φαινοξυαιθανόλη", "phenoxyethanol"), ("χωρίς λανολίνη", "lanolin"), ("χωρίς βαζελίνη", "petrolatum"),
    ("χωρίς μεθυλοπαραβένιο", "methylparaben"), ("χωρίς οξυβενζόνη", "benzophenone-3"), ("χωρίς τάλκη", "talc"),
])
def test_greek_names_of_avoided_ingredients(query: str, key: str) -> None:
    interp = parse(query)
    assert interp.constraints.exclude_ingredients == (key,) and interp.warnings == (), interp


@pytest.mark.parametrize("query,expected", [
    ("κρέμα χωρίς Methylparaben", {"exclude_ingredients": ["methylparaben"]}),
    ("κρέμα χωρίς phenoxyethanol", {"exclude_ingredients": ["phenoxyethanol"]}),
    ("κρέμα χωρίς Dimethicone και άρωμα", {"exclude_ingredients": ["dimethicone"], "exclude_families": [F]}),
    ("κρέμα χωρίς parabens", {"exclude_families": [P]}),
    ("κρέμα χωρίς parfum", {"exclude_families": [F]}),
    ("κρέμα χωρίς silicones", {"exclude_families": ["silicones"]}),
    ("κρέμα χωρίς Sodium Lauryl Sulfate", {"exclude_ingredients": ["sodium lauryl sulfate"]}),
    ("κρέμα με Niacinamide και Zinc PCA", {"include_ingredients": ["niacinamide", "zinc pca"]}),
    ("κρέμα με Niacinamide χωρίς Fragrance", {"include_ingredients": ["niacinamide"], "exclude_families": [F]}),
])
def test_latin_inci_names_inside_a_greek_query(query: str, expected: dict[str, Any]) -> None:
    """Advisors copy INCI names from the pack: they are read like the Greek names, and the query stays Greek."""
    expect(query, language="el", semantic="κρέμα", **expected)


# -- skin types and concerns -----------------------------------------------------------------------------

@pytest.mark.parametrize("query,types", [
    ("για ξηρή επιδερμίδα", ["dry"]), ("για ξηρό δέρμα", ["dry"]), ("για ξηρές επιδερμίδες", ["dry"]),
    ("για λιπαρή επιδερμίδα", ["oily"]), ("για λιπαρό δέρμα", ["oily"]),
    ("για μικτή επιδερμίδα", ["combination"]), ("για μικτό δέρμα", ["combination"]),
    ("για κανονική επιδερμίδα", ["normal"]), ("για κανονικό δέρμα", ["normal"]),
    ("για ευαίσθητη επιδερμίδα", ["sensitive"]), ("για ευαίσθητο δέρμα", ["sensitive"]),
    ("για ξηρή έως μικτή επιδερμίδα", ["dry", "combination"]),
    ("για ξηρή και ευαίσθητη επιδερμίδα", ["dry", "sensitive"]),
])
def test_skin_types(query: str, types: list[str]) -> None:
    expect(query, skin_types=types, semantic="", language="el")


@pytest.mark.parametrize("query,concerns", [
    ("κατά της ακμής", ["acne"]), ("για ακμή", ["acne"]), ("για ρυτίδες", ["fine_lines"]),
    ("κατά των ρυτίδων", ["fine_lines"]), ("για μαύρους κύκλους", ["dark_circles"]), ("για κηλίδες", ["dark_spots"]),
    ("για πανάδες", ["dark_spots"]), ("για πόρους", ["pores"]), ("για ερυθρότητα", ["redness"]),
    ("για αφυδατωμένη επιδερμίδα", ["dryness"]), ("για ώριμη επιδερμίδα", ["aging"]),
    ("για θαμπή επιδερμίδα", ["dullness"]), ("για πιτυρίδα", ["dry_scalp"]), ("για βαμμένα μαλλιά", ["color_care"]),
    ("για φριζάρισμα", ["frizz"]), ("για κατεστραμμένα μαλλιά", ["damage"]), ("για λιπαρό τριχωτό", ["oily_scalp"]),
])
def test_concerns(query: str, concerns: list[str]) -> None:
    expect(query, concerns=concerns, semantic="")


def test_hair_words_are_not_a_skin_type() -> None:
    """As "shampooing pour cheveux secs": dry HAIR names no skin type and stays semantic."""
    expect("σαμπουάν για ξηρά μαλλιά", categories=["shampoo"], semantic="σαμπουάν για ξηρά μαλλιά")


# -- product types: the product suite's eleven, and their common synonyms ----------------------------------

@pytest.mark.parametrize("query,category", [
    ("ενυδατική κρέμα", "moisturizers"), ("κρέμα προσώπου", "moisturizers"), ("ορός προσώπου", "face serums"),
    ("ορός", "face serums"), ("σέρουμ", "face serums"), ("σαμπουάν", "shampoo"),
    ("μαλακτική κρέμα μαλλιών", "conditioner"), ("μαλακτική", "conditioner"),
    ("αντηλιακή κρέμα προσώπου", "face sunscreen"), ("αντηλιακό", "face sunscreen"),
    ("καθαριστικό προσώπου", "face wash & cleansers"), ("τονωτική λοσιόν", "toners"), ("τονωτικό", "toners"),
    ("κρέμα ματιών", "eye creams & treatments"), ("μάσκα προσώπου", "face masks"), ("βάση μακιγιάζ", "foundation"),
    ("γαλάκτωμα σώματος", "body lotions & body oils"), ("κρέμα νύχτας", "night creams"),
    ("λάδι προσώπου", "face oils"), ("μάσκα μαλλιών", "hair masks"), ("αφρόλουτρο", "body wash & shower gel"),
    ("αποσμητικό", "deodorant & antiperspirant"), ("κρέμα χεριών", "hand cream & foot cream"),
    ("απολεπιστικό", "exfoliators"), ("ντεμακιγιάζ", "makeup removers"),
])
def test_product_types(query: str, category: str) -> None:
    assert parse(query).constraints.categories == (category,), query


# -- negation scope: an exclusion stops where the next constraint begins -----------------------------------

@pytest.mark.parametrize("query,expected", [
    ("κρέμα χωρίς παραβένια με νιασιναμίδη", {"exclude_families": [P], "include_ingredients": ["niacinamide"]}),
    ("κρέμα με νιασιναμίδη χωρίς παραβένια", {"exclude_families": [P], "include_ingredients": ["niacinamide"]}),
    ("κρέμα χωρίς άρωμα για ξηρή επιδερμίδα", {"exclude_families": [F], "skin_types": ["dry"]}),
    ("κρέμα χωρίς παραβένια κάτω από 30 ευρώ", {"exclude_families": [P], "price_max": 30, "currency": "EUR"}),
    ("κρέμα χωρίς άρωμα και με βιταμίνη C", {"exclude_families": [F], "include_ingredients": ["ascorbic acid"]}),
    ("κρέμα χωρίς σιλικόνες, με ρετινόλη, για λιπαρή επιδερμίδα",
     {"exclude_families": ["silicones"], "include_ingredients": ["retinol"], "skin_types": ["oily"]}),
    ("κρέμα χωρίς θειικά για ακμή", {"exclude_families": ["sulfates"], "concerns": ["acne"]}),
])
def test_negation_scope(query: str, expected: dict[str, Any]) -> None:
    expect(query, semantic="κρέμα", **expected)


def test_a_brand_after_an_exclusion_is_not_excluded() -> None:
    expect("ορός χωρίς αιθέρια έλαια της Drunk Elephant", exclude_families=["essential_oils"],
           categories=["face serums"], brands=["drunk elephant"], semantic="ορός")


@pytest.mark.parametrize("query,words", [
    ("κρέμα με ρετινόλη χωρίς ρετινόλη", "retinol"),
    ("με παραβένια χωρίς παραβένια", "παραβένια"),
])
def test_contradictions_are_errors_that_say_which(query: str, words: str) -> None:
    with pytest.raises(QueryError, match="Contradictory") as err:
        parse(query)
    assert words in str(err.value)


# -- accents dropped, capitals, final sigma: the same constraints -------------------------------------------

FULL = "Ενυδατική κρέμα χωρίς παραβένια και σιλικόνες για ξηρή επιδερμίδα"


@pytest.mark.parametrize("variant", [
    FULL,
    "ενυδατικη κρεμα χωρις παραβενια και σιλικονες για ξηρη επιδερμιδα",  # typed without accents
    "ΕΝΥΔΑΤΙΚΗ ΚΡΕΜΑ ΧΩΡΙΣ ΠΑΡΑΒΕΝΙΑ ΚΑΙ ΣΙΛΙΚΟΝΕΣ ΓΙΑ ΞΗΡΗ ΕΠΙΔΕΡΜΙΔΑ",  # capitals drop accents in Greek
    "ΕΝΥΔΑΤΙΚΉ ΚΡΈΜΑ ΧΩΡΊΣ ΠΑΡΑΒΈΝΙΑ ΚΑΙ ΣΙΛΙΚΌΝΕΣ ΓΙΑ ΞΗΡΉ ΕΠΙΔΕΡΜΊΔΑ",  # ... or keep them
    "ενυδατικη κρεμα χωρισ παραβενια και σιλικονεσ για ξηρη επιδερμιδα",  # a keyboard without the final ς
    "Ενυδατική Κρέμα Χωρίς Παραβένια Και Σιλικόνες Για Ξηρή Επιδερμίδα",
])
def test_accents_case_and_final_sigma_do_not_matter(variant: str) -> None:
    interp = parse(variant)
    assert constraint_values(interp.constraints) == {
        "exclude_families": (P, "silicones"), "skin_types": ("dry",), "categories": ("moisturizers",)}, variant
    assert interp.language == "el"


def test_chips_quote_the_query_as_typed() -> None:
    interp = parse("ΚΡΈΜΑ ΧΩΡΊΣ ΠΑΡΑΒΈΝΙΑ για ξηρή επιδερμίδα")
    assert [c.source_text for c in interp.chips] == ["ΧΩΡΊΣ ΠΑΡΑΒΈΝΙΑ", "για ξηρή επιδερμίδα"]


# -- unknown names, and words that are not ingredients ----------------------------------------------------

def test_an_unknown_exclusion_is_excluded_by_name_with_a_greek_warning() -> None:
    interp = expect("ορός χωρίς φοινικέλαιο", exclude_ingredients=["φοινικελαιο"], categories=["face serums"],
                    semantic="ορός")
    assert Chip("exclude_ingredient", "φοινικελαιο", "χωρίς φοινικέλαιο", known=False) in interp.chips
    assert interp.warnings == ("ο αποκλεισμός «φοινικέλαιο» δεν υπάρχει στη βάση γνώσεων: αποκλείεται μόνο με το όνομα",)


@pytest.mark.parametrize("query,semantic", [
    ("χωρίς αμφιβολία η καλύτερη", "χωρίς αμφιβολία η καλύτερη"),  # "without doubt", as "bez wątpienia"
    ("κρέμα με αγάπη", "κρέμα με αγάπη"),
    ("καθαριστικό χωρίς ξέβγαλμα", "καθαριστικό χωρίς ξέβγαλμα"),  # no-rinse
    ("χωρίς λάδι", "χωρίς λάδι"),  # oil-free is not an ingredient family
    ("δωρεάν αποστολή", "δωρεάν αποστολή"),
    ("αντηλιακό SPF 50", "αντηλιακό SPF 50"),
    ("μάσκα χωρίς πλαστικό", "μάσκα χωρίς πλαστικό"),
])
def test_no_constraint_where_there_is_none(query: str, semantic: str) -> None:
    interp = parse(query)
    assert not {c.kind for c in interp.chips} - {"category"}, interp
    assert interp.semantic_text == semantic
