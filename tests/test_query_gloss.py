"""English glosses of non-English semantic text (`search.query_gloss.english_gloss`)."""

from __future__ import annotations

import pytest
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.query import parse_query
from conseil.search.query.gloss import english_gloss

Case = tuple[str, str]  # text, exact gloss

FR: list[Case] = [
    ("crème hydratante", "moisturizing cream"),
    ("Crèmes hydratantes", "moisturizing cream"),
    ("sérum", "serum"),
    ("crème pour les mains", "hand cream"),
    ("crème de nuit", "night cream"),
    ("shampooing pour cheveux bouclés", "curly hair shampoo"),
    ("huile pour cheveux secs", "dry hair oil"),
    ("gel douche", "shower gel"),
    ("rouge à lèvres longue tenue", "long-lasting lipstick"),
    ("crème anti-rides", "anti-wrinkle cream"),
    ("eau micellaire", "micellar water"),
    ("crème visage sans huile", "oil-free face cream"),
]
ES: list[Case] = [
    ("champú", "shampoo"),
    ("champús", "shampoo"),
    ("crema hidratante", "moisturizing cream"),
    ("cremas hidratantes", "moisturizing cream"),
    ("crema de noche", "night cream"),
    ("mascarilla para cabello rizado", "curly hair mask"),
    ("contorno de ojos", "eye cream"),
    ("busco una crema para uñas", "nail cream"),
    ("bálsamo labial", "lip balm"),
    ("protector solar", "sunscreen"),
]
IT: list[Case] = [
    ("crema", "cream"),
    ("creme idratanti", "moisturizing cream"),
    ("crema viso idratante", "moisturizing face cream"),
    ("siero", "serum"),
    ("maschera per capelli danneggiati", "damaged hair mask"),
    ("balsamo labbra", "lip balm"),
    ("balsamo per capelli", "hair conditioner"),
    ("crema mani nutriente", "nourishing hand cream"),
    ("detergente delicato", "gentle cleanser"),
]
DE: list[Case] = [
    ("Serum", "serum"),
    ("Feuchtigkeitscreme", "moisturizing cream"),
    ("Nachtcreme", "night cream"),
    ("Gesichtsmaske", "face mask"),
    ("Handcreme", "hand cream"),
    ("Feuchtigkeitsgesichtscreme", "moisturizing face cream"),
    ("Haaröl", "hair oil"),
    ("Lippenbalsam", "lip balm"),
    ("Wimperntusche wasserfest", "waterproof mascara"),
    ("Sonnencreme LSF 50", "sunscreen spf 50"),
    ("trockene Haare", "dry hair"),
    ("beruhigende Creme", "soothing cream"),
]
PL: list[Case] = [
    ("krem", "cream"),
    ("kremu", "cream"),
    ("krem nawilżający", "moisturizing cream"),
    ("kremu nawilżającego", "moisturizing cream"),
    ("krem nawilżający do skóry suchej", "dry skin moisturizing cream"),
    ("szampon", "shampoo"),
    ("szamponu do włosów kręconych", "curly hair shampoo"),
    ("krem do rąk", "hand cream"),
    ("krem pod oczy", "eye cream"),
    ("olejek do ciała", "body oil"),
    ("tusz do rzęs wodoodporny", "waterproof mascara"),
    ("krem z filtrem SPF 50", "sunscreen spf 50"),
    ("płyn micelarny", "micellar water"),
]
CS: list[Case] = [
    ("šampon", "shampoo"),
    ("šamponu", "shampoo"),
    ("krém", "cream"),
    ("krému", "cream"),
    ("hydratační krém", "moisturizing cream"),
    ("hydratačního krému", "moisturizing cream"),
    ("hydratační krém na suchou pleť", "dry skin moisturizing cream"),
    ("krém na ruce", "hand cream"),
    ("oční krém", "eye cream"),
    ("sprchový gel", "shower gel"),
    ("zklidňující krém", "soothing cream"),
    ("micelární voda", "micellar water"),
]

EL: list[Case] = [
    ("σαμπουάν", "shampoo"),
    ("ΣΑΜΠΟΥΑΝ", "shampoo"),
    ("κρέμα", "cream"),
    ("κρέμες", "cream"),
    ("κρεμα", "cream"),
    ("ενυδατική κρέμα", "moisturizing cream"),
    ("ενυδατικές κρέμες", "moisturizing cream"),
    ("ενυδατική κρέμα για ξηρή επιδερμίδα", "dry skin moisturizing cream"),
    ("κρέμα χεριών", "hand cream"),
    ("αφρόλουτρο", "body wash"),
    ("καταπραϋντική κρέμα", "soothing cream"),
    ("μάσκαρα αδιάβροχη", "waterproof mascara"),
    ("αντηλιακό SPF 50", "sunscreen spf 50"),
    ("σαμπουάν για σγουρά μαλλιά", "curly hair shampoo"),
    ("μαλακτική κρέμα μαλλιών", "hair conditioner"),  # the product suite's conditioner: not "conditioner hair cream"
    ("μαλακτική", "conditioner"),
    ("τονωτική λοσιόν", "toner"),
    ("γαλάκτωμα σώματος", "body lotion"),
    ("αντηλιακή κρέμα προσώπου", "face sunscreen"),
    ("καθαριστικό προσώπου", "face cleanser"),
]

CASES = [(lang, text, gloss) for lang, cases in
         (("fr", FR), ("es", ES), ("it", IT), ("de", DE), ("pl", PL), ("cs", CS), ("el", EL)) for text, gloss in cases]


@pytest.mark.parametrize(("lang", "text", "gloss"), CASES, ids=[f"{lang}:{text}" for lang, text, _ in CASES])
def test_gloss(lang: str, text: str, gloss: str) -> None:
    assert english_gloss(text, lang) == gloss


@pytest.mark.parametrize(("lang", "text"), [
    ("pl", "kremówka"),  # a cake, not a cream
    ("es", "cremallera"),  # a zip
    ("cs", "šampaňské"),  # champagne
    ("fr", "masquer les défauts"),  # to hide
    ("de", "Vogel"),  # "gel" is only a head after a known modifier
    ("de", "Alkohol"),  # nor is "Öl"
    ("de", "Handtuch"),  # a known modifier needs a known head
    ("de", "Bleistift"),
    ("de", "Sonnenbrille"),
    ("it", "aceto balsamico"),
    ("fr", "en face"),  # an English word that is a French one too
    ("es", "el primer paso"),
    ("it", "per il"),
    ("pl", "szukam czegoś dla klientki"),
    ("fr", "bonjour madame"),
    ("de", "   "),
    ("cs", ""),
    ("el", "σαμπάνια"),  # champagne
    ("el", "κρεμάστρα"),  # a coat hanger
    ("el", "καλημέρα κυρία"),
    ("el", "ψάχνω κάτι για την πελάτισσα"),
])
def test_unknown_words_are_dropped(lang: str, text: str) -> None:
    assert english_gloss(text, lang) == ""


def test_unknown_words_around_known_ones_are_dropped() -> None:
    assert english_gloss("je cherche une crème pour ma cliente", "fr") == "cream"
    assert english_gloss("potrzebuję dobrego kremu", "pl") == "cream"


def test_english_loanwords_are_kept() -> None:
    assert english_gloss("primer", "pl") == "primer"
    assert english_gloss("bronzer", "es") == "bronzer"
    assert english_gloss("Night Cream", "de") == "night cream"


def test_english_text_is_unchanged() -> None:
    assert english_gloss("  Ultra Facial Moisturizing Cream ", "en") == "Ultra Facial Moisturizing Cream"
    assert english_gloss("", "en") == ""


def test_unknown_language_uses_every_glossary() -> None:
    assert english_gloss("crema idratante", "xx") == "moisturizing cream"
    assert english_gloss("xyz", "xx") == ""


def test_deterministic() -> None:
    texts = [("krem nawilżający do skóry suchej", "pl"), ("Feuchtigkeitsgesichtscreme", "de"),
             ("crème hydratante pour le visage", "fr"), ("crema viso idratante per pelle secca", "it")]
    first = [english_gloss(t, lang) for t, lang in texts]  # compiles the glossaries
    for _ in range(20):
        assert [english_gloss(t, lang) for t, lang in texts] == first


@pytest.fixture(scope="module")
def kb() -> IngredientKnowledge:
    return IngredientKnowledge.load()


@pytest.mark.parametrize(("query", "heads"), [
    ("crema senza profumo per pelle secca", ("cream",)),
    ("krem bez parabenów do skóry suchej", ("cream",)),
    ("sérum sans silicones ni parfum pour peau sensible", ("serum",)),
    ("champú sin sulfatos", ("shampoo",)),
    ("Serum ohne Parabene", ("serum",)),
    ("šampon bez sulfátů", ("shampoo",)),
    ("σαμπουάν χωρίς θειικά", ("shampoo",)),
    ("μαλακτική κρέμα μαλλιών χωρίς σιλικόνες", ("conditioner",)),
    ("ΕΝΥΔΑΤΙΚΗ ΚΡΕΜΑ ΧΩΡΙΣ ΑΡΩΜΑ", ("moisturizer", "cream")),
    ("crème hydratante sans parfum", ("moisturizer", "cream")),
])
def test_gloss_of_parsed_semantic_text(kb: IngredientKnowledge, query: str, heads: tuple[str, ...]) -> None:
    interp = parse_query(query, kb)
    gloss = english_gloss(interp.semantic_text, interp.language)
    assert gloss, (query, interp.semantic_text, interp.language)
    assert any(head in gloss.split() for head in heads), (query, interp.semantic_text, gloss)
