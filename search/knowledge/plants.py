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

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # base.py imports this module
    from conseil.search.knowledge.base import Ingredient


def plant_group(plant_key: str, members: Sequence[Ingredient]) -> Ingredient:
    """The one-of-these ingredient for a botanical key ('olea europaea oil') and its candidates."""
    def union(field: str) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(v for m in members for v in getattr(m, field)))

    return replace(members[0], canonical=plant_key.title(), key=plant_key, synonyms=(),
                   families=frozenset().union(*(m.families for m in members)), cas=union("cas"),
                   regulatory=union("regulatory"), functions=union("functions"),
                   groups=tuple(dict.fromkeys([*(m.key for m in members), *union("groups")])))
