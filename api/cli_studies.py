"""`conseil ingest studies` and `conseil search --collection studies`: the analysts' commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from conseil.search.settings import STUDIES, Settings
from rich.console import Console
from rich.markup import escape
from rich.text import Text


def run_study_ingest(settings: Settings, paths: list[Path], sync: bool, as_json: bool, console: Console,
                     out: Console) -> None:
    from conseil.ingest.studies import ingest_studies
    from conseil.search.embedder import load_embedder

    def make_embedder() -> Any:
        console.print(f"Loading embedding model {settings.model_for(STUDIES)}…")
        return load_embedder(settings, STUDIES)

    def progress(stage: str, done: int, total: int) -> None:
        if console.is_terminal and not as_json:
            console.print(f"{stage}: {done}/{total}", end="\r")

    report = ingest_studies(settings, paths, sync=sync, embedder_factory=make_embedder, progress=progress)
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, default=str) + "\n")
        return
    for outcome in report.files:
        colour = {"rejected": "red", "skipped": "yellow"}.get(outcome.status, "green")
        detail = f" ({outcome.reason})" if outcome.reason else ""
        out.print(f"[{colour}]{outcome.status:<9}[/] {escape(outcome.path)}{escape(detail)}"
                  + (f" · {outcome.pages} pages, {outcome.chunks} passages" if outcome.chunks else ""))
    summary = report.summary()
    counts = ", ".join(f"{k} {summary[k]}" for k in ("ingested", "changed", "unchanged", "moved", "rejected",
                                                    "deleted") if summary[k])
    out.print(f"[bold]{len(report.files)} files[/]: {counts}; {report.pages} pages and {report.chunks} "
              f"passages embedded in {report.seconds:.1f} s")
    if report.report_file:
        out.print(f"Per-file report: {report.report_file}")


def run_study_search(settings: Settings, request_fields: dict[str, Any], as_json: bool, out: Console) -> None:
    from conseil.search.engines import Engines
    from conseil.search.studies.contract import StudySearchRequest

    request = StudySearchRequest(**request_fields)
    with Engines.open(settings, need=["studies"]) as engines:
        engine = engines.study_engine()
        response = engine.search(request)
    if as_json:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    out.print(f"[bold]{response.total}[/] passages in {response.total_documents} documents match "
              f"[dim]({response.took_ms:.0f} ms)[/]")
    for rank, hit in enumerate(response.hits, response.offset + 1):
        out.print(f"\n[bold]{rank}. {escape(hit.citation)}[/] [dim]score {hit.score:.4f} · "
                  f"{hit.language or '?'} · {hit.market or ''}[/]")
        if hit.section:
            out.print(f"   § {escape(hit.section)}")
        # the terminal shows the ** marks in colour instead; a Text object, not markup, so a snippet
        # holding brackets can never be read as a style tag
        snippet = Text("   " + hit.snippet.replace("**", ""))
        snippet.highlight_words(sorted(set(hit.matched_terms), key=len, reverse=True), style="bold yellow",
                                case_sensitive=False)
        out.print(snippet)
        if hit.also_on_pages:
            out.print(f"   [dim]also on pages {', '.join(map(str, hit.also_on_pages))}[/]")
