"""Items that are two ingredient names run together, and names broken in two by a stray comma.

Real lists lose commas ("Butylene Glycol Menthol", "CI 77491  CI 77492") and gain them
("Ethylhexyl, Methoxycinnamate", "Sodium, Isethionate"). Both are repaired only when certain:

  split   an item whose whole text is a sequence of two or more names that resolve by a step that
          reads the name as the ingredient's own (exact, synonym, CAS, normalised): no word left over,
          no generic word standing alone ("Alcohol", "Extract"), and no second way to cut it. The item
          is then identified as those ingredients; its families stay the union of every part's and of
          the pattern rules on the whole text (fail closed).
  joined  two neighbouring pieces, at least one of which names nothing alone, that together are one
          such name. The joined item keeps both pieces as alternative names, so their families and
          keys still count.
  unglued a word that is two run together ("Seed Oillimnanthes", "Tocopherollimonene"): one space put
          back where the left half ends like a name (GLUE_ENDINGS) and the whole then splits as above;
          only when exactly one such cut works.
  slash   "Iris Florentina/Iris Florentina Root Extract": one slashed part identified by its own name and
          every other part's words within that name; fail closed, as every part's families still count.

None ever guesses: "Cane Sugar Alcohol And Distilled Water" (words left over), "Lauryl
Methacrylate/Glycol Dimethacrylate Copolymer" ("copolymer" alone names nothing) stay unidentified.
"""

from __future__ import annotations

import re
from collections.abc import Callable

UNIDENTIFIED = "unidentified"
OWN_STEPS = frozenset({"exact", "synonym", "cas", "normalised"})  # = resolve.TRUSTED_STEPS
MAX_TOKENS = 12  # longer texts are prose or lists, not a missing comma
MIN_LONE_WORD = 5  # one-word parts shorter than this ("Iron", "Tin", "Mel") are too ambiguous to cut at
# One-word parts that are a class or a generic noun more often than an ingredient of their own
GENERIC_WORDS = frozenset({
    "alcohol", "water", "aqua", "extract", "acid", "oil", "wax", "butter", "powder", "juice", "salt",
    "sodium", "potassium", "calcium", "magnesium", "glycol", "ester", "esters", "polymer", "copolymer",
    "crosspolymer", "protein", "ferment", "filtrate", "lysate", "fragrance", "parfum", "flavor", "aroma",
    "color", "colour", "silica", "sugar", "honey", "milk", "clay", "olive", "coconut", "vitamin",
})
_TOKENS = re.compile(r"[^\s/]+")
# Where a glued word may be cut: after the ending of a name ("...seed oil|limnanthes", "tocopherol|limonene")
GLUE_ENDINGS = ("oil", "ol", "ene", "ate", "ide", "ine", "one", "extract", "wax", "butter", "acid", "water",
                "ane", "in")
MIN_GLUED = 8  # a token shorter than this is never two names
MIN_HALF = 3  # each half has at least this many letters ("oil|limnanthes")


def split_merged(name: str, step_of: Callable[[str], str]) -> tuple[str, ...]:
    """The parts of a normalised name that is several names run together, or () when it is not
    certainly that. `step_of(name)` is the resolution step of a name ("unidentified" if none)."""
    return split_words(name, step_of) or unglue(name, step_of)


def glued_candidate(name: str) -> bool:
    """Could `unglue` find anything here? (cheap: no lookup)"""
    return any(len(t) >= MIN_GLUED and t.isalpha() and any(
        t[:cut].endswith(GLUE_ENDINGS) for cut in range(MIN_HALF, len(t) - MIN_HALF + 1)) for t in name.split(" "))


def unglue(name: str, step_of: Callable[[str], str]) -> tuple[str, ...]:
    """The parts once one glued word is cut in two (see the module docstring), or ()."""
    tokens = name.split(" ")
    found: list[tuple[str, ...]] = []
    for t, token in enumerate(tokens):
        if len(token) < MIN_GLUED or not token.isalpha():
            continue
        for cut in range(MIN_HALF, len(token) - MIN_HALF + 1):
            left = token[:cut]
            if not left.endswith(GLUE_ENDINGS):
                continue
            spaced = " ".join((*tokens[:t], left, token[cut:], *tokens[t + 1 :]))
            parts = split_words(spaced, step_of)
            if parts:
                found.append(parts)
                if len(found) > 1:
                    return ()  # two ways to cut: never guessed
    return found[0] if found else ()


def split_words(name: str, step_of: Callable[[str], str]) -> tuple[str, ...]:
    """split_merged at the spaces only (the `split` step)."""
    tokens = _TOKENS.findall(name)
    if not 2 <= len(tokens) <= MAX_TOKENS:
        return ()
    n = len(tokens)
    # fewest[i]: the partitions of tokens[i:] with the fewest parts (None: no partition; a list of
    # two or more: ambiguous, never guessed)
    fewest: list[list[tuple[str, ...]] | None] = [None] * n + [[()]]
    for i in range(n - 1, -1, -1):
        best: list[tuple[str, ...]] = []
        for j in range(i + 1, n + 1):
            rest = fewest[j]
            if rest is None:
                continue
            part = " ".join(tokens[i:j])
            if j - i == 1 and (len(part) < MIN_LONE_WORD or part in GENERIC_WORDS or not part[0].isalpha()):
                continue
            if step_of(part) not in OWN_STEPS:
                continue
            options = [(part, *r) for r in rest]
            if not best or len(options[0]) < len(best[0]):
                best = options
            elif len(options[0]) == len(best[0]):
                best += options
        fewest[i] = best or None
    found = fewest[0]
    if not found or len(found) != 1 or len(found[0]) < 2:
        return ()
    return found[0]


def joins(first: str, second: str, step_of: Callable[[str], str]) -> str:
    """The name two neighbouring pieces make together, or "" (see the module docstring)."""
    if UNIDENTIFIED not in (step_of(first), step_of(second)):
        return ""  # two names of their own: "PEG-8, Dimethicone" is not "PEG-8 Dimethicone"
    joined = f"{first} {second}"
    return joined if step_of(joined) in OWN_STEPS else ""


def same_thing(parts: tuple[str, ...], identified: dict[str, str], names_of: Callable[[str], tuple[str, ...]]) -> str:
    """The key a slashed item names when its parts name one thing (the `slash` step), or "".

    `identified`: part -> key of the parts identified by their own name (OWN_STEPS); `names_of(key)`: that
    ingredient's names, normalised. Every other part's words must lie within one of those names
    ("Iris Florentina" of "Iris Florentina Root Extract"); a part naming something else keeps it unidentified.
    """
    keys = set(identified.values())
    if len(keys) != 1 or len(identified) == len(parts):
        return ""
    key = keys.pop()
    words = [set(n.replace("(", " ").replace(")", " ").split()) for n in names_of(key)]
    for part in parts:
        if part in identified:
            continue
        own = set(part.split())
        if len(own) < 2 or not any(own <= w for w in words):
            return ""
    return key
