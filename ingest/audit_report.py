"""Reading the stored claim contradictions back out of the index for `conseil audit`."""

from __future__ import annotations

from typing import Any

from conseil.search.index.contract import Filter, MatchAny
from conseil.search.index.store import open_index, products_schema, stored_dense_size
from conseil.search.settings import Settings

from .audit import FAMILY_CLAIM, INGREDIENT_CLAIM


def list_contradictions(settings: Settings) -> list[dict[str, Any]]:
    """One row per (product, contradicted claim), sorted by source, product id and claim."""
    dense_size = stored_dense_size(settings, "products") or 0
    fields = ["source", "product_id", "name", "brand", "audit", "claims"]
    rows: list[dict[str, Any]] = []
    with open_index(settings, products_schema(dense_size), create=False) as index:
        claims = [value for value, _ in index.facet("audit_claims", limit=1000)]
        if not claims:
            return rows
        flt = Filter(must=(MatchAny("audit_claims", tuple(str(c) for c in claims)),))
        for hit in index.scroll(flt, fields=fields):
            for item in hit.payload.get("audit", []):
                rows.append({
                    "source": hit.payload.get("source"),
                    "product_id": hit.payload.get("product_id"),
                    "name": hit.payload.get("name"),
                    "brand": hit.payload.get("brand"),
                    "claim": item["claim"],
                    "claim_text": describe_claim(item["claim"]),
                    "offending": item["offending"],
                })
    rows.sort(key=lambda r: (r["source"], r["product_id"], r["claim"]))
    return rows


def describe_claim(claim: str) -> str:
    if claim.startswith(FAMILY_CLAIM):
        return "free of " + claim[len(FAMILY_CLAIM):].replace("_", " ")
    if claim.startswith(INGREDIENT_CLAIM):
        return "free of " + claim[len(INGREDIENT_CLAIM):]
    return claim.replace("_", " ")
