"""English glosses of cosmetic words, so that non-English semantic text can be retrieved.

The embedding model and the BM25 index only know the English catalog ("Ultra Facial Moisturizing Cream",
"Skincare > Moisturizers", "Good for: Dryness"), so other languages are glossed before retrieval:
`english_gloss("krem nawilżający do skóry suchej", "pl")` -> "dry skin moisturizing cream".

Words are looked up in the glossary below (Polish, Czech and German forms also by stem), then in the
product-type and concern lexicons of query understanding, then as English loanwords ("serum"). German
compounds split into known modifiers and heads ("Nachtcreme" -> "night cream"); post-posed adjectives and
"for <body part>" phrases move before their noun. Unknown words are dropped; English text is kept as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from conseil.search.query.concerns import CONCERN_PATTERNS
from conseil.search.query.lexicon import PREPOSITIONS
from conseil.search.query.model import LANGUAGES
from conseil.search.query.product_words import PRODUCT_TYPES
from conseil.search.query.terms import HAIR_NOUNS, SKIN_ADJECTIVES, SKIN_NOUNS
from conseil.search.query.tokens import Match, PhraseMatcher, stem, tokenize

# Kinds of glossed units: products take qualities and body parts as modifiers; tags stay put.
PRODUCT, PART, QUALITY, TAG = "product", "part", "quality", "tag"

# gloss, kind, patterns per language (`query_text.PhraseMatcher` syntax; "x{,s,es}" spells x|xs|xes).
_GLOSSARY: tuple[tuple[str, str, str], ...] = (
    ("cream", PRODUCT, ("cream{,s} / creme{,s} / crema{,s} / crem{a,e} / creme{,s} / "
        "krem{,u,y,em,ie,ow,ami} / krem{,u,y,em,ech,um}")),
    ("moisturizer", PRODUCT, "moisturi{z,s}er{,s} / - / hidratante{,s} facial{,es} / - / - / - / -"),
    ("serum", PRODUCT, ("serum{,s} / serum{,s} / serum{,s}|suero{,s} / sier{o,i}|serum / serum|seren / "
        "serum|sera|serow / serum|sera")),
    ("cleanser", PRODUCT, ("cleanser{,s} / nettoyant{,s} / limpiador{,es,a,as} / detergent{e,i} / "
        "reiniger|reinigung / zel|zelu|pianka do mycia / -")),
    ("face wash", PRODUCT, ("face wash / gel|gels nettoyant|nettoyants visage / - / - / - / "
        "zel|zelu|pianka|pianki do mycia twarzy / -")),
    ("toner", PRODUCT, ("toner{,s} / tonique{,s}; lotion|lotions tonique|toniques / tonico{,s} / "
        "tonic{o,i} / toner|gesichtswasser / tonik{,u,i,iem} / tonikum|toniku|pletova|pletovou voda|vodu")),
    ("mask", PRODUCT, ("mask{,s} / masque{,s} / mascarilla{,s} / masch{era,ere} / maske{,n} / "
        "mask{a,i,e,ow}|maseczk{a,i,e,ek} / mask{a,y,u,ou}")),
    ("sheet mask", PRODUCT, ("sheet mask{,s} / masque|masques [en] tissu / "
        "mascarilla|mascarillas de tela / maschera|maschere in tessuto / tuchmaske{,n} / "
        "maska|maski|maseczka|maseczki w plachcie / textilni maska|masky|masku")),
    ("balm", PRODUCT, "balm{,s} / baume{,s} / balsamo{,s} / - / balsam / balsam{,u,y,em} / balzam{,u,y}"),
    ("lip balm", PRODUCT, "- / - / balsamo{,s} labial{,es} / balsamo labbra; burrocacao / - / - / -"),
    ("conditioner", PRODUCT, ("conditioner{,s} / apres shampo{o,}ing{,s}; demelant{,s} / "
        "acondicionador{,es} / balsamo / spulung|conditioner / odzywk{a,i,e,a} / kondicioner{,u,y}")),
    ("lipstick", PRODUCT, ("lipstick{,s} / - / pintalabios|labial{,es} / rossett{o,i} / lippenstift{,e} / "
        "pomadk{a,i,e}|szmink{a,i,e} / rtenk{a,y,u}")),
    ("foundation", PRODUCT, "foundation{,s} / fond de teint / - / fondotinta / grundierung / podklad / -"),
    ("concealer", PRODUCT, ("concealer{,s} / anticerne{,s}|correcteur{,s} / corrector{,es} / "
        "correttor{e,i} / concealer|abdeckstift / korektor{,a,y,em} / korektor{,u,y}")),
    ("primer", PRODUCT, "primer{,s} / - / prebase{,s} / primer / primer / - / -"),
    ("mascara", PRODUCT, ("mascara{,s} / mascara{,s} / rimel; mascara de pestanas / mascara / "
        "mascara|wimperntusche / maskara; tusz do rzes / rasenk{a,y,u}")),
    ("powder", PRODUCT, ("powder{,s} / poudre{,s} / polvo{,s} / cipria|polver{e,i} / puder / "
        "puder|pudru|pudry / pudr{,u,y}")),
    ("blush", PRODUCT, ("blush{,es}|blusher / blush; fard|fards a joues / colorete{,s}|rubor / "
        "blush|fard / blush|rouge / - / tvarenk{a,y,u}")),
    ("bronzer", PRODUCT, "bronzer{,s} / - / - / - / bronzer / bronzer{,a,y} / bronzer{,u,y}"),
    ("shampoo", PRODUCT, ("shampoo{,s} / shampo{o,}ing{,s}|shampoo{,s} / champu{,s} / shampoo / "
        "shampoo{,s} / szampon{,u,y,ow,em,ie} / sampon{,u,y,em}")),
    ("oil", PRODUCT, "oil{,s} / huile{,s} / aceite{,s} / oli{o,} / ol|ole / olej|olejek|olejku / olej"),
    ("lotion", PRODUCT, "lotion{,s} / lotion{,s} / locion{,es} / lozion{e,i} / lotion / lotion / lotion"),
    ("body lotion", PRODUCT, ("body lotion{,s} / lait [pour] [le] corps / locion|crema corporal / "
        "latte corpo / bodylotion|korperlotion|korpermilch / "
        "balsam|balsamu do ciala; mleczko|mleczka do ciala / "
        "telove|teloveho|telovy mleko|mleka; telove mleko")),
    ("milk", PRODUCT, "- / lait{,s} / leche{,s} / latte / milch / mleczk{o,a,iem} / mlek{o,a}|mleko"),
    ("gel", PRODUCT, "gel{,s} / gel{,s} / gel{,es} / gel / gel{,e} / zel{,u,e,em} / gel{,u,y}"),
    ("body wash", PRODUCT, "body wash / - / - / bagnoschiuma / duschgel{,e} / - / -"),
    ("foam", PRODUCT, "foam{,s} / mousse{,s} / espuma{,s} / schiuma|mousse / schaum / pianka / pen{a,y,u}"),
    ("sunscreen", PRODUCT, ("sunscreen{,s} / creme|cremes|protection|ecran solaire{,s} / "
        "crema|cremas|protector|proteccion solar{,es}|protector{,es} solar{,es} / "
        "crema|creme|protezione solare|solari / sonnencreme|sonnenschutz* / "
        "krem|kremu z filtrem; przeciwsloneczn* / opalovaci krem|kremu; krem|kremu na opalovani; opalovac*")),
    ("spf", TAG, "spf / spf|fps|ip / spf|fps / spf|fps / spf|lsf / spf|filtr / spf|filtr"),
    ("exfoliator", PRODUCT, ("exfoliator{,s}|exfoliant{,s} / - / - / - / peeling{,s} / "
        "peeling{,u,i,iem} / peeling{,u,y,em}")),
    ("scrub", PRODUCT, "scrub{,s} / gommage{,s} / exfoliante corporal / scrub / korperpeeling / - / -"),
    ("peel", PRODUCT, ("peel{,s} / peeling{,s} / peeling{,s} / peeling / - / "
        "peeling|peelingu kwasow{y,ego} / chemicky peeling")),
    ("deodorant", PRODUCT, ("deodorant{,s}|antiperspirant{,s} / deodorant{,s}|antitranspirant{,s} / "
        "desodorante{,s} / deodorant{e,i} / deodorant{,s}|deo / dezodorant{,u,y}|antyperspirant{,u,y} / "
        "deodorant{,u,y}")),
    ("perfume", PRODUCT, ("perfume{,s} / parfum{,s} / perfume{,s} / profum{o,i} / parfum{,s} / "
        "perfum{,y,ow} / parfem{,u,y}")),
    ("eau de parfum", PRODUCT, ("eau de parfum / eau|eaux de parfum / agua de perfume / "
        "acqua di profumo / eau de parfum / wod{a,y,e} perfumowan{a,ej,e} / "
        "parfemova|parfemovanou voda|vodu|vody")),
    ("eau de toilette", PRODUCT, ("eau de toilette / eau|eaux de toilette / agua de colonia / "
        "acqua di colonia / eau de toilette / wod{a,y,e} toaletow{a,ej,e} / toaletni voda|vodu|vody")),
    ("micellar water", PRODUCT, ("micellar water / eau micellaire / agua micelar / acqua micellare / "
        "mizellenwasser / plyn|plynu micelarn* / micelarni voda|vodu|vody")),
    ("makeup remover", PRODUCT, ("makeup remover{,s} / demaquillant{,e,s,es} / desmaquillante{,s} / "
        "struccant{e,i} / make up entferner / plyn|plynu|mleczko do demakijazu / odlicovac{,i,e}")),
    ("moisturizing", QUALITY, ("moisturi{z,s}ing|hydrating / hydratant{,e,s,es} / hidratante{,s} / "
        "idratant{e,i} / feuchtigkeitsspendend{,e,er,en,es} / nawilzaj* / hydratacn*")),
    ("nourishing", QUALITY, ("nourishing / nourrissant{,e,s,es} / nutritiv{o,a,os,as} / nutrient{e,i} / "
        "nahrend{,e,er,en,es} / odzywcz* / vyzivn*")),
    ("soothing", QUALITY, ("soothing|calming / apaisant{,e,s,es}|calmant{,e,s,es} / calmante{,s} / "
        "leniti{vo,va,vi,ve}|calmant{e,i} / beruhigend{,e,er,en,es} / lagodzac*|kojac* / zklidnujic*")),
    ("mattifying", QUALITY, ("mattifying / matifiant{,e,s,es} / matificante{,s} / opacizzant{e,i} / "
        "mattierend{,e,er,en,es} / matujac* / zmatnujic*|matujic*")),
    ("brightening", QUALITY, ("brightening / eclaircissant{,e,s,es}|illuminateur{,s} / "
        "aclarante{,s}|iluminador{,a,es,as} / schiarent{e,i} / aufhellend{,e,er,en,es} / "
        "rozswietlaj*|rozjasniaj* / rozjasnujic*")),
    ("radiance", QUALITY, "radiance|glow / eclat / luminosidad / luminosita / strahlkraft / blask / zar{,u}"),
    ("anti-aging", QUALITY, ("anti aging|ageing / anti age|ages; antiage{,s} / antiedad / "
        "antieta|antiage / anti aging / przeciwstarzeniow* / proti starnuti")),
    ("firming", QUALITY, ("firming / raffermissant{,e,s,es} / reafirmante{,s} / rassodant{e,i} / "
        "straffend{,e,er,en,es} / ujedrniaj* / zpevnujic*")),
    ("anti-wrinkle", QUALITY, ("anti wrinkle / anti rides; antirides / antiarrugas / antirughe / "
        "anti falten; antifalten / przeciwzmarszczkow* / protivraskov*")),
    ("anti-blemish", QUALITY, ("anti blemish|acne / anti imperfections|acne / "
        "antiacne|antiimperfecciones / antiacne|antimperfezioni / anti pickel|akne / przeciwtradzikow* / "
        "protiaknozni*")),
    ("exfoliating", QUALITY, ("exfoliating / exfoliant{,e,s,es} / exfoliante{,s} / esfoliant{e,i} / "
        "exfolierend{,e,er,en,es} / zluszczaj* / exfoliacn*")),
    ("gentle", QUALITY, ("gentle|mild / doux|douce{,s} / suave{,s} / delicat{o,a,i,e} / "
        "sanft{,e,er,en,es}|mild{,e,er,en,es} / delikatn* / jemn{y,a,e,eho,ou,ym}")),
    ("light", QUALITY, ("light|lightweight / leger{,s}|legere{,s} / liger{o,a,os,as} / legger{o,a,i,e} / "
        "leicht{,e,er,en,es} / lekk{i,a,ie,iego,iej} / lehk{y,a,e,eho,ou}")),
    ("rich", QUALITY, ("rich / riche{,s} / ric{o,a,os,as} / ricc{o,a,hi,he} / reichhaltig{,e,er,en,es} / "
        "bogat{y,a,e,ego,ej} / bohat{y,a,e,eho,ou}")),
    ("organic", QUALITY, ("organic / bio|biologique{,s} / bio|organic{o,a,os,as}|ecologic{o,a,os,as} / "
        "bio|biologic{o,a,i,he} / bio|biologisch{,e,er,en,es} / bio|organiczn*|ekologiczn* / bio|organick*")),
    ("natural", QUALITY, ("natural / naturel{,s,le,les} / natural{,es} / natural{e,i} / "
        "naturlich{,e,er,en,es} / naturaln* / prirodn*")),
    ("vegan", QUALITY, ("vegan / vegan{,e,s,es}|vegetalien{,ne,s,nes} / vegan{o,a,os,as} / "
        "vegan{o,a,i,e} / vegan{,e,er,en,es} / wegansk* / vegansk*")),
    ("waterproof", QUALITY, ("waterproof / waterproof; resistant|resistante a l eau / "
        "waterproof; resistente|resistentes al agua / waterproof; resistente all acqua / "
        "wasserfest{,e,er,en,es} / wodoodporn* / vodeodoln*|voduodoln*")),
    ("long-lasting", QUALITY, ("long lasting|wearing / longue tenue|duree / larga duracion / "
        "lunga durata|tenuta / langanhaltend{,e,er,en,es}|langhaftend{,e,er,en,es} / dlugotrwal* / "
        "dlouhotrvajic*|dlouhodrzic*")),
    ("oil-free", QUALITY, ("- / sans huile{,s} / sin aceite{,s} / senza olio|oli / olfrei / "
        "bez oleju|olejow / bez oleje|oleju")),
    ("non-comedogenic", QUALITY, ("non comedogenic / non comedogene{,s} / no comedogenic{o,a,os,as} / "
        "non comedogen{o,a,ico,ica} / nicht komedogen / niekomedogenn* / nekomedogenni")),
    ("curly", QUALITY, ("curly / boucle{,s,e,es}|frise{,s,e,es} / rizad{o,a,os,as} / "
        "ricc{i,io,ia,e}|moss{i,e} / lockig{,e,er,en,es} / krecon*|falowan* / kudrnat*|vlnit*")),
    ("dry", QUALITY, "- / sec{,s} / sec{o,os} / secc{o,hi} / trockenes / such{y,ego,ym} / such{ych,ym}"),
    ("oily", QUALITY, "- / - / graso{,s} / grass{i,o} / fettig{,e,es,en} / przetluszczajac* / mastici"),
    ("damaged", QUALITY, ("damaged / abime{,s,e,es}|endommage{,s,e,es} / danad{o,a,os,as} / "
        "danneggiat{o,a,i,e}|sfibrat{o,a,i,e} / geschadigt{,e,er,en,es}|strapaziert{,e,er,en,es} / "
        "zniszczon* / poskozen*")),
    ("face", QUALITY, "- / - / facial{,es} / - / - / twarzow{y,a,e,ego} / pletov{y,a,e,eho,ou,ym}"),
    ("hair", QUALITY, "- / capillaire{,s} / capilar{,es} / - / - / - / vlasov{y,a,e,eho,ou}"),
    ("body", QUALITY, "- / - / corporal{,es} / - / - / do ciala / telov{y,a,e,eho,ou,ym}"),
    ("face", PART, "face|facial / visage / cara|rostro / viso|volto / gesicht{,s} / twarz{,y,a} / oblicej"),
    ("eye", PART, "eye{,s} / yeux|oeil / ojo{,s} / occhi{,o} / auge{,n} / oczy|oczu|oka / oci|oko|ocni"),
    ("lip", PART, "lip{,s} / levre{,s} / labio{,s} / labbr{a,o} / lippe{,n} / usta|ust / rty|rtu"),
    ("body", PART, "body / corps / cuerpo / corpo / korper / cialo|ciala / telo|tela"),
    ("hand", PART, "hand{,s} / main{,s} / mano{,s} / man{o,i} / hand{,e} / rak|rece|dloni / ruce|rukou|ruku"),
    ("foot", PART, "foot|feet / pied{,s} / pie{,s} / pied{e,i} / fuss|fusse / stop|stopy / nohy|chodidla"),
    ("nail", PART, ("nail{,s} / ongle{,s} / de|para [las] unas / unghi{a,e} / nagel / "
        "paznokci|paznokcie / nehty|nehtu")),
    ("scalp", PART, ("- / cuir chevelu / cuero cabelludo / cuoio capelluto / - / "
        "skora|skory|skore glowy / pokozka|pokozku|pokozky hlavy")),
    ("night", PART, "night / nuit / noche / notte / nacht / noc / noc|nocni"),
    ("day", PART, "day / jour / dia / giorno / tag / dzien / den|denni"),
    ("shower", PART, "shower / douche / ducha / doccia / dusche / prysznic / sprch{a,u}|sprchov{y,eho,ym}"),
    ("sun", QUALITY, "- / solaire{,s} / solar{,es} / solar{e,i} / - / sloneczn* / slunecn*"),
)

# German compound modifiers (folded, each also taken with a linking "s"), for "Nachtcreme" -> "night cream".
_DE_MODIFIERS: Mapping[str, str] = MappingProxyType({
    "feuchtigkeit": "moisturizing", "nacht": "night", "tag": "day", "tages": "day", "gesicht": "face",
    "augen": "eye", "lippen": "lip", "hand": "hand", "hande": "hand", "fuss": "foot", "haar": "hair",
    "korper": "body", "body": "body", "dusch": "shower", "reinigung": "cleansing", "sonnen": "sun",
    "kopfhaut": "scalp", "nagel": "nail", "tuch": "sheet", "anti": "anti", "falten": "wrinkle",
    "intensiv": "intensive", "pflege": "care"})
# German heads that need a known modifier: alone at the end of a word they are too often something else
# ("Vogel", "Alkohol", "Bleistift", "Toilettenspulung").
_DE_WEAK_HEADS = frozenset({"gel", "gele", "ol", "ole", "stift", "milch", "schaum", "spulung", "seren"})

# Catalog categories of `query_products.PRODUCT_TYPES` (first candidate) -> gloss, where the name itself
# is not a good one; the others are used as they are.
_CATEGORY_GLOSSES: Mapping[str, str] = MappingProxyType({
    "moisturizers": "moisturizer", "night creams": "night cream", "bb & cc cream": "bb cream",
    "face serums": "serum", "eye creams & treatments": "eye cream", "hair masks": "hair mask",
    "scalp treatments": "scalp treatment", "sheet masks": "sheet mask", "face masks": "face mask",
    "face wash & cleansers": "face wash cleanser", "makeup removers": "makeup remover", "toners": "toner",
    "mists & essences": "face mist essence", "face oils": "face oil", "exfoliators": "exfoliator",
    "facial peels": "peel", "face sunscreen": "sunscreen", "body lotions & body oils": "body lotion",
    "body wash & shower gel": "body wash shower gel", "hand cream & foot cream": "hand cream",
    "deodorant & antiperspirant": "deodorant", "self tanners": "self tanner", "face primer": "primer",
    "setting spray & powder": "setting spray", "lip balm & treatment": "lip balm",
    "candles": "candle", "nail": "nail polish", "blemish & acne treatments": "acne treatment",
})
_CONCERN_GLOSSES: Mapping[str, str] = MappingProxyType({
    "aging": "anti-aging", "fine_lines": "anti-wrinkle", "dark_spots": "dark spots", "acne": "acne blemish",
    "uneven_texture": "uneven texture", "loss_of_firmness": "firming", "dark_circles": "dark circles",
    "damage": "damaged", "color_care": "color care", "hair_thinning": "thinning hair",
    "dry_scalp": "dry scalp dandruff", "oily_scalp": "oily scalp",
})

# Cosmetic words that mostly mean something else in a language: "en face", "el primer día".
_FALSE_FRIENDS: frozenset[tuple[str, str]] = frozenset({("fr", "face"), ("es", "primer")})
# Words allowed between a product and its body part: "krem do rąk", "crème pour les mains", "gel de ducha".
_LINKS: frozenset[str] = PREPOSITIONS | frozenset(
    {"pod", "da", "des", "du", "d", "der", "das", "dem", "gli", "lo", "le", "po", "in", "en", "w"})
_BRACES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class _Unit:
    """A glossed word or phrase: its English text and its kind (PRODUCT, PART, QUALITY or TAG)."""

    gloss: str
    kind: str


@dataclass
class _Group:
    """Units arranged into one English phrase ("dry skin moisturizing cream") over tokens start..end-1."""

    kind: str
    text: str
    start: int
    end: int


def _expand(alt: str) -> list[str]:
    """'creme{,s}' -> ['creme', 'cremes'] (several brace groups multiply)."""
    m = _BRACES.search(alt)
    if m is None:
        return [alt]
    return [x for ending in m.group(1).split(",") for x in _expand(alt[:m.start()] + ending + alt[m.end():])]


def _patterns(text: str) -> list[str]:
    """The ';'-separated patterns of a lexicon text, braces expanded slot by slot ("-": none)."""
    return [" ".join(f"[{body}]" if spec.startswith("[") else body for spec in pattern.split()
                     for body in ["|".join(x for alt in spec.strip("[]").split("|") for x in _expand(alt))])
            for pattern in text.split(";") if pattern.strip() not in ("", "-")]


def _own_entries(langs: Sequence[str]) -> list[tuple[str, _Unit]]:
    """This module's glossary plus the skin and hair words of `query_terms`, for some languages."""
    entries = [(p, _Unit(gloss, kind)) for gloss, kind, text in _GLOSSARY for lang in langs
               for p in _patterns(text.split(" / ")[LANGUAGES.index(lang)])]
    for code, by_lang in SKIN_ADJECTIVES.items():
        entries += [(by_lang[lang], _Unit(code, QUALITY)) for lang in langs if lang in by_lang]
    entries += [(SKIN_NOUNS[lang], _Unit("skin", PART)) for lang in langs if lang in SKIN_NOUNS]
    return entries + [(w, _Unit("scalp" if w in ("scalp", "kopfhaut") else "hair", PART))
                      for w in sorted(HAIR_NOUNS)]


def _borrowed_entries(langs: Sequence[str]) -> list[tuple[str, _Unit]]:
    """Product-type and concern phrases of query understanding, with English glosses."""
    # Candidates start with the product-type id; the gloss of a known catalog name is kept when there is one.
    tables = [(_Unit(next((_CATEGORY_GLOSSES[c] for c in cands if c in _CATEGORY_GLOSSES), cands[0]), PRODUCT), by_lang)
              for cands, by_lang in PRODUCT_TYPES if cands]  # no candidates: only a block for the parser
    tables += [(_Unit(_CONCERN_GLOSSES.get(code, code.replace("_", " ")), QUALITY), by_lang)
               for code, by_lang in CONCERN_PATTERNS.items()]
    return [(p, unit) for unit, by_lang in tables for lang in langs for p in _patterns(by_lang.get(lang, ""))]


def _single_words(entries: Sequence[tuple[str, _Unit]]) -> list[tuple[str, _Unit]]:
    """The one-word, non-prefix forms of the entries, in order."""
    return [(alt, unit) for pattern, unit in entries if " " not in pattern and not pattern.startswith("[")
            for alt in pattern.split("|") if not alt.endswith("*")]


@dataclass(frozen=True)
class _Glossary:
    """The compiled lookups for one language (see `_glossary`)."""

    language: str
    own: PhraseMatcher[_Unit]
    own_stems: Mapping[str, _Unit]  # stems of one-word forms; empty for en, fr, es, it
    borrowed: PhraseMatcher[_Unit]
    english: PhraseMatcher[_Unit]
    heads: tuple[tuple[str, _Unit, bool], ...]  # German compound heads, longest first: form, unit, strong
    modifiers: tuple[tuple[str, str], ...]  # German compound modifiers, longest first: form, gloss

    def own_at(self, words: Sequence[str], stems: Sequence[str], i: int) -> Match[_Unit] | None:
        """The longest glossary match at word i: a phrase, an inflected form, or a German compound."""
        m = self.own.match_at(words, i)
        if m is None and stems[i] in self.own_stems:
            m = Match(i, i + 1, self.own_stems[stems[i]])
        unit = self.compound(words[i]) if m is None and self.heads else None
        return Match(i, i + 1, unit) if unit is not None else m

    def compound(self, word: str) -> _Unit | None:
        """'feuchtigkeitsgesichtscreme' -> 'moisturizing face cream'; None unless the head is known."""
        for head, unit, strong in self.heads:
            rest = word[: -len(head)]
            if word.endswith(head) and len(rest) >= 3:
                glosses = self.split_modifiers(rest)
                if glosses is not None:
                    return _Unit(" ".join([*glosses, unit.gloss]), PRODUCT)
                if strong:
                    return unit
        return None

    def split_modifiers(self, rest: str) -> list[str] | None:
        """The glosses of a chain of known modifiers spelling exactly `rest`, or None."""
        if not rest:
            return []
        for form, gloss in self.modifiers:
            tail = self.split_modifiers(rest[len(form):]) if rest.startswith(form) else None
            if tail is not None:
                return [gloss, *tail]
        return None


@cache
def _glossary(language: str) -> _Glossary:
    """Compile the lookups of one language once per process (unknown languages: all but English)."""
    langs = (language,) if language in LANGUAGES else LANGUAGES[1:]
    own = _own_entries(langs)
    inflected = bool({"de", "pl", "cs"} & set(langs))  # the first form of a stem wins, hence reversed()
    stems = {stem(alt): unit for alt, unit in reversed(_single_words(own))} if inflected else {}
    german = "de" in langs
    heads = [(alt, unit, alt not in _DE_WEAK_HEADS) for alt, unit in _single_words(_own_entries(("de",)))
             if german and unit.kind == PRODUCT]
    modifiers = {(form + s, gloss) for form, gloss in _DE_MODIFIERS.items() if german for s in ("", "s")}
    return _Glossary(
        language=language, own=PhraseMatcher(own), own_stems=MappingProxyType(stems),
        borrowed=PhraseMatcher(_borrowed_entries(langs)), english=PhraseMatcher(_own_entries(("en",))),
        heads=tuple(sorted(heads, key=lambda h: (-len(h[0]), h[0]))),
        modifiers=tuple(sorted(modifiers, key=lambda m: (-len(m[0]), m[0]))),
    )


def _units(g: _Glossary, words: Sequence[str]) -> list[Match[_Unit]]:
    """Glossed units left to right. A longer lexicon phrase beats the glossary only where the glossary does
    not know all its words: "rouge à lèvres" -> "lipstick", but "crème visage" -> "face cream"."""
    stems = [stem(w) for w in words]
    own = [g.own_at(words, stems, i) if words[i][0].isalpha() else None for i in range(len(words))]
    covered = {k for m in own if m is not None for k in range(m.start, m.end)}
    units: list[Match[_Unit]] = []
    i = 0
    while i < len(words):
        if (g.language, words[i]) in _FALSE_FRIENDS:
            i += 1
            continue
        o, b = own[i], g.borrowed.match_at(words, i)
        m: Match[_Unit] | None = o
        if b is not None and (o is None or b.end > o.end) and any(
                k not in covered and words[k] not in _LINKS for k in range(b.start, b.end)):
            m = b
        if m is None:
            m = g.english.match_at(words, i)  # loanwords: "serum", "peeling", "primer"
        spf = units[-1] if units and units[-1].end == i and units[-1].value.gloss == "spf" else None
        if m is None and spf is not None and words[i].isdigit():
            m = Match(units.pop().start, i + 1, _Unit("spf " + words[i], TAG))  # "LSF 50" -> "spf 50"
        if m is None:
            i += 1
        else:
            units.append(m)
            i = m.end
    return units


def _arrange(units: Sequence[Match[_Unit]], words: Sequence[str]) -> list[str]:
    """English word order. A quality next to a noun goes before it ("crema idratante" -> "moisturizing
    cream"); a body part after a product becomes its modifier ("krem do rąk" -> "hand cream"). Repeated
    glosses are dropped."""
    groups: list[_Group] = []
    for m in units:
        unit, last = m.value, (groups[-1] if groups else None)
        if last is not None and unit.kind == QUALITY and last.kind in (PRODUCT, PART) and last.end == m.start:
            last.text, last.end = f"{unit.gloss} {last.text}", m.end
            continue
        group = _Group(unit.kind, unit.gloss, m.start, m.end)
        if last is not None and unit.kind in (PRODUCT, PART) and last.kind == QUALITY and last.end == m.start:
            groups.pop()  # "suchou pleť" -> "dry skin": a body part that may still attach to a product
            group.text, group.start = f"{last.text} {unit.gloss}", last.start
            last = groups[-1] if groups else None
        if (last is not None and group.kind == PART and last.kind == PRODUCT
                and all(w in _LINKS for w in words[last.end:group.start])):
            last.text, last.end = f"{group.text} {last.text}", m.end
        else:
            groups.append(group)
    return list(dict.fromkeys(g.text for g in groups))


def english_gloss(text: str, language: str) -> str:
    """An English rendering of the cosmetic words of `text` (in `language`, one of `LANGUAGES`).

    English text comes back as it is (trimmed). Otherwise product types, benefits and body parts are
    translated, inflected forms included ("kremu", "nawilżającego", "Nachtcreme"), put in English order,
    and every other word is dropped: "" when nothing is recognised. Deterministic; the lookups are
    compiled once per language and process.
    """
    if language == "en":
        return text.strip()
    words = [t.text for t in tokenize(text)]
    return " ".join(_arrange(_units(_glossary(language), words), words)) if words else ""
