"""`conseil knowledge coverage|explain`: what the ingredient knowledge base makes of real labels.

    conseil knowledge coverage FILE [FILE ...] [--format auto|sephora|cosmetics|generic] [--mapping M] [--json]
    conseil knowledge explain NAME [NAME ...] [--language L] [--json]

`coverage` reads catalog files (no index, no model) and prints the share of ingredient mentions
resolved, by resolution step, and the most frequent unresolved items. `explain` shows how a label
name resolves (each step tried), its functions, families and EU regulatory notes.
Registered on the CLI's typer app by `register(app)`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

knowledge_app = typer.Typer(help="Inspect the ingredient knowledge base on real labels (no index needed).",
                            no_args_is_help=True)


def coverage_command(
    files: Annotated[list[Path], typer.Argument(help="Catalog files (Sephora, cosmetics.csv or generic).")],
    fmt: Annotated[str, typer.Option("--format", help="auto, sephora, cosmetics or generic.")] = "auto",
    mapping: Annotated[Path | None, typer.Option(help="Mapping file for the generic format.")] = None,
    top: Annotated[int, typer.Option(help="How many unresolved names to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Share of ingredient mentions the knowledge base resolves, by step, and the top unresolved names."""
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.knowledge.coverage import measure

    from .cli_common import out

    kb = IngredientKnowledge.load()
    reports: list[dict[str, Any]] = []
    for path in files:
        read = read_products(path, fmt, mapping)
        report = measure((r.ingredients_raw for r in read.records), kb).as_dict(top)
        reports.append({"file": str(path), "format": read.format, "rejected_rows": len(read.rejects), **report})
    if as_json:
        out.print_json(json.dumps(reports if len(reports) > 1 else reports[0]))
        return
    for rep in reports:
        out.print(f"[bold]{rep['file']}[/] ({rep['format']}): {rep['products']} products, "
                  f"{rep['products_with_list']} with an ingredient list, {rep['mentions']} mentions")
        out.print(f"  resolved: {rep['resolved']} ({rep['resolved_share']:.2%}); without the {rep['not_ingredient']} "
                  f"not_ingredient mentions: {rep['resolved_share_substances']:.2%} of substances")
        for step, count in rep["by_step"].items():
            share = count / rep["mentions"] if rep["mentions"] else 0.0
            out.print(f"    {step:<13}{count:>9}  {share:7.2%}")
        if rep["top_unresolved"]:
            out.print("  most frequent unresolved:")
            for row in rep["top_unresolved"]:
                out.print(f"    {row['mentions']:>6}  {row['name']}", markup=False, highlight=False)


def explain_command(
    names: Annotated[list[str], typer.Argument(help="Ingredient names as printed on a label.")],
    language: Annotated[str, typer.Option("--language", "-l", help="Language of function and family names.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How a label name resolves (step by step), its functions, families and EU restrictions."""
    from conseil.search.errors import QueryError
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.knowledge.cards import ingredient_card
    from conseil.search.query.language_data import LANGUAGES

    from .cli_common import out

    if language not in LANGUAGES:
        raise QueryError(f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)}.")
    kb = IngredientKnowledge.load()
    cards = [ingredient_card(kb, name, language) for name in names]
    if as_json:
        out.print_json(json.dumps(cards if len(cards) > 1 else cards[0], ensure_ascii=False))
        return
    for card in cards:
        head = card["canonical"] or "not identified"
        out.print(f"[bold]{card['query']}[/] -> {head} (via {card['via']})", highlight=False)
        for line in card["trail"]:
            out.print(f"    tried {line}", markup=False, highlight=False)
        if card["candidates"]:
            out.print(f"  ambiguous between: {', '.join(card['candidates'])}", markup=False)
        for label, value in (("CAS", ", ".join(card["cas"])),
                             ("functions", ", ".join(f["name"] for f in card["functions"])),
                             ("families", ", ".join(f["name"] for f in card["families"])),
                             ("synonyms", ", ".join(card["synonyms"][:12]))):
            if value:
                out.print(f"  {label}: {value}", markup=False, highlight=False)
        for note in card["regulatory"]:
            out.print(f"  EU: {note}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `knowledge` command group (idempotent)."""
    from .cli_common import friendly_errors

    if any(group.name == "knowledge" for group in app.registered_groups):
        return
    knowledge_app.command("coverage")(friendly_errors(coverage_command))
    knowledge_app.command("explain")(friendly_errors(explain_command))
    app.add_typer(knowledge_app, name="knowledge")
