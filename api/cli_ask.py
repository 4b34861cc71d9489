"""`conseil ask "question"`: an answer with numbered citations, registered on the CLI's typer app.

    conseil ask "a cream without parabens for dry skin"
    conseil ask "what is methylparaben?" --json
    conseil ask "what share of respondents have sensitive skin?" --role analyst --domain studies
    conseil ask "is butylparaben a paraben?" --language pl   # the answer in Polish, whatever the question's

Offline and extractive by default; CONSEIL_LLM=provider:model answers with that LLM instead (the
answer streams to the terminal as it is written). The role limits the domains as over HTTP: an
advisor's question never reaches the studies.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from conseil.search.settings import Settings

from .cli_common import LANGUAGE_HELP, check_language, console, friendly_errors, out, validation_message
from .keys import ROLE_AUDIENCES, ROLE_PERMISSIONS, Permission, Role

_DOMAIN_PERMISSIONS = {"products": Permission.PRODUCTS, "studies": Permission.STUDIES,
                       "ingredients": Permission.INGREDIENTS}


def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in en, fr, es, it, de, pl, cs or el.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the AskResponse as JSON.")] = False,
    domain: Annotated[list[str] | None, typer.Option(help="products, studies or ingredients (repeatable): "
                                                     "skip routing.")] = None,
    role: Annotated[Role, typer.Option(help="Whose question: an advisor never gets studies.")] = Role.ANALYST,
    limit: Annotated[int, typer.Option(min=1, max=20, help="Sources retrieved per domain.")] = 5,
    extractive: Annotated[bool, typer.Option("--extractive", help="Ignore CONSEIL_LLM for this answer.")] = False,
    language: Annotated[str | None, typer.Option(callback=check_language, help=LANGUAGE_HELP + "the question's. "
                                                 "As POST /v1/ask's `language`.")] = None,
) -> None:
    """Answer a product, study or ingredient question with numbered citations."""
    from conseil.search.answers.contract import AskRequest
    from conseil.search.engines import Engines
    from conseil.search.errors import LLMError
    from pydantic import ValidationError

    try:
        request = AskRequest.model_validate({"question": question, "domains": domain or [], "limit": limit,
                                             "synthesizer": "extractive" if extractive else "auto",
                                             "language": language})
    except ValidationError as exc:
        raise typer.BadParameter(validation_message(exc)) from None
    allowed = frozenset(d for d, p in _DOMAIN_PERMISSIONS.items() if p in ROLE_PERMISSIONS[role])
    with Engines.open(Settings()) as engines:
        service = engines.answers
        prepared = service.prepare(request, allowed=allowed, audiences=ROLE_AUDIENCES[role])
        if as_json:
            sys.stdout.write(service.complete(prepared).model_dump_json(indent=2) + "\n")
            return
        route = prepared.routing.route
        console.print(f"[dim]route: {', '.join(route.domains) or 'none'} ({route.method}: {route.reason})[/]")
        done: dict[str, Any] | None = None
        for event in service.stream(prepared):
            if event.event == "delta":
                out.print(str(event.data["text"]), end="", soft_wrap=True, highlight=False, markup=False)
            elif event.event == "error":
                raise LLMError(str(event.data["detail"]))
            elif event.event == "done":
                done = event.data
        out.print()
    if done is None:
        return
    if done.get("fallback"):
        console.print(f"[yellow]note:[/] {done['fallback']} The extractive answer follows.")
        out.print(str(done["answer"]), soft_wrap=True, highlight=False, markup=False)
    citations = [c for c in done["citations"] if isinstance(c, dict) and c.get("cited")]
    for c in citations:
        out.print(f"  [{c['n']}] {c['locator']}", soft_wrap=True, highlight=False, markup=False)
    console.print(f"[dim]{done['synthesizer']} · {done['language']} · {done['took_ms']:.0f} ms · "
                  f"answer {done['answer_id']}[/]")


def register(app: typer.Typer) -> None:
    app.command("ask")(friendly_errors(ask_command))
