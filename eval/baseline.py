"""The pipeline a user would build instead of Conseil, measured beside it by the benchmarks and the
product evaluation: llama-index `VectorStoreIndex` over `QdrantVectorStore` in qdrant-client local
mode, the same model and the same document vectors, and `MetadataFilters` NIN on the ingredient
names a careful user would list for each family (the ingredient string split on commas).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conseil.search.products.engine import ProductSearch

# The ingredient names a careful user would type into a NIN filter for each family.
USER_LISTS: dict[str, list[str]] = {
    "parabens": ["methylparaben", "propylparaben", "butylparaben", "ethylparaben"],
    "fragrance": ["fragrance", "parfum", "parfum (fragrance)", "fragrance (parfum)"],
    "silicones": ["dimethicone", "cyclopentasiloxane", "cyclomethicone", "amodimethicone"],
    "sulfates": ["sodium lauryl sulfate", "sodium laureth sulfate"],
    "mineral_oils": ["mineral oil", "petrolatum", "paraffinum liquidum"],
    "drying_alcohols": ["alcohol denat.", "alcohol"],
    "essential_oils": ["lavender oil", "tea tree oil", "peppermint oil", "eucalyptus oil", "rosemary oil"],
}


@dataclass(frozen=True)
class BaselineHit:
    product_id: str
    ingredients_raw: str


def user_names(raw: str | None) -> list[str]:
    """What a user does: split the ingredient string on commas, lower-case the names."""
    return [n.strip().lower() for n in (raw or "").strip("[]'\"").split(",") if n.strip()]


class Baseline:
    """A built llama-index retriever over the catalog; `retrieve` is one user query."""

    def __init__(self, index: Any) -> None:
        self.index = index

    @classmethod
    def build(cls, engine: ProductSearch, export: Path) -> Baseline:
        """Nodes carry the vectors already in Conseil's index when it can export them (same vectors,
        no re-encoding); otherwise the export's documents are embedded again with the same model."""
        from conseil.search.embedder import resolve_model_reference
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.qdrant import QdrantVectorStore
        from qdrant_client import QdrantClient

        nodes = []
        for pid, text, vector, payload in _documents(engine, export):
            raw = payload.get("ingredients_raw") or ""
            nodes.append(TextNode(text=text, embedding=vector, id_=pid,
                                  metadata={"ingredients": user_names(raw), "raw": raw,
                                            "product_id": payload.get("product_id"), "price": payload.get("price")},
                                  excluded_embed_metadata_keys=["ingredients", "raw", "product_id", "price"]))
        store = QdrantVectorStore(client=QdrantClient(location=":memory:"), collection_name="baseline")
        embed_model = HuggingFaceEmbedding(model_name=resolve_model_reference(engine.embedder.name))
        index = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store),
                                 embed_model=embed_model)
        return cls(index)

    def retrieve(self, text: str, families: Sequence[str], top_k: int = 10,
                 price_max: float | None = None) -> tuple[list[BaselineHit], float]:
        """The hits of one query and its wall time in ms (query embedding included)."""
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

        names = [n for fam in families for n in USER_LISTS.get(fam, [fam.replace("_", " ")])]
        conditions: list[MetadataFilter | MetadataFilters] = [MetadataFilter(key="ingredients", value=names, operator=FilterOperator.NIN)]
        if price_max is not None:  # a user would filter the price too
            conditions.append(MetadataFilter(key="price", value=price_max, operator=FilterOperator.LTE))
        retriever = self.index.as_retriever(similarity_top_k=top_k, filters=MetadataFilters(filters=conditions))
        began = time.perf_counter()
        results = retriever.retrieve(text)
        took = (time.perf_counter() - began) * 1000
        return [BaselineHit(str(r.node.metadata.get("product_id") or r.node.node_id),
                            str(r.node.metadata.get("raw") or "")) for r in results], took


def _documents(engine: ProductSearch, export: Path) -> list[tuple[str, str, list[float], dict[str, Any]]]:
    export_points = getattr(engine.index, "export_points", None)
    if export_points is not None:
        out = []
        for batch in export_points():
            for p in batch:
                name = p.payload.get("name") or ""
                brand = p.payload.get("brand") or ""
                out.append((p.id, f"{name} by {brand}".strip(), p.dense, p.payload))
        return out
    from conseil.ingest.products import _document
    from conseil.ingest.sources import read_products

    records = read_products(export).records
    docs = [_document(r, engine.kb, "", "") for r in records]
    vectors = engine.embedder.embed_documents([d.dense_text for d in docs])
    return [(d.point_id, d.dense_text, v, {"ingredients_raw": r.ingredients_raw, "product_id": r.product_id,
                                           "price": r.price})
            for r, d, v in zip(records, docs, vectors, strict=True)]
