"""Assembling an `Interpretation`: chips in query order, constraints derived from them, contradictions,
and the semantic text left over once the constraints are claimed.

Constraints are computed from the chips, so what the advisor sees (and removes) and what filters
the search can never disagree. Both the parser and `merge_explicit` assemble through `Builder`.
"""

from __future__ import annotations

from dataclasses import dataclass

from conseil.search.errors import QueryError
from conseil.search.query.lexicon import FILLERS, FUNCTION_WORDS
from conseil.search.query.messages import message, names_by_language
from conseil.search.query.model import Chip, Constraints, Interpretation, KnowledgeVocabulary
from conseil.search.query.tokens import TokenState

_FIELDS: dict[str, str] = {
    "exclude_family": "exclude_families",
    "exclude_ingredient": "exclude_ingredients",
    "include_ingredient": "include_ingredients",
    "skin_type": "skin_types",
    "concern": "concerns",
    "category": "categories",
    "brand": "brands",
}


@dataclass(frozen=True)
class Term:
    """A family or ingredient named in the query, by token span."""

    kind: str  # "family" | "ingredient" | "unknown"
    value: str  # family id, ingredient key, or normalize_name of an unknown name
    start: int
    end: int
    known: bool
    text: str  # as typed
    families: frozenset[str] = frozenset()


def format_number(value: float) -> str:
    """30.0 -> "30", 29.99 -> "29.99": the chip value of a price."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


class Builder:
    """Collects chips (with their position in the query) and warnings, then checks and assembles."""

    def __init__(self, kb: KnowledgeVocabulary) -> None:
        self.kb = kb
        self.chips: list[tuple[int, Chip]] = []
        self.warnings: list[str] = []  # already written (an interpretation being extended)
        self.notes: list[tuple[str, str]] = []  # (messages.json key, name): written in the query's language
        self.currency: str | None = None
        self.included_families: list[tuple[str, str]] = []  # (family id, source text)

    @classmethod
    def from_interpretation(cls, kb: KnowledgeVocabulary, interp: Interpretation) -> Builder:
        out = cls(kb)
        out.chips = [(i, chip) for i, chip in enumerate(interp.chips)]
        out.warnings = list(interp.warnings)
        out.currency = interp.constraints.currency
        return out

    def add(self, chip: Chip, where: int) -> None:
        self.chips.append((where, chip))

    def warn(self, key: str, name: str) -> None:
        if (key, name) not in self.notes:
            self.notes.append((key, name))

    def exclude(self, terms: list[Term], source: str, where: int) -> None:
        for t in terms:
            if t.kind == "family":
                self.add(Chip("exclude_family", t.value, source), where)
            else:
                self.add(Chip("exclude_ingredient", t.value, source, known=t.known), where)
                if not t.known:
                    self.warn("unknown_exclusion", t.text)

    def include(self, terms: list[Term], source: str, where: int) -> None:
        for t in terms:
            self.add(Chip("include_ingredient", t.value, source, known=t.known), where)
            if not t.known:
                self.warn("unknown_inclusion", t.text)

    def include_family(self, term: Term, source: str) -> None:
        self.included_families.append((term.value, term.text))
        self.warn("family_inclusion", term.text)

    def price(self, low: float | None, high: float | None, currency: str | None, source: str, where: int) -> None:
        if low is not None:
            self.add(Chip("price_min", format_number(low), source), where)
        if high is not None:
            self.add(Chip("price_max", format_number(high), source), where)
        if currency and self.currency is None:
            self.currency = currency

    def drop(self, kind: str) -> None:
        self.chips = [(w, c) for w, c in self.chips if c.kind != kind]

    # -- assembling -------------------------------------------------------------------------------

    def _families_of(self, key: str) -> frozenset[str]:
        ing = self.kb.resolve(key)
        return frozenset(ing.families) if ing is not None else self.kb.families_of_name(key)

    def _check(self, chips: list[Chip]) -> None:
        excluded_families = {c.value: c for c in chips if c.kind == "exclude_family"}
        excluded = {c.value: c for c in chips if c.kind == "exclude_ingredient"}
        for family, text in self.included_families:
            if family in excluded_families:
                raise QueryError(f'Contradictory constraints: "{text}" is both required and excluded '
                                 f"(family {family}). Remove one of them.", key="error_contradiction", x=text)
        for c in chips:
            if c.kind != "include_ingredient":
                continue
            if c.value in excluded:
                raise QueryError(f'Contradictory constraints: "{c.value}" is both required and excluded. '
                                 "Remove one of them.", key="error_contradiction", x=c.value)
            clash = sorted(self._families_of(c.value) & excluded_families.keys())
            if clash:
                raise QueryError(f'Contradictory constraints: the required ingredient "{c.value}" belongs to the '
                                 f"excluded family {clash[0]}. Remove one of them.",
                                 key="error_contradiction_family", x=c.value,
                                 family=names_by_language(self.kb, clash[0], declined=True))  # "rodziny silikonów"

    def _effective(self) -> list[Chip]:
        """Chips in query order, deduplicated; of several prices of one kind the tightest wins."""
        ordered = [c for _, c in sorted(self.chips, key=lambda wc: wc[0])]
        seen: set[tuple[str, str]] = set()
        result: list[Chip] = []
        for c in ordered:
            if (c.kind, c.value) not in seen:
                seen.add((c.kind, c.value))
                result.append(c)
        for kind, pick in (("price_max", min), ("price_min", max)):
            prices = [c for c in result if c.kind == kind]
            if len(prices) > 1:
                best = pick(prices, key=lambda c: float(c.value))
                result = [c for c in result if c.kind != kind or c is best]
        return result

    def build(self, query: str, language: str, semantic_text: str) -> Interpretation:
        chips = self._effective()
        self._check(chips)
        values: dict[str, list[str]] = {f: [] for f in _FIELDS.values()}
        for c in chips:
            if c.kind in _FIELDS:
                values[_FIELDS[c.kind]].append(c.value)
        low = next((float(c.value) for c in chips if c.kind == "price_min"), None)
        high = next((float(c.value) for c in chips if c.kind == "price_max"), None)
        if low is not None and high is not None and low > high:
            raise QueryError(f"Contradictory prices: at least {format_number(low)} and at most "
                             f"{format_number(high)}. Correct one of them.", key="error_price_range",
                             min=format_number(low), max=format_number(high))
        constraints = Constraints(
            exclude_families=tuple(values["exclude_families"]),
            exclude_ingredients=tuple(values["exclude_ingredients"]),
            include_ingredients=tuple(values["include_ingredients"]),
            skin_types=tuple(values["skin_types"]),
            concerns=tuple(values["concerns"]),
            categories=tuple(values["categories"]),
            brands=tuple(values["brands"]),
            price_min=low,
            price_max=high,
            currency=self.currency if (low is not None or high is not None) else None,
        )
        return Interpretation(query=query, language=language, semantic_text=semantic_text,
                              constraints=constraints, chips=tuple(chips), warnings=self._warnings(language))

    def _warnings(self, language: str) -> tuple[str, ...]:
        written = [message(language, key, name=name) for key, name in self.notes]
        return tuple(dict.fromkeys([*self.warnings, *written]))


def semantic_text(toks: TokenState) -> str:
    """The words no constraint claimed (product types kept), minus stranded grammar words."""
    keep = [r in (None, "category", "protected") and t.is_word for r, t in zip(toks.role, toks.tokens)]
    changed = True
    while changed:
        changed = False
        kept = [i for i, k in enumerate(keep) if k]
        for pos, i in enumerate(kept):
            edge = pos == 0 or pos == len(kept) - 1
            if toks.role[i] == "category" or not (toks.words[i] in FUNCTION_WORDS or
                                                  (edge and toks.words[i] in FILLERS)):
                continue
            if toks.tokens[i].joined or (i + 1 < len(keep) and keep[i + 1] and toks.tokens[i + 1].joined):
                continue  # part of a hyphenated word: "no-rinse", "leave-in"
            near_claimed = any(0 <= k < len(keep) and not keep[k] and toks.role[k] is not None for k in (i - 1, i + 1))
            if edge or near_claimed:
                keep[i] = False
                changed = True
                break
    parts: list[str] = []
    prev = -1
    for i, k in enumerate(keep):
        if not k:
            continue
        t = toks.tokens[i]
        if parts and prev == i - 1 and toks.query[toks.tokens[prev].end:t.start] in ("", "-", "'"):
            parts[-1] += toks.query[toks.tokens[prev].end:t.end]
        else:
            parts.append(toks.query[t.start:t.end])
        prev = i
    return " ".join(parts)
