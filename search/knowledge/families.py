"""Ingredient families: their definitions, the reviewed pattern rules that place an unseen name in one,
and the match keys both the rules and the exact table use.

Family membership has two sources, both in the knowledge file:
  * explicit members, already expanded at build time (an ingredient's `families` is final);
  * reviewed regular-expression rules with exceptions, applied to names the file does not know, so an
    unseen "Ethylhexylparaben" is still a paraben.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conseil.search.knowledge.resolve import compact_key, loose_key
from conseil.search.knowledge.text import normalize_name

CI_NUMBER = re.compile(r"^c\.?\s*i\.?\s*(\d{5}(?::\d)?)\b")
_PARENS = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Family:
    id: str
    names: Mapping[str, tuple[str, ...]]  # lang code -> names, first is the display name
    description: str
    includes: tuple[str, ...]  # ids of families it contains
    patterns: tuple[str, ...]  # human-readable membership rules, for "why" texts


def match_key(name: str) -> str:
    """normalize_name() plus one spelling of Colour Index numbers: 'C.I. 77891', 'Ci77891' -> 'ci 77891'.
    The key of the exact table."""
    key = normalize_name(name)
    return CI_NUMBER.sub(r"ci \1", key) if key.startswith("c") else key


def lookup_keys(name: str) -> tuple[str, str, str]:
    """The exact, compact (no spaces/hyphens) and loose (letters and digits only) keys of a name."""
    key = match_key(name)
    return key, compact_key(key), loose_key(key)


@dataclass(frozen=True)
class FamilyRules:
    """One family's compiled membership rules. An exception on any name vetoes the rules."""

    family_id: str
    rules: tuple[re.Pattern[str], ...]
    exceptions: tuple[re.Pattern[str], ...]

    def matches(self, keys: Iterable[str]) -> bool:
        names = list(keys)
        if any(exc.search(n) for exc in self.exceptions for n in names):
            return False
        return any(rule.search(n) for rule in self.rules for n in names)


def compile_rules(families: Mapping[str, Mapping[str, Any]]) -> tuple[FamilyRules, ...]:
    """Compile the `rules`/`exceptions` regexes of every family (raises re.error on a bad one)."""
    return tuple(
        FamilyRules(fid, tuple(re.compile(r) for r in spec.get("rules", ())),
                    tuple(re.compile(r) for r in spec.get("exceptions", ())))
        for fid, spec in families.items()
        if spec.get("rules")
    )


def ancestors_map(includes: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """family -> every family that (transitively) includes it, itself included."""
    parents: dict[str, set[str]] = {fid: set() for fid in includes}
    for parent, children in includes.items():
        for child in children:
            parents.setdefault(child, set()).add(parent)
    result: dict[str, frozenset[str]] = {}
    for fid in parents:
        seen, stack = {fid}, [fid]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result[fid] = frozenset(seen)
    return result


def pattern_families(names: Iterable[str], rules: Iterable[FamilyRules]) -> set[str]:
    """Family ids whose rules match any of the names (matched on their match_key)."""
    keys = [match_key(n) for n in names]
    return {r.family_id for r in rules if r.matches(keys)}


def name_variants(name: str) -> Iterator[str]:
    """The name, then without parentheses ('Lavandula Angustifolia (Lavender) Oil' -> '... Oil')."""
    yield name
    if "(" in name:
        stripped = _PARENS.sub(" ", name).strip()
        if stripped:
            yield stripped
