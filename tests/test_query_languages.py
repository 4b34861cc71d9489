"""Real advisor phrasings in every supported language, each with its exact constraints (real knowledge base).

Greek product-type words are not in the product-type vocabulary yet (search/query/product_words.py, being
moved to data), so the Greek cases name no category; their product words stay in the semantic text.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_query_support import expect, parse

P, F = "parabens", "fragrance"
Case = tuple[str, dict[str, Any], str]  # query, exact constraints, semantic text

EN: list[Case] = [
    ("moisturizer without parabens or fragrance for dry skin",
     {"exclude_families": [P, F], "skin_types": ["dry"], "categories": ["moisturizers"]}, "moisturizer"),
    ("paraben-free serum under $30",
     {"exclude_families": [P], "categories": ["face serums"], "price_max": 30, "currency": "USD"}, "serum"),
    ("fragrance-free, sulfate-free shampoo for oily scalp",
     {"exclude_families": [F, "sulfates"], "concerns": ["oily_scalp"], "categories": ["shampoo"]}, "shampoo"),
    ("sunscreen with no chemical filters for sensitive skin",
     {"exclude_families": ["chemical_uv_filters"], "skin_types": ["sensitive"], "categories": ["face sunscreen"]},
     "sunscreen"),
    ("serum with niacinamide and hyaluronic acid",
     {"include_ingredients": ["niacinamide", "hyaluronic acid"], "categories": ["face serums"]}, "serum"),
    ("retinol cream for mature skin, no fragrance", {"exclude_families": [F], "concerns": ["aging"]}, "retinol cream"),
    ("cleanser free of sulfates and silicones",
     {"exclude_families": ["sulfates", "silicones"], "categories": ["face wash & cleansers"]}, "cleanser"),
    ("paraben and phthalate free body lotion",
     {"exclude_families": [P, "phthalates"], "categories": ["body lotions & body oils"]}, "body lotion"),
    ("anti-aging night cream without essential oils",
     {"exclude_families": ["essential_oils"], "concerns": ["aging"], "categories": ["night creams"]}, "night cream"),
    ("toner for combination skin between $20 and $35",
     {"skin_types": ["combination"], "categories": ["toners"], "price_min": 20, "price_max": 35, "currency": "USD"},
     "toner"),
    ("shampoo for color-treated hair without sulfates",
     {"exclude_families": ["sulfates"], "concerns": ["color_care"], "categories": ["shampoo"]}, "shampoo"),
    ("moisturizer that does not contain alcohol or silicones",
     {"exclude_families": ["drying_alcohols", "silicones"], "categories": ["moisturizers"]}, "moisturizer"),
    ("I'm allergic to fragrance, need a cleanser for sensitive skin",
     {"exclude_families": [F], "skin_types": ["sensitive"], "categories": ["face wash & cleansers"]}, "cleanser"),
    ("face oil for dry to combination skin over $50",
     {"skin_types": ["dry", "combination"], "categories": ["face oils"], "price_min": 50, "currency": "USD"},
     "face oil"),
    ("The Ordinary serum without essential oils",
     {"exclude_families": ["essential_oils"], "categories": ["face serums"], "brands": ["the ordinary"]}, "serum"),
    ("mask for acne-prone skin with salicylic acid",
     {"include_ingredients": ["salicylic acid"], "concerns": ["acne"], "categories": ["face masks"]}, "mask"),
    ("conditioner for frizz, silicone free",
     {"exclude_families": ["silicones"], "concerns": ["frizz"], "categories": ["conditioner"]}, "conditioner"),
    ("unscented body wash", {"exclude_families": [F], "categories": ["body wash & shower gel"]}, "body wash"),
    ("without mineral oil or petrolatum",
     {"exclude_families": ["mineral_oils"], "exclude_ingredients": ["petrolatum"]}, ""),
]

FR: list[Case] = [
    ("sérum sans silicones ni parfum pour peau sensible",
     {"exclude_families": ["silicones", F], "skin_types": ["sensitive"], "categories": ["face serums"]}, "sérum"),
    ("crème hydratante sans parabènes pour peaux sèches",
     {"exclude_families": [P], "skin_types": ["dry"], "categories": ["moisturizers"]}, "crème hydratante"),
    ("shampooing sans sulfates et sans silicones",
     {"exclude_families": ["sulfates", "silicones"], "categories": ["shampoo"]}, "shampooing"),
    ("crème anti-âge avec acide hyaluronique pour peau mature",
     {"include_ingredients": ["hyaluronic acid"], "concerns": ["aging"]}, "crème"),
    ("nettoyant pour peau grasse à tendance acnéique",
     {"skin_types": ["oily"], "concerns": ["acne"], "categories": ["face wash & cleansers"]}, "nettoyant"),
    ("soin contour des yeux contre les cernes",
     {"concerns": ["dark_circles"], "categories": ["eye creams & treatments"]}, "soin contour des yeux"),
    ("crème sans parfum et sans huiles essentielles", {"exclude_families": [F, "essential_oils"]}, "crème"),
    ("écran solaire sans filtres chimiques pour peau mixte",
     {"exclude_families": ["chemical_uv_filters"], "skin_types": ["combination"], "categories": ["face sunscreen"]},
     "écran solaire"),
    ("sérum à la vitamine C à moins de 40 euros",
     {"include_ingredients": ["ascorbic acid"], "categories": ["face serums"], "price_max": 40, "currency": "EUR"},
     "sérum"),
    ("je cherche une crème de nuit contre les rides",
     {"concerns": ["fine_lines"], "categories": ["night creams"]}, "crème de nuit"),
    ("masque capillaire pour cheveux abîmés sans silicone",
     {"exclude_families": ["silicones"], "concerns": ["damage"], "categories": ["hair masks"]}, "masque capillaire"),
    ("après-shampooing sans sulfates entre 15 et 25 €",
     {"exclude_families": ["sulfates"], "categories": ["conditioner"], "price_min": 15, "price_max": 25,
      "currency": "EUR"}, "après-shampooing"),
    ("crème visage avec niacinamide pour peau sèche à mixte",
     {"include_ingredients": ["niacinamide"], "skin_types": ["dry", "combination"], "categories": ["moisturizers"]},
     "crème visage"),
    ("huile visage sans alcool ni parfum",
     {"exclude_families": ["drying_alcohols", F], "categories": ["face oils"]}, "huile visage"),
    ("lotion tonique exempte de parabènes", {"exclude_families": [P], "categories": ["toners"]}, "lotion tonique"),
    ("fond de teint pour peau grasse à partir de 30 €",
     {"skin_types": ["oily"], "categories": ["foundation"], "price_min": 30, "currency": "EUR"}, "fond de teint"),
    ("gel douche non parfumé", {"exclude_families": [F], "categories": ["body wash & shower gel"]}, "gel douche"),
    ("baume à lèvres sans phtalates", {"exclude_families": ["phthalates"], "categories": ["lip balm & treatment"]},
     "baume à lèvres"),
]

ES: list[Case] = [
    ("champú sin sulfatos", {"exclude_families": ["sulfates"], "categories": ["shampoo"]}, "champú"),
    ("crema hidratante sin parabenos ni perfume para piel seca",
     {"exclude_families": [P, F], "skin_types": ["dry"], "categories": ["moisturizers"]}, "crema hidratante"),
    ("sérum con ácido hialurónico para piel grasa",
     {"include_ingredients": ["hyaluronic acid"], "skin_types": ["oily"], "categories": ["face serums"]}, "sérum"),
    ("protector solar sin filtros químicos para piel sensible",
     {"exclude_families": ["chemical_uv_filters"], "skin_types": ["sensitive"], "categories": ["face sunscreen"]},
     "protector solar"),
    ("limpiador para piel mixta libre de sulfatos",
     {"exclude_families": ["sulfates"], "skin_types": ["combination"], "categories": ["face wash & cleansers"]},
     "limpiador"),
    ("crema antiedad con retinol", {"include_ingredients": ["retinol"], "concerns": ["aging"]}, "crema"),
    ("contorno de ojos para ojeras sin fragancia",
     {"exclude_families": [F], "concerns": ["dark_circles"], "categories": ["eye creams & treatments"]},
     "contorno de ojos"),
    ("acondicionador sin siliconas para cabello teñido",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]},
     "acondicionador"),
    ("mascarilla para piel con tendencia acneica con ácido salicílico",
     {"include_ingredients": ["salicylic acid"], "concerns": ["acne"], "categories": ["face masks"]}, "mascarilla"),
    ("crema de noche antiarrugas entre 20 y 40 euros",
     {"concerns": ["fine_lines"], "categories": ["night creams"], "price_min": 20, "price_max": 40,
      "currency": "EUR"}, "crema de noche"),
    ("sérum con vitamina C y niacinamida",
     {"include_ingredients": ["ascorbic acid", "niacinamide"], "categories": ["face serums"]}, "sérum"),
    ("tónico sin alcohol para pieles sensibles",
     {"exclude_families": ["drying_alcohols"], "skin_types": ["sensitive"], "categories": ["toners"]}, "tónico"),
    ("busco una crema facial sin perfume hasta 25 €",
     {"exclude_families": [F], "categories": ["moisturizers"], "price_max": 25, "currency": "EUR"}, "crema facial"),
    ("aceite facial sin aceites esenciales", {"exclude_families": ["essential_oils"], "categories": ["face oils"]},
     "aceite facial"),
    ("champú para caspa sin parabenos",
     {"exclude_families": [P], "concerns": ["dry_scalp"], "categories": ["shampoo"]}, "champú"),
    ("crema corporal que no contenga parabenos",
     {"exclude_families": [P], "categories": ["body lotions & body oils"]}, "crema corporal"),
    ("menos de 30 euros", {"price_max": 30, "currency": "EUR"}, ""),
]

IT: list[Case] = [
    ("crema senza profumo per pelle secca", {"exclude_families": [F], "skin_types": ["dry"]}, "crema"),
    ("siero senza siliconi né parabeni per pelle sensibile",
     {"exclude_families": ["silicones", P], "skin_types": ["sensitive"], "categories": ["face serums"]}, "siero"),
    ("shampoo senza solfati", {"exclude_families": ["sulfates"], "categories": ["shampoo"]}, "shampoo"),
    ("crema idratante con acido ialuronico per pelle mista",
     {"include_ingredients": ["hyaluronic acid"], "skin_types": ["combination"], "categories": ["moisturizers"]},
     "crema idratante"),
    ("detergente per pelle grassa e acneica",
     {"skin_types": ["oily"], "concerns": ["acne"], "categories": ["face wash & cleansers"]}, "detergente"),
    ("crema antirughe con retinolo", {"include_ingredients": ["retinol"], "concerns": ["fine_lines"]}, "crema"),
    ("contorno occhi per occhiaie senza profumo",
     {"exclude_families": [F], "concerns": ["dark_circles"], "categories": ["eye creams & treatments"]},
     "contorno occhi"),
    ("balsamo senza siliconi per capelli colorati",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]}, "balsamo"),
    ("crema solare senza filtri chimici",
     {"exclude_families": ["chemical_uv_filters"], "categories": ["face sunscreen"]}, "crema solare"),
    ("siero alla vitamina C meno di 40 euro",
     {"include_ingredients": ["ascorbic acid"], "categories": ["face serums"], "price_max": 40, "currency": "EUR"},
     "siero"),
    ("crema viso con niacinamide per pelli secche e sensibili",
     {"include_ingredients": ["niacinamide"], "skin_types": ["dry", "sensitive"], "categories": ["moisturizers"]},
     "crema viso"),
    ("tonico privo di alcol", {"exclude_families": ["drying_alcohols"], "categories": ["toners"]}, "tonico"),
    ("maschera per capelli danneggiati tra 20 e 30 euro",
     {"concerns": ["damage"], "categories": ["hair masks"], "price_min": 20, "price_max": 30, "currency": "EUR"},
     "maschera per capelli"),
    ("olio viso senza oli essenziali", {"exclude_families": ["essential_oils"], "categories": ["face oils"]},
     "olio viso"),
    ("crema corpo priva di parabeni e di profumo",
     {"exclude_families": [P, F], "categories": ["body lotions & body oils"]}, "crema corpo"),
    ("shampoo per capelli grassi senza solfati fino a 15 €",
     {"exclude_families": ["sulfates"], "concerns": ["oily_scalp"], "categories": ["shampoo"], "price_max": 15,
      "currency": "EUR"}, "shampoo"),
    ("sotto i 30 euro", {"price_max": 30, "currency": "EUR"}, ""),
]

DE: list[Case] = [
    ("Serum ohne Parabene", {"exclude_families": [P], "categories": ["face serums"]}, "Serum"),
    ("Feuchtigkeitscreme ohne Duftstoffe für trockene Haut",
     {"exclude_families": [F], "skin_types": ["dry"], "categories": ["moisturizers"]}, "Feuchtigkeitscreme"),
    ("Shampoo ohne Sulfate und Silikone",
     {"exclude_families": ["sulfates", "silicones"], "categories": ["shampoo"]}, "Shampoo"),
    ("parabenfreie Gesichtscreme für empfindliche Haut",
     {"exclude_families": [P], "skin_types": ["sensitive"], "categories": ["moisturizers"]}, "Gesichtscreme"),
    ("Nachtcreme mit Hyaluronsäure gegen Falten",
     {"include_ingredients": ["hyaluronic acid"], "concerns": ["fine_lines"], "categories": ["night creams"]},
     "Nachtcreme"),
    ("Reinigungsgel für unreine Haut", {"concerns": ["acne"], "categories": ["face wash & cleansers"]},
     "Reinigungsgel"),
    ("Augencreme gegen Augenringe ohne Parfüm",
     {"exclude_families": [F], "concerns": ["dark_circles"], "categories": ["eye creams & treatments"]},
     "Augencreme"),
    ("Sonnencreme ohne chemische Filter für Mischhaut",
     {"exclude_families": ["chemical_uv_filters"], "skin_types": ["combination"], "categories": ["face sunscreen"]},
     "Sonnencreme"),
    ("Serum mit Vitamin C bis 40 €",
     {"include_ingredients": ["ascorbic acid"], "categories": ["face serums"], "price_max": 40, "currency": "EUR"},
     "Serum"),
    ("Spülung silikonfrei für coloriertes Haar",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]}, "Spülung"),
    ("Gesichtsöl ohne ätherische Öle", {"exclude_families": ["essential_oils"], "categories": ["face oils"]},
     "Gesichtsöl"),
    ("Creme frei von Parabenen und Mineralöl", {"exclude_families": [P, "mineral_oils"]}, "Creme"),
    ("Tagescreme mit Niacinamid für fettige Haut zwischen 20 und 35 Euro",
     {"include_ingredients": ["niacinamide"], "skin_types": ["oily"], "categories": ["moisturizers"],
      "price_min": 20, "price_max": 35, "currency": "EUR"}, "Tagescreme"),
    ("Haarmaske für geschädigtes Haar ohne Silikone",
     {"exclude_families": ["silicones"], "concerns": ["damage"], "categories": ["hair masks"]}, "Haarmaske"),
    ("Shampoo gegen Schuppen sulfatfrei",
     {"exclude_families": ["sulfates"], "concerns": ["dry_scalp"], "categories": ["shampoo"]}, "Shampoo"),
    ("Körperlotion ohne Alkohol und ohne Duftstoffe",
     {"exclude_families": ["drying_alcohols", F], "categories": ["body lotions & body oils"]}, "Körperlotion"),
    ("unter 30 Euro", {"price_max": 30, "currency": "EUR"}, ""),
]

PL: list[Case] = [
    ("krem bez parabenów do skóry suchej", {"exclude_families": [P], "skin_types": ["dry"]}, "krem"),
    ("szampon bez siarczanów i silikonów",
     {"exclude_families": ["sulfates", "silicones"], "categories": ["shampoo"]}, "szampon"),
    ("serum z kwasem hialuronowym do cery mieszanej",
     {"include_ingredients": ["hyaluronic acid"], "skin_types": ["combination"], "categories": ["face serums"]},
     "serum"),
    ("krem nawilżający bez zapachu do skóry wrażliwej",
     {"exclude_families": [F], "skin_types": ["sensitive"], "categories": ["moisturizers"]}, "krem nawilżający"),
    ("żel do mycia twarzy do cery tłustej i trądzikowej",
     {"skin_types": ["oily"], "concerns": ["acne"], "categories": ["face wash & cleansers"]}, "żel do mycia twarzy"),
    ("krem pod oczy na cienie pod oczami",
     {"concerns": ["dark_circles"], "categories": ["eye creams & treatments"]}, "krem pod oczy"),
    ("krem przeciwzmarszczkowy z retinolem", {"include_ingredients": ["retinol"], "concerns": ["fine_lines"]}, "krem"),
    ("odżywka bez silikonów do włosów farbowanych",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]}, "odżywka"),
    ("krem z filtrem bez filtrów chemicznych",
     {"exclude_families": ["chemical_uv_filters"], "categories": ["face sunscreen"]}, "krem z filtrem"),
    ("serum z witaminą C poniżej 80 zł",
     {"include_ingredients": ["ascorbic acid"], "categories": ["face serums"], "price_max": 80, "currency": "PLN"},
     "serum"),
    ("tonik bez alkoholu", {"exclude_families": ["drying_alcohols"], "categories": ["toners"]}, "tonik"),
    ("maska do włosów zniszczonych od 50 do 100 zł",
     {"concerns": ["damage"], "categories": ["hair masks"], "price_min": 50, "price_max": 100, "currency": "PLN"},
     "maska do włosów"),
    ("olejek do twarzy bez olejków eterycznych",
     {"exclude_families": ["essential_oils"], "categories": ["face oils"]}, "olejek do twarzy"),
    ("bezzapachowy krem do twarzy", {"exclude_families": [F], "categories": ["moisturizers"]}, "krem do twarzy"),
    ("szampon przeciwłupieżowy bez parabenów ani siarczanów",
     {"exclude_families": [P, "sulfates"], "categories": ["shampoo"]}, "szampon przeciwłupieżowy"),
    ("szukam kremu na noc dla skóry dojrzałej bez zapachu",
     {"exclude_families": [F], "concerns": ["aging"], "categories": ["night creams"]}, "kremu na noc"),
    ("do 100 zł", {"price_max": 100, "currency": "PLN"}, ""),
]

CS: list[Case] = [
    ("šampon bez sulfátů", {"exclude_families": ["sulfates"], "categories": ["shampoo"]}, "šampon"),
    ("krém bez parabenů pro suchou pleť", {"exclude_families": [P], "skin_types": ["dry"]}, "krém"),
    ("sérum s kyselinou hyaluronovou pro smíšenou pleť",
     {"include_ingredients": ["hyaluronic acid"], "skin_types": ["combination"], "categories": ["face serums"]},
     "sérum"),
    ("hydratační krém bez parfemace pro citlivou pleť",
     {"exclude_families": [F], "skin_types": ["sensitive"], "categories": ["moisturizers"]}, "hydratační krém"),
    ("čisticí gel pro mastnou pleť s akné",
     {"skin_types": ["oily"], "concerns": ["acne"], "categories": ["face wash & cleansers"]}, "čisticí gel"),
    ("oční krém na tmavé kruhy", {"concerns": ["dark_circles"], "categories": ["eye creams & treatments"]},
     "oční krém"),
    ("krém proti vráskám s retinolem", {"include_ingredients": ["retinol"], "concerns": ["fine_lines"]}, "krém"),
    ("kondicionér bez silikonů pro barvené vlasy",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]}, "kondicionér"),
    ("opalovací krém bez chemických filtrů",
     {"exclude_families": ["chemical_uv_filters"], "categories": ["face sunscreen"]}, "opalovací krém"),
    ("sérum s vitamínem C do 800 Kč",
     {"include_ingredients": ["ascorbic acid"], "categories": ["face serums"], "price_max": 800, "currency": "CZK"},
     "sérum"),
    ("pleťová voda bez alkoholu", {"exclude_families": ["drying_alcohols"], "categories": ["toners"]},
     "pleťová voda"),
    ("maska na vlasy pro poškozené vlasy mezi 200 a 400 Kč",
     {"concerns": ["damage"], "categories": ["hair masks"], "price_min": 200, "price_max": 400, "currency": "CZK"},
     "maska na vlasy"),
    ("pleťový olej bez esenciálních olejů", {"exclude_families": ["essential_oils"], "categories": ["face oils"]},
     "pleťový olej"),
    ("krém bez parabenů a silikonů", {"exclude_families": [P, "silicones"]}, "krém"),
    ("šampon proti lupům bez sulfátů ani parabenů",
     {"exclude_families": ["sulfates", P], "concerns": ["dry_scalp"], "categories": ["shampoo"]}, "šampon"),
    ("noční krém pro zralou pleť bez parfému",
     {"exclude_families": [F], "concerns": ["aging"], "categories": ["night creams"]}, "noční krém"),
    ("do 500 Kč", {"price_max": 500, "currency": "CZK"}, ""),
]

EL: list[Case] = [
    ("κρέμα χωρίς παραβένια", {"exclude_families": [P]}, "κρέμα"),
    ("σαμπουάν χωρίς θειικά", {"exclude_families": ["sulfates"], "categories": ["shampoo"]}, "σαμπουάν"),
    ("κρέμα χωρίς παραβένια για ξηρή επιδερμίδα", {"exclude_families": [P], "skin_types": ["dry"]}, "κρέμα"),
    ("ορός με υαλουρονικό οξύ για μικτή επιδερμίδα",
     {"include_ingredients": ["hyaluronic acid"], "skin_types": ["combination"], "categories": ["face serums"]}, "ορός"),
    ("ενυδατική κρέμα χωρίς άρωμα για ευαίσθητη επιδερμίδα",
     {"exclude_families": [F], "skin_types": ["sensitive"], "categories": ["moisturizers"]}, "ενυδατική κρέμα"),
    ("καθαριστικό τζελ για λιπαρή επιδερμίδα με ακμή", {"skin_types": ["oily"], "concerns": ["acne"], "categories": ["face wash & cleansers"]},
     "καθαριστικό τζελ"),
    ("κρέμα ματιών για μαύρους κύκλους", {"concerns": ["dark_circles"], "categories": ["eye creams & treatments"]}, "κρέμα ματιών"),
    ("αντιρυτιδική κρέμα με ρετινόλη", {"include_ingredients": ["retinol"], "concerns": ["fine_lines"]}, "κρέμα"),
    ("μαλακτική χωρίς σιλικόνες για βαμμένα μαλλιά",
     {"exclude_families": ["silicones"], "concerns": ["color_care"], "categories": ["conditioner"]}, "μαλακτική"),
    ("αντηλιακό χωρίς χημικά φίλτρα", {"exclude_families": ["chemical_uv_filters"], "categories": ["face sunscreen"]}, "αντηλιακό"),
    ("ορός με βιταμίνη C έως 40 ευρώ",
     {"include_ingredients": ["ascorbic acid"], "price_max": 40, "currency": "EUR", "categories": ["face serums"]}, "ορός"),
    ("τονωτική λοσιόν χωρίς οινόπνευμα", {"exclude_families": ["drying_alcohols"], "categories": ["toners"]}, "τονωτική λοσιόν"),
    ("μάσκα μαλλιών για ταλαιπωρημένα μαλλιά μεταξύ 20 και 40 ευρώ",
     {"concerns": ["damage"], "price_min": 20, "price_max": 40, "currency": "EUR", "categories": ["hair masks"]}, "μάσκα μαλλιών"),
    ("λάδι προσώπου χωρίς αιθέρια έλαια", {"exclude_families": ["essential_oils"], "categories": ["face oils"]}, "λάδι προσώπου"),
    ("κρέμα χωρίς παραβένια και σιλικόνες", {"exclude_families": [P, "silicones"]}, "κρέμα"),
    ("σαμπουάν για πιτυρίδα χωρίς θειικά ούτε παραβένια",
     {"exclude_families": ["sulfates", P], "concerns": ["dry_scalp"], "categories": ["shampoo"]}, "σαμπουάν"),
    ("κρέμα νύχτας για ώριμη επιδερμίδα χωρίς άρωμα", {"exclude_families": [F], "concerns": ["aging"], "categories": ["night creams"]},
     "κρέμα νύχτας"),
    ("κάτω από 50 ευρώ", {"price_max": 50, "currency": "EUR"}, ""),
    ("γαλάκτωμα σώματος χωρίς ορυκτέλαια", {"exclude_families": ["mineral_oils"], "categories": ["body lotions & body oils"]}, "γαλάκτωμα σώματος"),
    ("είμαι αλλεργική στα παραβένια, ψάχνω κρέμα για ευαίσθητη επιδερμίδα",
     {"exclude_families": [P], "skin_types": ["sensitive"]}, "κρέμα"),
    ("αποσμητικό χωρίς άλατα αλουμινίου", {"exclude_families": ["aluminum_salts"], "categories": ["deodorant & antiperspirant"]}, "αποσμητικό"),
    ("κρέμα που δεν περιέχει φθαλικές ενώσεις ή PEG", {"exclude_families": ["phthalates", "pegs"]}, "κρέμα"),
    ("άοσμη κρέμα για ξηρή έως μικτή επιδερμίδα", {"exclude_families": [F], "skin_types": ["dry", "combination"]},
     "κρέμα"),
    ("κρέμα ελεύθερη από παραβένια", {"exclude_families": [P]}, "κρέμα"),
    ("ΚΡΕΜΑ ΧΩΡΙΣ ΠΑΡΑΒΕΝΙΑ", {"exclude_families": [P]}, "ΚΡΕΜΑ"),
    ("κρέμα χωρίς παραβενίων", {"exclude_families": [P]}, "κρέμα"),
]

ALL = {"en": EN, "fr": FR, "es": ES, "it": IT, "de": DE, "pl": PL, "cs": CS, "el": EL}


@pytest.mark.parametrize("lang,query,expected,semantic",
                         [(lang, q, e, s) for lang, cases in ALL.items() for q, e, s in cases],
                         ids=[f"{lang}:{q}" for lang, cases in ALL.items() for q, _, _ in cases])
def test_phrasing(lang: str, query: str, expected: dict[str, Any], semantic: str) -> None:
    expect(query, semantic=semantic, **expected)


@pytest.mark.parametrize("lang,query", [(lang, q) for lang, cases in ALL.items() for q, e, _ in cases
                                        if len(q.split()) >= 3])
def test_language_is_recognised(lang: str, query: str) -> None:
    assert parse(query).language == lang


def test_every_supported_language_has_phrasings() -> None:
    from conseil.search.query import LANGUAGES

    assert set(ALL) == set(LANGUAGES)


def test_at_least_fifteen_phrasings_per_language() -> None:
    assert all(len(cases) >= 15 for cases in ALL.values()), {lang: len(c) for lang, c in ALL.items()}


def test_a_bracketed_group_of_several_words_is_optional_as_a_whole() -> None:
    """"maseczka|maska [do twarzy]" must match with and without "do twarzy" (the group used to be
    read as two literal slots "[do" and "twarzy]", so no Polish face-mask query named its category)."""
    from conseil.search.query.tokens import PhraseMatcher

    matcher = PhraseMatcher([("maseczka|maska [do twarzy]", "face masks"), ("vernis [a ongles]", "nail")])
    assert [(m.start, m.end, m.value) for m in matcher.find_all(["maseczka", "do", "twarzy", "bez", "alkoholu"])] == [
        (0, 3, "face masks")]
    assert [(m.end, m.value) for m in matcher.find_all(["maska"])] == [(1, "face masks")]
    assert [(m.end, m.value) for m in matcher.find_all(["vernis", "a", "ongles"])] == [(3, "nail")]
    assert matcher.find_all(["do", "twarzy"]) == []  # the optional group alone is not a match
