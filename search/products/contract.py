"""The search request/response contract, shared by the Python API, the CLI's JSON and HTTP.

Evaluation scripts parse this JSON: changing a field name is a breaking change.
"""

from __future__ import annotations

from typing import Any, Literal

from conseil.search.index.contract import DEFAULT_FUSION, Fusion
from conseil.search.query.model import MAX_QUERY_CHARS
from conseil.search.request_text import MAX_LIST_ITEMS, Item, Text
from pydantic import BaseModel, ConfigDict, Field


class SearchRequest(BaseModel):
    # Unknown fields are refused (422), not ignored: a misspelt safety filter ("exclude_families")
    # silently ignored would return products the advisor asked to exclude.
    model_config = ConfigDict(extra="forbid")

    query: Text = Field("", max_length=MAX_QUERY_CHARS, description="What the client asked, in any supported language.")
    language: str | None = Field(None, pattern=r"^[a-z]{2}$",
                                 description="Language of every text the client reads (why, summary, labels, "
                                             "warnings); default: the query's. English for a language without data.")
    limit: int = Field(10, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)
    exclude: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description="Families or ingredients to exclude.")
    include: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description="Ingredients the product must contain.")
    skin_type: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    concern: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    category: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    brand: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Fusion = Field(DEFAULT_FUSION, description="How hybrid mode fuses the dense and BM25 rankings: "
                           "dbsf (score-normalised, the default) or rrf (README: Choosing the fusion).")
    parse: bool = Field(True, description="Parse constraints out of the query text.")
    strict: bool = Field(False, description="Exclusions in strict mode: drop products with an ingredient that "
                                            "cannot be identified (by default they are kept, ranked after the "
                                            "fully verified ones, never called 'free of', and list it in "
                                            "`unidentified`).")
    sort: Literal["relevance", "price_asc", "price_desc", "rating"] = Field(
        "relevance", description="relevance, or price/rating among the 100 most relevant products.")
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
    category: list[str]  # the catalogue's path as written: filters, programs and evaluations use it
    category_labels: list[str] = Field(default_factory=list, description=(
        "The category path as the client reads it, level by level, in the response language (a level "
        "the language data does not know stays as the retailer wrote it)."))
    price: float | None
    currency: str | None
    skin_types: list[str]
    concerns: list[str]
    claims: list[str]
    claim_labels: list[str] = Field(default_factory=list, description=(
        "The claims (`claims`: codes such as without:parabens, vegan) as the client reads them, in order, "
        "in the response language."))
    score: float
    why: list[Why]
    warnings: list[AuditWarning]
    ingredients: list[str] = Field(default_factory=list, description="Ingredient names in declared order.")
    matched_families: dict[str, list[str]] = Field(default_factory=dict)
    unidentified: list[str] = Field(default_factory=list, description=(
        "Listed items no resolution step identifies: while one remains, no 'free of' statement is made."))
    matched_ingredients: dict[str, list[str]] = Field(default_factory=dict, description=(
        "For each required ingredient, the listed items that matched it (salts, spellings, group members)."))
    rating: float | None = Field(None, description="Average rating 0..5, when the catalog gives one.")
    reviews: int | None = None
    loves: int | None = None
    size: str | None = None
    image_url: str | None = None


class ChipModel(BaseModel):
    kind: str
    value: str
    label: str
    source_text: str
    known: bool = True


class IgnoredModel(BaseModel):
    text: str = Field(description="Words of the query, as typed.")
    reason: str = Field(description='"not_an_ingredient" (a negated product property: nothing excluded) or '
                                    '"not_understood" (neither the parser nor retrieval knows it).')


class InterpretationModel(BaseModel):
    language: str
    semantic_text: str
    summary: str
    chips: list[ChipModel]
    constraints: dict[str, Any]
    warnings: list[str]
    ignored: list[IgnoredModel] = Field(default_factory=list, description="What the search could not use.")


class FacetValue(BaseModel):
    value: str  # what a request's filter takes (category key, skin-type code, brand)
    count: int
    label: str = Field("", description="The value as the client reads it, in the response language.")


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
    message: str = Field("", description="When no product is shown: why, and what to do, in the response language.")
