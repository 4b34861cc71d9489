"""An ingredient list analysed against the knowledge base: each parsed item resolved (with `via`),
the families of the product, and what stays unidentified.

`inci.py` turns the raw text into items; this module asks the knowledge base about each of them,
through `CachedKnowledge` so that a whole catalog pays each distinct name once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from conseil.search.knowledge.fields import _Fields
from conseil.search.knowledge.inci import _MEMO_SIZE, InciItem, _parse
from conseil.search.knowledge.merged import OWN_STEPS, glued_candidate, joins, same_thing, split_words, unglue


class IngredientLike(Protocol):
    @property
    def canonical(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def families(self) -> frozenset[str]: ...
    @property
    def groups(self) -> tuple[str, ...]: ...  # group head keys: a salt also lists its acid


class ResolutionLike(Protocol):
    @property
    def via(self) -> str: ...  # the resolution step (see conseil.search.knowledge.resolve)


class KnowledgeLike(Protocol):
    """What `analyze` needs; satisfied by conseil.search.knowledge.base.IngredientKnowledge."""

    def resolve(self, name: str) -> IngredientLike | None: ...
    def resolve_label(self, name: str) -> ResolutionLike: ...  # how resolve() found it
    def families_of_name(self, name: str) -> frozenset[str]: ...  # pattern rules, known or not
    def scan(self, text: str) -> Sequence[IngredientLike]: ...  # known names inside a longer text


@dataclass(frozen=True)
class ResolvedItem:
    item: InciItem
    canonical: str | None  # canonical display name if the item itself is known
    key: str  # canonical key if known, else item.name
    families: frozenset[str]
    via: str  # "name" | "alternative" | "split" | "pattern" | "scan" | "not_ingredient" | "unknown"
    step: str = "unidentified"  # how it resolved: "exact", "synonym", "typo"..., "split", "joined", "unglued",
    #                             "slash" (merged.py); the item's parse repairs are item.repairs


@dataclass(frozen=True)
class Analysis:
    items: tuple[ResolvedItem, ...]
    canonical_keys: frozenset[str]  # every known ingredient found (incl. scan hits, alternatives)
    names: frozenset[str]  # every normalised name and alternative as written
    families: frozenset[str]  # union over items, alternatives, pattern rules and scan hits
    unknown: tuple[str, ...]  # item names the knowledge base does not know as such
    notes: tuple[str, ...]


_Resolution = tuple[IngredientLike | None, str, frozenset[str], tuple[str, ...], str]  # main, via, families,
#                                                                                       keys, step


class CachedKnowledge:
    """A KnowledgeLike that remembers parsed pieces and resolved items, for a whole catalogue.

    Wrap the knowledge base once per ingest run and pass the wrapper to `analyze`: a catalogue
    has some 300,000 items but under 20,000 distinct ones, so each distinct item text is parsed
    and resolved once. Name lookups go straight to the knowledge base, which memoises them itself
    (search-time verification needs that too). A table reaching `maxsize` is emptied.
    """

    def __init__(self, kb: KnowledgeLike, maxsize: int = _MEMO_SIZE) -> None:
        self.kb = kb
        self.maxsize = maxsize
        self.pieces: dict[str, _Fields | str | None] = {}  # used by analyze's parsing
        self.items: dict[str, _Resolution] = {}  # item text -> its resolution (same text, same item)

    def _room(self, table: dict[str, Any]) -> dict[str, Any]:
        if len(table) >= self.maxsize:
            table.clear()
        return table

    def resolve(self, name: str) -> IngredientLike | None:
        return self.kb.resolve(name)

    def resolve_label(self, name: str) -> ResolutionLike:
        return self.kb.resolve_label(name)

    def families_of_name(self, name: str) -> frozenset[str]:
        return self.kb.families_of_name(name)

    def scan(self, text: str) -> Sequence[IngredientLike]:
        return self.kb.scan(text)


def _resolve_item(item: InciItem, kb: KnowledgeLike) -> _Resolution:
    """Union of what the main name, the alternatives, the pattern rules and a scan of the text say."""
    families: set[str] = set()
    keys: dict[str, None] = {}
    main: IngredientLike | None = None
    via, step = "unknown", "unidentified"
    # A part of one slashed name ("PPG-12" of "Dimethicone PEG/PPG-12/4 Phosphate") adds its families and
    # key but does not identify the item: only the whole name, a bracketed name or the raw text can.
    slash_parts = frozenset(item.name.split("/")) if "/" in item.name else frozenset()
    # the raw text last: "Tris (Tetramethylhydroxypiperidinol) Citrate" is one name, not "tris citrate"
    for name in (item.name, *item.alternatives, *((item.raw,) if item.raw != item.name else ())):
        families |= kb.families_of_name(name)
        hit = kb.resolve(name)
        if hit is not None:
            keys[hit.key] = None
            keys.update(dict.fromkeys(hit.groups))  # "with hyaluronic acid" finds Sodium Hyaluronate
            families |= hit.families
            if main is None and name not in slash_parts:
                main, via = hit, "name" if name in (item.name, item.raw) else "alternative"
                step = kb.resolve_label(name).via
    scanned = kb.scan(item.raw)  # "Parfum (Fragrance) D-Limonene": a missing comma hides Limonene
    for ingredient in scanned:
        keys[ingredient.key] = None
        families |= ingredient.families
    if main is None and slash_parts:  # "Iris Florentina/Iris Florentina Root Extract" (merged.same_thing)
        own = {p: hit for p in slash_parts if (hit := kb.resolve(p)) is not None
               and kb.resolve_label(p).via in OWN_STEPS}
        if same_thing(tuple(slash_parts), {p: h.key for p, h in own.items()},
                      lambda key: tuple(h.canonical.lower() for h in own.values() if h.key == key)):
            main, via, step = next(iter(own.values())), "alternative", "slash"
    step_of = (lambda n: kb.resolve_label(n).via)
    if main is None and (scanned or glued_candidate(item.name)):
        parts = split_words(item.name, step_of) if scanned else ()
        unglued = not parts and bool(parts := unglue(item.name, step_of))
        for part in parts:  # "Butylene Glycol Menthol": every word belongs to a name of its own
            hit = kb.resolve(part)
            if hit is not None:
                keys[hit.key] = None
                keys.update(dict.fromkeys(hit.groups))
                families |= hit.families | kb.families_of_name(part)
        if parts:
            return None, "split", frozenset(families), tuple(keys), "unglued" if unglued else "split"
    if main is None:
        via = "scan" if scanned else "pattern" if families else "unknown"
        if via == "unknown" and kb.resolve_label(item.name).via == "not_ingredient":
            via = step = "not_ingredient"  # "Cotton Wick": no substance, so not an unidentified one
    return main, via, frozenset(families), tuple(keys), step


def _rejoin(items: Sequence[InciItem], kb: KnowledgeLike) -> tuple[Sequence[InciItem], frozenset[str]]:
    """Neighbouring items that are one name cut by a stray comma ("Ethylhexyl, Methoxycinnamate"),
    joined (see merged.py): the items, and the raw texts of the joined ones (none, most often)."""
    out: list[InciItem] = []
    raws: set[str] = set()
    for item in items:
        last = out[-1] if out else None
        if last is not None and last.variant == item.variant and last.may_contain == item.may_contain and (
                name := joins(last.name, item.name, lambda n: kb.resolve_label(n).via)):
            out[-1] = replace(last, raw=f"{last.raw}, {item.raw}", name=name, alternatives=tuple(dict.fromkeys(
                (last.name, item.name, *last.alternatives, *item.alternatives))))
            raws.add(out[-1].raw)
        else:
            out.append(item)
    return (out, frozenset(raws)) if raws else (items, frozenset())


def analyze(raw: str | None, kb: KnowledgeLike) -> Analysis:
    """Parse a declaration and resolve every item, erring towards *more* families, never fewer.

    An item's families are the union over its main name, its alternatives, the pattern rules and
    the known names found inside its raw text, so "Parfum (Fragrance) D-Limonene" yields both
    fragrance and limonene. Pass a `CachedKnowledge` to share the work across calls.
    """
    cached = kb if isinstance(kb, CachedKnowledge) else None
    declaration = _parse(raw, cached.pieces if cached else None)
    memo: dict[str, _Resolution] = cached._room(cached.items) if cached else {}  # else per call
    out: list[ResolvedItem] = []
    keys: set[str] = set()
    names: set[str] = set()
    families: set[str] = set()
    unknown: dict[str, None] = {}
    items, joined = _rejoin(declaration.items, kb)
    for item in items:
        if item.raw not in memo:
            memo[item.raw] = _resolve_item(item, kb)
        main, via, item_families, item_keys, step = memo[item.raw]
        if main is not None and item.raw in joined:
            step = "joined"
        names.add(item.name)
        names.update(item.alternatives)
        keys.update(item_keys)
        families |= item_families
        if main is None and via not in ("split", "not_ingredient"):
            unknown[item.name] = None
        out.append(ResolvedItem(item, main.canonical if main else None, main.key if main else item.name,
                                item_families, via, step))
    return Analysis(tuple(out), frozenset(keys), frozenset(names), frozenset(families), tuple(unknown),
                    declaration.notes)
