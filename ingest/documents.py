"""From a source record and its ingredient analysis to what is stored: texts and payload."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from conseil.search.index.schema import ProductRecord
from conseil.search.knowledge.analysis import Analysis
from conseil.search.knowledge.text import normalize_name
from conseil.search.products.verify import stored_items

from .audit import Contradiction

# Bump when the payload layout or the text recipes change: stored products are then refreshed.
PAYLOAD_VERSION = 8  # 6: items joined across a stray comma, split items identified (merged.py); 7: list
# repairs (chemical index names kept whole, batch codes set aside, CL read as CI, unglued and slashed names);
# 8: stereo descriptors joined to their index name, the part step, words set aside around a name
# The dense text keeps the first ingredients only: the model reads 256 word pieces at most, and
# the full list is in the BM25 text, where exact ingredient names matter most.
DENSE_INGREDIENTS = 12


@dataclass(frozen=True)
class ProductDocument:
    point_id: str
    dense_text: str
    sparse_text: str
    payload: dict[str, Any]
    embed_hash: str  # changes only when what is embedded changes


def build_document(record: ProductRecord, analysis: Analysis, contradictions: list[Contradiction],
                   *, record_hash: str, derivation: str) -> ProductDocument:
    category = " > ".join(record.category_path)
    # Names as the label writes them, never the knowledge base's: a new knowledge base then refreshes
    # payloads (families, resolution) without re-embedding a single product.
    listed = [r.item.raw for r in analysis.items if not r.item.may_contain]
    describe = [
        record.name,
        f"by {record.brand}" if record.brand else "",
        category,
        ", ".join(record.highlights),
        ("for " + ", ".join(record.skin_types) + " skin") if record.skin_types else "",
        ", ".join(c.replace("_", " ") for c in record.concerns),
    ]
    dense_text = ". ".join(p for p in describe if p)
    if listed:
        dense_text += ". Ingredients: " + ", ".join(listed[:DENSE_INGREDIENTS])
    sparse_text = ". ".join(p for p in describe if p) + ". " + " , ".join(r.item.raw for r in analysis.items)
    embed_hash = hashlib.sha256(f"{dense_text}\x00{sparse_text}".encode()).hexdigest()[:32]
    payload: dict[str, Any] = {
        "source": record.source,
        "product_id": record.product_id,
        "name": record.name,
        "brand": record.brand,
        "brand_key": normalize_name(record.brand) if record.brand else None,
        "category_path": list(record.category_path),
        # The catalog's own levels and Conseil's product types: "toner" filters alike on every catalog.
        "category": sorted({normalize_name(level) for level in record.category_path} | set(record.product_types)),
        "product_types": list(record.product_types),
        "price": record.price,
        "currency": record.currency,
        "url": record.url,
        "ingredients_raw": record.ingredients_raw,
        "ingredient_count": len(analysis.items),
        "ingredients": sorted(analysis.canonical_keys),
        "ingredient_names": sorted(analysis.names),
        # Per item: [display name, key, every name as written, families]: what search-time
        # verification re-checks against the current knowledge base without re-parsing.
        "ingredient_items": stored_items(analysis),
        "unknown_ingredients": list(analysis.unknown),
        "families": sorted(analysis.families),
        "skin_types": list(record.skin_types),
        "skin_types_origin": record.skin_types_origin,
        "concerns": list(record.concerns),
        "claims": list(record.claims),
        "highlights": list(record.highlights),
        "audit": [c.to_payload() for c in contradictions],
        "audit_claims": [c.claim for c in contradictions],
        "extra": json.loads(json.dumps(record.extra, default=str)),
        "record_hash": record_hash,
        "derivation": derivation,
        "embed_hash": embed_hash,
    }
    return ProductDocument(record.point_id, dense_text, sparse_text, payload, embed_hash)
