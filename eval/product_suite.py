"""The in-domain product suite: advisor queries over the real Sephora export, with ground truth
computed from the ingredient lists.

    python -m conseil.eval.product_suite [--export FILE] [--write] [--out DIR]

A query combines a product type (category), one or two excluded ingredient families, sometimes a
skin type and sometimes a price cap; each combination is rendered in en, fr, es, it, de, pl, cs and
el with the phrase tables of `product_queries` (extended here), so the eight languages share one
ground truth and can be compared.

Ground truth (per combination, from the export and the current knowledge base):

  * an exclusion is satisfied when the product HAS an ingredient list and `analyze(list, kb)` finds
    none of the excluded families in it: the marketing tags ("Without Parabens", "Clean at
    Sephora") are never read, since 13 paraben-free-tagged products list a paraben;
  * category: one level of the product's category path, normalised, is the asked category key
    (what "moisturizer" means in the catalog: "moisturizers");
  * skin type: the product is tagged for it ("Best for Dry, Combo, Normal Skin": the only skin-type
    data the export has); price: `price_usd` <= the cap.

Graded relevance (qrels score):

  4  satisfies every stated constraint AND itself claims to be free of an excluded family
     ("Without Parabens", "Fragrance Free"; a claim only counts once the list has proved it): the
     product is positioned for what the client asked, which is what the advisor would show first;
  3  satisfies every stated constraint: exclusions, price cap, category and skin type (if stated);
  2  exclusions, price cap and category, but not the stated skin type (only when one is stated);
  1  exclusions and price cap only: a different product type;
  0  violates an exclusion or the price cap, or has no ingredient list to prove an exclusion.

"Satisfying products" (for recall and constraint precision) are those of grade 3 or 4. The suite
states no concern (the grades would take a concern match like the skin type).

Stored in BEIR format under `eval/datasets/sephora_products/`: `queries.jsonl` (metadata: language,
combination id, constraints, and the size of each grade's full set), `qrels/test.tsv` (grades 4, 3
and 2 only, at most QRELS_CAP per query, highest grade first, then by product id). There is NO corpus.jsonl:
the corpus is the export itself (`EXPORT`, product ids as document ids). Grade-1 sets (thousands of
products) and the grade-4/3/2 products beyond the cap are not stored; `ground_truth()` recomputes the
full sets deterministically, and `product_eval` uses those (and checks they agree with the file).
"""

from __future__ import annotations

import argparse
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .beir import BeirDataset, BeirQuery, Qrels
from .product_queries import AND, LANGUAGES, PRODUCT_TYPES, SKIN, WITHOUT, _second

REPO = Path(__file__).resolve().parents[1]
EXPORT = (REPO / ".." / "shared" / "data" / "sephora-products" / "product_info.csv").resolve()
SUITE_DIR = Path(__file__).resolve().parent / "datasets" / "sephora_products"
QRELS_CAP = 100
SEED = 20240607
PER_CATEGORY = 6
MIN_SATISFYING = 3

# Product types beyond product_queries' five, each checked with the query parser (see the tests).
MORE_TYPES: dict[str, dict[str, str]] = {
    "conditioner": {"en": "conditioner", "fr": "après-shampooing", "es": "acondicionador", "it": "balsamo",
                    "de": "Spülung", "pl": "odżywka", "cs": "kondicionér", "el": "μαλακτική κρέμα μαλλιών"},
    "toners": {"en": "toner", "fr": "tonique", "es": "tónico", "it": "tonico", "de": "Gesichtswasser",
               "pl": "tonik", "cs": "tonikum", "el": "τονωτική λοσιόν"},
    "eye creams & treatments": {"en": "eye cream", "fr": "crème contour des yeux", "es": "contorno de ojos",
                                "it": "crema contorno occhi", "de": "Augencreme", "pl": "krem pod oczy",
                                "cs": "oční krém", "el": "κρέμα ματιών"},
    "face masks": {"en": "face mask", "fr": "masque visage", "es": "mascarilla facial", "it": "maschera viso",
                   "de": "Gesichtsmaske", "pl": "maseczka do twarzy", "cs": "pleťová maska",
                   "el": "μάσκα προσώπου"},
    "foundation": {"en": "foundation", "fr": "fond de teint", "es": "base de maquillaje", "it": "fondotinta",
                   "de": "Foundation", "pl": "podkład", "cs": "make-up",
                   "el": "βάση μακιγιάζ"},
    "body lotions & body oils": {"en": "body lotion", "fr": "lait corps", "es": "loción corporal",
                                 "it": "lozione corpo", "de": "Körperlotion", "pl": "balsam do ciała",
                                 "cs": "tělové mléko", "el": "γαλάκτωμα σώματος"},
}
# "cleanser" is Sephora's "Face Wash & Cleansers": its parent level "Cleansers" also holds toners,
# make-up removers and exfoliators, and the query parser reads "cleanser" the same way.
TYPES: dict[str, dict[str, str]] = {**{("face wash & cleansers" if k == "cleansers" else k): v
                                       for k, v in PRODUCT_TYPES.items()}, **MORE_TYPES}
HAIR = frozenset({"shampoo", "conditioner"})  # no skin type for these
BODY = frozenset({"body lotions & body oils"})

MORE_WITHOUT: dict[str, dict[str, str]] = {
    "essential_oils": {"en": "without essential oils", "fr": "sans huiles essentielles",
                       "es": "sin aceites esenciales", "it": "senza oli essenziali", "de": "ohne ätherische Öle",
                       "pl": "bez olejków eterycznych", "cs": "bez esenciálních olejů",
                       "el": "χωρίς αιθέρια έλαια"},
}
WITHOUT_ALL: dict[str, dict[str, str]] = {**WITHOUT, **MORE_WITHOUT}

MORE_SKIN: dict[str, dict[str, str]] = {
    "combination": {"en": "for combination skin", "fr": "pour peau mixte", "es": "para piel mixta",
                    "it": "per pelle mista", "de": "für Mischhaut", "pl": "do skóry mieszanej",
                    "cs": "pro smíšenou pleť", "el": "για μικτή επιδερμίδα"},
    "normal": {"en": "for normal skin", "fr": "pour peau normale", "es": "para piel normal",
               "it": "per pelle normale", "de": "für normale Haut", "pl": "do skóry normalnej",
               "cs": "pro normální pleť", "el": "για κανονική επιδερμίδα"},
}
SKIN_ALL: dict[str, dict[str, str]] = {**SKIN, **MORE_SKIN}

# "{n}" is the cap's number. Most renderings name the catalog's currency (USD); Greek names the euro, as
# an advisor in Greece would: with no rate table the engine applies the number as it is (and says so),
# so every language shares one truth, and the metadata records the currency the query states.
PRICE_UNDER: dict[str, str] = {"en": "under ${n}", "fr": "moins de {n} $", "es": "menos de {n} $",
                               "it": "sotto i {n} $", "de": "unter {n} $", "pl": "poniżej {n} $",
                               "cs": "do {n} $", "el": "κάτω από {n} €"}
PRICE_CURRENCY: dict[str, str] = {"el": "EUR"}  # the currency a rendering states, where not USD
PRICE_CAPS = (25, 50)

FAMILY_PATTERNS: tuple[tuple[str, ...], ...] = (
    ("parabens",), ("fragrance",), ("silicones",), ("sulfates",), ("mineral_oils",), ("drying_alcohols",),
    ("essential_oils",), ("parabens", "fragrance"), ("silicones", "sulfates"),
    ("mineral_oils", "drying_alcohols"), ("fragrance", "essential_oils"), ("parabens", "silicones"),
)
# Query shapes per category: (two families?, skin type?, price cap?); hair and body get no skin type.
SHAPES: tuple[tuple[bool, bool, bool], ...] = (
    (False, False, False), (False, True, False), (False, False, True),
    (True, False, False), (True, True, False), (True, False, True),
)


@dataclass(frozen=True)
class CatalogProduct:
    """What the ground truth needs of one exported product."""

    id: str
    name: str
    has_ingredients: bool
    families: frozenset[str]  # from the ingredient list, through the knowledge base
    categories: frozenset[str]  # every level of the category path, normalised
    skin_types: frozenset[str]
    price: float | None
    claims: frozenset[str] = frozenset()  # the product's own claim codes ("without:parabens"...)


@dataclass(frozen=True)
class Combo:
    """One combination of constraints, rendered once per language."""

    id: str
    category: str
    exclude_families: tuple[str, ...]
    skin_type: str | None = None
    price_max: float | None = None

    def constraints(self, lang: str = "en") -> dict[str, Any]:
        """What the rendering in `lang` states (the currency is the one its price names)."""
        return {"exclude_families": list(self.exclude_families), "category": self.category,
                "skin_types": [self.skin_type] if self.skin_type else [], "price_max": self.price_max,
                "currency": PRICE_CURRENCY.get(lang, "USD") if self.price_max is not None else None}


def load_catalog(export: Path = EXPORT) -> list[CatalogProduct]:
    """Every product of the export, its ingredient list analysed by the current knowledge base."""
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.analysis import CachedKnowledge, analyze
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.knowledge.text import normalize_name

    kb = CachedKnowledge(IngredientKnowledge.load())
    out = []
    for r in read_products(Path(export), fmt="sephora").records:
        analysis = analyze(r.ingredients_raw, kb)
        out.append(CatalogProduct(
            id=r.product_id, name=r.name, has_ingredients=bool(analysis.items), families=analysis.families,
            categories=frozenset(normalize_name(level) for level in r.category_path),
            skin_types=frozenset(r.skin_types), price=r.price, claims=frozenset(r.claims)))
    return sorted(out, key=lambda p: p.id)


def grade(product: CatalogProduct, combo: Combo) -> int:
    """The graded relevance of one product for one combination (see the module docstring)."""
    if not product.has_ingredients or product.families & set(combo.exclude_families):
        return 0
    if combo.price_max is not None and (product.price is None or product.price > combo.price_max):
        return 0
    if combo.category not in product.categories:
        return 1
    if combo.skin_type is not None and combo.skin_type not in product.skin_types:
        return 2
    return 4 if product.claims & {f"without:{f}" for f in combo.exclude_families} else 3


def ground_truth(catalog: Sequence[CatalogProduct], combo: Combo) -> dict[str, int]:
    """product id -> grade (> 0 only) for one combination: the full sets, never capped."""
    return {p.id: g for p in catalog if (g := grade(p, combo)) > 0}


def violates(product: CatalogProduct | None, families: Iterable[str]) -> bool:
    """A listed ingredient belongs to an excluded family (a product missing from the export is not judged)."""
    return product is not None and bool(product.families & set(families))


def render(combo: Combo, lang: str) -> str:
    fams = combo.exclude_families
    text = f"{TYPES[combo.category][lang]} {WITHOUT_ALL[fams[0]][lang]}"
    if len(fams) > 1:
        text += f" {AND[lang]} {_second(WITHOUT_ALL[fams[1]][lang], lang)}"
    if combo.skin_type:
        text += f" {SKIN_ALL[combo.skin_type][lang]}"
    if combo.price_max is not None:
        text += " " + PRICE_UNDER[lang].format(n=f"{combo.price_max:g}")
    return text


def _candidates(category: str, shape: tuple[bool, bool, bool]) -> list[Combo]:
    pair, skin, price = shape
    skins: Sequence[str | None] = sorted(SKIN_ALL) if skin else [None]
    prices: Sequence[float | None] = PRICE_CAPS if price else [None]
    return [Combo("", category, fams, s, p) for fams in FAMILY_PATTERNS if (len(fams) == 2) == pair
            for s in skins for p in prices]


def choose_combos(catalog: Sequence[CatalogProduct]) -> list[Combo]:
    """Per category, one combination per query shape, drawn with a fixed seed among those whose
    satisfying set has at least MIN_SATISFYING products and whose exclusion removes something from
    the category (an exclusion no product of the type needs teaches nothing)."""
    rng = random.Random(SEED)
    chosen: list[Combo] = []
    for category in sorted(TYPES):
        in_category = [p for p in catalog if category in p.categories and p.has_ingredients]
        for shape in SHAPES:
            if shape[1] and category in HAIR | BODY:
                shape = (shape[0], False, not shape[2])
            pool = [c for c in _candidates(category, shape)
                    if any(set(c.exclude_families) & p.families for p in in_category)
                    and sum(1 for g in ground_truth(in_category, c).values() if g >= 3) >= MIN_SATISFYING]
            pool = [c for c in pool if (c.category, c.exclude_families, c.skin_type, c.price_max)
                    not in {(x.category, x.exclude_families, x.skin_type, x.price_max) for x in chosen}]
            if pool:
                pick = rng.choice(pool)
                chosen.append(Combo(f"c{len(chosen):03d}", pick.category, pick.exclude_families, pick.skin_type,
                                    pick.price_max))
    return chosen


@dataclass
class Suite:
    combos: list[Combo]
    dataset: BeirDataset  # queries (all languages) and capped qrels
    truth: dict[str, dict[str, int]]  # combo id -> full graded truth


def build_suite(catalog: Sequence[CatalogProduct]) -> Suite:
    combos = choose_combos(catalog)
    truth = {c.id: ground_truth(catalog, c) for c in combos}
    queries: list[BeirQuery] = []
    qrels: Qrels = {}
    for combo in combos:
        full = truth[combo.id]
        counts = {str(g): sum(1 for v in full.values() if v == g) for g in (4, 3, 2, 1)}
        stored = sorted(((pid, g) for pid, g in full.items() if g >= 2), key=lambda x: (-x[1], x[0]))[:QRELS_CAP]
        for lang in LANGUAGES:
            qid = f"{combo.id}-{lang}"
            queries.append(BeirQuery(qid, render(combo, lang), {
                "language": lang, "combo": combo.id, "constraints": combo.constraints(lang),
                "truth_counts": counts, "qrels_complete": len(stored) == counts["4"] + counts["3"] + counts["2"]}))
            qrels[qid] = dict(stored)
    return Suite(combos, BeirDataset(queries=queries, qrels=qrels), truth)


def combos_from_queries(queries: Sequence[BeirQuery]) -> dict[str, Combo]:
    """The combinations a stored suite was rendered from (its queries' metadata)."""
    out: dict[str, Combo] = {}
    for q in queries:
        c = q.metadata["constraints"]
        cid = str(q.metadata["combo"])
        out[cid] = Combo(cid, c["category"], tuple(c["exclude_families"]),
                         (c["skin_types"] or [None])[0], c["price_max"])
    return out


def fingerprint(dataset: BeirDataset) -> str:
    """A short hash of the queries and qrels: equal runs of the generator give equal fingerprints."""
    h = hashlib.sha256()
    for q in dataset.queries:
        h.update(f"{q.id}\t{q.text}\t{sorted(q.metadata.items())}\n".encode())
    for qid in sorted(dataset.qrels):
        h.update(f"{qid}:{sorted(dataset.qrels[qid].items())}\n".encode())
    return h.hexdigest()[:16]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", type=Path, default=EXPORT, help="the Sephora product_info.csv")
    parser.add_argument("--write", action="store_true", help=f"write the suite to {SUITE_DIR}")
    parser.add_argument("--out", type=Path, default=SUITE_DIR)
    args = parser.parse_args(argv)
    if not args.export.is_file():
        print(f"error: the export {args.export} is missing: pass --export PATH/product_info.csv")
        return 2
    from . import beir

    suite = build_suite(load_catalog(args.export))
    langs = len(LANGUAGES)
    print(f"{len(suite.combos)} combinations x {langs} languages = {len(suite.dataset.queries)} queries; "
          f"fingerprint {fingerprint(suite.dataset)}")
    for combo in suite.combos:
        n3 = sum(1 for g in suite.truth[combo.id].values() if g >= 3)
        print(f"  {combo.id} {n3:>5} satisfying  {render(combo, 'en')}")
    if args.write:
        beir.save(args.out, suite.dataset)
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
