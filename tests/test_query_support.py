"""Shared helpers for the query-understanding tests (no tests here).

`VOCABULARY` mirrors the engine's: category keys are `normalize_name` of Sephora category levels
(a representative subset of product_info.csv), brand keys are folded brand names. `FakeKnowledge`
is the smallest object satisfying `KnowledgeVocabulary`, for tests that must not depend on the
content of the real knowledge file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query import Constraints, Interpretation, QueryParser, QueryVocabulary

SEPHORA_CATEGORIES = (
    "Skincare", "Makeup", "Hair", "Fragrance", "Bath & Body", "Men", "Moisturizers", "Face Serums", "Shampoo",
    "Conditioner", "Shampoo & Conditioner", "Face Wash & Cleansers", "Cleansers", "Toners", "Face Masks", "Masks",
    "Sheet Masks", "Eye Creams & Treatments", "Eye Care", "Face Oils", "Face Sunscreen", "Sunscreen",
    "Body Lotions & Body Oils", "Body Moisturizers", "Body Wash & Shower Gel", "Perfume", "Cologne",
    "Foundation", "Concealer", "Mascara", "Lipstick", "Lip Gloss", "Lip Balm & Treatment", "Blush", "Bronzer",
    "Highlighter", "Face Primer", "Eyeliner", "Eyeshadow", "Hair Masks", "Hair Oil", "Dry Shampoo",
    "Leave-In Conditioner", "Hair Spray", "Scalp Treatments", "Exfoliators", "Facial Peels", "Night Creams",
    "Tinted Moisturizer", "BB & CC Cream", "Makeup Removers", "Mists & Essences", "Hand Cream & Foot Cream",
    "Deodorant & Antiperspirant", "Candles", "Self Tanners", "Anti-Aging", "Treatments", "Face",
)
SEPHORA_BRANDS = (
    "The Ordinary", "Drunk Elephant", "Paula's Choice", "Kiehl's Since 1851", "Fresh", "Origins", "La Mer",
    "Benefit Cosmetics", "Fenty Beauty by Rihanna", "Fenty Skin", "Sol de Janeiro", "CLINIQUE", "Olaplex",
    "Briogeo", "Sans Soucis", "Glow Recipe", "First Aid Beauty", "Tatcha", "Caudalie", "SEPHORA COLLECTION",
)
VOCABULARY = QueryVocabulary(
    categories={fold(normalize_name(c)): normalize_name(c) for c in SEPHORA_CATEGORIES},
    brands={fold(b): fold(b) for b in SEPHORA_BRANDS},
)

KB = IngredientKnowledge.load()
PARSER = QueryParser(KB, VOCABULARY)


def parse(query: str) -> Interpretation:
    return PARSER.parse(query)


def constraint_values(constraints: Constraints) -> dict[str, Any]:
    """The non-default fields of a Constraints, for exact comparisons."""
    return {f.name: getattr(constraints, f.name) for f in fields(constraints)
            if getattr(constraints, f.name) not in ((), None)}


def expect(query: str, semantic: str | None = None, language: str | None = None, **expected: Any) -> Interpretation:
    """Parse and assert the exact constraints (tuples may be given as lists, prices as ints)."""
    interp = parse(query)
    want = {k: (tuple(v) if isinstance(v, list) else float(v) if k.startswith("price_") else v)
            for k, v in expected.items()}
    assert constraint_values(interp.constraints) == want, (query, interp)
    if semantic is not None:
        assert interp.semantic_text == semantic, (query, interp.semantic_text)
    if language is not None:
        assert interp.language == language, (query, interp.language)
    return interp


# -- a fake knowledge base ------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeIngredient:
    canonical: str
    key: str
    families: frozenset[str]


@dataclass(frozen=True)
class FakeFamily:
    names: Mapping[str, tuple[str, ...]]


class FakeKnowledge:
    """Five ingredients, three families, a made-up family name only this KB knows ("zorbates")."""

    _INGREDIENTS: ClassVar[dict[str, FakeIngredient]] = {
        "methylparaben": FakeIngredient("Methylparaben", "methylparaben", frozenset({"parabens"})),
        "niacinamide": FakeIngredient("Niacinamide", "niacinamide", frozenset()),
        "parfum": FakeIngredient("Parfum", "parfum", frozenset({"fragrance"})),
        "fragrance": FakeIngredient("Parfum", "parfum", frozenset({"fragrance"})),
        "retinol": FakeIngredient("Retinol", "retinol", frozenset()),
        "zorbic acid": FakeIngredient("Zorbic Acid", "zorbic acid", frozenset({"zorbates"})),
    }

    def resolve(self, name: str) -> FakeIngredient | None:
        return self._INGREDIENTS.get(normalize_name(name))

    def families_of_name(self, name: str) -> frozenset[str]:
        found = self.resolve(name)
        return found.families if found else frozenset()

    def family_name_index(self) -> Mapping[str, str]:
        return {"parabens": "parabens", "parfum": "fragrance", "zorbates": "zorbates", "zorbaty": "zorbates"}

    @property
    def families(self) -> Mapping[str, FakeFamily]:
        return {"parabens": FakeFamily({"en": ("parabens",)}), "fragrance": FakeFamily({"fr": ("parfum",)}),
                "zorbates": FakeFamily({"en": ("zorbates",), "pl": ("zorbaty",)})}

    @property
    def skin_types(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        return {"dry": {"en": ("dry skin", "parched skin")}}

    @property
    def concerns(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        return {"acne": {"en": ("acne", "congested skin")}}
