"""Catalog routes: one product, one ingredient, the claim audit (advisors and up)."""

from __future__ import annotations

from typing import Annotated

from conseil.search.query.language_data import LANGUAGES
from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from .auth import Permission, Principal, require
from .catalog import (
    AuditPage,
    IngredientInfo,
    ProductDetail,
    audit_row,
    describe_ingredient,
    find_product,
    product_detail,
)
from .http_errors import error_docs
from .runtime import Runtime, runtime_of

router = APIRouter(prefix="/v1", tags=["catalog"])
MAX_ID_CHARS = 200


@router.get("/products/{product_id:path}", response_model=ProductDetail, responses=error_docs(401, 403, 404, 409, 422, 503))
def get_product(
    product_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, description="The source's id, e.g. P433469.")],
    principal: Annotated[Principal, Depends(require(Permission.PRODUCTS))],
    runtime: Annotated[Runtime, Depends(runtime_of)],
    source: Annotated[str | None, Query(min_length=1, max_length=100,
                                        description="The source, when one id exists in several.")] = None,
    language: Annotated[str, Query(pattern=r"^[a-z]{2}$", description=(
        "Language of the category, claim labels and audit warnings (English for a language without data)."))] = "en",
) -> ProductDetail:
    """A product in full: ingredients with their families, claims and audit warnings."""
    engine = runtime.product_engine()
    with runtime.rw.read():
        payload = find_product(engine.index, product_id, source)
    if payload is None:
        where = f" in source {source!r}" if source else ""
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No product with id {product_id!r}{where}.")
    return product_detail(payload, runtime.kb, language)


@router.get("/ingredients/{name:path}", response_model=IngredientInfo, responses=error_docs(401, 403, 404, 422))
def get_ingredient(
    name: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, description="Any INCI name or synonym.")],
    principal: Annotated[Principal, Depends(require(Permission.INGREDIENTS))],
    runtime: Annotated[Runtime, Depends(runtime_of)],
    language: Annotated[str, Query(pattern=r"^[a-z]{2}$", description=(
        "Language of the function and family names and of the regulatory summary: "
        + ", ".join(LANGUAGES) + "."))] = "en",
) -> IngredientInfo:
    """The ingredient card of a label name: how it resolved (each step), its CosIng functions and families in
    the requested language, CAS numbers and EU regulatory notes."""
    if language not in LANGUAGES:
        raise HTTPException(422,
                            f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)}.")
    info = describe_ingredient(runtime.kb, name, language)
    if info is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"{name!r} is not in the ingredient knowledge base and matches no family rule.")
    return info


@router.get("/audit", response_model=AuditPage, responses=error_docs(401, 403, 422, 503))
def get_audit(
    principal: Annotated[Principal, Depends(require(Permission.AUDIT))],
    runtime: Annotated[Runtime, Depends(runtime_of)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    source: Annotated[str | None, Query(max_length=100, description="Only this source's products.")] = None,
    claim: Annotated[str | None, Query(max_length=200, description='Only this claim, e.g. "without:parabens".')] = None,
    language: Annotated[str, Query(pattern=r"^[a-z]{2}$", description=(
        "Language of each row's claim_text and warning (English for a language without data)."))] = "en",
) -> AuditPage:
    """Products whose own claims their ingredient list contradicts, a page at a time."""
    rows = [r for r in runtime.audit_rows()
            if (source is None or r["source"] == source) and (claim is None or r["claim"] == claim)]
    page = [audit_row(r, runtime.kb, language) for r in rows[offset:offset + limit]]
    return AuditPage(total=len(rows), limit=limit, offset=offset, items=page)
