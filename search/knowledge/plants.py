"""A plant ingredient named without its part, when several parts of that plant give that product.

"Olea Europaea (Olive) Oil" is printed on hundreds of labels; the inventory knows Olea Europaea Fruit
Oil, Husk Oil and Leaf Oil. The botanical step never guesses which; the `plant` step identifies the item
as *one of them*: an ingredient of its own (key "olea europaea oil") whose families, CAS numbers,
functions and regulatory notes are the union of every candidate's, and whose group keys are the
candidates' keys, so "without olea europaea leaf oil" still excludes it (fail closed) and no "free of"
can rest on the choice. It is taken only when the label writes no plant part: a part the inventory does
not have for that plant ("Ziziphus Jujuba Fruit Extract") names none of the candidates and stays
unidentified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # base.py imports this module
    from conseil.search.knowledge.base import Ingredient

_PLANT_PRODUCT = re.compile(r"^(?P<plant>[a-z]+ [a-z]+)(?P<middle>(?: [a-z/]+)*?) "
                            r"(?P<product>oil|extract|water|juice|butter|wax|powder|flower water)$")
_PLANT_PARTS = frozenset({
    "leaf", "leaves", "seed", "fruit", "flower", "root", "stem", "bark", "callus", "culture", "wood", "peel",
    "branch", "herb", "cell", "bud", "rhizome", "sprout", "resin", "kernel", "shell", "gum", "bulb", "twig",
    "needle", "bran", "germ", "pulp", "nut", "sap", "tuber", "husk", "cone", "aerial", "part", "parts",
    "whole", "plant", "rind", "blossom", "petal", "essential",
})
_PARENS = re.compile(r"\([^()]*\)")
# "zingiber officinale (ginger) root oil": CosIng's common name in parentheses after the plant
COMMON_NAME = re.compile(r"^(?P<plant>[a-z]+ [a-z]+) \((?P<common>[a-z]+(?: [a-z]+)?)\) [a-z]")


def plant_group(plant_key: str, members: Sequence[Ingredient]) -> Ingredient:
    """The one-of-these ingredient for a botanical key ('olea europaea oil') and its candidates."""
    def union(field: str) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(v for m in members for v in getattr(m, field)))

    return replace(members[0], canonical=plant_key.title(), key=plant_key, synonyms=(),
                   families=frozenset().union(*(m.families for m in members)), cas=union("cas"),
                   regulatory=union("regulatory"), functions=union("functions"),
                   groups=tuple(dict.fromkeys([*(m.key for m in members), *union("groups")])))


def bare_plants(normalized: str) -> list[str]:
    """The plant a botanical name is of, as a label may name it alone: 'citrus aurantium dulcis peel oil'
    -> ['citrus aurantium', 'citrus aurantium dulcis']."""
    found = _PLANT_PRODUCT.match(normalized)
    if not found:
        return []
    out = [found["plant"]]
    for word in found["middle"].split():
        if word in _PLANT_PARTS or not word.isalpha():
            break
        out.append(f"{out[-1]} {word}")
    return out[:2]


def botanical_key(normalized: str) -> str:
    """'olea europaea fruit oil' -> 'olea europaea oil': the plant and the product, parts left out."""
    found = _PLANT_PRODUCT.match(normalized)
    if not found:
        return ""
    middle = [w for w in found["middle"].replace("/", " ").split() if w not in _PLANT_PARTS]
    return " ".join([found["plant"], *middle, found["product"]])


def plant_parts(normalized: str) -> frozenset[str]:
    """The plant parts a botanical name writes: 'ziziphus jujuba fruit extract' -> {'fruit'}."""
    found = _PLANT_PRODUCT.match(" ".join(_PARENS.sub(" ", normalized).split()))
    if not found:
        return frozenset()
    return frozenset(w for w in found["middle"].replace("/", " ").split() if w in _PLANT_PARTS)
