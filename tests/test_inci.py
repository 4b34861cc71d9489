"""INCI parser and analysis: golden real declarations, each feature, properties, the real exports.

The golden strings are copied verbatim from the Sephora exports in ../shared/data (product id or
row given); the expected items were checked by hand against the raw text.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conseil.search.knowledge.analysis import CachedKnowledge, KnowledgeLike, analyze
from conseil.search.knowledge.fields import _norm, _read_piece
from conseil.search.knowledge.inci import Declaration, InciItem, parse_declaration
from conseil.search.knowledge.text import normalize_name
from hypothesis import given, settings
from hypothesis import strategies as st


def names(raw: str) -> list[str]:
    return [item.name for item in parse_declaration(raw).items]


def item(raw: str, name: str) -> InciItem:
    found = [i for i in parse_declaration(raw).items if i.name == name]
    assert found, f"no item {name!r} in {names(raw)}"
    return found[0]


# --- golden: real declarations ------------------------------------------------------------------

# P461472 - commas inside parentheses, CI number.
WATER_AQUA_EAU = (
    "['Water (Aqua, Eau), Styrene/Acrylates Copolymer, Acrylates Copolymer, Laureth-21, PEG-40 Hydrogenated "
    "Castor Oil, Cannabis Sativa (Hemp) Seed Oil, Ethylhexylglycerin, Pentylene Glycol, Xanthan Gum, "
    "Isopentyldiol, Polyglyceryl-2 Caprate, Sodium Dehydroacetate, 1,2-Hexanediol, Phenoxyethanol, "
    "Black 2 (CI 77266).']"
)
# P473662 - missing commas: "Parfum (Fragrance) D-Limonene", "Hexyl Cinnamal Citronellol".
MISSING_COMMAS = (
    "['Alcohol Denat. (SD Alcohol 39C), Parfum (Fragrance) D-Limonene, Ethylhexyl Methoxycinnamate, Butyl "
    "Methoxydibenzoylmethane, Ethylhexyl Salicylate, Hexyl Cinnamal Citronellol, Linalool, Coumarin, "
    "Eugenol, "
    "Citral, Isoeugenol, Geraniol.']"
)
# P187202 - "May Contain: (+/-)" at the end of the list, after a comma.
MAY_CONTAIN = (
    "['Water, Alcohol Denat., Vp/Va Copolymer, Mica, Butylene Glycol, Glycerin, Caprylyl Glycol, Carbomer, "
    "Ethylhexylglycerin, Hexylene Glycol, Phenoxyethanol, Disodium Edta, Triethanolamine, May Contain: (+/-) "
    "Iron Oxides (Ci 77491, Ci 77492, Ci 77499), Titanium Dioxide (Ci 77891).']"
)
# P484032 - a "[+/- ...]" bracket.
BRACKET_MAY = (
    "['Isododecane, Cera Alba (Beeswax), Disteardimonium Hectorite, Aqua (Water), Synthetic Beeswax, "
    "Polybutene, "
    "Euphorbia Cerifera (Candelilla) Wax, Vp/Eicosene Copolymer, Polymethylsilsesquioxane, Paraffin, "
    "Propylene "
    "Carbonate, Talc, Phenoxyethanol, Silica, Panthenol. [+/- CI 77499 (Iron Oxides)].']"
)
# P442542 - percentages before the name.
PERCENT_FIRST = (
    "['10% Glycolic Acid, 0.5% Retinol, Panthenol (Vitamin B5), Papaya Enzyme, Jojoba Seed Oil, Shea Butter, "
    "Mango Seed Butter, Vitamin E']"
)
# P462356 - footnote marks, "Tris(...)" chemical parentheses.
FOOTNOTES = (
    "['Alcohol Denat., Parfum (Fragrance), Aqua (Water, Eau), Mel (Honey, Miel)*, Argania Spinosa Kernel "
    "Oil, "
    "Sodium Benzotriazolyl Butylphenol Sulfonate, Tris(Tetramethylhydroxypiperidinol) Citrate, Citral**, "
    "Coumarin**, Linalool**, Hexyl Cinnamal**, Limonene**, CI 19140 (Yellow 5), CI 14700 (Red 4).']"
)
# P17876556 and P459466 - nano in parentheses and in brackets.
NANO_PAREN = (
    "['Water, Butylene Glycol, Styrene/Acrylates Copolymer, Acrylates Copolymer, Styrene/Acrylates/Ammonium "
    "Methacrylate Copolymer, Beheneth-30, Pentylene Glycol, Alcohol, Caprylyl Glycol, 1,2-Hexanediol, "
    "Ethylhexylglycerin, Sodium Laureth-12 Sulfate, Disodium EDTA, C11-15 Pareth-7, Tetrasodium EDTA, "
    "Phenoxyethanol, Sodium Dehydroacetate, Potassium Sorbate, Black 2 (Ci 77266) (Nano).']"
)
NANO_BRACKET = (
    "['Aqua (Water), Ci 77266 [Nano] (Black 2), Methylpropanediol, Styrene/Acrylates Copolymer, "
    "Styrene/Acrylates/"
    "Ammonium Methacrylate Copolymer, Cellulose, Peg-60 Hydrogenated Castor Oil, Coco-Glucoside, Poloxamer "
    "407, "
    "Citric Acid, Phenoxyethanol, Potassium Sorbate, Phenylpropanol, Sodium Benzoate, Sodium Laureth-12 "
    "Sulfate, "
    "Sodium Lauryl Sulfate, Caprylyl Glycol, Sodium Dehydroacetate, BHT.']"
)
# P398823 - backslashes and an Estée Lauder "<ILN...>" tag.
BACKSLASHES = (
    r"['Alcohol Denat., Amber Musk Fragrance (Parfum), Water\\Aqua\\Eau, Butyl Methoxydibenzoylmethane, "
    r"Hydroxycitronellal, Benzyl Salicylate, Geraniol, Coumarin, Citral, Benzyl Benzoate <ILN40259>.']"
)
# P69300 - parabens, then "May Contain/Peut Contenir:".
PARABENS = (
    "['Talc, Boron Nitride, Nylon-12, Ethylhexyl Palmitate, Magnesium Myristate, Zinc Stearate, Silica, "
    "Methicone, "
    "Sodium Dehydroacetate, Ascorbyl Palmitate, Tocopherol, Methylparaben, Propylparaben, Butylparaben,  May "
    "Contain/Peut Contenir: Iron Oxides (CI 77499, CI 77492, CI 77491), Titanium Dioxide (CI 77891), "
    "Ultramarines (CI 77007).']"
)
# P473142 - a candle whose claims name excluded ingredients.
CANDLE = (
    "['Glass, 100% Natural Coconut Soy Wax (No Paraffin), 100% Cotton Wick. Paraben-, Phthalate-, and "
    "Cruelty-Free.']"
)
# cosmetics.csv - marketing bullets only.
BULLETS = (
    "-100 Percent Pure Argan Oil: Nourishes and protects skin with essential fatty acids, antioxidants, and "
    "vitamin E. -Aloe Vera: Calms and conditions skin. -Jojoba Oil: Diminishes visible signs of aging."
)
# cosmetics.csv - the disclaimer glued to the list (with its U+FFFD).
DISCLAIMER = (
    "Water, Cetyl Esters, Zinc Oxide, Titanium Dioxide, Cetyl Alcohol, Cetearyl Alcohol, Glycerin, Glyceryl "
    "Stearate, Peg-100 Stearate, Camphor, Ceteareth-20, Salicylic Acid, Colloidal Sulfur, Butylene Glycol, "
    "Bentonite, Caprylyl Glycol, Hexylene Glycol, Phenoxyethanol Please be aware that ingredient lists may "
    "change "
    "or vary from time to time.\ufffd Please refer to the ingredient list on the product package you "
    "receive for "
    "the most up to date list of ingredients."
)
# P461430 - a Sephora marketing line instead of a list.
MARKETING = (
    "['Aloe Vera: Contains vitamins and minerals that are known to provide anti-microbial and "
    "irritation-minimizing benefits.']"
)
# P502350 - a kit: label elements, then their contents.
KIT = "['Brushes:', 'Aluminum Synthetic Hair.', 'Travel Makeup Pouch:', 'PU Leather.']"
# P471051 - kit labels glued to the previous list ("Geraniol. No.04 ...:", "Methylpropional.No.09 ...:").
PERFUME_KIT = (
    "['No.02 Le Long Fond Eau de Parfum:', 'Alcohol Denat., Fragrance/Parfum, Aqua/Water/Eau, Citronellol, "
    "Eugenol, Geraniol. No.04 Bois de Balincourt Eau de Parfum:', 'Alcohol Denat., Fragrance/Parfum, "
    "Aqua/Water/Eau Geraniol, Benzyl Benzoate, Limonene, Butylphenyl Methylpropional.No.09 Vallée de Farney "
    "Eau de Parfum:', 'Alcohol Denat., Fragrance/Parfum, Aqua/Water/Eau Limonene, Butylphenyl "
    "Methylpropional, "
    "Linalool, Citral, Benzyl Benzoate, Hydroxycitronellal, Geraniol, Citronellol, Hexyl Cinnamal. No.12 "
    "Bousval "
    "Eau de Parfum:', 'Alcohol Denat., Fragrance/Parfum, Aqua/Water/Eau, , Benzyl Benzoate, Limonene, "
    "Alpha-Isomethyl Ionone, Linalool, Eugenol, Citronellol, Citral, Geraniol, Benzyl Alcohol.', 'Antidris "
    "Cassis "
    "Eau de Parfum:', 'Alcohol Denat., Fragrance/Parfum, Aqua/Water/Eau, Citronellol, Geraniol, Benzyl "
    "Benzoate, "
    "Citral, Eugenol, Limonene, Linalool.']"
)
# P450176 - "Name : 0.04%" percentages and carriage returns.
COLON_PERCENT = (
    "['Alcohol Denat. (Sd Alcohol 39-C), \\rParfum (Fragrance),\\rAlpha-Isomethyl Ionone : 0.0408%,\\rBenzyl "
    "Benzoate : 0.04548%,\\rBenzyl Salicylate : 0.27264%,\\rCinnamal : 0.0018%,\\rCitral : "
    "0.01644%,\\rCoumarin : "
    "0.04548%,\\rLimonene : 0.4272%,\\rEugenol : 0.00108%,\\rGeraniol : 0.04644%,\\rLinalool : "
    "0.57204%,\\rMethyl "
    "2-Octynoate : 0.0018%,\\rAqua (Water), \\rEthylhexyl Methoxycinnamate, \\rEthylhexyl Salicylate, "
    "\\rButyl "
    "Methoxydibenzoylmethane,\\rBht,\\rCi 42090 (Blue 1),\\rCi 17200 (Red 33),\\rCi 19140 (Yellow 5).']"
)
# cosmetics.csv - drug-facts bullets with percentages.
SUNSCREEN_BULLETS = (
    "-Titanium Dioxide 3.55%: Sunscreen. -Octinoxate 3.74%: Sunscreen. -Oxybenzone 1%: Sunscreen.")
# P448459 - "Contains:" then IUPAC names whose commas are locants.
LOCANTS = (
    "['Contains: 1,2,3,3a,4,5,6,8a-Octahydro-4,8-Dimethyl-2-(1-Methylethylidene)-6-Azulenol, "
    "1-(1,2,3,4,5,6,7,8-Octahydro-2,3,8,8-Tetramethyl-2-Naphthalenyl).']"
)
# cosmetics.csv - REN's claims (first two sentences of the row): everything listed is excluded.
REN_CLAIMS = (
    "REN products are free from synthetic fragrance, pore-blocking petrochemicals, sulfate detergents, "
    "silicones, "
    "synthetic colors, animal ingredients and parabens. In addition, REN products do not contain potential "
    "irritants including: glycols and diglycols (such as propylene glycol), PEG's, PPGs, urea, D.E.A, "
    "T.E.A, PABA."
)


def test_golden_water_aqua_eau() -> None:
    assert names(WATER_AQUA_EAU) == [
        "water", "styrene/acrylates copolymer", "acrylates copolymer", "laureth-21",
        "peg-40 hydrogenated castor oil",
        "cannabis sativa seed oil", "ethylhexylglycerin", "pentylene glycol", "xanthan gum", "isopentyldiol",
        "polyglyceryl-2 caprate", "sodium dehydroacetate", "1,2-hexanediol", "phenoxyethanol", "black 2",
    ]
    assert item(WATER_AQUA_EAU, "water").alternatives == ("aqua", "eau")
    assert item(WATER_AQUA_EAU, "cannabis sativa seed oil").alternatives == ("hemp",)
    assert item(WATER_AQUA_EAU, "black 2").alternatives == ("ci 77266",)
    assert item(WATER_AQUA_EAU, "water").raw == "Water (Aqua, Eau)"


def test_golden_missing_commas_stay_whole() -> None:
    assert names(MISSING_COMMAS) == [
        "alcohol denat", "parfum d-limonene", "ethylhexyl methoxycinnamate", "butyl methoxydibenzoylmethane",
        "ethylhexyl salicylate", "hexyl cinnamal citronellol", "linalool", "coumarin", "eugenol", "citral",
        "isoeugenol", "geraniol",
    ]
    assert item(MISSING_COMMAS, "parfum d-limonene").alternatives == ("fragrance",)
    assert item(MISSING_COMMAS, "alcohol denat").alternatives == ("sd alcohol 39c",)


def test_golden_may_contain_after_comma() -> None:
    items = parse_declaration(MAY_CONTAIN).items
    assert [i.name for i in items][-3:] == ["triethanolamine", "iron oxides", "titanium dioxide"]
    assert [i.may_contain for i in items] == [False] * 13 + [True, True]
    assert items[-2].alternatives == ("ci 77491", "ci 77492", "ci 77499")
    assert items[2].name == "vp/va copolymer"


def test_golden_bracketed_may_contain() -> None:
    items = parse_declaration(BRACKET_MAY).items
    assert len(items) == 16
    last = items[-1]
    assert (last.name, last.alternatives, last.may_contain) == ("ci 77499", ("iron oxides",), True)
    assert not any(i.may_contain for i in items[:-1])
    assert items[1].alternatives == ("beeswax",) and items[3].name == "aqua"


def test_golden_percent_before_name() -> None:
    items = parse_declaration(PERCENT_FIRST).items
    assert [(i.name, i.percent) for i in items[:3]] == [
        ("glycolic acid", 10.0), ("retinol", 0.5), ("panthenol", None)]
    assert items[2].alternatives == ("vitamin b5",)
    assert len(items) == 8 and items[-1].name == "vitamin e"


def test_golden_footnote_marks_and_chemical_parentheses() -> None:
    assert names(FOOTNOTES) == [
        "alcohol denat", "parfum", "aqua", "mel", "argania spinosa kernel oil",
        "sodium benzotriazolyl butylphenol sulfonate", "tris(tetramethylhydroxypiperidinol) citrate",
        "citral",
        "coumarin", "linalool", "hexyl cinnamal", "limonene", "ci 19140", "ci 14700",
    ]
    assert item(FOOTNOTES, "mel").alternatives == ("honey", "miel")
    assert item(FOOTNOTES, "citral").raw == "Citral**"
    assert item(FOOTNOTES, "ci 14700").alternatives == ("red 4",)


def test_golden_nano() -> None:
    black = item(NANO_PAREN, "black 2")
    assert black.nano and black.alternatives == ("ci 77266",)
    assert sum(i.nano for i in parse_declaration(NANO_PAREN).items) == 1
    ci = item(NANO_BRACKET, "ci 77266")
    assert ci.nano and ci.alternatives == ("black 2",)


def test_golden_backslashes_and_iln_tag() -> None:
    assert names(BACKSLASHES) == [
        "alcohol denat", "amber musk fragrance", "water", "butyl methoxydibenzoylmethane",
        "hydroxycitronellal",
        "benzyl salicylate", "geraniol", "coumarin", "citral", "benzyl benzoate",
    ]
    assert item(BACKSLASHES, "water").alternatives == ("aqua", "eau")
    assert item(BACKSLASHES, "amber musk fragrance").alternatives == ("parfum",)
    assert parse_declaration(BACKSLASHES).notes == ()


def test_golden_parabens_then_may_contain() -> None:
    items = parse_declaration(PARABENS).items
    assert [i.name for i in items][11:14] == ["methylparaben", "propylparaben", "butylparaben"]
    assert not any(i.may_contain for i in items[:14])
    assert [(i.name, i.may_contain) for i in items[14:]] == [
        ("iron oxides", True), ("titanium dioxide", True), ("ultramarines", True)]


def test_golden_candle_claims_are_notes_not_items() -> None:
    decl = parse_declaration(CANDLE)
    assert [(i.name, i.percent, i.alternatives) for i in decl.items] == [
        ("glass", None, ()), ("natural coconut soy wax", 100.0, ()), ("cotton wick", 100.0, ())]
    assert decl.notes == ("Paraben-, Phthalate-, and Cruelty-Free",)
    assert not any("paraben" in n or "paraffin" in n for i in decl.items for n in (i.name, *i.alternatives))


def test_golden_marketing_bullets_keep_the_named_ingredient() -> None:
    decl = parse_declaration(BULLETS)
    assert [(i.name, i.percent) for i in decl.items] == [
        ("pure argan oil", 100.0), ("aloe vera", None), ("jojoba oil", None)]
    assert decl.notes == (
        "Nourishes and protects skin with essential fatty acids, antioxidants, and vitamin E",
        "Calms and conditions skin", "Diminishes visible signs of aging")
    assert decl.variants == ()


def test_golden_disclaimer_glued_to_list() -> None:
    decl = parse_declaration(DISCLAIMER)
    assert len(decl.items) == 18 and decl.items[-1].name == "phenoxyethanol"
    assert decl.notes == (
        "Please be aware that ingredient lists may change or vary from time to time",
        ("Please refer to the ingredient list on the product package you receive for the most up to date "
         "list of ingredients"),
    )


def test_golden_marketing_line() -> None:
    decl = parse_declaration(MARKETING)
    assert names(MARKETING) == ["aloe vera"]
    assert decl.notes == (
        ("Contains vitamins and minerals that are known to provide anti-microbial and irritation-minimizing "
         "benefits"),)


def test_golden_kit_elements() -> None:
    decl = parse_declaration(KIT)
    assert decl.variants == ("Brushes", "Travel Makeup Pouch")
    assert [(i.name, i.variant) for i in decl.items] == [
        ("aluminum synthetic hair", "Brushes"), ("pu leather", "Travel Makeup Pouch")]


def test_golden_perfume_kit_with_glued_labels() -> None:
    decl = parse_declaration(PERFUME_KIT)
    assert decl.variants == (
        "No.02 Le Long Fond Eau de Parfum", "No.04 Bois de Balincourt Eau de Parfum",
        "No.09 Vallée de Farney Eau de Parfum", "No.12 Bousval Eau de Parfum",
        "Antidris Cassis Eau de Parfum")
    per_variant = {v: [i.name for i in decl.items if i.variant == v] for v in decl.variants}
    assert per_variant["No.02 Le Long Fond Eau de Parfum"] == [
        "alcohol denat", "fragrance", "aqua", "citronellol", "eugenol", "geraniol"]
    assert per_variant["No.04 Bois de Balincourt Eau de Parfum"][-1] == "butylphenyl methylpropional"
    assert len(per_variant["No.12 Bousval Eau de Parfum"]) == 12  # the empty ", ," adds nothing
    assert item(PERFUME_KIT, "fragrance").alternatives == ("parfum",)
    assert decl.notes == ()


def test_golden_colon_percentages() -> None:
    items = parse_declaration(COLON_PERCENT).items
    assert (items[2].name, items[2].percent) == ("alpha-isomethyl ionone", 0.0408)
    assert (items[12].name, items[12].percent) == ("methyl 2-octynoate", 0.0018)
    assert len(items) == 21 and items[-1].alternatives == ("yellow 5",)


def test_golden_sunscreen_bullets() -> None:
    decl = parse_declaration(SUNSCREEN_BULLETS)
    assert [(i.name, i.percent) for i in decl.items] == [
        ("titanium dioxide", 3.55), ("octinoxate", 3.74), ("oxybenzone", 1.0)]
    assert decl.variants == () and decl.notes == ("Sunscreen",)


def test_golden_locant_commas() -> None:
    assert names(LOCANTS) == [
        "1,2,3,3a,4,5,6,8a-octahydro-4,8-dimethyl-2-(1-methylethylidene)-6-azulenol",
        "1-(1,2,3,4,5,6,7,8-octahydro-2,3,8,8-tetramethyl-2-naphthalenyl)",
    ]


def test_golden_exclusion_claims_produce_no_items() -> None:
    decl = parse_declaration(REN_CLAIMS)
    assert decl.items == ()
    assert len(decl.notes) == 2 and "parabens" in decl.notes[0]


# --- features ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "alternatives"),
    [
        ("Water/Aqua/Eau", "water", ("aqua", "eau")),
        ("Parfum / Fragrance", "parfum", ("fragrance",)),
        ("Mineral Oil/Paraffinum Liquidum/Huile Minerale", "mineral oil",
         ("paraffinum liquidum", "huile minerale")),
        ("CI 77499/Iron Oxides", "ci 77499", ("iron oxides",)),
        ("Iron Oxides (CI 77491/77492)", "iron oxides", ("ci 77491", "ci 77492")),
        # one INCI name with a slash keeps it; its parts are still listed for lookups
        ("Caprylic/Capric Triglyceride", "caprylic/capric triglyceride", ("caprylic", "capric triglyceride")),
        ("VP/VA Copolymer", "vp/va copolymer", ("va copolymer",)),
        ("Parfum (Fragrance)", "parfum", ("fragrance",)),
        ("Titanium Dioxide Ci 77891", "titanium dioxide", ("ci 77891",)),
        ("C.I. 77891", "ci 77891", ()),
        ("Zinc Oxide (Non-Nano)", "zinc oxide", ()),
        ("Butyrospermum Parkii (Shea) Butter", "butyrospermum parkii butter", ("shea",)),
    ],
)
def test_names_and_alternatives(raw: str, name: str, alternatives: tuple[str, ...]) -> None:
    [only] = parse_declaration(raw).items
    assert (only.name, only.alternatives) == (name, alternatives)


@pytest.mark.parametrize(
    "raw",
    [
        "Water, Glycerin. May Contain: Mica, Iron Oxides (CI 77491).",
        "Water, Glycerin, Peut Contenir: Mica, Iron Oxides (CI 77491)",
        "Water, Glycerin, +/- Mica, Iron Oxides (CI 77491)",
        "Water, Glycerin [+/- Mica, Iron Oxides (CI 77491)]",
        "Water, Glycerin. May Contain/Peut Contenir (±): Mica, Iron Oxides (CI 77491).",
        "Water, Glycerin, [May Contain/Peut Contenir/+/-: Mica, Iron Oxides (CI 77491)].",
        "['Water, Glycerin.', 'May Contain:', 'Mica, Iron Oxides (CI 77491).']",
    ],
)
def test_may_contain_forms(raw: str) -> None:
    items = parse_declaration(raw).items
    assert [(i.name, i.may_contain) for i in items] == [
        ("water", False), ("glycerin", False), ("mica", True), ("iron oxides", True)]


def test_may_contain_section_ends_with_its_bracket() -> None:
    items = parse_declaration("Water, [+/- Mica, Iron Oxides], Glycerin").items
    assert [(i.name, i.may_contain) for i in items] == [
        ("water", False), ("mica", True), ("iron oxides", True), ("glycerin", False)]


def test_percent_nano_footnotes_prefix_and_trailing_period() -> None:
    decl = parse_declaration("Ingredients: Niacinamide 10%, *Aloe Barbadensis Leaf Juice†, "
                             "Titanium Dioxide (nano), Zinc Oxide 20 %, Glycerin. *Organic. †Fair Trade.")
    assert [(i.name, i.percent, i.nano) for i in decl.items] == [
        ("niacinamide", 10.0, False), ("aloe barbadensis leaf juice", None, False),
        ("titanium dioxide", None, True), ("zinc oxide", 20.0, False), ("glycerin", None, False)]
    assert decl.notes == ("*Organic", "†Fair Trade")
    assert decl.variants == ()


def test_inline_shade_variants() -> None:
    decl = parse_declaration("Shade A: Talc, Mica. Shade B: Silica, Mica, Iron Oxides (CI 77491).")
    assert decl.variants == ("Shade A", "Shade B")
    assert [(i.variant, i.name) for i in decl.items] == [
        ("Shade A", "talc"), ("Shade A", "mica"), ("Shade B", "silica"), ("Shade B", "mica"),
        ("Shade B", "iron oxides")]


def test_label_element_naming_several_shades_is_one_variant() -> None:
    decl = parse_declaration("['Aura, Intuition, Zen:', 'Talc, Mica.']")
    assert decl.variants == ("Aura, Intuition, Zen",)
    assert names("['Aura, Intuition, Zen:', 'Talc, Mica.']") == ["talc", "mica"]


def test_list_glued_to_a_label_keeps_its_items() -> None:
    # a list element that ends with the next kit's label must not become a label itself; the label
    # is kept as an item too (it could be a real last ingredient)
    decl = parse_declaration(
        "['Sodium Benzoate, Citric Acid, Glycerin, Squalane + Probiotic Gel:', 'Water.']")
    assert [(i.name, i.variant) for i in decl.items] == [
        ("sodium benzoate", None), ("citric acid", None), ("glycerin", None),
        ("squalane + probiotic gel", None),
        ("water", "Squalane + Probiotic Gel")]
    assert decl.variants == ("Squalane + Probiotic Gel",)


def test_mid_list_colon_keeps_the_text_as_an_item() -> None:
    raw = "Hedione (Methyl Dihydrojasmonate), Terpineol Allergens: Citronellol, Geraniol."
    assert names(raw) == ["hedione", "terpineol allergens", "citronellol", "geraniol"]
    assert parse_declaration(raw).variants == ()


@pytest.mark.parametrize(
    "prose",
    [
        ("Clean at Sephora products are formulated without parabens, sulfates SLS & SLES, phthalates, "
         "mineral oil."),
        "Please be aware that ingredient lists may change or vary from time to time.",
        "Free from harmful chemicals such as phthalates, latex, lead, and BPA.",
        "Formulated without: Parabens, Sulfates, Phthalates.",
    ],
)
def test_prose_sets_aside_and_never_yields_excluded_items(prose: str) -> None:
    decl = parse_declaration(prose)
    assert decl.items == ()
    assert decl.notes


def test_claim_header_element_sets_aside_the_next_element() -> None:
    decl = parse_declaration("['Water, Glycerin.', 'Formulated without:', 'Parabens, Sulfates, Phthalates.']")
    assert [i.name for i in decl.items] == ["water", "glycerin"]
    assert "Parabens, Sulfates, Phthalates." in decl.notes


def test_prose_before_a_list_keeps_the_list() -> None:
    decl = parse_declaration("Formulated with Hibiscus, whose flower is rich, Water, Glycerin, Squalane.")
    assert [i.name for i in decl.items][-3:] == ["water", "glycerin", "squalane"]
    assert decl.notes == ("Formulated with Hibiscus, whose flower is rich",)


def test_glued_and_encoded_separators() -> None:
    raw = ("['Rds Product Name: Clarifying Lotion 3 Division: Cl (Clinique)Water, "
           "Salicylic Acid 1.50%Glycerin, "
           "Rice Bran Wax&bull; Silica, Undecane (And) Tridecane &lt;ILN37038&gt;']")
    decl = parse_declaration(raw)
    assert [i.name for i in decl.items] == [
        "water", "salicylic acid", "glycerin", "rice bran wax", "silica", "undecane", "tridecane"]
    assert decl.variants == ("Clarifying Lotion 3",)
    assert item(raw, "salicylic acid").percent == 1.5


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "[", "['", "['a'", "[]", "['']", ":::", "(((", ")))", "[+/-", "May Contain:", "*", "**, *",
     "\x01\x03", "a" * 5000, "(" * 300 + "x", "a:" * 500, "[" * 300, "Water (Aqua, Eau", "['x', 1]", "[1, 2]",
     "\\", "&bogus;", "<" * 50],
)
def test_never_raises(raw: str) -> None:
    assert isinstance(parse_declaration(raw), Declaration)


def test_none_and_blank() -> None:
    assert parse_declaration(None) == Declaration((), (), ())
    assert parse_declaration("  \n ") == Declaration((), (), ())


def test_unclosed_parenthesis_does_not_swallow_the_list() -> None:
    assert names("Complex (Hyaluronic Acid, Water, Glycerin") == [
        "complex hyaluronic acid", "water", "glycerin"]


# --- properties --------------------------------------------------------------------------------

VOCABULARY = [
    "Sodium", "Glycerin", "Cetyl", "Alcohol", "Extract", "Leaf", "Seed", "Oil", "Butter", "Acid",
    "Hyaluronate", "Benzoate", "Stearate", "PEG-40", "Hydrogenated", "Castor", "Citric", "Tocopheryl",
    "Acetate", "Xanthan", "Gum", "Polysorbate", "Water", "Mica", "Silica", "Dimethicone", "Caprylyl",
    "Glycol", "Rosa", "Canina", "Fruit", "Phenoxyethanol", "C12-15", "Alkyl", "1,2-Hexanediol",
]
CASINGS: list[Callable[[str], str]] = [str.title, str.upper, str.lower, str.strip]
plain_name = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4).map(" ".join).filter(
    lambda n: n[0].isalpha())
cased_name = st.builds(lambda name, case: case(name), plain_name, st.sampled_from(CASINGS))


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_property_parse_never_crashes(text: str) -> None:
    decl = parse_declaration(text)
    assert all(isinstance(i, InciItem) and i.name for i in decl.items)


@given(st.lists(st.text(max_size=40), max_size=6))
@settings(max_examples=150, deadline=None)
def test_property_list_literals_never_crash(elements: list[str]) -> None:
    assert isinstance(parse_declaration(repr(elements)), Declaration)


@given(st.lists(cased_name, min_size=1, max_size=25))
@settings(max_examples=200, deadline=None)
def test_property_no_item_lost(names_in: list[str]) -> None:
    decl = parse_declaration(", ".join(names_in))
    assert [i.name for i in decl.items] == [normalize_name(n) for n in names_in]
    assert decl.notes == ()


@given(st.lists(st.tuples(cased_name, st.lists(plain_name, min_size=1, max_size=3)), min_size=1, max_size=12))
@settings(max_examples=150, deadline=None)
def test_property_parenthesised_group_stays_one_item(groups: list[tuple[str, list[str]]]) -> None:
    raw = ", ".join(f"{name} ({', '.join(alts)})" for name, alts in groups)
    items = parse_declaration(raw).items
    assert len(items) == len(groups)
    for got, (name, alts) in zip(items, groups, strict=True):
        expected = {normalize_name(a) for a in alts}
        assert got.name == normalize_name(name)
        assert set(got.alternatives) <= expected
        # every alternative is kept, except letterless ones ("(C12-15)", "(6A)") that name nothing
        assert set(got.alternatives) | {got.name} >= {a for a in expected if sum(map(str.isalpha, a)) >= 2}


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_property_fast_normalisation_equals_normalize_name(text: str) -> None:
    assert _norm(text) == normalize_name(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
@settings(max_examples=500, deadline=None)
def test_property_fast_normalisation_equals_normalize_name_ascii(text: str) -> None:
    assert _norm(text) == normalize_name(text)


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_property_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


def test_normalize_name_idempotent_on_capital_ae() -> None:
    assert normalize_name(normalize_name("Æ")) == normalize_name("Æ")


@given(cased_name)
@settings(max_examples=200, deadline=None)
def test_property_parsed_names_are_fixed_points(name: str) -> None:
    [first] = parse_declaration(name).items
    [again] = parse_declaration(first.name).items
    assert again.name == first.name


@given(plain_name)
@settings(max_examples=200, deadline=None)
def test_property_fast_path_matches_full_path(name: str) -> None:
    from conseil.search.knowledge.fields import _item_fields

    assert _read_piece(name) == _item_fields(name)


# --- analyze -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeIngredient:
    canonical: str
    key: str
    families: frozenset[str]
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeResolution:
    via: str


@dataclass
class FakeKnowledge:
    """Dict-based stand-in for IngredientKnowledge; counts lookups to check the caching."""

    calls: dict[str, int] = field(default_factory=lambda: {"resolve": 0, "families": 0, "scan": 0})

    def __post_init__(self) -> None:
        entries = {
            "Water": (["water", "aqua", "eau"], {"solvents"}),
            "Parfum": (["parfum", "fragrance"], {"fragrance"}),
            "Limonene": (["limonene", "d-limonene"], {"fragrance", "fragrance_allergens"}),
            "Linalool": (["linalool"], {"fragrance", "fragrance_allergens"}),
            "Coumarin": (["coumarin"], {"fragrance", "fragrance_allergens"}),
            "Methylparaben": (["methylparaben"], {"parabens", "preservatives"}),
            "Titanium Dioxide": (["titanium dioxide", "ci 77891"], {"mineral_uv_filters"}),
        }
        self.by_name = {
            n: FakeIngredient(c, normalize_name(c), frozenset(f))
            for c, (ns, f) in entries.items() for n in ns}

    def resolve(self, name: str) -> FakeIngredient | None:
        self.calls["resolve"] += 1
        return self.by_name.get(name)

    def resolve_label(self, name: str) -> FakeResolution:
        return FakeResolution("exact" if name in self.by_name else "unidentified")

    def families_of_name(self, name: str) -> frozenset[str]:
        self.calls["families"] += 1
        found = self.by_name.get(name)
        if found:
            return found.families
        return frozenset({"parabens"}) if name.endswith("paraben") else frozenset()

    def scan(self, text: str) -> Sequence[FakeIngredient]:
        self.calls["scan"] += 1
        folded = normalize_name(text)
        hits = [ing for n, ing in self.by_name.items()
                if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", folded)]
        return list(dict.fromkeys(hits))


def test_fake_knowledge_satisfies_the_protocol() -> None:
    kb: KnowledgeLike = FakeKnowledge()
    assert kb.resolve("aqua") is not None


def test_analyze_unions_name_alternatives_patterns_and_scan() -> None:
    analysis = analyze(MISSING_COMMAS, FakeKnowledge())
    parfum = analysis.items[1]
    assert parfum.item.name == "parfum d-limonene"
    assert (parfum.canonical, parfum.key, parfum.via) == ("Parfum", "parfum", "alternative")
    assert parfum.families == {"fragrance", "fragrance_allergens"}  # limonene found by the scan
    assert {"parfum", "limonene", "linalool", "coumarin"} <= analysis.canonical_keys
    assert {"fragrance", "fragrance_allergens"} <= analysis.families
    assert "fragrance" in analysis.names and "parfum d-limonene" in analysis.names


def test_analyze_via_values() -> None:
    analysis = analyze("Aqua, Water (Aqua), Ethylparaben, Coumarin Limonene, Coumarin Blend, Boron Nitride",
                       FakeKnowledge())
    assert [(r.via, r.key) for r in analysis.items] == [
        ("name", "water"), ("name", "water"), ("pattern", "ethylparaben"), ("split", "coumarin limonene"),
        ("scan", "coumarin blend"), ("unknown", "boron nitride")]
    assert analysis.items[2].families == {"parabens"}
    assert analysis.unknown == ("ethylparaben", "coumarin blend", "boron nitride")  # a split item is identified
    assert analysis.canonical_keys == {"water", "coumarin", "limonene"}


def test_analyze_may_contain_items_still_count() -> None:
    analysis = analyze("Water. May Contain: Titanium Dioxide (CI 77891), Methylparaben.", FakeKnowledge())
    assert {"parabens", "mineral_uv_filters"} <= analysis.families
    assert all(r.item.may_contain for r in analysis.items[1:])


def test_analyze_notes_and_empty_input() -> None:
    assert analyze(BULLETS, FakeKnowledge()).notes == parse_declaration(BULLETS).notes
    empty = analyze(None, FakeKnowledge())
    assert empty.items == () and empty.families == frozenset() and empty.unknown == ()


def test_cached_knowledge_gives_the_same_analysis_with_fewer_lookups() -> None:
    plain, cached_kb = FakeKnowledge(), FakeKnowledge()
    cached = CachedKnowledge(cached_kb, maxsize=50)
    raws = [MISSING_COMMAS, PARABENS, FOOTNOTES, MISSING_COMMAS, PARABENS, FOOTNOTES]
    assert [analyze(r, plain) for r in raws] == [analyze(r, cached) for r in raws]
    assert cached_kb.calls["scan"] <= plain.calls["scan"] / 2  # each distinct item text once
    assert cached_kb.calls["resolve"] <= plain.calls["resolve"] / 2


def test_cached_knowledge_tables_stay_bounded() -> None:
    cached = CachedKnowledge(FakeKnowledge(), maxsize=5)
    for n in range(40):
        cached.resolve(f"name {n}")
        analyze(f"Ingredient {n}, Water", cached)
    # name lookups are memoised (and bounded) by the knowledge base itself, not here
    assert not hasattr(cached, "_resolved")
    assert len(cached.pieces) <= 200_000 and len(cached.items) <= 5


# --- the real exports --------------------------------------------------------------------------


def _declarations(shared_data: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    csv.field_size_limit(10_000_000)
    with (shared_data / "sephora-products" / "product_info.csv").open(encoding="utf-8", newline="") as fh:
        out += [(row["product_id"], row["ingredients"]) for row in csv.DictReader(fh) if row["ingredients"]]
    cosmetics = shared_data / "sephora-cosmetics-skintype" / "cosmetics.csv"
    with cosmetics.open(encoding="utf-8-sig", newline="") as fh:
        out += [(f"cosmetics row {n}", row["Ingredients"]) for n, row in enumerate(csv.DictReader(fh), 1)
                if row["Ingredients"]]
    return out


@pytest.mark.shared
def test_all_real_declarations_parse(shared_data: Path) -> None:
    declarations = _declarations(shared_data)
    assert len(declarations) > 9000
    started = time.perf_counter()
    parsed = [(where, raw, parse_declaration(raw)) for where, raw in declarations]
    seconds = time.perf_counter() - started
    without_items = [(where, raw, d) for where, raw, d in parsed if not d.items]
    # Every declaration yields items, or is set aside whole as notes ("No Info", a disclaimer, a
    # candle's "Paraffin-free ... with a cotton wick") or is only a kit label: nothing vanishes.
    assert all(d.notes or d.variants for _, _, d in without_items), [
        w for w, _, d in without_items if not (d.notes or d.variants)]  # "['Extra Volume Shampoo:']"
    assert len(without_items) < 0.03 * len(parsed)
    # A real comma-separated list is never set aside whole.
    listy = [w for w, raw, _ in without_items if raw.count(",") >= 8 and "REN" not in raw]
    assert not listy, listy
    items = sum(len(d.items) for _, _, d in parsed)
    notes = sum(len(d.notes) for _, _, d in parsed)
    print(f"\n{len(parsed)} declarations -> {items} items, {notes} notes set aside "
          f"({sum(1 for _, _, d in parsed if d.notes)} declarations with notes, {len(without_items)} without "
          f"items) in {seconds:.1f}s")


@pytest.mark.shared
def test_real_knowledge_base_on_real_declarations(shared_data: Path) -> None:
    from conseil.search.knowledge.base import IngredientKnowledge

    kb = CachedKnowledge(IngredientKnowledge.load())
    declarations = dict(_declarations(shared_data))
    capri = analyze(declarations["P473671"], kb)  # "Parfum (Fragrance) D-Limonene", "Coumarin Limonene"
    assert {"fragrance", "fragrance_allergens"} <= capri.families
    assert {"limonene", "coumarin", "linalool"} <= capri.canonical_keys
    parfum = next(r for r in capri.items if r.item.raw == "Parfum (Fragrance) D-Limonene")
    assert "fragrance" in parfum.families
    assert "parabens" in analyze(declarations["P69300"], kb).families  # methyl-, propyl-, butylparaben
    candle = analyze(declarations["P473142"], kb)  # "Paraben-, Phthalate-, and Cruelty-Free."
    assert "parabens" not in candle.families and candle.notes
    started = time.perf_counter()
    analyses = [analyze(raw, kb) for raw in declarations.values()]
    print(f"\nanalysed {len(analyses)} declarations in {time.perf_counter() - started:.1f}s")
