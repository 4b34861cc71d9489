"""INCI declaration parser: raw ingredient text -> items, kit variants and set-aside notes.

Trust is the product: an advisor tells a client "paraben-free" on the strength of what this
parser extracts, so every ambiguous case is resolved by *keeping* text as an item (an unknown
item is harmless, a lost one can hide an excluded ingredient). Prose, marketing bullets and
footnote definitions are set aside as `notes`, never silently dropped.

`analysis.analyze` then looks every item up in the knowledge base (main name, alternative names,
pattern rules and known names found inside the item text), so missing commas in the source
("Parfum (Fragrance) D-Limonene") still surface every family.

Pipeline: element (Sephora stores a Python list of strings) -> `cutting._prepare` (repairs and
markers) -> clauses (sentences, at depth 0) -> label colons ("Shade A:", "May contain:",
"-Niacinamide:") -> comma pieces -> `fields._read_piece` (one item, a note, or nothing). This module
walks the clauses in order (kit variants, may-contain sections); `prose.py` tells sentences from lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conseil.search.knowledge.cutting import (
    _END_MAY,
    _MARK_RE,
    _MAY,
    _clauses,
    _elements,
    _label_colon,
    _pieces,
    _prepare,
)
from conseil.search.knowledge.fields import _BULLET, _Fields, _read_piece
from conseil.search.knowledge.prose import (
    _CLAIM,
    _INCI_HINT,
    _STRONG,
    _is_prose,
    _looks_like_list,
    _prose_like,
    _top,
)

__all__ = ["Declaration", "InciItem", "parse_declaration"]

@dataclass(frozen=True)
class InciItem:
    raw: str  # the item text as written (trimmed)
    name: str  # normalize_name() of the main name, without percentages, footnote marks, "nano"
    alternatives: tuple[str, ...]  # normalised names given in parentheses or after slashes
    variant: str | None  # kit/shade label the item belongs to, if any
    may_contain: bool  # listed under "May contain / +/-": still counts as present for exclusions
    percent: float | None
    nano: bool
    repairs: tuple[str, ...] = ()  # how the text was repaired before reading (fields.REPAIR_*)


@dataclass(frozen=True)
class Declaration:
    items: tuple[InciItem, ...]
    variants: tuple[str, ...]
    notes: tuple[str, ...]  # prose and marketing text set aside (never lost: kept here)



_I = re.IGNORECASE
_BULLET_AND = re.compile(r"\s+(?:&|\+|and)\s+", _I)  # never "D&C Red 7": spaces on both sides
_MEMO_SIZE = 200_000  # bound of CachedKnowledge's tables: emptied when full

# --- declaration -------------------------------------------------------------------------------

_GENERIC_LABEL = re.compile(  # labels that start no kit variant
    r"^(?:full |other |inactive |active |non-?medicinal |medicinal |key |main )?(?:ingredients?"
    r"|ingr[ée]dients|inci|composition|contains|allergens?|formula|base)\b|^all\b.*\bshades\b", _I)


class _Builder:
    """Walks clauses in order, carrying the current kit variant and may-contain section."""

    def __init__(self, memo: dict[str, _Fields | str | None] | None) -> None:
        self.memo = memo  # piece text -> what it reads as; shared across calls by CachedKnowledge
        self.items: list[InciItem] = []
        self.notes: list[str] = []
        self.variants: list[str] = []
        self.variant: str | None = None
        self.may = False
        self.next_may = False  # a "May contain:" element announces the next one
        self.next_claim = False  # a "Formulated without:" element announces prose, not items

    def element(self, element: str) -> None:
        self.may, self.next_may = self.next_may, False
        if self.next_claim:
            self.next_claim = False
            self.note(element)
            return
        clauses = [c for c in _clauses(_prepare(element)) if c in (_MAY, _END_MAY) or c.strip(" \t,")]
        for clause in clauses:
            if clause in (_MAY, _END_MAY):
                self.may = clause == _MAY
            else:
                self.clause(clause.strip(" \t,"), whole_element=len(clauses) == 1)
        self.next_may = self.next_may or (bool(clauses) and clauses[-1] == _MAY)  # "..., May Contain:"

    def clause(self, text: str, whole_element: bool) -> None:
        for _ in range(64):  # "Kit: Shade A: Water, ...": a loop rather than recursion, for hostile input
            pos = _label_colon(text)
            if pos is None:
                self.sentence(_pieces(text), text)
                return
            prefix, body = text[:pos], text[pos + 1 :]
            bullet = bool(_BULLET.match(prefix))
            head = _pieces(prefix)
            header_only = whole_element and not body.strip()  # a kit label element: "Shade A:"
            if _CLAIM.search(_top(prefix)):  # "Clean at Sephora products are formulated without: ..."
                self.note(text)
                self.next_claim = header_only
                return
            if not header_only and any(_prose_like(p) and _STRONG.search(_top(p)) for p in head):
                self.note(prefix)  # "... Dioxane must comply with the thresholds as follows: (...)"
                text = body.strip(" \t,")  # the body is judged on its own: a list stays items
                continue
            # A label element naming several shades ("Aura, Intuition, Zen:") is one label, but a
            # list glued to the next label ("..., Glycerin, Squalane Gel:") keeps its items.
            inci = sum(bool(_INCI_HINT.search(p)) for p in head)
            whole = bullet or (header_only and (len(head) < 3 or inci * 2 <= len(head)))
            before, label_pieces = ([], head) if whole else (head[:-1], head[-1:])
            if bullet:  # "-Centella Asiatica & Madecassoside: Soothe...": a highlight naming two ingredients
                label_pieces = [q for p in label_pieces for q in _BULLET_AND.split(p) if q.strip()]
            body_pieces = _pieces(body)
            if body_pieces and (_is_prose(body_pieces) or (bullet and not _looks_like_list(body_pieces))):
                self.add(before + label_pieces)  # marketing bullet: keep the ingredient it names
                self.note(body.strip())
                return
            self.add(before + label_pieces if bullet else before)  # "-Name: ..." names an ingredient
            label = _BULLET.sub("", " ".join(", ".join(label_pieces).split())).strip(" .,;*")
            self.label(label, label_pieces, mid_list=bool(before), header_only=header_only)
            text = body.strip(" \t,")
        self.note(text)

    def sentence(self, pieces: list[str], text: str) -> None:
        if _is_prose(pieces, strong_first=False):
            self.note(text)
            return
        # Prose glued before a list ("Formulated with Hibiscus, whose flower is ..., Water, ..."):
        # set the sentence aside and keep the rest - losing the list would be worse.
        lead = 0
        while lead < len(pieces) - 1 and _prose_like(pieces[lead]) and _STRONG.search(pieces[lead]):
            lead += 1
        if lead:
            self.note(", ".join(pieces[:lead]))
        self.add(pieces[lead:])

    def label(self, label: str, pieces: list[str], mid_list: bool, header_only: bool) -> None:
        if _MARK_RE.search(label):
            self.may = True
            self.next_may = header_only
        elif not label or _GENERIC_LABEL.search(label):
            pass  # "Ingredients:", "Active Ingredients:": no new variant
        elif mid_list:  # a colon mid-list ("Terpineol Allergens: ...") may still name an ingredient
            self.add(pieces)
            if header_only:  # "..., Glycerin, Squalane + Probiotic Gel:" then that product's list
                self.set_variant(label)
        else:
            self.set_variant(label)

    def set_variant(self, label: str) -> None:
        self.variant, self.may = label, False
        if label not in self.variants:
            self.variants.append(label)

    def add(self, pieces: list[str]) -> None:
        memo = self.memo
        for piece in pieces:
            if memo is None:
                read = _read_piece(piece)
            elif piece in memo:
                read = memo[piece]
            else:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                read = memo[piece] = _read_piece(piece)
            if isinstance(read, tuple):
                name, alternatives, percent, nano, repairs = read
                self.items.append(
                    InciItem(piece, name, alternatives, self.variant, self.may, percent, nano, repairs))
            elif read is not None:
                self.note(piece)

    def note(self, text: str) -> None:
        text = " ".join(text.split()).strip(" ,")
        if text and text not in self.notes:
            self.notes.append(text)


def parse_declaration(raw: str | None) -> Declaration:
    """Parse one ingredient declaration (plain text or Sephora's list literal). Never raises."""
    return _parse(raw, None)


def _parse(raw: str | None, memo: dict[str, _Fields | str | None] | None) -> Declaration:
    if not raw or not raw.strip():
        return Declaration((), (), ())
    builder = _Builder(memo)
    for element in _elements(raw):
        builder.element(element)
    return Declaration(tuple(builder.items), tuple(builder.variants), tuple(builder.notes))
