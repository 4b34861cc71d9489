"""What advisors name in seven languages: ingredient families, common actives, skin types, concerns.

The knowledge base has canonical family names; this lexicon adds the everyday and inflected forms
advisors type ("parabenów", "Duftstoffe", "zapachu", "kwasem hialuronowym"). Names are matched by
stems (`query_text.stem`), so one form per stem is enough; extra forms are listed where stemming
cannot unify them ("Öl"/"Öle"/"Ölen"). Separators: "|" between names of one language.
"""

from __future__ import annotations

# family id -> language -> names. Every name excludes the family when negated.
FAMILY_NAMES: dict[str, dict[str, str]] = {
    "parabens": {
        "en": "parabens|paraben", "fr": "parabènes|parabène|parabens", "es": "parabenos|parabeno",
        "it": "parabeni|parabene", "de": "Parabene|Paraben", "pl": "parabeny|parabenów", "cs": "parabeny|parabenů",
    },
    "formaldehyde_releasers": {
        "en": "formaldehyde releasers|formaldehyde-releasing preservatives|formaldehyde donors|formaldehyde|"
              "formaldehydes|formaldehyde-releasing agents",
        "fr": "libérateurs de formaldéhyde|formaldéhyde", "es": "liberadores de formaldehído|formaldehído",
        "it": "cessori di formaldeide|rilascianti formaldeide|formaldeide",
        "de": "Formaldehydabspalter|Formaldehyd", "pl": "donory formaldehydu|formaldehyd",
        "cs": "uvolňovače formaldehydu|formaldehyd",
    },
    "fragrance": {
        "en": "fragrance|fragrances|perfume|parfum|scent|scents|added fragrance",
        "fr": "parfum|parfums|fragrance|parfum de synthèse", "es": "perfume|perfumes|fragancia|fragancias",
        "it": "profumo|profumi|fragranza|fragranze",
        "de": "Duftstoffe|Duftstoff|Parfüm|Parfum|Duft|Düfte|Duftstoffen",
        "pl": "zapach|zapachy|zapachów|substancji zapachowych|substancje zapachowe|kompozycji zapachowej|perfumy",
        "cs": "parfém|parfémy|parfemace|vůně|vůní|parfum|vonné látky|vonných látek",
    },
    "fragrance_allergens": {
        "en": "fragrance allergens|allergens|allergenic fragrances", "fr": "allergènes|allergènes parfumés",
        "es": "alérgenos|alergenos", "it": "allergeni", "de": "Allergene|Duftstoffallergene",
        "pl": "alergeny|alergenów|alergenow zapachowych", "cs": "alergeny|alergenů",
    },
    "essential_oils": {
        "en": "essential oils|essential oil", "fr": "huiles essentielles|huile essentielle",
        "es": "aceites esenciales|aceite esencial", "it": "oli essenziali|olio essenziale",
        "de": "ätherische Öle|ätherisches Öl|ätherischen Ölen|ätherischen Öle",
        "pl": "olejki eteryczne|olejków eterycznych|olejek eteryczny|olejku eterycznego",
        "cs": "esenciální oleje|esenciálních olejů|éterické oleje|éterických olejů|esenciální olej",
    },
    "silicones": {
        "en": "silicones|silicone", "fr": "silicones|silicone", "es": "siliconas|silicona|silicones",
        "it": "siliconi|silicone", "de": "Silikone|Silikon", "pl": "silikony|silikonów", "cs": "silikony|silikonů",
    },
    "volatile_silicones": {
        "en": "volatile silicones|cyclic silicones", "fr": "silicones volatiles|silicones volatils",
        "es": "siliconas volátiles", "it": "siliconi volatili", "de": "flüchtige Silikone",
        "pl": "lotne silikony|lotnych silikonów", "cs": "těkavé silikony|těkavých silikonů",
    },
    "sulfates": {
        "en": "sulfates|sulphates|sulfate|sulphate", "fr": "sulfates|sulphates", "es": "sulfatos",
        "it": "solfati", "de": "Sulfate", "pl": "siarczany|siarczanów", "cs": "sulfáty|sulfátů|sírany|síranů",
    },
    "mineral_oils": {
        "en": "mineral oils|mineral oil|paraffins|paraffin|petroleum derivatives",
        "fr": "huiles minérales|huile minérale|paraffine|paraffines",
        "es": "aceites minerales|aceite mineral|parafinas|parafina", "it": "oli minerali|olio minerale|paraffina",
        "de": "Mineralöle|Mineralöl|Mineralölen|Paraffine|Paraffin",
        "pl": "oleje mineralne|olejów mineralnych|olej mineralny|oleju mineralnego|parafiny|parafina",
        "cs": "minerální oleje|minerálních olejů|minerální olej|parafín|parafíny|parafínů",
    },
    "drying_alcohols": {
        "en": "alcohol|alcohols|drying alcohols|denatured alcohol", "fr": "alcool|alcools|alcool dénaturé",
        "es": "alcohol|alcoholes", "it": "alcol|alcool|alcoli", "de": "Alkohol|Alkohole",
        "pl": "alkohol|alkoholu", "cs": "alkohol|alkoholu",
    },
    "pegs": {
        "en": "pegs|peg|polyethylene glycols", "fr": "PEG", "es": "PEG", "it": "PEG", "de": "PEG",
        "pl": "PEG|PEG-ów", "cs": "PEG",
    },
    "phthalates": {
        "en": "phthalates|phthalate|phtalates", "fr": "phtalates|phtalate", "es": "ftalatos", "it": "ftalati",
        "de": "Phthalate", "pl": "ftalany|ftalanów", "cs": "ftaláty|ftalátů",
    },
    "chemical_uv_filters": {
        "en": "chemical filters|chemical uv filters|chemical sunscreen filters|organic uv filters|chemical sunscreens",
        "fr": "filtres chimiques|filtres UV chimiques|filtres organiques", "es": "filtros químicos|filtros UV químicos",
        "it": "filtri chimici|filtri UV chimici", "de": "chemische Filter|chemische UV-Filter|chemischen Filtern",
        "pl": "filtry chemiczne|filtrów chemicznych", "cs": "chemické filtry|chemických filtrů",
    },
    "mineral_uv_filters": {
        "en": "mineral filters|physical filters|mineral uv filters", "fr": "filtres minéraux|filtres physiques",
        "es": "filtros minerales|filtros físicos", "it": "filtri minerali|filtri fisici",
        "de": "mineralische Filter|mineralischen Filtern", "pl": "filtry mineralne|filtrów mineralnych",
        "cs": "minerální filtry|minerálních filtrů",
    },
    "clean_at_sephora": {"en": "clean at sephora"},
}

# Actives and commonly avoided ingredients, by the names the knowledge base is asked for (tried in
# order), then their names per language. A name the knowledge base cannot resolve is kept by name
# (the first target).
INGREDIENT_NAMES: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = (
    (("hyaluronic acid", "sodium hyaluronate"), {
        "en": "hyaluronic acid|hyaluronic|hyaluronan|sodium hyaluronate", "fr": "acide hyaluronique",
        "es": "ácido hialurónico", "it": "acido ialuronico", "de": "Hyaluronsäure|Hyaluron",
        "pl": "kwas hialuronowy|kwasem hialuronowym|kwasu hialuronowego",
        "cs": "kyselina hyaluronová|kyselinou hyaluronovou|kyseliny hyaluronové|hyaluron"}),
    (("niacinamide",), {
        "en": "niacinamide|nicotinamide|vitamin b3", "fr": "niacinamide|vitamine b3", "es": "niacinamida|vitamina b3",
        "it": "niacinamide|vitamina b3", "de": "Niacinamid|Vitamin B3", "pl": "niacynamid|niacynamidem|witamina b3",
        "cs": "niacinamid|niacinamidem|vitamín b3"}),
    (("retinol",), {
        "en": "retinol|vitamin a", "fr": "rétinol|vitamine a", "es": "retinol", "it": "retinolo|retinolo",
        "de": "Retinol|Vitamin A", "pl": "retinol|retinolem|retinolu", "cs": "retinol|retinolem|retinolu"}),
    (("ascorbic acid",), {
        "en": "vitamin c|ascorbic acid", "fr": "vitamine c|acide ascorbique", "es": "vitamina c|ácido ascórbico",
        "it": "vitamina c|acido ascorbico", "de": "Vitamin C|Ascorbinsäure",
        "pl": "witamina c|witaminą c|witaminy c|kwas askorbinowy", "cs": "vitamín c|vitamínem c|kyselina askorbová"}),
    (("tocopherol",), {
        "en": "vitamin e|tocopherol", "fr": "vitamine e|tocophérol", "es": "vitamina e|tocoferol",
        "it": "vitamina e|tocoferolo", "de": "Vitamin E|Tocopherol", "pl": "witamina e|witaminą e|tokoferol",
        "cs": "vitamín e|vitamínem e|tokoferol"}),
    (("salicylic acid",), {
        "en": "salicylic acid|bha", "fr": "acide salicylique", "es": "ácido salicílico", "it": "acido salicilico",
        "de": "Salicylsäure", "pl": "kwas salicylowy|kwasem salicylowym", "cs": "kyselina salicylová|kyselinou salicylovou"}),
    (("glycolic acid",), {
        "en": "glycolic acid", "fr": "acide glycolique", "es": "ácido glicólico", "it": "acido glicolico",
        "de": "Glykolsäure", "pl": "kwas glikolowy|kwasem glikolowym", "cs": "kyselina glykolová|kyselinou glykolovou"}),
    (("lactic acid",), {
        "en": "lactic acid", "fr": "acide lactique", "es": "ácido láctico", "it": "acido lattico", "de": "Milchsäure",
        "pl": "kwas mlekowy|kwasem mlekowym", "cs": "kyselina mléčná|kyselinou mléčnou"}),
    (("azelaic acid",), {
        "en": "azelaic acid", "fr": "acide azélaïque", "es": "ácido azelaico", "it": "acido azelaico",
        "de": "Azelainsäure", "pl": "kwas azelainowy|kwasem azelainowym", "cs": "kyselina azelaová|kyselinou azelaovou"}),
    (("mandelic acid",), {
        "en": "mandelic acid", "fr": "acide mandélique", "es": "ácido mandélico", "it": "acido mandelico",
        "de": "Mandelsäure", "pl": "kwas migdałowy|kwasem migdałowym", "cs": "kyselina mandlová|kyselinou mandlovou"}),
    (("ceramide np", "ceramides"), {
        "en": "ceramides|ceramide", "fr": "céramides", "es": "ceramidas", "it": "ceramidi", "de": "Ceramide",
        "pl": "ceramidy|ceramidami", "cs": "ceramidy|ceramidů"}),
    (("peptides",), {
        "en": "peptides", "fr": "peptides", "es": "péptidos", "it": "peptidi", "de": "Peptide",
        "pl": "peptydy|peptydami", "cs": "peptidy"}),
    (("squalane",), {
        "en": "squalane", "fr": "squalane", "es": "escualano", "it": "squalano", "de": "Squalan",
        "pl": "skwalan|skwalanem", "cs": "skvalan|skvalanem"}),
    (("glycerin",), {
        "en": "glycerin|glycerine|glycerol", "fr": "glycérine", "es": "glicerina", "it": "glicerina",
        "de": "Glycerin", "pl": "gliceryna|gliceryną", "cs": "glycerin|glycerinem"}),
    (("panthenol",), {
        "en": "panthenol|provitamin b5", "fr": "panthénol|provitamine b5", "es": "pantenol|provitamina b5",
        "it": "pantenolo|provitamina b5", "de": "Panthenol|Provitamin B5", "pl": "pantenol|pantenolem|prowitamina b5",
        "cs": "panthenol|panthenolem"}),
    (("caffeine",), {
        "en": "caffeine", "fr": "caféine", "es": "cafeína", "it": "caffeina", "de": "Koffein",
        "pl": "kofeina|kofeiną", "cs": "kofein|kofeinem"}),
    (("bakuchiol",), {lang: "bakuchiol" for lang in ("en", "fr", "es", "it", "de", "pl", "cs")}),
    (("centella asiatica extract", "centella asiatica"), {
        "en": "centella asiatica|centella|cica|gotu kola", "fr": "centella asiatica|cica", "es": "centella asiática",
        "it": "centella asiatica", "de": "Centella Asiatica|Tigergras", "pl": "wąkrota azjatycka|wąkrotą azjatycką",
        "cs": "pupečník asijský"}),
    (("allantoin",), {
        "en": "allantoin", "fr": "allantoïne", "es": "alantoína", "it": "allantoina", "de": "Allantoin",
        "pl": "alantoina|alantoiną", "cs": "alantoin|alantoinem"}),
    (("urea",), {
        "en": "urea", "fr": "urée", "es": "urea", "it": "urea", "de": "Harnstoff|Urea", "pl": "mocznik|mocznikiem",
        "cs": "močovina|močovinou"}),
    (("zinc oxide",), {
        "en": "zinc oxide", "fr": "oxyde de zinc", "es": "óxido de zinc", "it": "ossido di zinco", "de": "Zinkoxid",
        "pl": "tlenek cynku", "cs": "oxid zinečnatý"}),
    (("titanium dioxide",), {
        "en": "titanium dioxide", "fr": "dioxyde de titane", "es": "dióxido de titanio", "it": "biossido di titanio",
        "de": "Titandioxid", "pl": "dwutlenek tytanu", "cs": "oxid titaničitý"}),
    (("butyrospermum parkii butter", "shea butter"), {
        "en": "shea butter|shea", "fr": "beurre de karité|karité", "es": "manteca de karité", "it": "burro di karité",
        "de": "Sheabutter", "pl": "masło shea|masłem shea", "cs": "bambucké máslo|bambuckým máslem"}),
    (("aloe barbadensis leaf juice", "aloe vera"), {
        "en": "aloe vera|aloe", "fr": "aloe vera|aloès", "es": "aloe vera|sábila", "it": "aloe vera|aloe",
        "de": "Aloe Vera", "pl": "aloes|aloesem|aloe vera", "cs": "aloe vera|aloe"}),
    (("argania spinosa kernel oil", "argan oil"), {
        "en": "argan oil|argan", "fr": "huile d'argan", "es": "aceite de argán", "it": "olio di argan",
        "de": "Arganöl", "pl": "olej arganowy|olejem arganowym", "cs": "arganový olej|arganovým olejem"}),
    (("simmondsia chinensis seed oil", "jojoba oil"), {
        "en": "jojoba oil|jojoba", "fr": "huile de jojoba", "es": "aceite de jojoba", "it": "olio di jojoba",
        "de": "Jojobaöl", "pl": "olej jojoba|olejem jojoba", "cs": "jojobový olej|jojobovým olejem"}),
    (("melaleuca alternifolia leaf oil", "tea tree oil"), {
        "en": "tea tree oil|tea tree", "fr": "huile d'arbre à thé|arbre à thé|tea tree", "es": "árbol de té",
        "it": "tea tree|albero del tè", "de": "Teebaumöl", "pl": "olejek z drzewa herbacianego|drzewo herbaciane",
        "cs": "čajovníkový olej|tea tree"}),
    (("benzoyl peroxide",), {
        "en": "benzoyl peroxide", "fr": "peroxyde de benzoyle", "es": "peróxido de benzoilo",
        "it": "perossido di benzoile", "de": "Benzoylperoxid", "pl": "nadtlenek benzoilu", "cs": "benzoylperoxid"}),
    (("snail secretion filtrate", "snail mucin"), {
        "en": "snail mucin|snail secretion", "fr": "bave d'escargot", "es": "baba de caracol", "it": "bava di lumaca",
        "de": "Schneckenschleim", "pl": "śluz ślimaka|śluzem ślimaka", "cs": "šnečí sliz"}),
    (("collagen", "soluble collagen", "hydrolyzed collagen"), {
        "en": "collagen", "fr": "collagène", "es": "colágeno", "it": "collagene", "de": "Kollagen",
        "pl": "kolagen|kolagenem", "cs": "kolagen|kolagenem"}),
    (("sodium lauryl sulfate",), {lang: "sls" for lang in ("en", "fr", "es", "it", "de", "pl", "cs")}),
    (("sodium laureth sulfate",), {lang: "sles" for lang in ("en", "fr", "es", "it", "de", "pl", "cs")}),
    (("talc",), {
        "en": "talc", "fr": "talc", "es": "talco", "it": "talco", "de": "Talkum|Talk", "pl": "talk|talku",
        "cs": "mastek|mastku"}),
    (("phenoxyethanol",), {
        "en": "phenoxyethanol", "fr": "phénoxyéthanol", "es": "fenoxietanol", "it": "fenossietanolo",
        "de": "Phenoxyethanol", "pl": "fenoksyetanol|fenoksyetanolu", "cs": "fenoxyethanol|fenoxyethanolu"}),
    (("benzophenone-3", "oxybenzone"), {
        "en": "oxybenzone", "fr": "oxybenzone", "es": "oxibenzona", "it": "ossibenzone", "de": "Oxybenzon",
        "pl": "oksybenzon|oksybenzonu", "cs": "oxybenzon|oxybenzonu"}),
    (("lanolin",), {
        "en": "lanolin", "fr": "lanoline", "es": "lanolina", "it": "lanolina", "de": "Lanolin",
        "pl": "lanolina|lanoliny", "cs": "lanolin|lanolinu"}),
    (("triclosan",), {lang: "triclosan|triklosan" for lang in ("en", "fr", "es", "it", "de", "pl", "cs")}),
)

# Nouns for the skin in skin-type phrases ("peau sèche", "skóry suchej", "suchou pleť").
SKIN_NOUNS: dict[str, str] = {
    "en": "skin|skins", "fr": "peau|peaux|epiderme", "es": "piel|pieles|cutis", "it": "pelle|pelli|cute",
    "de": "haut|hauttyp", "pl": "skora|skory|skore|skorze|cera|cery|cere|cerze", "cs": "plet|pleti|pletí|pokozka|pokozky|pokozku",
}

# Skin-type adjectives, every form written out (folded): they are short and shared across languages.
SKIN_ADJECTIVES: dict[str, dict[str, str]] = {
    "dry": {"en": "dry", "fr": "seche|seches|sec", "es": "seca|secas|seco", "it": "secca|secche",
            "de": "trockene|trockener|trockenen|trocken", "pl": "sucha|suchej|suche|suchych|sucha",
            "cs": "sucha|suchou|suche|suchy"},
    "oily": {"en": "oily|greasy", "fr": "grasse|grasses|gras", "es": "grasa|grasas|graso", "it": "grassa|grasse",
             "de": "fettige|fettiger|fettigen|olige|oliger|oligen|olhaltige", "pl": "tlusta|tlustej|tluste|tlustych",
             "cs": "mastna|mastnou|mastne|mastny"},
    "combination": {"en": "combination|combo|mixed", "fr": "mixte|mixtes", "es": "mixta|mixtas|mixto",
                    "it": "mista|miste", "de": "mischhaut|gemischte|gemischter",
                    "pl": "mieszana|mieszanej|mieszane|mieszanych", "cs": "smisena|smisenou|smisene|smiseny"},
    "normal": {"en": "normal", "fr": "normale|normales", "es": "normal|normales", "it": "normale|normali",
               "de": "normale|normaler|normalen", "pl": "normalna|normalnej|normalne|normalnych",
               "cs": "normalni"},
    "sensitive": {"en": "sensitive|reactive", "fr": "sensible|sensibles|reactive|reactives",
                  "es": "sensible|sensibles", "it": "sensibile|sensibili",
                  "de": "empfindliche|empfindlicher|empfindlichen|sensible|sensibler|sensiblen",
                  "pl": "wrazliwa|wrazliwej|wrazliwe|wrazliwych|reaktywna|reaktywnej",
                  "cs": "citliva|citlivou|citlive|citlivy"},
}

# Nouns that already say "skin of type X" on their own.
SKIN_COMPOUNDS: dict[str, str] = {"mischhaut": "combination", "mischhauttyp": "combination"}

# Hair and scalp nouns: removed with an adjacent concern ("damaged hair", "cheveux abîmés").
HAIR_NOUNS: frozenset[str] = frozenset({
    "hair", "cheveux", "cabello", "cabellos", "pelo", "capelli", "haar", "haare", "haaren", "wlosy", "wlosow",
    "wlosom", "wlosach", "vlasy", "vlasu", "vlasum", "scalp", "kopfhaut",
})
