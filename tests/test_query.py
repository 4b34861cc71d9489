"""Query understanding: API, inflections, false positives, unknown names, contradictions, merge_explicit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conseil.search.errors import QueryError
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query import (
    MAX_QUERY_CHARS,
    Chip,
    Constraints,
    Interpretation,
    QueryParser,
    QueryVocabulary,
    merge_explicit,
    parse_query,
)
from test_query_support import KB, VOCABULARY, FakeKnowledge, constraint_values, expect, parse

# -- API --------------------------------------------------------------------------------------------


def test_parse_query_returns_the_documented_interpretation() -> None:
    interp = parse_query("moisturizer without parabens or fragrance for dry skin", KB, VOCABULARY)
    assert isinstance(interp, Interpretation)
    assert interp.query == "moisturizer without parabens or fragrance for dry skin"
    assert interp.language == "en"
    assert interp.semantic_text == "moisturizer"
    assert interp.constraints == Constraints(exclude_families=("parabens", "fragrance"), skin_types=("dry",),
                                             categories=("moisturizers",))
    assert interp.chips == (
        Chip("category", "moisturizers", "moisturizer"),
        Chip("exclude_family", "parabens", "without parabens or fragrance"),
        Chip("exclude_family", "fragrance", "without parabens or fragrance"),
        Chip("skin_type", "dry", "for dry skin"),
    )
    assert interp.warnings == ()


def test_parse_query_reuses_the_parser_cached_on_the_vocabulary() -> None:
    vocabulary = QueryVocabulary(categories=dict(VOCABULARY.categories), brands=dict(VOCABULARY.brands))
    from conseil.search.query.parser import parser_for

    assert parser_for(KB, vocabulary) is parser_for(KB, vocabulary)
    assert vocabulary == VOCABULARY  # the cache is not part of the value


def test_without_vocabulary_there_are_no_category_or_brand_chips() -> None:
    interp = parse_query("Olaplex shampoo without sulfates", KB)
    assert constraint_values(interp.constraints) == {"exclude_families": ("sulfates",)}
    assert interp.semantic_text == "Olaplex shampoo"


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_an_error(query: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        parse(query)


def test_over_long_query_is_an_error() -> None:
    parse("serum " + "x" * (MAX_QUERY_CHARS - 6))  # exactly at the limit: fine
    with pytest.raises(QueryError, match=str(MAX_QUERY_CHARS)):
        parse("serum " + "x" * MAX_QUERY_CHARS)


def test_plain_text_stays_semantic() -> None:
    expect("glowy dewy skin tint", semantic="glowy dewy skin tint")


# -- inflections, case and accents -------------------------------------------------------------------


@pytest.mark.parametrize("query,family", [
    ("without parabens", "parabens"), ("without paraben", "parabens"), ("sans parabènes", "parabens"),
    ("sans parabène", "parabens"), ("SANS PARABENES", "parabens"), ("sin parabenos", "parabens"),
    ("senza parabeni", "parabens"), ("ohne Parabene", "parabens"), ("frei von Parabenen", "parabens"),
    ("bez parabenów", "parabens"), ("BEZ PARABENÓW", "parabens"), ("bez parabenow", "parabens"),
    ("bez parabenů", "parabens"), ("bez silikonů", "silicones"), ("bez silikonów", "silicones"),
    ("sin siliconas", "silicones"), ("ohne Silikon", "silicones"), ("bez siarczanów", "sulfates"),
    ("bez sulfátů", "sulfates"), ("senza solfati", "sulfates"), ("sans sulphates", "sulfates"),
    ("ohne Duftstoffe", "fragrance"), ("ohne Parfüm", "fragrance"), ("ohne Parfum", "fragrance"),
    ("senza profumo", "fragrance"), ("sin perfume", "fragrance"), ("sin fragancias", "fragrance"),
    ("bez zapachu", "fragrance"), ("bez zapachów", "fragrance"), ("bez parfému", "fragrance"),
    ("bez parfémů", "fragrance"), ("bez vůně", "fragrance"), ("sans parfums", "fragrance"),
    ("bez olejków eterycznych", "essential_oils"), ("ohne ätherische Öle", "essential_oils"),
    ("bez ftalanów", "phthalates"), ("sin ftalatos", "phthalates"), ("bez alkoholu", "drying_alcohols"),
    ("silikonfrei", "silicones"), ("sulfatfreies Shampoo", "sulfates"), ("bezsiarczanowy szampon", "sulfates"),
    ("bezparabenowy krem", "parabens"), ("Parabene-frei", "parabens"),
])
def test_inflected_family_names(query: str, family: str) -> None:
    assert parse(query).constraints.exclude_families == (family,)


@pytest.mark.parametrize("query,key", [
    ("with niacinamide", "niacinamide"), ("z niacynamidem", "niacinamide"), ("s niacinamidem", "niacinamide"),
    ("avec acide hyaluronique", "hyaluronic acid"), ("con ácido hialurónico", "hyaluronic acid"),
    ("con acido ialuronico", "hyaluronic acid"), ("mit Hyaluronsäure", "hyaluronic acid"),
    ("z kwasem hialuronowym", "hyaluronic acid"), ("s kyselinou hyaluronovou", "hyaluronic acid"),
    ("containing retinol", "retinol"), ("z retinolem", "retinol"), ("avec rétinol", "retinol"),
    ("con retinolo", "retinol"), ("with vitamin C", "ascorbic acid"), ("z witaminą C", "ascorbic acid"),
    ("contenant de la niacinamide", "niacinamide"), ("enriched with squalane", "squalane"),
])
def test_required_ingredients_are_translated_to_inci_keys(query: str, key: str) -> None:
    interp = parse(query)
    assert interp.constraints.include_ingredients == (key,)
    assert interp.warnings == ()


@pytest.mark.parametrize("query,key", [
    ("without petroleum jelly", "petrolatum"), ("sans vaseline", "petrolatum"), ("sin vaselina", "petrolatum"),
    ("senza vaselina", "petrolatum"), ("ohne Vaseline", "petrolatum"), ("bez wazeliny", "petrolatum"),
    ("bez vazelíny", "petrolatum"), ("χωρίς βαζελίνη", "petrolatum"),
    ("sans méthylparabène", "methylparaben"), ("sin metilparabeno", "methylparaben"),
    ("senza metilparabene", "methylparaben"), ("ohne Methylparaben", "methylparaben"),
    ("bez metyloparabenu", "methylparaben"), ("bez methylparabenu", "methylparaben"),
    ("χωρίς μεθυλοπαραβένιο", "methylparaben"),
])
def test_everyday_names_of_avoided_ingredients_in_every_language(query: str, key: str) -> None:
    """Vaseline and methylparaben in the everyday spelling of each language (actives.json): before, the
    Polish, Czech and Greek forms were excluded by name only, with a warning, and matched nothing."""
    interp = parse(query)
    assert interp.constraints.exclude_ingredients == (key,), interp
    assert interp.warnings == ()


# -- false positives ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query,semantic", [
    ("no-rinse cleanser", "no-rinse cleanser"),
    ("sans rinçage pour cheveux secs", "sans rinçage pour cheveux secs"),
    ("cruelty-free vegan lipstick", "cruelty-free vegan lipstick"),
    ("oil-free moisturizer", "oil-free moisturizer"),
    ("sunscreen without white cast", "sunscreen without white cast"),
    ("no white cast sunscreen", "no white cast sunscreen"),
    ("free shipping moisturizer", "free shipping moisturizer"),
    ("free of charge sample", "free of charge sample"),
    ("bezpieczny krem dla dzieci", "bezpieczny krem dla dzieci"),
    ("bezbarwny błyszczyk", "bezbarwny błyszczyk"),
    ("bez wątpienia najlepszy", "bez wątpienia najlepszy"),
    ("sin aceite", "sin aceite"),
    ("ohne Öl", "ohne Öl"),
    ("serum with love", "serum with love"),
    ("krem z Francji", "krem z Francji"),
    ("krém s láskou", "krém s láskou"),
])
def test_no_constraint_where_there_is_none(query: str, semantic: str) -> None:
    interp = parse(query)
    kinds = {c.kind for c in interp.chips} - {"category"}
    assert not kinds, interp
    assert interp.semantic_text == semantic


@pytest.mark.parametrize("query,family", [
    ("w/o parabens", "parabens"), ("0% parabens", "parabens"), ("with no added fragrance", "fragrance"),
    ("crème sans parfum ajouté", "fragrance"), ("senza profumi aggiunti", "fragrance"),
    ("alcohol-free toner", "drying_alcohols"), ("sans aucun parabène", "parabens"), ("senza i parabeni", "parabens"),
    ("ohne jegliche Duftstoffe", "fragrance"), ("bez żadnych parabenów", "parabens"),
    ("she is allergic to perfume", "fragrance"), ("alérgica al perfume", "fragrance"),
    ("allergisch gegen Duftstoffe", "fragrance"), ("uczulona na zapach", "fragrance"),
])
def test_other_negation_forms(query: str, family: str) -> None:
    assert parse(query).constraints.exclude_families == (family,)


def test_spf_is_not_an_ingredient() -> None:
    expect("moisturizer with SPF 30", categories=["moisturizers"], semantic="moisturizer with SPF 30")
    expect("moisturizer without SPF", categories=["moisturizers"], semantic="moisturizer without SPF")


def test_free_after_a_name_but_not_before_shipping() -> None:
    expect("fragrance free moisturizer with free shipping", exclude_families=["fragrance"],
           categories=["moisturizers"], semantic="moisturizer with free shipping")


def test_sans_in_a_brand_name_is_the_brand() -> None:
    expect("Sans Soucis face cream", brands=["sans soucis"], categories=["moisturizers"], semantic="face cream")


def test_ambiguous_brand_words_need_the_brand_spelling_or_a_cue() -> None:
    expect("fresh scent shampoo", categories=["shampoo"], semantic="fresh scent shampoo")
    expect("shampoo by Fresh", categories=["shampoo"], brands=["fresh"], semantic="shampoo")
    expect("Kiehl's moisturizer", brands=["kiehl's since 1851"], categories=["moisturizers"])


def test_capitalised_ambiguous_brand_later_in_the_query() -> None:
    expect("Cleanser Fresh", categories=["face wash & cleansers"], brands=["fresh"], semantic="Cleanser")
    expect("crème de La Mer", brands=["la mer"], semantic="crème")


def test_product_words_are_categories_not_exclusions() -> None:
    expect("perfume", categories=["perfume"], semantic="perfume")
    expect("parfum floral", categories=["perfume"], semantic="parfum floral")
    expect("dry shampoo", categories=["dry shampoo"], semantic="dry shampoo")


def test_skin_words_need_a_skin_noun() -> None:
    expect("normal hair shampoo", categories=["shampoo"], semantic="normal hair shampoo")
    expect("sensitive teeth", semantic="sensitive teeth")
    expect("sucha skóra głowy", concerns=["dry_scalp"], semantic="")


# -- unknown names and contradictions -----------------------------------------------------------------


def test_unknown_exclusion_is_excluded_by_name_with_a_warning() -> None:
    interp = expect("serum without xyzzy", exclude_ingredients=["xyzzy"], categories=["face serums"],
                    semantic="serum")
    assert Chip("exclude_ingredient", "xyzzy", "without xyzzy", known=False) in interp.chips
    assert interp.warnings == ('exclusion "xyzzy" is not in the knowledge base: excluded by name only',)


@pytest.mark.parametrize("query,name", [
    ("sans huile de palme", "huile de palme"), ("sin aceite de coco", "aceite de coco"),
    ("bez xyzzy", "xyzzy"), ("gluten-free lip balm", "gluten"), ("Zorbex-frei", "zorbex"),
])
def test_unknown_exclusions_in_other_languages(query: str, name: str) -> None:
    interp = parse(query)
    assert interp.constraints.exclude_ingredients == (name,)
    assert [c.known for c in interp.chips if c.kind == "exclude_ingredient"] == [False]


def test_known_ingredient_exclusion() -> None:
    expect("without methylparaben or limonene", exclude_ingredients=["methylparaben", "limonene"])


@pytest.mark.parametrize("query,words", [
    ("with parabens without parabens", "parabens"),
    ("serum with retinol but without retinol", "retinol"),
    ("with dimethicone, silicone-free", "silicones"),
    ("avec parfum et sans parfum", "parfum"),
    ("z retinolem bez retinolu", "retinol"),
])
def test_contradictions_are_errors_that_say_which(query: str, words: str) -> None:
    with pytest.raises(QueryError, match="Contradictory") as err:
        parse(query)
    assert words in str(err.value)


def test_contradictory_prices() -> None:
    with pytest.raises(QueryError, match="at least 50 and at most 20"):
        parse("over $50 and under $20")


def test_required_family_is_kept_as_text_with_a_warning() -> None:
    interp = expect("sunscreen with mineral filters", categories=["face sunscreen"],
                    semantic="sunscreen with mineral filters")
    assert "whole ingredient family" in interp.warnings[0]


# -- several constraints, coordination ------------------------------------------------------------------


def test_many_constraints_in_one_query() -> None:
    expect("Drunk Elephant anti-aging serum with retinol, fragrance-free, no essential oils, "
           "for dry and sensitive skin under $80",
           brands=["drunk elephant"], concerns=["aging"], categories=["face serums"], include_ingredients=["retinol"],
           exclude_families=["fragrance", "essential_oils"], skin_types=["dry", "sensitive"], price_max=80,
           currency="USD", semantic="serum")


@pytest.mark.parametrize("query", [
    "sans silicones ni parfum", "sans silicones et sans parfum", "sin siliconas ni perfume",
    "senza siliconi né profumo", "ohne Silikone und Parfüm", "bez silikonów i zapachu", "bez silikonů ani parfému",
    "bez silikonů a parfému", "silicone- and fragrance-free", "silicone and fragrance free", "no silicones or fragrance",
    "free from silicones and fragrance", "libre de siliconas y perfume", "frei von Silikonen und Duftstoffen",
])
def test_coordinated_exclusions(query: str) -> None:
    assert parse(query).constraints.exclude_families == ("silicones", "fragrance")


def test_inclusion_then_exclusion() -> None:
    expect("crema con niacinamida y sin perfume", include_ingredients=["niacinamide"], exclude_families=["fragrance"],
           semantic="crema")


# -- merge_explicit ------------------------------------------------------------------------------------


def test_merge_explicit_combines_and_deduplicates() -> None:
    interp = parse("moisturizer without parabens")
    merged = merge_explicit(interp, KB, exclude=["parabènes", "fragrance_allergens", "Methylparaben"],
                            include=["kwas hialuronowy"], skin_types=["peau sèche", "Dry"], concerns=["anti-aging"],
                            categories=["shampooing", "Moisturizers"], brands=["The Ordinary"], price_max=25,
                            vocabulary=VOCABULARY)
    assert constraint_values(merged.constraints) == {
        "exclude_families": ("parabens", "fragrance_allergens"), "exclude_ingredients": ("methylparaben",),
        "include_ingredients": ("hyaluronic acid",), "skin_types": ("dry",), "concerns": ("aging",),
        "categories": ("moisturizers", "shampoo"), "brands": ("the ordinary",), "price_max": 25.0}
    assert Chip("exclude_family", "fragrance_allergens", "") in merged.chips
    assert merged.semantic_text == interp.semantic_text


def test_merge_explicit_unknown_exclusion_warns() -> None:
    merged = merge_explicit(parse("serum"), KB, exclude=["Xyzzy Extract"], vocabulary=VOCABULARY)
    assert merged.constraints.exclude_ingredients == ("xyzzy extract",)
    assert merged.chips[-1] == Chip("exclude_ingredient", "xyzzy extract", "", known=False)
    assert merged.warnings == ('exclusion "Xyzzy Extract" is not in the knowledge base: excluded by name only',)


def test_explicit_price_replaces_the_parsed_one() -> None:
    merged = merge_explicit(parse("serum under $30"), KB, price_max=25, price_min=10)
    assert (merged.constraints.price_min, merged.constraints.price_max, merged.constraints.currency) == (10, 25, "USD")
    assert [c for c in merged.chips if c.kind == "price_max"] == [Chip("price_max", "25", "")]


@pytest.mark.parametrize("field,value,message", [
    ("skin_types", "scaly", "valid skin types: dry, oily, combination, normal, sensitive"),
    ("concerns", "happiness", "valid concerns: dryness, aging"),
    ("categories", "spaceships", "valid categories: anti-aging, bath & body"),
    ("brands", "The Ordinry", "Did you mean: the ordinary"),
    ("include", "silicones", "ingredient family"),
])
def test_merge_explicit_rejects_unknown_values(field: str, value: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        merge_explicit(parse("serum"), KB, vocabulary=VOCABULARY, **{field: [value]})


def test_merge_explicit_detects_contradictions() -> None:
    with pytest.raises(QueryError, match="silicones"):
        merge_explicit(parse("silicone-free primer"), KB, include=["dimethicone"])
    with pytest.raises(QueryError, match="at least 50"):
        merge_explicit(parse("serum"), KB, price_min=50, price_max=20)
    with pytest.raises(QueryError, match="non-negative"):
        merge_explicit(parse("serum"), KB, price_max=-1)


# -- a knowledge base that is only the protocol -----------------------------------------------------------


def test_parser_needs_only_the_knowledge_protocol() -> None:
    parser = QueryParser(FakeKnowledge())
    interp = parser.parse("shampoo bez zorbatów with niacinamide for parched skin and congested skin")
    assert constraint_values(interp.constraints) == {
        "exclude_families": ("zorbates",), "include_ingredients": ("niacinamide",), "skin_types": ("dry",),
        "concerns": ("acne",)}
    assert interp.semantic_text == "shampoo"
    with pytest.raises(QueryError, match="zorbates"):
        parser.parse("with zorbic acid, without zorbates")


# -- the real catalog ---------------------------------------------------------------------------------------


def test_product_types_map_to_real_sephora_categories(shared_data: Path) -> None:
    """The Sephora category names the vocabulary lists all exist, and on a catalog ingested before the
    vocabulary (Sephora names only) a product-type word still finds its Sephora category."""
    import csv

    from conseil.search.query.product_types import load_product_types

    names: set[str] = set()
    with (shared_data / "sephora-products" / "product_info.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.update(normalize_name(row[c]) for c in ("primary_category", "secondary_category",
                                                           "tertiary_category") if row[c])
    listed = {c for t in load_product_types().types.values() for c in t.catalog_names}
    assert listed and not listed - names
    vocabulary = QueryVocabulary(categories={fold(n): n for n in names}, brands={})
    interp = parse_query("crème hydratante sans parfum", KB, vocabulary)
    assert interp.constraints.categories == ("moisturizers",)
