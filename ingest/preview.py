"""`conseil ingest products FILE --dry-run`: read, map and analyse a catalog without writing anything.

What a user needs to fix a mapping file before embedding: counts, rejects, the category paths no
product type matched, the currencies prices will be stored in (and any currency assumed), and how
much of the ingredient lists the knowledge base resolves.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from conseil.ingest.coverage import Coverage, CoverageFunction, ingredient_coverage
from conseil.ingest.sources import read_products
from conseil.search.index.schema import Reject
from conseil.search.knowledge.analysis import KnowledgeLike
from conseil.search.knowledge.base import IngredientKnowledge

REJECTS_SHOWN = 20


@dataclass
class IngestPreview:
    path: str
    format: str
    source: str
    rows_read: int
    products: int
    rejected: int
    typed: int  # products whose category maps to a product type
    product_types: dict[str, int]  # most specific type -> products
    unmapped_categories: dict[str, int]  # category path -> products, most frequent first
    currencies: dict[str, int]
    coverage: Coverage
    notes: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # the first REJECTS_SHOWN
    seconds: float = 0.0

    @property
    def typed_share(self) -> float:
        return self.typed / self.products if self.products else 0.0

    def summary(self) -> dict[str, object]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("rejects", "coverage")}
        out["typed_share"] = round(self.typed_share, 4)
        out["coverage"] = self.coverage.to_dict()
        out["rejects"] = [{"row": r.row, "product_id": r.product_id, "field": r.field, "reason": r.reason}
                          for r in self.rejects]
        return out


def preview_products(path: Path, *, fmt: str = "auto", mapping: Path | None = None, source: str | None = None,
                     strict: bool = False, kb: KnowledgeLike | None = None,
                     coverage: CoverageFunction = ingredient_coverage) -> IngestPreview:
    """Everything `ingest_products` would decide before embedding; nothing is written (no index opened,
    no rejects file). Raises SourceError as ingestion would (unreadable file, bad mapping, --strict)."""
    started = time.perf_counter()
    read = read_products(Path(path), fmt, mapping=mapping, source=source, strict=strict)
    types = Counter(r.product_types[0] for r in read.records if r.product_types)
    found = coverage((r.ingredients_raw for r in read.records), kb or IngredientKnowledge.load())
    return IngestPreview(
        path=str(path), format=read.format, source=read.source, rows_read=read.rows_read,
        products=len(read.records), rejected=len(read.rejects), typed=sum(types.values()),
        product_types=dict(types.most_common()),
        unmapped_categories=dict(sorted(read.unmapped_categories.items(), key=lambda kv: (-kv[1], kv[0]))),
        currencies=dict(read.currencies), coverage=found, notes=list(read.notes),
        rejects=read.rejects[:REJECTS_SHOWN], seconds=round(time.perf_counter() - started, 2))
