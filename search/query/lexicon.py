"""Grammar words of the seven languages: negations, "free" forms, inclusions, coordination.

Patterns use the `query_text.PhraseMatcher` syntax: one slot per word, "a|b" alternatives, "stem*"
prefixes, "[optional]" slots; they are written with accents for readability and folded when built.
Every entry carries its language, which also feeds the language guess.
"""

from __future__ import annotations

from conseil.search.query.model import LANGUAGES


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (long word lists stay readable)."""
    return frozenset(text.split())

# Negation markers that introduce what the product must NOT contain. A "strong" marker ("without",
# "sans", "bez"...) excludes even an unknown name ("without xyzzy"); a "weak" one ("no", "zero",
# "allergic to") only introduces names the knowledge base or the lexicon knows, because its other
# uses are common ("no white cast", "no-rinse").
NEGATIONS: tuple[tuple[str, str, str], ...] = (
    # pattern, strength, language
    ("without", "strong", "en"),
    ("free of|from", "strong", "en"),
    ("with no|zero", "strong", "en"),
    ("w / o", "strong", "en"),
    ("not containing", "strong", "en"),
    ("[that|which] does|do not contain", "strong", "en"),
    ("[that|which] doesn't|don't contain", "strong", "en"),
    ("excluding", "strong", "en"),
    ("no", "weak", "en"),
    ("zero", "weak", "en"),
    ("0 %", "weak", "en"),
    ("avoid|avoiding", "weak", "en"),
    ("allergic|sensitive to", "weak", "en"),
    ("sans", "strong", "fr"),
    ("exempt|exempte|exempts|exemptes|depourvu|depourvue|depourvus de|d", "strong", "fr"),
    ("[qui] ne contient|contenant pas [de|d]", "strong", "fr"),
    ("avec zero", "strong", "fr"),
    ("pas de|d", "weak", "fr"),
    ("eviter", "weak", "fr"),
    ("allergique|allergiques au|aux|a", "weak", "fr"),
    ("sin", "strong", "es"),
    ("libre|libres de", "strong", "es"),
    ("exento|exenta|exentos|exentas de", "strong", "es"),
    ("[que] no contenga|contiene|tenga|tiene", "strong", "es"),
    ("con cero", "strong", "es"),
    ("cero", "weak", "es"),
    ("nada de", "weak", "es"),
    ("evitar", "weak", "es"),
    ("alergica|alergico|alergicas|alergicos a|al", "weak", "es"),
    ("senza", "strong", "it"),
    ("privo|priva|privi|prive di|del|dei|degli|della", "strong", "it"),
    ("libero|libera|liberi|libere da|dai|dagli|dal", "strong", "it"),
    ("[che] non contiene|contenga|contenente", "strong", "it"),
    ("niente", "weak", "it"),
    ("evitare", "weak", "it"),
    ("allergica|allergico|allergiche|allergici a|al|alla|ai|agli", "weak", "it"),
    ("ohne", "strong", "de"),
    ("frei von", "strong", "de"),
    ("enthalt|enthalten kein|keine|keinen", "strong", "de"),
    ("kein|keine|keinen|keiner", "weak", "de"),
    ("allergisch gegen|auf", "weak", "de"),
    ("bez", "strong", "pl"),
    ("wolny|wolna|wolne|wolnych od", "strong", "pl"),
    ("[ktory|ktora|ktore] nie zawiera|zawieraja|zawierajacy|zawierajaca|zawierajace", "strong", "pl"),
    ("niezawierajacy|niezawierajaca|niezawierajace", "strong", "pl"),
    ("uczulona|uczulony|uczuleni na", "weak", "pl"),
    ("alergia na", "weak", "pl"),
    ("bez", "strong", "cs"),
    ("[ktery|ktera|ktere] neobsahuje|neobsahujici", "strong", "cs"),
    ("prosty|prosta|proste", "strong", "cs"),
    ("zadne|zadny|zadna", "weak", "cs"),
    ("alergicka|alergicky|alergie na", "weak", "cs"),
)

# Words after which a name means "the product must contain it". Always "weak": only known names.
INCLUSIONS: tuple[tuple[str, str], ...] = (
    ("with", "en"),
    ("containing|contains|including|featuring", "en"),
    ("[that|which] contains|has", "en"),
    ("rich in", "en"),
    ("based on", "en"),
    ("formulated|infused|packed|enriched|made with", "en"),
    ("powered by", "en"),
    ("avec", "fr"),
    ("contenant|contient", "fr"),
    ("qui contient", "fr"),
    ("a base de|d", "fr"),
    ("riche|riches en", "fr"),
    ("enrichi|enrichie|enrichis|enrichies en|a|au|aux", "fr"),
    ("au|aux", "fr"),
    ("a la|l", "fr"),
    ("con", "es"),
    ("[que] contenga|contiene", "es"),
    ("a base de", "es"),
    ("rico|rica|ricos|ricas en", "es"),
    ("enriquecido|enriquecida con", "es"),
    ("con", "it"),
    ("contenente|contiene", "it"),
    ("che contiene", "it"),
    ("a base di", "it"),
    ("ricco|ricca|ricchi|ricche di", "it"),
    ("arricchito|arricchita con|di", "it"),
    ("al|alla|alle|all|ai|agli|col", "it"),
    ("mit", "de"),
    ("enthalt|enthaltend", "de"),
    ("auf basis von", "de"),
    ("reich an", "de"),
    ("angereichert mit", "de"),
    ("z|ze", "pl"),
    ("zawierajacy|zawierajaca|zawierajace|zawiera", "pl"),
    ("z|ze dodatkiem|zawartoscia", "pl"),
    ("na bazie", "pl"),
    ("bogaty|bogata|bogate w", "pl"),
    ("s|se", "cs"),
    ("obsahujici|obsahuje", "cs"),
    ("s|se obsahem", "cs"),
    ("na bazi", "cs"),
    ("bohaty|bohata|bohate na", "cs"),
)

# Words joining two names of the same list: "without parabens or fragrance", "sans X ni Y",
# "bez parabenów i silikonów". A marker of the same polarity may follow ("and without").
COORDINATORS: dict[str, tuple[str, ...]] = {
    "en": ("or", "and", "nor", "and/or", "plus", ",", "/", "&", "+"),
    "fr": ("ni", "et", "ou"),
    "es": ("ni", "y", "e", "o", "u"),
    "it": ("ne", "e", "ed", "o", "od"),
    "de": ("und", "oder", "noch", "sowie", "bzw"),
    "pl": ("i", "ani", "oraz", "lub", "albo", "czy"),
    "cs": ("a", "ani", "i", "nebo", "ci"),
}

COORDINATOR_WORDS: frozenset[str] = frozenset(w for ws in COORDINATORS.values() for w in ws)

# Words skipped between a marker and a name: "without any", "sans aucun", "senza i", "ohne jegliche".
DETERMINERS: frozenset[str] = frozenset({
    "any", "added", "the", "all", "artificial", "synthetic", "harsh", "of",
    "aucun", "aucune", "de", "d", "du", "des", "les", "le", "la", "l", "ajoute", "synthetique", "synthetiques",
    "los", "las", "el", "ningun", "ninguna", "del", "anadido", "anadidos", "sinteticos", "sintetico",
    "i", "gli", "il", "lo", "alcun", "alcuna", "alcuno", "di", "dei", "degli", "della", "aggiunti",
    "jegliche", "jeglichen", "jeglicher", "kunstliche", "kunstlichen", "zugesetzte", "zugesetzten", "die", "den",
    "der", "zadnych", "zadnego", "zadnej", "dodatku", "sztucznych", "sztucznego", "zadne", "pridanych", "umelych",
})

# Words after a name that belong to the negation: "sans parfum ajouté", "senza profumi aggiunti".
POST_MODIFIERS: frozenset[str] = word_set(
    "added ajoute ajoutes ajoutee ajoutees anadido anadidos anadida anadidas aggiunto aggiunti aggiunta aggiunte "
    "zugesetzt zugesetzte zugesetzten dodanego dodanych dodatkowych pridaneho pridanych")

# Prepositions that introduce a skin type, a concern or a target: removed with the phrase.
PREPOSITIONS: frozenset[str] = frozenset({
    "for", "against", "pour", "contre", "les", "la", "le", "l", "para", "contra", "el", "los", "las",
    "per", "contro", "i", "il", "fur", "gegen", "die", "den", "do", "dla", "na", "przeciw", "pro", "proti",
    "on", "sur", "de", "del", "di", "a", "al", "alla", "ai", "all", "every", "tous", "toutes",
})

# Postfix "free" words: "paraben-free", "paraben free", "Parabene-frei" (and the compound "parabenfrei").
FREE_WORDS: frozenset[str] = frozenset({"free", "frei", "freie", "freies", "freier", "freien"})

# Words that follow "free"/"frei" when it is a prefix ("free of X", "frei von X").
FREE_OF: frozenset[str] = frozenset({"of", "from", "von"})

# Objects of "without"/"-free" that are product properties, not ingredients: "no-rinse",
# "sans rinçage", "without white cast", "cruelty-free", "oil-free" stay semantic text.
NOT_INGREDIENTS: frozenset[str] = frozenset({
    "rinse", "rinsing", "rincage", "rincer", "aclarado", "aclarar", "enjuague", "enjuagar", "risciacquo",
    "risciacquare", "ausspulen", "spulen", "abspulen", "splukiwania", "splukiwanie", "oplachovani", "oplachu",
    "white", "cast", "residue", "residu", "residuo", "residuos", "ruckstande", "pozostalosci", "zbytku", "zbytky",
    "effet", "efecto", "effetto", "effekt", "efektu", "efekt", "sticky", "stickiness", "greasy", "grease",
    "gras", "graso", "grasa", "unto", "tlustego", "lepkosci", "cruelty", "cruaute", "crueldad", "crudelta",
    "tierversuche", "tierversuch", "okrucienstwa", "testovani", "testu", "testow", "test", "tests",
    "transfer", "transfert", "transferencia", "trasferimento", "abfarben", "oil", "oils", "huile", "huiles",
    "aceite", "aceites", "olio", "oli", "ol", "ole", "olej", "oleju", "oleje", "olejow", "plastic", "plastique",
    "plastico", "plastica", "plastik", "plastiku", "packaging", "emballage", "envase", "imballaggio",
    "verpackung", "opakowania", "obalu", "makeup", "maquillage", "maquillaje", "trucco", "make", "water",
    "waste", "guilt", "worry", "hassle", "stress", "tax", "duty", "hands", "streak", "streaks", "smudge",
    "crease", "clump", "clumps", "tangle", "flake", "flakes", "budge", "shipping", "drama", "care", "tox",
    "toxin", "toxins", "toxic", "chemicals", "chemical", "animal", "animaux", "animales", "animali", "tiere",
    "zwierzat", "zvirat", "shine", "brillance", "glanz", "charge", "doubt", "fail", "spf", "fps", "lsf", "uv", "upf",
    "doute", "duda", "dubbio", "zweifel", "watpienia", "pochyby", "probleme", "problemas", "problemi", "cesse",
})

# "Oil" words: not an ingredient alone ("oil-free", "sans huile"), but the head of a longer name
# ("huile de palme", "aceite de coco") that is excluded by name.
OIL_WORDS: frozenset[str] = frozenset({
    "oil", "oils", "huile", "huiles", "aceite", "aceites", "olio", "oli", "ol", "ole", "olej", "oleju", "oleje",
    "olejow",
})

# Fixed phrases that exclude a family without a separate marker ("unscented", "bezzapachowy").
FIXED_EXCLUSIONS: tuple[tuple[str, str, str], ...] = (
    ("unscented|fragranceless|scentless", "fragrance", "en"),
    ("fragrance less", "fragrance", "en"),
    ("non|pas parfume|parfumee|parfumes|parfumees", "fragrance", "fr"),
    ("sin perfumar", "fragrance", "es"),
    ("no perfumado|perfumada", "fragrance", "es"),
    ("non profumato|profumata|profumati|profumate", "fragrance", "it"),
    ("unparfumiert|unparfumierte|unparfumiertes|unparfumierten|duftfrei|duftstofffrei", "fragrance", "de"),
    ("parfumfrei|parfumfreie|parfumfreies", "fragrance", "de"),
    ("bezzapachowy|bezzapachowa|bezzapachowe|bezzapachowego|bezzapachowej", "fragrance", "pl"),
    ("neparfemovany|neparfemovana|neparfemovane|neparfemovaneho|neparfemovanou", "fragrance", "cs"),
    ("clean at sephora", "clean_at_sephora", "en"),
)

# Phrases kept for semantic matching and never parsed as constraints. ("oil-free", "sans huile" need
# no entry: "oil" words are in NOT_INGREDIENTS, while "huiles essentielles" is still a family.)
PROTECTED: tuple[tuple[str, str], ...] = (
    ("cruelty free", "en"),
    ("no rinse", "en"),
    ("free shipping", "en"),
)

# Short grammar words by language, used for the language guess and to tidy the semantic text.
GRAMMAR: dict[str, frozenset[str]] = {
    "en": word_set("the a an for with without and or of to in on my her his that which is skin hair face under "
                   "less than free no nor any dry oily"),
    "fr": word_set("le la les un une des du de d l pour avec sans et ou ni peau peaux cheveux visage moins qui au "
                   "aux en sur mon ma mes pas"),
    "es": word_set("el la los las un una del de para con sin y o ni piel cabello pelo rostro cara menos que al mi "
                   "por"),
    "it": word_set("il lo la i gli le un una di del della dei per con senza e o ne pelle pelli capelli viso meno che "
                   "al alla sotto"),
    "de": word_set("der die das den dem ein eine einen fur mit ohne und oder haut haare gesicht unter bis von frei "
                   "kein keine"),
    "pl": word_set("do dla z ze bez i oraz lub ani skora skory cera cery wlosy wlosow twarzy ponizej na w ktory"),
    "cs": word_set("pro s se bez a nebo ani plet pleti pokozka pokozku vlasy oblicej pod na v ktery do"),
}

# Words of a request around the product ("I'm looking for a", "je cherche une", "szukam"): only
# trimmed from the ends of the semantic text.
FILLERS: frozenset[str] = word_set(
    "i i'm im need needs want wants looking look searching something anything please recommend suggest a an some "
    "client customer she he has have got "
    "je cherche recherche besoin voudrais veux un une quelque chose svp cliente elle il ai "
    "busco necesito quiero algo una por favor clienta ella "
    "cerco vorrei voglio serve qualcosa favore lei "
    "ich suche brauche mochte etwas ein eine einen bitte kundin kunde "
    "szukam potrzebuje chce cos klientka klient prosze jakis jakiegos "
    "hledam potrebuji chci neco zakaznice prosim nejaky")

# Short grammar words, dropped from the semantic text when stranded next to a claimed phrase. Not the
# negations: "sans rinçage", "no-rinse" keep theirs.
FUNCTION_WORDS: frozenset[str] = frozenset(
    {w for ws in GRAMMAR.values() for w in ws if len(w) <= 4}
    - {"skin", "hair", "face", "dry", "oily", "peau", "piel", "pelo", "cara", "haut", "cera", "plet", "free",
       "no", "sans", "sin", "bez", "ohne", "frei", "kein", "pas", "less"}
    | {w for ws in COORDINATORS.values() for w in ws}
    | PREPOSITIONS
)

# Characters that point to one language (or a few), for the language guess.
DIACRITICS: dict[str, tuple[str, ...]] = {
    "ł": ("pl",), "ą": ("pl",), "ę": ("pl",), "ś": ("pl",), "ź": ("pl",), "ż": ("pl",), "ń": ("pl",),
    "ć": ("pl",), "ř": ("cs",), "ě": ("cs",), "ů": ("cs",), "č": ("cs",), "š": ("cs",), "ž": ("cs",),
    "ý": ("cs",), "ť": ("cs",), "ď": ("cs",), "ň": ("cs",), "ñ": ("es",), "¿": ("es",), "¡": ("es",),
    "ß": ("de",), "ä": ("de",), "ö": ("de",), "ü": ("de",), "ç": ("fr",), "œ": ("fr",), "ê": ("fr",),
    "â": ("fr",), "î": ("fr",), "ô": ("fr",), "û": ("fr",), "ë": ("fr",), "ï": ("fr",), "è": ("fr", "it"),
    "à": ("fr", "it"), "ù": ("fr", "it"), "ì": ("it",), "ò": ("it",), "á": ("es", "cs"), "í": ("es", "cs"),
    "ú": ("es", "cs"), "é": ("fr", "es", "it", "cs"), "ó": ("es", "pl"),
}

assert all(lang in LANGUAGES for _, _, lang in NEGATIONS)
assert all(lang in LANGUAGES for _, lang in INCLUSIONS)
