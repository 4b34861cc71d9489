"""The search request/response contract, shared by the Python API, the CLI's JSON and HTTP.

Evaluation scripts parse this JSON: changing a field name is a breaking change.
"""

from __future__ import annotations

from typing import Any, Literal

from conseil.search.index.contract import DEFAULT_FUSION, Fusion
from pydantic import BaseModel, Field

MAX_QUERY_CHARS = 500


class SearchRequest(BaseModel):
    query: str = Field("", max_length=MAX_QUERY_CHARS, description="What the client asked, in any of 7 languages.")
    limit: int = Field(10, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)
    exclude: list[str] = Field(default_factory=list, description="Families or ingredients to exclude.")
    include: list[str] = Field(default_factory=list, description="Ingredients the product must contain.")
    skin_type: list[str] = Field(default_factory=list)
    concern: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Fusion = Field(DEFAULT_FUSION, description="How hybrid mode fuses the dense and BM25 rankings: "
                           "dbsf (score-normalised, the default) or rrf (README: Choosing the fusion).")
    parse: bool = Field(True, description="Parse constraints out of the query text.")
    facets: bool = Field(True, description="Count brands, categories and skin types over the filtered set "
                                           "(costs a few ms on a large catalog; batch evaluations may skip it).")


class Why(BaseModel):
    constraint: str  # e.g. "exclude_family:parabens"
    text: str  # "free of parabens: none of its 31 ingredients is a paraben"


class AuditWarning(BaseModel):
    claim: str
    text: str
    offending: list[str]


class ProductHit(BaseModel):
    id: str  # the source's own product id
    source: str
    name: str
    brand: str | None
    category: list[str]
    price: float | None
    currency: str | None
    skin_types: list[str]
    concerns: list[str]
    claims: list[str]
    score: float
    why: list[Why]
    warnings: list[AuditWarning]
    ingredients: list[str] = Field(default_factory=list, description="Ingredient names in declared order.")
    matched_families: dict[str, list[str]] = Field(default_factory=dict)


class ChipModel(BaseModel):
    kind: str
    value: str
    label: str
    source_text: str
    known: bool = True


class InterpretationModel(BaseModel):
    language: str
    semantic_text: str
    summary: str
    chips: list[ChipModel]
    constraints: dict[str, Any]
    warnings: list[str]


class FacetValue(BaseModel):
    value: str
    count: int


class FacetsResponse(BaseModel):
    """`POST /v1/search/products/facets`: what `facets=True` adds to a search, computed on its own."""

    facets: dict[str, list[FacetValue]]
    total: int = Field(description="Products satisfying every constraint (before ranking).")


class SearchResponse(BaseModel):
    query: str
    interpretation: InterpretationModel
    hits: list[ProductHit]
    facets: dict[str, list[FacetValue]]
    total: int = Field(description="Products satisfying every constraint (before ranking).")
    limit: int
    offset: int
    took_ms: float
    dropped_violations: int = Field(0, description="Hits the engine returned but verification rejected.")
