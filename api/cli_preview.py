"""The catalog part of ingest output: `--dry-run` previews and the notes after a real ingest."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

UNMAPPED_SHOWN = 15


def print_catalog_notes(out: Console, notes: list[str], typed: int, products: int,
                        unmapped: dict[str, int], currencies: dict[str, int]) -> None:
    """Notes (ids normalised, a currency assumed), product-type mapping and currencies."""
    for note in notes:
        out.print(f"[yellow]note:[/] {note}")
    if products:
        out.print(f"Product types: {typed} of {products} products ({typed / products:.1%}) map to Conseil's "
                  "vocabulary (corpora/language/product_types.json).")
    if unmapped:
        out.print(f"{len(unmapped)} category path(s) map to no product type (add them to 'values.category' "
                  "in the mapping file, ingest/generic-schema.md):")
        for path, count in list(unmapped.items())[:UNMAPPED_SHOWN]:
            out.print(f"  {count:6d}  {path}")
        if len(unmapped) > UNMAPPED_SHOWN:
            out.print(f"  … and {len(unmapped) - UNMAPPED_SHOWN} more (--json lists them all)")
    if len(currencies) > 1:
        out.print("Prices are in several currencies: " + ", ".join(f"{c} {n}" for c, n in currencies.items()))


def run_preview(out: Console, path: Path, *, fmt: str, mapping: Path | None, source: str | None, strict: bool,
                as_json: bool) -> None:
    from conseil.ingest.preview import preview_products

    preview = preview_products(path, fmt=fmt, mapping=mapping, source=source, strict=strict)
    if as_json:
        out.print_json(json.dumps(preview.summary()))
        return
    cov = preview.coverage
    out.print(f"[bold]{preview.path}[/] ({preview.format}, source {preview.source!r}) — dry run, nothing written: "
              f"read {preview.rows_read}, products {preview.products}, rejected {preview.rejected} "
              f"in {preview.seconds:.1f} s")
    print_catalog_notes(out, preview.notes, preview.typed, preview.products, preview.unmapped_categories,
                        preview.currencies)
    if len(preview.currencies) < 2:
        out.print("Currency: " + (", ".join(f"{c} ({n} products)" for c, n in preview.currencies.items()) or "none"))
    out.print(f"Ingredients: {cov.with_ingredients} of {cov.products} products have a list; the knowledge base "
              f"resolves {cov.items_resolved} of {cov.items} items ({cov.item_share:.1%}); "
              f"{cov.fully_resolved} lists entirely.")
    for reject in preview.rejects:
        out.print(f"  row {reject.row} ({reject.product_id or 'no id'}): {reject.field or ''} {reject.reason}")
    if preview.rejected > len(preview.rejects):
        out.print(f"  … and {preview.rejected - len(preview.rejects)} more rejects (--json for the first ones)")
