"""What the ingest side writes and the search side reads: records, vocabularies, payload fields.

The payload field names below are the index schema: every field used in a filter has a payload
index (see `PAYLOAD_INDEXES`), and changing one is a schema change.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

PRODUCTS_COLLECTION = "products"
DENSE_VECTOR = "dense"
SPARSE_VECTOR = "bm25"

# Namespace for deterministic point ids: uuid5(namespace, f"{source}:{product_id}").
POINT_NAMESPACE = uuid.UUID("3b1f8a52-7c0e-4d55-9a57-6c2f0e9d4b11")

SKIN_TYPES: tuple[str, ...] = ("dry", "oily", "combination", "normal", "sensitive")

# Canonical concern codes (Sephora's "Good for: ..." highlights map onto these).
CONCERNS: tuple[str, ...] = (
    "dryness",
    "aging",
    "dullness",
    "uneven_texture",
    "dark_spots",
    "acne",
    "pores",
    "redness",
    "loss_of_firmness",
    "fine_lines",
    "dark_circles",
    "oiliness",
    "frizz",
    "damage",
    "color_care",
    "volume",
    "hair_thinning",
    "dry_scalp",
    "oily_scalp",
)


@dataclass(frozen=True)
class ProductRecord:
    """One product as read from a source, before ingredient analysis and embedding."""

    source: str  # short name of the source, e.g. "sephora", "cosmetics", "demo"
    product_id: str  # the source's own id, e.g. "P433469"
    name: str
    brand: str | None = None
    category_path: tuple[str, ...] = ()  # e.g. ("Skincare", "Moisturizers", "Face Creams")
    price: float | None = None
    currency: str = "USD"
    ingredients_raw: str | None = None  # the declaration exactly as the source gives it
    skin_types: tuple[str, ...] = ()  # codes from SKIN_TYPES
    skin_types_origin: str | None = None  # "columns" (data) or "highlights" (brand tags)
    concerns: tuple[str, ...] = ()  # codes from CONCERNS
    claims: tuple[str, ...] = ()  # claim codes, see ingest.claims (e.g. "without:parabens", "vegan")
    highlights: tuple[str, ...] = ()  # the source's tags verbatim
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Conseil product-type ids of the category path, most specific first, with their ancestors
    # ("toner", "skincare"); () when no level maps (search/query/product_types.py).
    product_types: tuple[str, ...] = ()

    @property
    def point_id(self) -> str:
        return point_id(self.source, self.product_id)

    def content_hash(self) -> str:
        """Hash of everything that goes into the point: a change re-embeds, no change skips."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Reject:
    """A row that could not be ingested: where it is and what to do about it."""

    source: str  # file path
    row: int  # 1-based data row number (header excluded)
    product_id: str | None
    field: str | None
    reason: str


def point_id(source: str, product_id: str) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source}:{product_id}"))


# Payload fields that filters use, with their index type.
PAYLOAD_INDEXES: dict[str, str] = {
    "source": "keyword",
    "product_id": "keyword",
    "ingredients": "keyword",  # canonical INCI names (normalised keys)
    "ingredient_names": "keyword",  # every normalised name as written, known or not
    "families": "keyword",  # family ids of any ingredient
    "skin_types": "keyword",
    "concerns": "keyword",
    "claims": "keyword",
    "category": "keyword",  # every level of the category path, normalised
    "brand": "keyword",  # facets show the brand as written
    "brand_key": "keyword",
    "price": "float",
    "currency": "keyword",  # ISO code of the price: a query's price in another currency is converted or noted
    "ingredient_count": "float",  # > 0: the product has an ingredient list to verify
    "audit_claims": "keyword",  # claims its own ingredient list contradicts
}


# -- consumer studies ---------------------------------------------------------------------------

STUDIES_COLLECTION = "studies"

# A study document is identified by the hash of its content, so a renamed or moved file keeps its
# points (only `path` is rewritten) and is never re-embedded.
STUDY_PAYLOAD_INDEXES: dict[str, str] = {
    "doc_id": "keyword",  # content hash of the source file (first 32 hex chars of sha256)
    "path": "keyword",  # where the file was last seen (relative to the ingested root when possible)
    "year": "float",
    "market": "keyword",  # e.g. "FR", "KR", "MY", "EU", "global"
    "language": "keyword",  # ISO 639-1 of the passage's document
    "study_type": "keyword",  # e.g. "peer-reviewed", "course-notes", "report", "survey", "guidance"
    "audience": "keyword",  # "analyst" by default; advisors never see studies (roles, later)
    "kind": "keyword",  # "pdf" | "text" | "survey"
}


def study_point_id(doc_id: str, chunk_index: int) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"study:{doc_id}:{chunk_index}"))
