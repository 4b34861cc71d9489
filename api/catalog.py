"""Reading products, ingredient facts and claim contradictions for the HTTP routes (response models too).

`contradictions` is `conseil.ingest.audit_report.list_contradictions` over an index the caller
already holds: the server cannot open (and lock) the index a second time.
"""

from __future__ import annotations

from typing import Any

from conseil.ingest.audit_report import describe_claim
from conseil.search.errors import RequestRejected
from conseil.search.index.contract import Filter, IndexReader, MatchAny
from conseil.search.index.schema import point_id
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.products.contract import AuditWarning
from conseil.search.products.labels import category_labels, claim_label, claim_labels
from conseil.search.products.verify import audit_warnings
from pydantic import BaseModel, Field

MAX_SOURCES_SHOWN = 10


class IngredientItem(BaseModel):
    name: str = Field(description="Canonical INCI name when known, else the name as written.")
    key: str
    written_as: list[str] = Field(description="Every name the declaration used for it.")
    families: list[str]


class ProductDetail(BaseModel):
    id: str
    source: str
    name: str
    brand: str | None
    category: list[str]
    category_labels: list[str] = Field(default_factory=list, description="The category path in the requested language.")
    price: float | None
    currency: str | None
    url: str | None
    skin_types: list[str]
    concerns: list[str]
    claims: list[str]
    claim_labels: list[str] = Field(default_factory=list, description="The claims in the requested language.")
    highlights: list[str]
    ingredients_raw: str | None = Field(description="The declaration exactly as the source gives it.")
    ingredients: list[IngredientItem] = Field(description="Parsed items, in declared order, with families.")
    unknown_ingredients: list[str]
    families: list[str] = Field(description="Families of any of its ingredients.")
    warnings: list[AuditWarning] = Field(description="Its own claims that its ingredient list contradicts.")


class IngredientFunction(BaseModel):
    id: str  # the CosIng function, English ("Skin Conditioning - Emollient")
    name: str  # in the requested language (corpora/language/functions.json)


class IngredientInfo(BaseModel):
    """An ingredient card: how the name resolved, what it does, its families and EU restrictions."""

    query: str
    language: str = "en"
    known: bool
    canonical: str | None
    via: str = Field("", description="The resolution step that identified the name: exact, synonym, cas, "
                                     "normalised, spelling, everyday, common, botanical, part, plant, parts, typo; "
                                     "not_ingredient (text that names no substance) or unidentified.")
    trail: list[str] = Field(default_factory=list, description="The steps tried before the one that matched.")
    candidates: list[str] = Field(default_factory=list, description="Ambiguous matches (never guessed).")
    synonyms: list[str]
    families: list[str]
    family_names: dict[str, str]  # family id -> its name in the requested language
    functions: list[IngredientFunction] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="Group heads it counts as ('hyaluronic acid').")
    cas: list[str]
    regulatory: list[str]  # the regulation's notes, in English as published
    regulatory_summary: list[str] = Field(default_factory=list, description=(
        "Each regulatory note's short form (annex and meaning) in the requested language."))


class AuditRow(BaseModel):
    source: str
    product_id: str
    name: str
    brand: str | None
    claim: str
    claim_text: str = Field(description='The claim as the reader reads it ("free of parabens", "bez parabenów").')
    offending: list[str] = Field(description="The listed ingredients that contradict it, as the label wrote them.")
    warning: str = Field("", description="The contradiction in one sentence, in the requested language.")


class AuditPage(BaseModel):
    total: int = Field(description="Contradictions matching the filters, over all pages.")
    limit: int
    offset: int
    items: list[AuditRow]


class AmbiguousProduct(RequestRejected):
    """One product id in several sources: the caller must say which."""

    http_status = 409
    error_code = "conflict"

    def __init__(self, product_id: str, sources: list[str]) -> None:
        super().__init__(f"Product id {product_id!r} exists in sources {', '.join(sources)}: add ?source= "
                         "to say which one.")


def find_product(index: IndexReader, product_id: str, source: str | None) -> dict[str, Any] | None:
    """The stored payload of a product by its source id; AmbiguousProduct when sources disagree."""
    if source is not None:
        hits = index.retrieve([point_id(source, product_id)])
        return hits[0].payload if hits else None
    hits = []
    for hit in index.scroll(Filter(must=(MatchAny("product_id", (product_id,)),)), batch=MAX_SOURCES_SHOWN):
        hits.append(hit)
        if len(hits) >= MAX_SOURCES_SHOWN:
            break
    if len(hits) > 1:
        raise AmbiguousProduct(product_id, sorted(str(h.payload.get("source")) for h in hits))
    return hits[0].payload if hits else None


def product_detail(p: dict[str, Any], kb: IngredientKnowledge | None = None, language: str = "en") -> ProductDetail:
    """The product in full; with `kb`, claims, category and audit warnings also in `language`."""

    items = [IngredientItem(name=str(display), key=str(key), written_as=[str(n) for n in names],
                            families=[str(f) for f in families])
             for display, key, names, families in p.get("ingredient_items") or ()]
    return ProductDetail(
        id=str(p.get("product_id")), source=str(p.get("source")), name=str(p.get("name")), brand=p.get("brand"),
        category=list(p.get("category_path") or []), price=p.get("price"), currency=p.get("currency"),
        category_labels=category_labels(p.get("category_path") or (), language),
        claim_labels=claim_labels(p.get("claims") or (), kb, language) if kb is not None else [],
        url=p.get("url"), skin_types=list(p.get("skin_types") or []), concerns=list(p.get("concerns") or []),
        claims=list(p.get("claims") or []), highlights=list(p.get("highlights") or []),
        ingredients_raw=p.get("ingredients_raw"), ingredients=items,
        unknown_ingredients=list(p.get("unknown_ingredients") or []), families=list(p.get("families") or []),
        warnings=audit_warnings(p, kb, language))


def describe_ingredient(kb: IngredientKnowledge, name: str, language: str = "en") -> IngredientInfo | None:
    """The ingredient card; None when the name is unknown and no family pattern matches it."""
    from conseil.search.knowledge.cards import ingredient_card

    card = ingredient_card(kb, name, language)
    if not card["known"] and not card["families"]:
        return None
    return IngredientInfo.model_validate({
        **card, "families": [f["id"] for f in card["families"]],
        "family_names": {f["id"]: f["name"] for f in card["families"]}})


def audit_row(row: dict[str, Any], kb: IngredientKnowledge, language: str) -> AuditRow:
    """A contradiction row (from `contradictions`) with its texts in `language`; names stay as written."""
    claim = str(row["claim"])
    item = {"claim": claim, "offending": row["offending"]}
    [warning] = audit_warnings({"audit": [item]}, kb, language)
    text = row["claim_text"] if language == "en" else claim_label(claim, kb, language)
    return AuditRow.model_validate({**row, "claim_text": text, "warning": warning.text})


def contradictions(index: IndexReader) -> list[dict[str, Any]]:
    """One row per (product, contradicted claim), sorted by source, product id and claim."""
    claims = [str(value) for value, _ in index.facet("audit_claims", limit=1000)]
    if not claims:
        return []
    rows: list[dict[str, Any]] = []
    fields = ["source", "product_id", "name", "brand", "audit"]
    for hit in index.scroll(Filter(must=(MatchAny("audit_claims", tuple(claims)),)), fields=fields):
        for item in hit.payload.get("audit", []):
            rows.append({"source": str(hit.payload.get("source")), "product_id": str(hit.payload.get("product_id")),
                         "name": str(hit.payload.get("name")), "brand": hit.payload.get("brand"),
                         "claim": item["claim"], "claim_text": describe_claim(item["claim"]),
                         "offending": list(item["offending"])})
    rows.sort(key=lambda r: (r["source"], r["product_id"], r["claim"]))
    return rows
