"""Label-name resolution: a name as printed on a label -> the ingredient it denotes, and why.

One function (`LabelResolver.resolve`) for ingestion, verification, queries and the commands, so no
path has weaker eyes than another. Each step is recorded as `via`, tried in this order:

  exact       the INCI name itself ("Methylparaben")
  synonym     a name the knowledge base lists for it: INN, Ph. Eur., chemical, trade and common names
              ("Methyl Hydroxybenzoate", "Dimeticone", "Aqua")
  cas         a CAS number printed instead of a name ("99-76-3")
  normalised  the same name once spacing, hyphens, punctuation, parentheses, percentages, "nano",
              pharmacopoeia grades, a CAS number printed after it (one naming another ingredient makes it
              ambiguous) and salt notation are set aside ("Methyl Paraben", "Niacinamide 5%", "Linalool
              78-70-6", "Stearic Acid USP", "Hyaluronic Acid (Sodium Salt)")
  spelling    another spelling system: sulphate/sulfate, aluminium/aluminum, -icon/-icone, -meticone
              (INN) / -methicone, glycerine/glycerin ("Sodium Lauryl Sulphate", "Dimethicon"); an older or
              misspelt botanical name the curation lists ("Citrullus Vulgaris" -> Citrullus Lanatus)
  everyday    an everyday or trade name the curation lists with its source ("Vitamin B12", "Ambroxan"); one
              naming several ingredients ("Vitamin E": tocopherol or its acetate) is one of them, as `plant`
  common      a plant's common name written for its Latin one ("Ginger Root Oil" -> Zingiber Officinale
              Root Oil): the common names CosIng prints in parentheses, plus a curated list
  botanical   a plant ingredient named without its part or common name, when only one ingredient of
              that plant gives that product ("Olea Europaea Oil" -> Olea Europaea (Olive) Fruit Oil)
  part        a part the inventory does not list for that plant's product ("Ziziphus Jujuba Fruit Extract",
              where it lists seed and leaf extracts): that plant's product all the same, one of its listed
              ingredients for the families, as `plant` (fail closed). A part written for an entry that writes
              none ("Butyrospermum Parkii Nut Butter" for Butyrospermum Parkii Butter) is `botanical`
  plant       the same without a part, when several parts of that plant give that product: the item is
              "one of them", an ingredient whose families are all of theirs (plants.py): "Olea Europaea Oil";
              also a plant named alone ("Passiflora Edulis"): one of every ingredient of that plant
  parts       "Water/Aqua/Eau": a strict majority of the slash-separated parts name one ingredient and
              the others are plain words (no digits, no family rule fires on them)
  typo        a misprint of a known name (typos.py): "Fragance", "Caffeinee"

  not_ingredient  text that is certainly no substance ("Cotton Wick", "FDA Approved"): a curated list and
              narrow patterns (curation.json `label_names`), tried only after every table; the item
              names nothing, so it neither supports nor blocks a "free of" (see verify.py)

A name none of these identifies is `unidentified`. A typo shared by two ingredients at the same
distance is never guessed: it stays unidentified, but its candidates are kept so that exclusions can
count their families (fail closed).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conseil.search.knowledge.label_names import LabelNames
from conseil.search.knowledge.plants import COMMON_NAME, bare_plants, botanical_key, plant_parts
from conseil.search.knowledge.text import normalize_name
from conseil.search.knowledge.typos import (
    TYPO_DROPPED_LETTER_LENGTH,
    TYPO_MIN_LENGTH,
    nearest_names,
    typo_candidate,
)
from conseil.search.knowledge.variants import normalised_variants, respell

VIA_STEPS = ("exact", "synonym", "cas", "normalised", "spelling", "everyday", "common", "botanical", "part", "plant",
             "parts", "typo")
UNIDENTIFIED = "unidentified"
NOT_INGREDIENT = "not_ingredient"  # identified as no substance at all; not an ingredient step
TRUSTED_STEPS = frozenset({"exact", "synonym", "cas", "normalised"})  # the name is the ingredient's own

_CAS = re.compile(r"^(?:cas\s*(?:no\.?|number|#)?\s*:?\s*)?(\d{2,7}-\d{2}-\d)$")
# "Linalool 78-70-6", "Coconut Oil (CAS 84836-98-6)": a name followed by its CAS number
_NAME_AND_CAS = re.compile(r"^(?P<name>.*?[a-z].*?)[\s(]+(?:cas\s*(?:no\.?|number|#)?\s*:?\s*)?"
                           r"(?P<cas>\d{2,7}-\d{2}-\d)\)?$")
_PARENS = re.compile(r"\([^()]*\)")
_SLASHES = re.compile(r"[/\\]")
_DIGITS = re.compile(r"\d")
_LOOSE = re.compile(r"[^a-z0-9]")
_CERA = re.compile(r"\bcera\b")
_PLAIN_WORDS = re.compile(r"^[a-z]+(?: [a-z]+)+$")  # no digits, brackets or slashes: one plant, one part
_BARE_PLANT = re.compile(r"^[a-z]+ [a-z]+(?: [a-z]+)?$")  # "passiflora edulis", "citrus aurantium dulcis"
class Named(Protocol):
    """What resolution needs of an ingredient (satisfied by base.Ingredient)."""

    @property
    def canonical(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def synonyms(self) -> tuple[str, ...]: ...
    @property
    def cas(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Resolution:
    name: str  # as given
    index: int | None  # position of the ingredient in the knowledge base, None if unidentified
    via: str  # one of VIA_STEPS, or UNIDENTIFIED
    matched: str = ""  # the form that matched ("dimethicone" for "Dimethicon")
    candidates: tuple[int, ...] = ()  # ambiguous typo: every ingredient at the best distance
    distance: int = 0  # edits, for a typo
    trail: tuple[str, ...] = field(default=(), compare=False)  # steps tried, for `knowledge explain`
    plant: str = ""  # botanical key when the name is one of `candidates`, a plant's parts (plants.py)

    @property
    def identified(self) -> bool:
        return self.index is not None


def compact_key(normalized: str) -> str:
    return normalized.replace(" ", "").replace("-", "")


def loose_key(normalized: str) -> str:
    key = compact_key(normalized)
    return key if key.isalnum() and key.isascii() else _LOOSE.sub("", normalized)


class LabelResolver:
    """Resolution over one knowledge base's ingredients. `exact` is the load-time index (normalised
    name -> position); the looser tables, the CAS table and the typo buckets are built on first need."""

    def __init__(self, ingredients: Sequence[Named], exact: dict[str, int],
                 exact_key: Callable[[str], str], flagged: Callable[[str], bool] = lambda name: False,
                 names: LabelNames | None = None) -> None:
        self._ingredients = ingredients
        self._names = names or LabelNames()
        self._exact = exact
        self._exact_key = exact_key  # name -> its exact-table key (normalize_name + colour index form)
        self._flagged = flagged  # does a family pattern rule fire on this name?
        self._compact: dict[str, int] | None = None
        self._loose: dict[str, int] = {}
        self._cas: dict[str, set[int]] = {}  # one CAS number may name several INCI entries (PEG-n series)
        self._typo: dict[int, tuple[list[str], list[int]]] | None = None
        self._plants: dict[str, set[int]] = {}
        self._bare: dict[str, set[int]] = {}  # "passiflora edulis" -> every ingredient of that plant
        self._common: dict[str, str] = {}  # "ginger" -> "zingiber officinale" (one plant only)
        self._building = threading.Lock()  # a server warms the tables in a thread while requests arrive

    def warm(self) -> None:
        """Build the lazy tables now (a server calls this at start, off the request path)."""
        self._typo_buckets()
        from rapidfuzz.distance import OSA  # noqa: F401 - the import is part of the first typo's cost
        from rapidfuzz.process import extract  # noqa: F401

    # -- tables ----------------------------------------------------------------------------------

    def _looser(self) -> tuple[dict[str, int], dict[str, int]]:
        """Compact and loose keys; one shared by two ingredients is ambiguous and dropped, never guessed."""
        if self._compact is not None:  # assigned last, so a reader never sees half-built tables
            return self._compact, self._loose
        with self._building:
            if self._compact is not None:
                return self._compact, self._loose
            return self._build_looser()

    def _build_looser(self) -> tuple[dict[str, int], dict[str, int]]:
        tables: tuple[dict[str, int], dict[str, int]] = ({}, {})
        ambiguous: tuple[set[str], set[str]] = (set(), set())
        commons: dict[str, set[str]] = {}
        for idx, ing in enumerate(self._ingredients):
            for name in (ing.canonical, *ing.synonyms):
                exact = self._exact_key(name)
                for table, amb, key in zip(tables, ambiguous, (compact_key(exact), loose_key(exact))):
                    if table.setdefault(key, idx) != idx:
                        amb.add(key)
                stripped = " ".join(_PARENS.sub(" ", exact).split()) if "(" in exact else ""
                if stripped:  # 'Olea Europaea (Olive) Fruit Oil' is also known as 'Olea Europaea Fruit Oil'
                    for table, amb, key in zip(tables, ambiguous, (compact_key(stripped), loose_key(stripped))):
                        if table.setdefault(key, idx) != idx:
                            amb.add(key)
                plant = botanical_key(stripped or exact)
                if plant:
                    self._plants.setdefault(plant, set()).add(idx)
                    for bare in bare_plants(stripped or exact):
                        self._bare.setdefault(bare, set()).add(idx)
                    self._learn_common(exact, commons)
            for cas in ing.cas:
                self._cas.setdefault(cas, set()).add(idx)
        for table, amb in zip(tables, ambiguous):
            for key in amb:
                del table[key]
        # a common name printed for two plants ("chamomile": Anthemis, Chamomilla) is never guessed
        self._common = {c: next(iter(p)) for c, p in commons.items()
                        if len(p) == 1 and c not in self._names.ambiguous_common_names}
        self._common.update(self._names.common_names)  # curated, sourced: they decide
        self._loose = tables[1]
        self._compact = tables[0]
        return tables

    @staticmethod
    def _learn_common(exact: str, commons: dict[str, set[str]]) -> None:
        """'zingiber officinale (ginger) root oil': 'ginger' is a common name of 'zingiber officinale'."""
        found = COMMON_NAME.match(exact)
        if found and found["common"] != found["plant"].split()[0]:  # "Eucalyptus Globulus (Eucalyptus)"
            commons.setdefault(found["common"], set()).add(found["plant"])

    def _typo_buckets(self) -> dict[int, tuple[list[str], list[int]]]:
        if self._typo is None:
            compact, _ = self._looser()
            # a compact key two ingredients share was dropped; its exact name still resolves (the first
            # owner, as the exact table says), so a misprint of it resolves to the same
            every = dict(compact)
            for key, idx in self._exact.items():
                every.setdefault(compact_key(key), idx)
            buckets: dict[int, tuple[list[str], list[int]]] = {}
            for key, idx in every.items():
                if len(key) >= TYPO_DROPPED_LETTER_LENGTH - 2:
                    keys, owners = buckets.setdefault(len(key), ([], []))
                    keys.append(key)
                    owners.append(idx)
            self._typo = buckets
        return self._typo

    # -- resolution ------------------------------------------------------------------------------

    def _table_step(self, name: str, trusted_via: str) -> Resolution | None:
        """exact/synonym (when trusted_via is ""), else the given step for compact and loose keys."""
        exact = self._exact_key(name)
        idx = self._exact.get(exact)
        if idx is not None:
            if trusted_via:
                return Resolution(name, idx, trusted_via, exact)
            own = self._exact_key(self._ingredients[idx].canonical)
            return Resolution(name, idx, "exact" if own == exact else "synonym", exact)
        compact, loose = self._looser()
        for table, key in ((compact, compact_key(exact)), (loose, loose_key(exact))):
            idx = table.get(key)
            if idx is not None:
                return Resolution(name, idx, trusted_via or "normalised", key)
        return None

    def resolve(self, name: str) -> Resolution:
        trail: list[str] = []
        found = self._resolve(name, trail)
        return Resolution(found.name, found.index, found.via, found.matched, found.candidates, found.distance,
                          tuple(trail), found.plant)

    def _resolve(self, name: str, trail: list[str], common_ok: bool = True) -> Resolution:
        key = normalize_name(name)
        if not key:
            return Resolution(name, None, UNIDENTIFIED)
        found = self._table_step(name, "")
        if found is not None:
            return found
        trail.append("exact/synonym: no")
        cas = _CAS.match(key)
        if cas:
            self._looser()
            owners = sorted(self._cas.get(cas.group(1), ()))
            if len(owners) == 1:
                return Resolution(name, owners[0], "cas", cas.group(1))
            if owners:  # generic CAS numbers (all PEG-n Stearates share one): never guessed, fail closed
                trail.append(f"cas {cas.group(1)}: shared by {len(owners)} ingredients, not guessed")
                return Resolution(name, None, UNIDENTIFIED, candidates=tuple(owners))
            trail.append(f"cas {cas.group(1)}: not in the inventory")
        named = _NAME_AND_CAS.match(key)
        if named:
            return self._name_and_cas(name, named["name"], named["cas"], trail)
        variants = normalised_variants(key)
        for variant in variants:
            found = self._table_step(variant, "normalised")
            if found is not None:
                return Resolution(name, found.index, "normalised", found.matched)
        trail.append("normalised: no")
        for variant in dict.fromkeys([key, *variants]):
            spelled = self._respell(variant)
            if spelled != variant:
                found = self._table_step(spelled, "spelling")
                if found is not None:
                    return Resolution(name, found.index, "spelling", spelled)
        trail.append("spelling: no")
        # the name as written, or without "organic"-style qualifiers: "Natural Coconut Soy Wax"
        day_key = next((k for k in (key, *variants) if k in self._names.everyday_names), key)
        everyday = self._names.everyday_names.get(day_key, ())
        owners = sorted({self._exact[i] for i in map(self._exact_key, everyday) if i in self._exact})
        if len(owners) == 1:  # "Vitamin B12": curated with its source (curation.json `label_names`)
            return Resolution(name, owners[0], "everyday", day_key)
        if owners:  # "Vitamin E": tocopherol or its acetate, whichever: one of them (plants.py), fail closed
            return Resolution(name, None, "everyday", day_key, tuple(owners), plant=day_key)
        common = self._common_name(self._respell(variants[-1] if variants else key)) if common_ok else ""
        if common:  # once: "eucalyptus" of "Eucalyptus Globulus (Eucalyptus) Oil" would rewrite forever
            found = self._resolve(common, trail, common_ok=False)
            if found.identified or found.plant:
                via = found.via if found.via in ("typo", UNIDENTIFIED) else "common"
                return Resolution(name, found.index, via, common, found.candidates, found.distance,
                                  plant=found.plant)
            trail.append(f"common: {common!r} names nothing")
        plant_name = self._respell(variants[0] if variants else key)
        plant = botanical_key(plant_name)
        owners = sorted(self._plants.get(plant, ())) if plant else []
        written = plant_parts(plant_name)
        # A part written decides ("Ziziphus Jujuba Fruit Extract" is no other part's extract), but every
        # candidate of the plant stays a candidate: their families still count (fail closed)
        listed = {i: plant_parts(self._exact_key(self._ingredients[i].canonical)) for i in owners}
        chosen = [i for i in owners if listed[i] == written] if written else owners
        if written and not chosen:  # "Butyrospermum Parkii Nut Butter": the inventory's entry writes no part
            chosen = [i for i in owners if not listed[i]]
        if len(chosen) == 1:
            return Resolution(name, chosen[0], "botanical", plant)
        if owners:
            trail.append(f"botanical: {len(owners)} part(s) of that plant give it, "
                         f"{len(chosen)} with the part written: not guessed")
            typo = self._typo_step(name, self._respell(variants[-1] if variants else key), [])
            if typo.identified:  # a misprinted part: "Camellia Sinensis Leaf Extrakt"
                return typo
            if written and not chosen and _PLAIN_WORDS.match(" ".join(_PARENS.sub(" ", plant_name).split())):
                # "Ziziphus Jujuba Fruit Extract": a part the inventory does not list for this plant's product
                # is none of the candidates, but is that plant's product all the same: one of them for its
                # families (plants.py), fail closed, recorded as its own step
                trail.append(f"part: {' '.join(sorted(written))} is not among the {len(owners)} listed")
                return Resolution(name, None, "part", plant, tuple(owners), plant=plant)
            # no part written: one of these (plants.py); several parts written, none chosen: never guessed
            return Resolution(name, None, UNIDENTIFIED, plant, tuple(owners), plant="" if written else plant)
        bare = sorted(self._bare.get(plant_name, ())) if _BARE_PLANT.match(plant_name) else []
        if bare:  # "Passiflora Edulis": one of that plant's ingredients, whichever (plants.py)
            trail.append(f"plant: named alone; one of its {len(bare)} ingredient(s)")
            return Resolution(name, None, UNIDENTIFIED, plant_name, tuple(bare), plant=plant_name)
        if self._names.not_ingredient(key):
            return Resolution(name, None, NOT_INGREDIENT, key)
        parts = [p for p in _SLASHES.split(key) if p.strip()]
        if len(parts) > 1:
            hits = [self._resolve(p, []) for p in parts]
            known = {h.index for h in hits if h.index is not None}
            first = next((h.index for h in hits if h.index is not None), None)
            if len(known) > 1 and first is not None and self._same_substance(known):
                known = {first}  # "Beeswax/Cera Alba": the US and EU names of one substance (one CAS number)
            # the French words of a bilingual label translate the other parts: no other substance
            kept = [(p, h) for p, h in zip(parts, hits) if not self._names.translation(p.strip())]
            others = [p for p, h in kept if h.index is None]
            parts = [p for p, _ in kept]
            plain = not any(_DIGITS.search(p) or self._flagged(p) for p in others)
            if len(known) == 1 and 2 * len(others) < len(parts) and plain:
                return Resolution(name, known.pop(), "parts", key)
            trail.append("parts: not one ingredient, or an unknown part could be another substance")
        return self._typo_step(name, self._respell(variants[-1] if variants else key), trail)

    def _respell(self, key: str) -> str:
        return self._names.rename_plant(respell(key))

    def _common_name(self, key: str) -> str:
        """'ginger root oil' -> 'zingiber officinale root oil' (the longest common name that starts it)."""
        words = key.split()
        # never a common name alone: "Ginger" in "Zingiber Officinale (Ginger) Root Extract" glosses the
        # extract, and as one of every ginger ingredient it would add the oil's families to it
        for n in range(min(3, len(words) - 1), 0, -1):
            plant = self._common.get(" ".join(words[:n]))
            if plant:
                return " ".join([plant, *words[n:]])
        return ""

    def _name_and_cas(self, name: str, written: str, cas: str, trail: list[str]) -> Resolution:
        """A name printed with its CAS number: the name decides, but a number that names another
        ingredient makes the item ambiguous (never guessed: both are candidates, fail closed)."""
        found = self._resolve(written, trail)
        self._looser()
        others = self._cas.get(cas, set())
        if found.index is None or not others or found.index in others:
            via = "normalised" if found.via in ("exact", "synonym") else found.via  # the name's own step
            return Resolution(name, found.index, via, found.matched, found.candidates, found.distance)
        trail.append(f"cas {cas}: names another ingredient than {written!r}: not guessed")
        return Resolution(name, None, UNIDENTIFIED, candidates=tuple(sorted({found.index, *others})))

    def _same_substance(self, indexes: set[int]) -> bool:
        """Do these entries share a CAS number that no other entry has (Beeswax, Cera Alba), or are they the EU
        "Cera" and US "Wax" names of one plant's wax ("Oryza Sativa Cera/Rice Bran Wax")?"""
        shared = set.intersection(*(set(self._ingredients[i].cas) for i in indexes))
        if any(self._cas.get(cas) == indexes for cas in shared):
            return True
        waxes = {botanical_key(_CERA.sub("wax", self._exact_key(self._ingredients[i].canonical))) for i in indexes}
        return len(waxes) == 1 and "" not in waxes and next(iter(waxes)).endswith(" wax")

    def _typo_step(self, name: str, key: str, trail: list[str]) -> Resolution:
        query = compact_key(key)
        if not typo_candidate(query):
            trail.append(f"typo: not tried (shorter than {TYPO_MIN_LENGTH} letters or several names)")
            return Resolution(name, None, UNIDENTIFIED)
        best, max_edits = nearest_names(query, plant_parts(key), self._typo_buckets(), self._parts_of)
        if not best:
            trail.append(f"typo: nothing within {max_edits} edit(s)")
            return Resolution(name, None, UNIDENTIFIED)
        nearest = min(best.values())
        winners = tuple(sorted(i for i, d in best.items() if d == nearest))
        if len(winners) > 1:
            names = ", ".join(self._ingredients[i].canonical for i in winners)
            trail.append(f"typo: ambiguous at {nearest} edit(s) ({names}): not guessed")
            return Resolution(name, None, UNIDENTIFIED, candidates=winners, distance=nearest)
        return Resolution(name, winners[0], "typo", self._ingredients[winners[0]].canonical, distance=nearest)

    def _parts_of(self, idx: int) -> set[frozenset[str]]:
        """The plant parts each name of an ingredient writes ('Eucalyptus Globulus Oil' is also known
        as '... Leaf Oil')."""
        ing = self._ingredients[idx]
        return {plant_parts(self._exact_key(n)) for n in (ing.canonical, *ing.synonyms)}
