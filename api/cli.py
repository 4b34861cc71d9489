"""The `conseil` command line: built with typer, errors translated into messages at this edge.

This module defines the ingest and search commands and registers the sub-command modules'
(`cli_ask`, `cli_eval`, `cli_index`, `cli_server`); they share `cli_common` (consoles, the one error
translation `friendly_errors`) and never import this module back. Heavy modules (torch,
sentence-transformers, the Qdrant engine) are imported inside commands so that `conseil --help`
stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from conseil.api.cli_preview import print_catalog_notes
from conseil.search.errors import ConseilError
from conseil.search.settings import Settings

from . import cli_ask, cli_eval, cli_index, cli_knowledge, cli_server
from .cli_common import (
    LANGUAGE_HELP,
    check_language,
    console,
    demo_catalog_path,
    friendly_errors,
    out,
    validation_message,
)

__all__ = ["app", "demo_catalog_path", "main"]

app = typer.Typer(help="Conseil: ingredient-aware product and study search.", no_args_is_help=True,
                  add_completion=False)
ingest_app = typer.Typer(help="Load sources into the index.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")


def _run_product_ingest(settings: Settings, path: Path, fmt: str, mapping: Path | None,
                        source: str | None, sync: bool, as_json: bool, workers: int = 1,
                        strict: bool = False) -> None:
    from conseil.ingest.products import ingest_products
    from conseil.search.embedder import bulk_settings, load_embedder
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json or not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"analyse": "Analysing", "embed": "Embedding"}.get(stage, stage),
                                            total=total)
            bar.update(tasks[stage], completed=done)

        def make_embedder() -> Any:
            console.print(f"Loading embedding model {settings.embedding_model}…")
            return load_embedder(bulk_settings(settings))

        if workers != 1:  # worker processes against a server; ingest.parallel refuses the embedded index
            from functools import partial

            from conseil.ingest.parallel import ingest_products_parallel

            report = ingest_products_parallel(settings, path, workers=workers, fmt=fmt, mapping=mapping,
                                              source=source, sync=sync, progress=progress,
                                              embedder_factory=partial(load_embedder, settings),
                                              strict=strict).ingest
        else:
            report = ingest_products(settings, path, fmt=fmt, mapping=mapping, source=source, sync=sync,
                                     embedder_factory=make_embedder, progress=progress, strict=strict)
    summary = report.summary()
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(
        f"[bold]{report.path}[/] ({report.format}, source {report.source!r}): read {report.rows_read}, "
        f"new {report.new}, changed {report.changed}, payload refreshed {report.payload_only}, "
        f"unchanged {report.unchanged}, deleted {report.deleted}, rejected {report.rejected} "
        f"in {report.seconds:.1f} s"
    )
    print_catalog_notes(out, report.notes, report.typed, report.rows_read - report.rejected,
                        report.unmapped_categories, report.currencies)
    if report.contradictions:
        out.print(f"{report.contradictions} products carry claims their ingredient list contradicts: "
                  "see `conseil audit`.")
    if report.rejects_file:
        out.print(f"Rejected rows are listed in {report.rejects_file}")
        for reject in report.rejects[:5]:
            out.print(f"  row {reject.row} ({reject.product_id or 'no id'}): {reject.field or ''} {reject.reason}")


@ingest_app.command("products")
@friendly_errors
def ingest_products_command(
    path: Annotated[Path, typer.Argument(help="Product file: Sephora export, cosmetics.csv, or CSV/JSONL/Parquet.")],
    fmt: Annotated[str, typer.Option("--format", help="auto, sephora, cosmetics or generic.")] = "auto",
    mapping: Annotated[Path | None, typer.Option(help="Column mapping file for the generic format.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name stored with the products.")] = None,
    sync: Annotated[bool, typer.Option("--sync", help="Delete products of this source gone from the file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes embedding and upserting in parallel "
                                         "(a Qdrant server only; the embedded index takes 1).")] = 1,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read, map and analyse only: counts, rejects, "
                                          "unmapped categories, currency, ingredient coverage; nothing "
                                          "is embedded or written.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse a file whose prices have no currency "
                                         "(no column, no mapped default, no symbol).")] = False,
) -> None:
    """Ingest a product file; only new or changed products are embedded."""
    if dry_run:
        from conseil.api.cli_preview import run_preview

        run_preview(out, path, fmt=fmt, mapping=mapping, source=source, strict=strict, as_json=as_json)
        return
    _run_product_ingest(Settings(), path, fmt, mapping, source, sync, as_json, workers, strict)


@ingest_app.command("demo")
@friendly_errors
def ingest_demo_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest the bundled demo catalog (corpora/demo/products.jsonl)."""
    _run_product_ingest(Settings(), demo_catalog_path(), "generic", None, "demo", True, as_json)


@ingest_app.command("studies")
@friendly_errors
def ingest_studies_command(
    paths: Annotated[list[Path], typer.Argument(help="Study files or folders: PDF, Markdown/text, survey CSV.")],
    sync: Annotated[bool, typer.Option("--sync", help="Remove studies whose files are gone from these roots.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Ingest consumer studies (page by page, with citations); unchanged files are skipped."""
    from .cli_studies import run_study_ingest

    run_study_ingest(Settings(), paths, sync, as_json, console, out)


@app.command("audit")
@friendly_errors
def audit_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per contradiction.")] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many products (0 = all).")] = 0,
    language: Annotated[str | None, typer.Option(callback=check_language, help=LANGUAGE_HELP + (
        "the claim codes and English. Adds `warning`, as GET /v1/audit?language= does."))] = None,
) -> None:
    """List products whose own claims their ingredient list contradicts."""
    from conseil.ingest.audit_report import list_contradictions

    rows = list_contradictions(Settings())
    if limit:
        rows = rows[:limit]
    if language is not None:  # claim_text and warning in the language, as the HTTP rows
        from conseil.api.catalog import audit_row
        from conseil.search.knowledge.base import IngredientKnowledge

        kb = IngredientKnowledge.load()
        rows = [audit_row(row, kb, language).model_dump() for row in rows]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} claim contradictions")
    for column in ("product", "name", "brand", "claim", "offending ingredients"):
        table.add_column(column)
    for row in rows:
        claim = row["claim"] if language is None else row["claim_text"]
        table.add_row(row["product_id"], row["name"], row["brand"] or "", claim, ", ".join(row["offending"]))
    out.print(table)


def _print_response(response: Any) -> None:
    interp = response.interpretation
    out.print(f"[bold]{response.total}[/] products satisfy: {interp.summary or 'no constraint'}"
              f"  [dim]({interp.language}, {response.took_ms:.0f} ms)[/]")
    for warning in interp.warnings:
        out.print(f"[yellow]note:[/] {warning}")
    for rank, hit in enumerate(response.hits, response.offset + 1):
        price = f"{hit.price:g} {hit.currency or ''}".strip() if hit.price is not None else "n/a"
        out.print(f"\n[bold]{rank}. {hit.name}[/] — {hit.brand or ''} · {price} · {hit.id} "
                  f"[dim]score {hit.score:.4f}[/]")
        if hit.category:
            out.print(f"   {' > '.join(hit.category)}")
        for why in hit.why:
            out.print(f"   [green]✓[/] {why.text}")
        for warning in hit.warnings:
            out.print(f"   [red]![/] {warning.text}")


@app.command("search")
@friendly_errors
def search_command(
    query: Annotated[str, typer.Argument(help="The question, in en, fr, es, it, de, pl or cs.")] = "",
    limit: Annotated[int, typer.Option(help="Number of results.")] = 10,
    offset: Annotated[int, typer.Option(help="Skip this many results (pagination).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the response as JSON (the documented contract).")] = False,
    exclude: Annotated[list[str] | None, typer.Option(help="Family or ingredient to exclude (repeatable).")] = None,
    include: Annotated[list[str] | None, typer.Option(help="Ingredient the product must contain (repeatable).")] = None,
    skin_type: Annotated[list[str] | None, typer.Option(help="dry, oily, combination, normal, sensitive.")] = None,
    concern: Annotated[list[str] | None, typer.Option(help="Concern code, e.g. acne, dryness (repeatable).")] = None,
    category: Annotated[list[str] | None, typer.Option(help="Category, e.g. moisturizers (repeatable).")] = None,
    brand: Annotated[list[str] | None, typer.Option(help="Brand (repeatable).")] = None,
    price_min: Annotated[float | None, typer.Option(help="Minimum price.")] = None,
    price_max: Annotated[float | None, typer.Option(help="Maximum price.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    batch: Annotated[str | None, typer.Option(help="File (or - for stdin) with one query per line or JSONL "
                                              "requests; writes one JSON response per line.")] = None,
    collection: Annotated[str, typer.Option(help="products, or studies (consumer studies, page citations).")]
    = "products",
    year_from: Annotated[int | None, typer.Option(help="Studies: published in or after this year.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Studies: published in or before this year.")] = None,
    market: Annotated[list[str] | None, typer.Option(help="Studies: market, e.g. FR, global (repeatable).")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Studies: document language, e.g. fr (repeatable).")]
    = None,
    group_by_document: Annotated[bool, typer.Option(help="Studies: best passage per document.")] = False,
) -> None:
    """Search products (constraints understood, exclusions verified) or, with --collection studies, studies."""
    from conseil.search.engines import Engines
    from conseil.search.products.contract import SearchRequest
    from pydantic import ValidationError

    settings = Settings()
    studies_only = {"--year-from": year_from, "--year-to": year_to, "--market": market, "--language": language,
                    "--group-by-document": group_by_document or None}
    if collection == "studies":
        if batch is not None:
            raise typer.BadParameter("--batch searches products only", param_hint="--batch")
        from .cli_studies import run_study_search
        fields: dict[str, Any] = {"query": query, "limit": limit, "offset": offset, "mode": mode,
                                  "year_from": year_from, "year_to": year_to, "market": market or [],
                                  "language": language or [], "group_by_document": group_by_document}
        try:
            run_study_search(settings, fields, as_json, out)
        except ValidationError as exc:
            raise typer.BadParameter(validation_message(exc)) from None
        return
    if collection != "products":
        raise typer.BadParameter(f"unknown collection {collection!r}: products or studies", param_hint="--collection")
    misplaced = [name for name, value in studies_only.items() if value]
    if misplaced:
        raise typer.BadParameter(f"only with --collection studies: {', '.join(misplaced)}")
    if batch is not None:
        with Engines.open(settings, need=["products"]) as engines:
            engine = engines.product_engine()
            _run_batch(engine, batch)
        return
    try:
        request = SearchRequest(query=query, limit=limit, offset=offset, exclude=exclude or [],
                                include=include or [], skin_type=skin_type or [], concern=concern or [],
                                category=category or [], brand=brand or [], price_min=price_min,
                                price_max=price_max, mode=mode)
    except ValidationError as exc:
        raise typer.BadParameter(validation_message(exc)) from None
    with Engines.open(settings, need=["products"]) as engines:
        engine = engines.product_engine()
        response = engine.search(request)
    if as_json:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
    else:
        _print_response(response)


def _run_batch(engine: Any, batch: str) -> None:
    """One process, many queries: one JSON line out per line in (errors included, never fatal)."""
    from conseil.search.products.contract import SearchRequest
    from pydantic import ValidationError

    handle = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
    try:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                request = (SearchRequest.model_validate_json(line) if line.startswith("{")
                           else SearchRequest(query=line))
                sys.stdout.write(engine.search(request).model_dump_json() + "\n")
            except ValidationError as exc:
                sys.stdout.write(json.dumps({"line": number, "error": validation_message(exc)}) + "\n")
            except ConseilError as exc:
                sys.stdout.write(json.dumps({"line": number, "query": line, "error": str(exc)}) + "\n")
            sys.stdout.flush()
    finally:
        if handle is not sys.stdin:
            handle.close()


cli_server.register(app)
cli_ask.register(app)
cli_index.register(app)
cli_eval.register(app)
cli_knowledge.register(app)


def main() -> None:
    app()


if __name__ == "__main__":  # `python -m conseil.api.cli`, used by the benchmarks
    main()
