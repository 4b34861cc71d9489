"""Skin types, concerns and claim codes derived from a source's tags and labels.

Sephora tags its products with free-text "highlights" ("Best for Dry, Combo, Normal Skin",
"Good for: Dullness/Uneven Texture", "Without Parabens", "Vegan"...); the generic input schema
carries the same kind of labels in its `skin_types`, `concerns` and `claims` columns, sometimes in
French, Spanish, Italian, German, Polish, Czech or Greek. This module turns both into the codes of
`search.schema` so that filters never depend on how a retailer spelled a tag.

Claim codes:
    without:<family>                  free of an ingredient family (one of `FAMILY_IDS`)
    without_ingredient:<name>         free of one ingredient, name as `normalize_name` keys it
    vegan, cruelty_free, clean_at_sephora, ...   other labels, lower snake case

Claims are what the *brand says*; whether the ingredient list agrees is checked elsewhere (the
real data has products tagged "Without Parabens" that list a paraben).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from conseil.search.index.schema import CONCERNS, SKIN_TYPES
from conseil.search.knowledge.text import fold, normalize_name

# Family ids shared with the ingredient knowledge base: a "without" claim names one of these.
FAMILY_IDS: tuple[str, ...] = (
    "parabens",
    "formaldehyde_releasers",
    "fragrance",
    "sulfates",
    "silicones",
    "phthalates",
    "mineral_oils",
    "drying_alcohols",
    "chemical_uv_filters",
)


@dataclass(frozen=True)
class Derived:
    """What a set of tags says about a product, as canonical codes (in canonical order)."""

    skin_types: tuple[str, ...]
    concerns: tuple[str, ...]
    claims: tuple[str, ...]


def _table(groups: dict[str, str]) -> dict[str, str]:
    """Expand {code: "syn1|syn2|..."} into {folded synonym: code}."""
    return {fold(syn).strip(): code for code, syns in groups.items() for syn in syns.split("|")}


# Names of ingredient families as they follow "without"/"sans"/"bez"/"χωρίς"... (folded, so accents,
# Polish/Czech diacritics and the Greek final sigma are gone). Plural and genitive forms are listed rather than stemmed:
# stemming "parabenów" or "sulfátů" by rule would be less predictable than a short list.
_FAMILIES = _table(
    {
        "parabens": "paraben|parabens|parabene|parabenes|parabenos|parabeni|parabenow|parabenu|parabeny|"
        "παραβένια|παραβένιο|παραβενίων",
        "formaldehyde_releasers": "formaldehyde|formaldehydes|formaldehyde-releasing agents|formaldehyde "
        "releasers|formaldehyde-releasers|formaldehyde donors|formaldehyde releasing preservatives|"
        "formaldehido|formaldeide|formaldehyd|formaldehydu|φορμαλδεΰδη",
        "fragrance": "fragrance|fragrances|perfume|perfumes|parfum|parfums|profumo|profumi|duftstoffe|"
        "duftstoff|zapachu|substancji zapachowych|kompozycji zapachowej|parfemace|parfemu|vune|άρωμα|αρώματα|"
        "αρωματικές ουσίες",
        "sulfates": "sulfate|sulfates|sulphate|sulphates|sulfates sls & sles|sls & sles|sls/sles|sls|sles|"
        "sulfatos|solfati|siarczanow|sulfatu|siranu|θειικά|θειικά άλατα|θειικών",
        "silicones": "silicone|silicones|siliconas|siliconi|silikone|silikonen|silikonow|silikonu|σιλικόνες|"
        "σιλικόνη|σιλικονών",
        "phthalates": "phthalate|phthalates|phtalates|phtalate|ftalatos|ftalati|ftalanow|ftalatu|"
        "φθαλικές ενώσεις|φθαλικά",
        "mineral_oils": "mineral oil|mineral oils|huile minerale|huiles minerales|aceite mineral|"
        "aceites minerales|olio minerale|oli minerali|mineralol|mineralole|mineraloel|olejow mineralnych|"
        "oleju mineralnego|mineralnich oleju|ορυκτέλαια|ορυκτέλαιο|ορυκτά έλαια",
        "drying_alcohols": "alcohol|alcohols|drying alcohols|alcool|alcoholes|alkohol|alkoholu|οινόπνευμα|"
        "αλκοόλη|αλκοόλ",
        "chemical_uv_filters": "chemical sunscreen|chemical sunscreens|chemical uv filters|chemical "
        "filters|chemical spf|filtres chimiques|filtros quimicos|filtri chimici|chemische filter|"
        "chemische uv-filter|χημικά φίλτρα",
    }
)

# Whole labels with a fixed meaning, checked before the "without X" patterns so that "Oil Free",
# "Gluten Free" or "sans gluten" do not become without_ingredient:oil / :gluten.
_LABELS = _table(
    {
        "clean_at_sephora": "clean at sephora",
        "clean_planet_positive": "clean + planet positive|clean planet positive",
        "vegan": "vegan|suitable for vegans|vegane|veganer|vegano|vegana|weganski|weganska|vegansky|veganska|"
        "βίγκαν|κατάλληλο για vegan",
        "cruelty_free": "cruelty-free|cruelty free|not tested on animals|non teste sur les animaux|"
        "no testado en animales|non testato su animali|tierversuchsfrei|nietestowany na zwierzetach|"
        "netestovano na zviratech|δεν δοκιμάζεται σε ζώα|χωρίς δοκιμές σε ζώα",
        "gluten_free": "gluten free|gluten-free|sans gluten|sin gluten|senza glutine|glutenfrei|bez glutenu|"
        "χωρίς γλουτένη",
        "hypoallergenic": "hypoallergenic|hypoallergenique|hipoalergenico|ipoallergenico|hypoallergen|"
        "hipoalergiczny|hypoalergenni|υποαλλεργικό|υποαλλεργική",
        "oil_free": "oil free|oil-free|sans huile|sin aceite|senza olio|olfrei|bez oleju|χωρίς λάδι|χωρίς έλαια",
        "reef_safe": "reef safe|reef safe spf|reef-safe|reef friendly",
        "without:fragrance": "unscented|fragrance free|fragrance-free|parfumfrei|άοσμο|άοσμη",
        "without:drying_alcohols": "alcohol free|alcohol-free",
        "black_owned_at_sephora": "black owned at sephora",
        "recyclable_packaging": "recyclable packaging",
        "sustainable_packaging": "sustainable packaging",
        "refill_available": "refill available|refillable",
    }
)

# "Without X" in eight languages ("no"/"0%"/"zero" are common on packs), and "X free"/"X-frei".
_WITHOUT_PREFIX = re.compile(
    r"^(?:without|free of|free from|no|0\s?%|0|zero|sans|pas de|sin|libre de|senza|ohne|bez|χωρισ)\s+(.+)$"
)
_FREE_SUFFIX = re.compile(r"^(.+?)(?:[\s-]+free|-?frei)$")
_LIST_JOIN = re.compile(r"\s*(?:,|;|&|\+|\band\b|\bet\b|\by\b|\be\b|\bund\b|\bi\b|\ba\b|\bκαι\b)\s*")

# Skin-type words (after dropping the word for "skin"); "all" means every type.
_SKIN = _table(
    {
        "dry": "dry|seche|sec|seca|seco|secca|secco|trocken|trockene|sucha|sucha skora|sucha plet|ξηρή|ξηρό|ξηρές",
        "oily": "oily|grasse|gras|grasa|graso|grassa|grasso|fettig|fettige|tlusta|mastna|λιπαρή|λιπαρό|λιπαρές",
        "combination": "combination|combo|mixed|mixte|mixta|mixto|mista|misto|mischhaut|mieszana|smisena|"
        "μικτή|μικτό|μεικτή",
        "normal": "normal|normale|normales|normalna|normalni|κανονική|κανονικό",
        "sensitive": "sensitive|sensible|sensibles|sensibile|empfindlich|empfindliche|wrazliwa|citliva|"
        "ευαίσθητη|ευαίσθητο|ευαίσθητες",
        "all": "all|all types|all skin types|tous types|tous types de|toutes|todo tipo|todo tipo de|"
        "todos los tipos de|tutti i tipi|tutti i tipi di|alle hauttypen|όλοι οι τύποι|όλους τους τύπους|"
        "για όλους τους τύπους",
    }
)
_SKIN_WORDS = re.compile(r"\b(?:skin|skins|peau|peaux|piel|pelle|haut|skora|plet|επιδερμιδα|επιδερμιδασ|"
                         r"επιδερμιδεσ|δερμα|δερματοσ)\b")

# Concern labels, including Sephora's "Good for: ..." values (matched whole first, then split).
_CONCERNS = _table(
    {
        "dryness": "dryness|dry skin|dehydration|secheresse|deshydratation|sequedad|secchezza|"
        "trockenheit|suchosc|suchost|ξηρότητα|αφυδάτωση",
        "aging": "aging|anti-aging|antiaging|ageing|anti-ageing|signs of aging|anti-age|antiedad|anti-eta|"
        "αντιγήρανση|γήρανση",
        "dullness": "dullness|dull skin|teint terne|manque d'eclat|opacidad",
        "uneven_texture": "uneven texture|texture|uneven skin texture",
        "dark_spots": "dark spots|dark spot|hyperpigmentation|pigmentation|taches|taches brunes|manchas|"
        "macchie|pigmentflecken|κηλίδες|πανάδες|δυσχρωμίες",
        "acne": "acne|blemishes|acne/blemishes|breakouts|imperfections|imperfecciones|imperfezioni|"
        "unreinheiten|tradzik|akne|ακμή|ατέλειες",
        "pores": "pores|enlarged pores|poros|pori|poren|πόροι|διεσταλμένοι πόροι",
        "redness": "redness|rougeurs|rojeces|rossori|rotungen|ερυθρότητα|κοκκινίλες",
        "loss_of_firmness": "loss of firmness|firmness|sagging|perte de fermete|fermete",
        "fine_lines": "fine lines|wrinkles|fine lines/wrinkles|rides|arrugas|rughe|falten|zmarszczki|vrasky|"
        "ρυτίδες|λεπτές γραμμές",
        "dark_circles": "dark circles|cernes|ojeras|occhiaie|augenringe|μαύροι κύκλοι",
        "oiliness": "oiliness|excess oil|shine|exces de sebum",
        "frizz": "frizz|frisottis",
        "damage": "damage|damaged hair",
        "color_care": "color care|colour care",
        "volume": "volume",
        "hair_thinning": "hair thinning|thinning hair|hair loss",
        "dry_scalp": "flaky/dry scalp|dry scalp|flaky scalp",
        "oily_scalp": "oily scalp",
    }
)

_BEST_FOR = re.compile(r"^best for (.+?)(?: skin(?: types?)?)?$")
_GOOD_FOR = re.compile(r"^good for\s*:?\s*(.+)$")
_CODE = re.compile(r"^[a-z0-9_]+$")


def skin_type_codes(label: str) -> tuple[str, ...] | None:
    """Codes named by one skin-type label ('Combo' -> combination, 'peau sèche' -> dry); None if unknown.

    A label may name several types ("Dry, Combo, Normal") and "all" expands to every type.
    """
    words = re.sub(r"\s+", " ", _SKIN_WORDS.sub(" ", fold(label))).strip()
    codes: set[str] = set()
    for part in _LIST_JOIN.split(words) if words not in _SKIN else [words]:
        part = part.strip(" .")
        if not part:
            continue
        code = _SKIN.get(part)
        if code is None:
            return None
        codes.update(SKIN_TYPES if code == "all" else (code,))
    return tuple(t for t in SKIN_TYPES if t in codes) or None


def concern_codes(label: str) -> tuple[str, ...] | None:
    """Codes named by one concern label ('Dullness/Uneven Texture' -> dullness, uneven_texture)."""
    key = fold(label).strip(" .")
    match = _GOOD_FOR.match(key)
    key = match.group(1).strip() if match else key
    if key in _CONCERNS:
        return (_CONCERNS[key],)
    if key in CONCERNS:
        return (key,)
    # "Dullness/Uneven Texture" is two concerns; "Acne/Blemishes" was caught whole above.
    parts = [p.strip() for p in re.split(r"\s*[/,&]\s*", key) if p.strip()]
    codes = [_CONCERNS.get(p) or (p if p in CONCERNS else None) for p in parts]
    if len(parts) > 1 and all(codes):
        return tuple(c for c in CONCERNS if c in codes)
    return None


def _without(thing: str) -> tuple[str, ...]:
    """Claims for "without <thing>": a family, several families, or one named ingredient."""
    thing = thing.strip(" .!")
    if thing in _FAMILIES:
        return (f"without:{_FAMILIES[thing]}",)
    parts = [p for p in _LIST_JOIN.split(thing) if p]
    if len(parts) > 1 and all(p in _FAMILIES for p in parts):
        return tuple(f"without:{_FAMILIES[p]}" for p in parts)
    return (f"without_ingredient:{normalize_name(thing)}",)


def claim_codes(label: str) -> tuple[str, ...]:
    """Claim codes of one label if it is a recognised claim, else an empty tuple.

    'Without Parabens' -> without:parabens; 'Without Oxybenzone' -> without_ingredient:oxybenzone;
    'Sans parfum' -> without:fragrance; 'Vegan' -> vegan; 'Matte Finish' -> ().
    """
    key = re.sub(r"\s+", " ", fold(label)).strip(" .!")
    if not key:
        return ()
    if key in _LABELS:
        return (_LABELS[key],)
    prefixed = _WITHOUT_PREFIX.match(key)
    if prefixed:
        return _without(prefixed.group(1))
    suffixed = _FREE_SUFFIX.match(key)
    if suffixed:
        return _without(suffixed.group(1))
    return ()


def _code_form(label: str) -> tuple[str, ...]:
    """A label already written as a code: 'without:parabens', 'without_ingredient:Oxybenzone'."""
    kind, sep, rest = label.partition(":")
    if not sep or not rest.strip():
        return ()
    if kind == "without":
        family = rest.strip()
        return (f"without:{family}",) if family in FAMILY_IDS else _without(fold(family).replace("_", " "))
    if kind == "without_ingredient":
        return (f"without_ingredient:{normalize_name(rest)}",)
    return ()


def _snake(label: str) -> str:
    """Lower snake case of a label, Greek letters kept (a Greek label used to snake to nothing and vanish)."""
    return re.sub(r"[^a-z0-9\u03b1-\u03c9]+", "_", fold(label)).strip("_")


def claims_from_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """Claim codes for labels that are claims by construction (a `claims` column), sorted, unique.

    Known labels map as in `claim_codes`; codes already in our form ("without:parabens", "vegan")
    pass through; any other label becomes its lower snake case ("Made in France" -> made_in_france).
    """
    out: set[str] = set()
    for label in labels:
        codes = claim_codes(label) or _code_form(label.strip())
        if codes:
            out.update(codes)
        elif _CODE.match(label.strip()):
            out.add(label.strip())
        elif _snake(label):
            out.add(_snake(label))
    return tuple(sorted(out))


def derive_from_highlights(tags: Iterable[str], cache: dict[str, Derived] | None = None) -> Derived:
    """Skin types ("Best for ... Skin"), concerns ("Good for: ...") and claims from Sephora tags.

    Tags that are none of these ("Matte Finish", "Vitamin C", "Hydrating") are ignored here; they
    stay in `ProductRecord.highlights`. A catalog uses about a hundred distinct tags, so a reader
    passes one `cache` dict for a whole file instead of re-deriving each tag on every row.
    """
    parts = []
    for tag in tags:
        derived = cache.get(tag) if cache is not None else None
        if derived is None:
            derived = _derive_tag(tag)
            if cache is not None:
                cache[tag] = derived
        parts.append(derived)
    return merge_derived(parts)


def merge_derived(parts: Iterable[Derived]) -> Derived:
    """The union of several derivations, in canonical order."""
    skin: set[str] = set()
    concerns: set[str] = set()
    claims: set[str] = set()
    for part in parts:
        skin.update(part.skin_types)
        concerns.update(part.concerns)
        claims.update(part.claims)
    return Derived(
        skin_types=tuple(t for t in SKIN_TYPES if t in skin),
        concerns=tuple(c for c in CONCERNS if c in concerns),
        claims=tuple(sorted(claims)),
    )


def _derive_tag(tag: str) -> Derived:
    key = fold(tag).strip()
    best = _BEST_FOR.match(key)
    if best:
        return Derived(skin_type_codes(best.group(1)) or (), (), ())
    if _GOOD_FOR.match(key):
        return Derived((), concern_codes(tag) or (), ())
    return Derived((), (), claim_codes(tag))
