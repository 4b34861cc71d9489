"""Skin types, concerns and claims derived from Sephora highlight tags and generic labels."""

from __future__ import annotations

import pytest
from conseil.ingest.claims import (
    FAMILY_IDS,
    Derived,
    claim_codes,
    claims_from_labels,
    concern_codes,
    derive_from_highlights,
    skin_type_codes,
)
from conseil.search.index.schema import CONCERNS, SKIN_TYPES

# Every "Best for"/"Good for"/"Without"/label tag found in product_info.csv, with its meaning.
REAL_SKIN_TAGS = {
    "Best for Dry, Combo, Normal Skin": ("dry", "combination", "normal"),
    "Best for Oily, Combo, Normal Skin": ("oily", "combination", "normal"),
    "Best for Combination Skin": ("combination",),
    "Best for Dry Skin": ("dry",),
    "Best for Normal Skin": ("normal",),
    "Best for Oily Skin": ("oily",),
}
REAL_CONCERN_TAGS = {
    "Good for: Acne/Blemishes": ("acne",),
    "Good for: Anti-Aging": ("aging",),
    "Good for: Color Care": ("color_care",),
    "Good for: Damage": ("damage",),
    "Good for: Dark Circles": ("dark_circles",),
    "Good for: Dark spots": ("dark_spots",),
    "Good for: Dryness": ("dryness",),
    "Good for: Dullness/Uneven Texture": ("dullness", "uneven_texture"),
    "Good for: Flaky/Dry Scalp": ("dry_scalp",),
    "Good for: Frizz": ("frizz",),
    "Good for: Hair Thinning": ("hair_thinning",),
    "Good for: Loss of firmness": ("loss_of_firmness",),
    "Good for: Oily Scalp": ("oily_scalp",),
    "Good for: Pores": ("pores",),
    "Good for: Redness": ("redness",),
    "Good for: Volume": ("volume",),
    "Good for: Fine lines/wrinkles": ("fine_lines",),  # named in the brief, not in the 2023 file
}
REAL_CLAIM_TAGS = {
    "Without Parabens": "without:parabens",
    "Without Sulfates SLS & SLES": "without:sulfates",
    "Without Phthalates": "without:phthalates",
    "Without Silicones": "without:silicones",
    "Without Mineral Oil": "without:mineral_oils",
    "Without Formaldehydes": "without:formaldehyde_releasers",
    "Without Formaldehyde-Releasing Agents": "without:formaldehyde_releasers",
    "Fragrance Free": "without:fragrance",
    "Alcohol Free": "without:drying_alcohols",
    "Without Oxybenzone": "without_ingredient:oxybenzone",
    "Without Triclosan": "without_ingredient:triclosan",
    "Without Triclocarban": "without_ingredient:triclocarban",
    "Without Retinyl Palmitate": "without_ingredient:retinyl palmitate",
    "Clean at Sephora": "clean_at_sephora",
    "Clean + Planet Positive": "clean_planet_positive",
    "Vegan": "vegan",
    "Cruelty-Free": "cruelty_free",
    "Gluten Free": "gluten_free",
    "Hypoallergenic": "hypoallergenic",
    "Oil Free": "oil_free",
    "Reef Safe SPF": "reef_safe",
    "Black Owned at Sephora": "black_owned_at_sephora",
    "Recyclable Packaging": "recyclable_packaging",
    "Sustainable Packaging": "sustainable_packaging",
    "Refill Available": "refill_available",
}
# Real tags that describe texture, finish, scent or actives: not claims, not concerns.
REAL_OTHER_TAGS = [
    "Matte Finish", "Vitamin C", "Hydrating", "Niacinamide", "Hyaluronic Acid", "AHA/Glycolic Acid",
    "Warm &Spicy Scent", "Unisex/ Genderless Scent", "All Hair Types", "Curly Hair", "Long-wearing",
    "Community Favorite", "allure 2019: Clean Beauty Winner", "SPF", "UV Protection", "Waterproof",
]  # fmt: skip


@pytest.mark.parametrize(("tag", "expected"), REAL_SKIN_TAGS.items())
def test_best_for_tags_give_skin_types(tag: str, expected: tuple[str, ...]) -> None:
    derived = derive_from_highlights([tag])
    assert derived == Derived(skin_types=expected, concerns=(), claims=())


@pytest.mark.parametrize(("tag", "expected"), REAL_CONCERN_TAGS.items())
def test_good_for_tags_give_concerns(tag: str, expected: tuple[str, ...]) -> None:
    derived = derive_from_highlights([tag])
    assert derived.concerns == expected
    assert set(derived.concerns) <= set(CONCERNS)
    assert derived.skin_types == () and derived.claims == ()


@pytest.mark.parametrize(("tag", "expected"), REAL_CLAIM_TAGS.items())
def test_claim_tags_give_claim_codes(tag: str, expected: str) -> None:
    assert derive_from_highlights([tag]).claims == (expected,)


@pytest.mark.parametrize("tag", REAL_OTHER_TAGS)
def test_other_tags_are_ignored(tag: str) -> None:
    assert derive_from_highlights([tag]) == Derived((), (), ())


def test_family_claims_use_only_the_shared_family_ids() -> None:
    families = {c.split(":", 1)[1] for c in REAL_CLAIM_TAGS.values() if c.startswith("without:")}
    assert families <= set(FAMILY_IDS)


def test_a_real_tag_list_is_merged_in_canonical_order() -> None:
    tags = [
        "Good for: Dullness/Uneven Texture", "Without Parabens", "Best for Oily, Combo, Normal Skin",
        "Vegan", "Good for: Anti-Aging", "Best for Dry Skin", "Hydrating", "Without Parabens",
    ]  # fmt: skip
    derived = derive_from_highlights(tags)
    assert derived.skin_types == ("dry", "oily", "combination", "normal")  # SKIN_TYPES order
    assert derived.concerns == ("aging", "dullness", "uneven_texture")  # CONCERNS order
    assert derived.claims == ("vegan", "without:parabens")


def test_the_tag_cache_gives_the_same_result() -> None:
    cache: dict[str, Derived] = {}
    tags = ["Best for Dry Skin", "Good for: Pores", "Fragrance Free"]
    first = derive_from_highlights(tags, cache)
    assert set(cache) == set(tags)
    assert derive_from_highlights(tags, cache) == first == derive_from_highlights(tags)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("sans parabènes", ("without:parabens",)),
        ("Sans parabens", ("without:parabens",)),
        ("sin parabenos", ("without:parabens",)),
        ("Sin Parabenos", ("without:parabens",)),
        ("senza parabeni", ("without:parabens",)),
        ("ohne Parabene", ("without:parabens",)),
        ("Parabenfrei", ("without:parabens",)),
        ("bez parabenów", ("without:parabens",)),
        ("bez parabenů", ("without:parabens",)),
        ("Paraben-free", ("without:parabens",)),
        ("0% parabens", ("without:parabens",)),
        ("sans parfum", ("without:fragrance",)),
        ("Ohne Parfüm", ("without:fragrance",)),
        ("Senza profumo", ("without:fragrance",)),
        ("Sin formaldehído", ("without:formaldehyde_releasers",)),
        ("Bez sulfátů", ("without:sulfates",)),
        ("Bez siarczanów", ("without:sulfates",)),
        ("Sans huile minérale", ("without:mineral_oils",)),
        ("Senza siliconi", ("without:silicones",)),
        ("Sans phtalates", ("without:phthalates",)),
        ("sulfate-free", ("without:sulfates",)),
        ("bez parabenów i siarczanów", ("without:parabens", "without:sulfates")),
        ("χωρίς παραβένια", ("without:parabens",)),
        ("ΧΩΡΙΣ ΠΑΡΑΒΕΝΙΑ", ("without:parabens",)),
        ("Χωρίς άρωμα", ("without:fragrance",)),
        ("χωρίς θειικά", ("without:sulfates",)),
        ("χωρίς σιλικόνες", ("without:silicones",)),
        ("χωρίς ορυκτέλαια", ("without:mineral_oils",)),
        ("χωρίς οινόπνευμα", ("without:drying_alcohols",)),
        ("χωρίς φθαλικές ενώσεις", ("without:phthalates",)),
        ("χωρίς παραβένια και θειικά", ("without:parabens", "without:sulfates")),
        ("Άοσμο", ("without:fragrance",)),
        ("βίγκαν", ("vegan",)),
        ("χωρίς γλουτένη", ("gluten_free",)),
        ("χωρίς λάδι", ("oil_free",)),
        ("Υποαλλεργικό", ("hypoallergenic",)),
        ("ματ αποτέλεσμα", ()),
        ("sans gluten", ("gluten_free",)),
        ("Végan", ("vegan",)),
        ("Sans savon", ("without_ingredient:savon",)),
        ("Matte Finish", ()),
        ("", ()),
    ],
)
def test_claim_codes_in_several_languages(label: str, expected: tuple[str, ...]) -> None:
    assert claim_codes(label) == expected


def test_claims_from_labels_codes_every_label() -> None:
    labels = [
        "Vegan",
        "vegan",
        "Made in France",
        "without:parabens",
        "without:parfum",
        "without_ingredient:Oxybenzone",
    ]
    assert claims_from_labels(labels) == (
        "made_in_france", "vegan", "without:fragrance", "without:parabens", "without_ingredient:oxybenzone",
    )  # fmt: skip
    assert claims_from_labels([]) == ()
    assert claims_from_labels(["!!!"]) == ()


def test_a_greek_claims_column_keeps_every_label() -> None:
    """A label in Greek script used to snake-case to nothing and vanish without a word."""
    assert claims_from_labels(["Χωρίς παραβένια", "Φτιαγμένο στην Ελλάδα", "Vegan"]) == (
        "vegan", "without:parabens", "φτιαγμενο_στην_ελλαδα")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("dry", ("dry",)),
        ("Combo", ("combination",)),
        ("Dry, Combo, Normal", ("dry", "combination", "normal")),
        ("peau sèche", ("dry",)),
        ("Peaux sensibles", ("sensitive",)),
        ("piel grasa", ("oily",)),
        ("pelle mista", ("combination",)),
        ("Mischhaut", ("combination",)),
        ("sucha skóra", ("dry",)),
        ("citlivá pleť", ("sensitive",)),
        ("ξηρή επιδερμίδα", ("dry",)),
        ("Λιπαρό δέρμα", ("oily",)),
        ("ξηρή, μικτή, κανονική", ("dry", "combination", "normal")),
        ("ευαίσθητη επιδερμίδα", ("sensitive",)),
        ("όλοι οι τύποι επιδερμίδας", SKIN_TYPES),
        ("φολιδωτή", None),
        ("All skin types", SKIN_TYPES),
        ("tous types de peau", SKIN_TYPES),
        ("scaly", None),
    ],
)
def test_skin_type_codes(label: str, expected: tuple[str, ...] | None) -> None:
    assert skin_type_codes(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Dryness", ("dryness",)),
        ("dark_spots", ("dark_spots",)),
        ("Anti-Aging", ("aging",)),
        ("rides", ("fine_lines",)),
        ("Acne/Blemishes", ("acne",)),
        ("Pores, Redness", ("pores", "redness")),
        ("ακμή", ("acne",)),
        ("Ρυτίδες", ("fine_lines",)),
        ("πανάδες", ("dark_spots",)),
        ("ακμή/πόροι", ("acne", "pores")),
        ("μαύροι κύκλοι", ("dark_circles",)),
        ("αντιγήρανση", ("aging",)),
        ("foo/bar", None),
        ("glow", None),
    ],
)
def test_concern_codes(label: str, expected: tuple[str, ...] | None) -> None:
    assert concern_codes(label) == expected
