"""The product suite's ground truth: grading rules, hand-picked real products, determinism, BEIR round trip.

The real products below were read by hand in `product_info.csv` (ingredient lists quoted in part):

* P421997 "Calendula Herbal Extract Alcohol Free Toner": tagged "Without Parabens", "Clean at
  Sephora", "Alcohol Free"; lists "Aqua/Water, Propylene Glycol, Pentylene Glycol, Methylparaben, ...".
* P422007 "Ultra Facial Cleanser": tagged "Without Parabens"; lists "Water, Sodium Laureth Sulfate,
  ..., Methylparaben, Laureth-2, Propylparaben, ...", no fragrance.
* P394639 "The True Cream Aqua Bomb", $38 moisturizer: "Water, Dipropylene Glycol, Glycerin, Methl
  Trimethicone, Alcohol Denat, Dimethicone, Cyclopentasiloxane, ...".
* P427415 "100% Organic Cold-Pressed Rose Hip Seed Oil", $10.90 moisturizer, tagged "Without
  Silicones": "Rosa Canina Seed Oil."
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conseil.eval import beir
from conseil.eval.product_queries import BENCH_LANGUAGES, LANGUAGES, product_queries
from conseil.eval.product_suite import (
    FAMILY_PATTERNS,
    PRICE_CAPS,
    SHAPES,
    SKIN_ALL,
    SUITE_DIR,
    TYPES,
    CatalogProduct,
    Combo,
    build_suite,
    combos_from_queries,
    fingerprint,
    grade,
    ground_truth,
    load_catalog,
    render,
)


def product(**kw: object) -> CatalogProduct:
    base: dict[str, object] = {"id": "P1", "name": "x", "has_ingredients": True, "families": frozenset(),
                                   "categories": frozenset({"skincare", "moisturizers"}),
                                   "skin_types": frozenset({"dry"}), "price": 20.0, "claims": frozenset()}
    base.update(kw)
    return CatalogProduct(**base)


def test_grades_follow_the_documented_rules() -> None:
    combo = Combo("c", "moisturizers", ("parabens",), skin_type="dry", price_max=30)
    assert grade(product(claims=frozenset({"without:parabens"})), combo) == 4
    assert grade(product(), combo) == 3
    assert grade(product(skin_types=frozenset({"oily"})), combo) == 2
    assert grade(product(categories=frozenset({"shampoo"})), combo) == 1
    assert grade(product(families=frozenset({"parabens", "preservatives"})), combo) == 0
    # a claim the list contradicts never helps: the family decides first
    assert grade(product(families=frozenset({"parabens"}), claims=frozenset({"without:parabens"})), combo) == 0
    assert grade(product(has_ingredients=False), combo) == 0  # nothing proves the exclusion
    assert grade(product(price=31.0), combo) == 0
    assert grade(product(price=None), combo) == 0
    assert grade(product(), Combo("c", "moisturizers", ("parabens",))) == 3  # no skin type stated


def test_every_combination_is_rendered_in_every_language() -> None:
    combo = Combo("c", "toners", ("fragrance", "essential_oils"), "oily", 25)
    texts = {lang: render(combo, lang) for lang in LANGUAGES}
    assert set(LANGUAGES) == {"en", "fr", "es", "it", "de", "pl", "cs", "el"}
    assert texts["en"] == "toner fragrance-free and without essential oils for oily skin under $25"
    assert texts["fr"] == "tonique sans parfum ni huiles essentielles pour peau grasse moins de 25 $"
    # Greek: one "χωρίς" governs both nouns, and the cap is in euros (applied as its number)
    assert texts["el"] == "τονωτική λοσιόν χωρίς άρωμα και αιθέρια έλαια για λιπαρή επιδερμίδα κάτω από 25 €"
    assert combo.constraints("el")["currency"] == "EUR" and combo.constraints("en")["currency"] == "USD"
    assert Combo("c", "toners", ("fragrance",)).constraints("el")["currency"] is None
    assert len(set(texts.values())) == len(LANGUAGES)


def test_every_rendering_parses_to_its_constraints_in_every_language() -> None:
    """The phrase tables through the parser, no export needed: each category with each family pattern,
    skin type and price cap, in every language (the real-vocabulary run is product_interpretation)."""
    from test_query_support import parse

    wrong = []
    for category in sorted(TYPES):
        for i, families in enumerate(FAMILY_PATTERNS):
            skin = sorted(SKIN_ALL)[i % len(SKIN_ALL)] if i % 3 else None
            combo = Combo("t", category, families, skin, PRICE_CAPS[i % 2] if i % 2 else None)
            for lang in LANGUAGES:
                c = parse(render(combo, lang)).constraints
                if (set(c.exclude_families), list(c.skin_types), list(c.categories), c.price_max) != (
                        set(families), [skin] if skin else [], [category], combo.price_max):
                    wrong.append((lang, render(combo, lang), c))
    assert not wrong, wrong[:5]


def test_the_benchmark_list_keeps_its_seven_languages_and_takes_greek() -> None:
    assert len(product_queries()) == 210 and {q.language for q in product_queries()} == set(BENCH_LANGUAGES)
    greek = product_queries(("el",))
    assert len(greek) == 30 and all(q.language == "el" for q in greek)
    assert greek[0].text == "ενυδατική κρέμα χωρίς παραβένια"
    with pytest.raises(ValueError, match="xx"):
        product_queries(("xx",))


@pytest.fixture(scope="module")
def catalog() -> list[CatalogProduct]:
    from conftest import SHARED_DATA

    export = SHARED_DATA / "sephora-products" / "product_info.csv"
    if not export.is_file():
        pytest.skip(f"the Sephora export is absent ({export}): the real-data tests need it")
    return load_catalog(export)


def _truth(catalog: list[CatalogProduct], combo: Combo) -> dict[str, int]:
    return ground_truth(catalog, combo)


@pytest.mark.shared
def test_tagged_paraben_free_product_listing_methylparaben_is_not_paraben_free(catalog: list[CatalogProduct]) -> None:
    toner = next(p for p in catalog if p.id == "P421997")
    assert "without:parabens" in toner.claims and "clean_at_sephora" in toner.claims  # what the tags say
    assert "parabens" in toner.families  # what the list says (Methylparaben)
    assert "P421997" not in _truth(catalog, Combo("t", "toners", ("parabens",)))
    cleanser_truth = _truth(catalog, Combo("t", "face wash & cleansers", ("parabens",)))
    assert "P422007" not in cleanser_truth and len(cleanser_truth) > 50
    # the same toner is a right answer for an alcohol-free toner: no drying alcohol, and it says so
    assert _truth(catalog, Combo("t", "toners", ("drying_alcohols",)))["P421997"] == 4
    # ... but not the best one for dry skin: it is tagged for oily, combination and normal skin
    assert _truth(catalog, Combo("t", "toners", ("drying_alcohols",), skin_type="dry"))["P421997"] == 2


@pytest.mark.shared
def test_products_listing_silicones_or_sulfates_are_excluded(catalog: list[CatalogProduct]) -> None:
    silicone_free = _truth(catalog, Combo("t", "moisturizers", ("silicones",), price_max=50))
    assert "P394639" not in silicone_free  # Dimethicone, Cyclopentasiloxane
    assert silicone_free["P427415"] == 4  # rose hip seed oil alone, and tagged "Without Silicones"
    sulfate_free = _truth(catalog, Combo("t", "face wash & cleansers", ("silicones", "sulfates")))
    assert "P422007" not in sulfate_free  # Sodium Laureth Sulfate
    # no fragrance in its list: a fragrance-free cleanser for dry skin, though it does not claim it
    assert _truth(catalog, Combo("t", "face wash & cleansers", ("fragrance",), skin_type="dry"))["P422007"] == 3


@pytest.mark.shared
def test_the_committed_suite_is_what_the_generator_writes(catalog: list[CatalogProduct], tmp_path: Path) -> None:
    first, second = build_suite(catalog), build_suite(catalog)
    assert fingerprint(first.dataset) == fingerprint(second.dataset)
    # one rendering per language of each combination; at most one combination per category and shape
    assert len(first.dataset.queries) == len(first.combos) * len(LANGUAGES)
    assert 60 <= len(first.combos) <= len(TYPES) * len(SHAPES)
    stored = beir.load(SUITE_DIR)
    assert fingerprint(stored) == fingerprint(first.dataset), \
        "eval/datasets/sephora_products is stale: run python -m conseil.eval.product_suite --write"
    # every stored judgement is the full truth's grade, and the counts in the metadata are the full sets'
    combos = combos_from_queries(stored.queries)
    for q in stored.queries[::37]:
        full = first.truth[str(q.metadata["combo"])]
        assert combos[str(q.metadata["combo"])] == next(c for c in first.combos if c.id == q.metadata["combo"])
        assert all(full[pid] == g >= 2 for pid, g in stored.qrels[q.id].items())
        assert q.metadata["truth_counts"]["3"] == sum(1 for g in full.values() if g == 3)


@pytest.mark.shared
def test_suite_round_trips_through_beir(catalog: list[CatalogProduct], tmp_path: Path) -> None:
    suite = build_suite(catalog)
    beir.save(tmp_path / "suite", suite.dataset)
    back = beir.load(tmp_path / "suite")
    assert not (tmp_path / "suite" / "corpus.jsonl").exists()  # the corpus is the export itself
    assert back.queries == suite.dataset.queries
    assert back.qrels == {qid: judged for qid, judged in suite.dataset.qrels.items() if judged}
    assert {q.metadata["language"] for q in back.queries} == set(LANGUAGES)
