"""A reproducible set of advisor queries over the product catalog, and the phrase tables behind it.

Templates combine a product type, one or two excluded families and sometimes a skin type, each
written as an advisor would say it in en, fr, es, it, de, pl, cs and el. The tables serve the product
suite (`product_suite`, every language) and the benchmark list `product_queries()`, which keeps its
seven original languages by default (the 210 queries the recorded benchmark figures were measured
on) and takes `languages=` to include Greek. Each query records the constraints it states, so a
benchmark can check interpretation as well as results.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

# product type word -> category key of the Sephora export (normalised level of the category path)
PRODUCT_TYPES: dict[str, dict[str, str]] = {
    "moisturizers": {"en": "moisturizer", "fr": "crème hydratante", "es": "crema hidratante",
                     "it": "crema idratante", "de": "Feuchtigkeitscreme", "pl": "krem nawilżający",
                     "cs": "hydratační krém", "el": "ενυδατική κρέμα"},
    "face serums": {"en": "serum", "fr": "sérum", "es": "sérum", "it": "siero", "de": "Serum",
                    "pl": "serum", "cs": "sérum", "el": "ορός προσώπου"},
    "shampoo": {"en": "shampoo", "fr": "shampooing", "es": "champú", "it": "shampoo", "de": "Shampoo",
                "pl": "szampon", "cs": "šampon", "el": "σαμπουάν"},
    "face sunscreen": {"en": "sunscreen", "fr": "crème solaire", "es": "protector solar", "it": "crema solare",
                       "de": "Sonnencreme", "pl": "krem z filtrem", "cs": "opalovací krém",
                       "el": "αντηλιακή κρέμα προσώπου"},
    "cleansers": {"en": "cleanser", "fr": "nettoyant", "es": "limpiador", "it": "detergente viso",
                  "de": "Reinigungsgel", "pl": "żel do mycia twarzy", "cs": "čisticí gel",
                  "el": "καθαριστικό προσώπου"},
}

# family id -> "without X" phrase
WITHOUT: dict[str, dict[str, str]] = {
    "parabens": {"en": "without parabens", "fr": "sans parabènes", "es": "sin parabenos",
                 "it": "senza parabeni", "de": "ohne Parabene", "pl": "bez parabenów", "cs": "bez parabenů",
                 "el": "χωρίς παραβένια"},
    "fragrance": {"en": "fragrance-free", "fr": "sans parfum", "es": "sin perfume", "it": "senza profumo",
                  "de": "ohne Duftstoffe", "pl": "bez zapachu", "cs": "bez parfému",
                  "el": "χωρίς άρωμα"},
    "silicones": {"en": "without silicones", "fr": "sans silicones", "es": "sin siliconas",
                  "it": "senza siliconi", "de": "ohne Silikone", "pl": "bez silikonów", "cs": "bez silikonů",
                  "el": "χωρίς σιλικόνες"},
    "sulfates": {"en": "sulfate-free", "fr": "sans sulfates", "es": "sin sulfatos", "it": "senza solfati",
                 "de": "ohne Sulfate", "pl": "bez siarczanów", "cs": "bez sulfátů",
                 "el": "χωρίς θειικά"},
    "mineral_oils": {"en": "no mineral oil", "fr": "sans huile minérale", "es": "sin aceite mineral",
                     "it": "senza olio minerale", "de": "ohne Mineralöl", "pl": "bez oleju mineralnego",
                     "cs": "bez minerálního oleje", "el": "χωρίς ορυκτέλαια"},
    "drying_alcohols": {"en": "alcohol-free", "fr": "sans alcool", "es": "sin alcohol", "it": "senza alcol",
                        "de": "ohne Alkohol", "pl": "bez alkoholu", "cs": "bez alkoholu",
                        "el": "χωρίς οινόπνευμα"},
}

SKIN: dict[str, dict[str, str]] = {
    "dry": {"en": "for dry skin", "fr": "pour peau sèche", "es": "para piel seca", "it": "per pelle secca",
            "de": "für trockene Haut", "pl": "do skóry suchej", "cs": "pro suchou pleť",
            "el": "για ξηρή επιδερμίδα"},
    "oily": {"en": "for oily skin", "fr": "pour peau grasse", "es": "para piel grasa", "it": "per pelle grassa",
             "de": "für fettige Haut", "pl": "do skóry tłustej", "cs": "pro mastnou pleť",
             "el": "για λιπαρή επιδερμίδα"},
}

AND = {"en": "and", "fr": "ni", "es": "ni", "it": "né", "de": "und", "pl": "i", "cs": "a", "el": "και"}
LANGUAGES: tuple[str, ...] = tuple(AND)  # the languages the suite is written in (a subset of search.query.LANGUAGES)
# The benchmark list's default languages: the 210 queries behind the recorded bench_* figures.
BENCH_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "it", "de", "pl", "cs")


@dataclass(frozen=True)
class BenchQuery:
    text: str
    language: str
    category: str
    exclude_families: tuple[str, ...]
    skin_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())


def _second(phrase: str, lang: str) -> str:
    """'sans parfum' after 'sans parabènes' reads 'ni parfum' in French, 'χωρίς άρωμα' after 'χωρίς
    παραβένια και' reads 'άρωμα' in Greek (the preposition governs both); keep others whole."""
    first_word = phrase.split()[0]
    if lang in ("fr", "es", "it", "el") and first_word in ("sans", "sin", "senza", "χωρίς"):
        return phrase.split(" ", 1)[1]
    return phrase


def product_queries(languages: tuple[str, ...] = BENCH_LANGUAGES) -> list[BenchQuery]:
    """Per language, 5 product types x 6 constraint patterns = 30 queries (210 for the default seven)."""
    if unknown := [lang for lang in languages if lang not in LANGUAGES]:
        raise ValueError(f"no benchmark phrases for {', '.join(unknown)}: use some of {', '.join(LANGUAGES)}")
    patterns: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (("parabens",), ()), (("fragrance",), ()), (("silicones",), ("dry",)),
        (("sulfates",), ()), (("parabens", "fragrance"), ()), (("mineral_oils", "drying_alcohols"), ("oily",)),
    ]
    queries: list[BenchQuery] = []
    for lang, (category, words), (families, skins) in itertools.product(languages, PRODUCT_TYPES.items(), patterns):
        text = f"{words[lang]} {WITHOUT[families[0]][lang]}"
        if len(families) > 1:
            text += f" {AND[lang]} {_second(WITHOUT[families[1]][lang], lang)}"
        for skin in skins:
            text += f" {SKIN[skin][lang]}"
        queries.append(BenchQuery(text=text, language=lang, category=category, exclude_families=families,
                                  skin_types=skins))
    return queries


if __name__ == "__main__":
    for q in product_queries():
        print(q.language, q.text)
