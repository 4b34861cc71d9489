"""`conseil eval ...`: the evaluation harness's commands, registered on the CLI's typer app.

Each section below belongs to one concern (BEIR datasets, the product suite and report, feedback);
heavy imports stay inside the commands so that `conseil --help` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli_common import console, friendly_errors

eval_app = typer.Typer(help="Measure quality and speed on real data (BEIR format).", no_args_is_help=True)


# --- BEIR datasets: `conseil eval beir`, `conseil eval nfcorpus` -------------------------------


def _beir_table(result: object) -> None:
    from conseil.eval.beir_run import BeirResult
    from rich.console import Console
    from rich.table import Table

    assert isinstance(result, BeirResult)
    table = Table(title=f"{result.dataset} ({result.split}): {result.queries} queries, "
                        f"{result.docs} documents, "
                        f"model {result.model}")
    for column in ("run", "nDCG@10", "published nDCG@10", "recall@100", "MRR@10", "p50 ms", "p99 ms",
                   "engine p50 ms"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for r in result.runs:
        published = "–" if r.published_ndcg10 is None else f"{r.published_ndcg10:.4f} ({r.published_source})"
        table.add_row(r.run, f"{r.metrics['ndcg@10']:.4f}", published, f"{r.metrics['recall@100']:.4f}",
                      f"{r.metrics['mrr@10']:.4f}", f"{r.latency.p50_ms:.1f}", f"{r.latency.p99_ms:.1f}",
                      f"{r.engine_latency.p50_ms:.2f}")
    out = Console()
    out.print(table)
    embedded = ("vectors from the cache" if result.vectors_cached
                else f"embedded in {result.embed_seconds:.0f} s")
    out.print(f"corpus {embedded}; index built in {result.index_seconds:.1f} s")
    for note in result.notes:
        out.print(f"[yellow]note:[/] {note}")


@eval_app.command("beir")
@friendly_errors
def eval_beir(
    path: Annotated[Path, typer.Argument(help="A BEIR dataset folder: corpus.jsonl, queries.jsonl, "
                                         "qrels/SPLIT.tsv.")],
    mode: Annotated[list[str] | None, typer.Option("--mode", help="bm25, dense, hybrid or all (repeatable; "
                                                   "default all).")] = None,
    fusion: Annotated[list[str] | None, typer.Option("--fusion", help="Hybrid fusion: rrf, dbsf (Qdrant's) "
                                                     "or convex (weighted); repeatable, default rrf.")] = None,
    split: Annotated[str, typer.Option("--split", help="The qrels file to score: qrels/SPLIT.tsv.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the JSON result to this "
                                                  "file.")] = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Document-vector cache (default: "
                                                   "DATA_DIR/eval/cache).")] = None,
) -> None:
    """Index a BEIR corpus in a temporary index, run its queries: nDCG@10, recall@100, MRR@10, latency."""
    from conseil.eval.beir import BeirFormatError
    from conseil.eval.beir_run import MODES, evaluate_beir
    from conseil.search.settings import Settings

    modes = list(MODES) if not mode or "all" in mode else mode
    if not (path / "queries.jsonl").is_file() or not (path / "qrels" / f"{split}.tsv").is_file():
        raise BeirFormatError(f"{path} is not a BEIR dataset with a {split} split: it needs queries.jsonl, "
                              f"corpus.jsonl and qrels/{split}.tsv (`conseil eval nfcorpus` writes one).")
    settings = Settings()
    if not as_json:
        console.print(f"Loading embedding model {settings.embedding_model}…")

    def progress(done: int, total: int) -> None:
        if console.is_terminal and not as_json:
            console.print(f"embedding the corpus: {done}/{total}", end="\r")

    result = evaluate_beir(path, modes, fusion or ["rrf"], settings, split=split, progress=progress,
                           cache_dir=cache_dir)
    payload = result.model_dump_json(indent=2)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(payload + "\n", encoding="utf-8")
    if as_json:
        typer.echo(payload)
    else:
        _beir_table(result)


@eval_app.command("nfcorpus")
@friendly_errors
def eval_nfcorpus(
    source: Annotated[Path, typer.Option("--source", help="NFCorpus's original release folder.")] = Path(
        "../shared/data/nfcorpus"),
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the BEIR layout "
                                                 "(default: DATA_DIR/eval/nfcorpus-beir).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Convert NFCorpus to BEIR's layout and compare its counts with BEIR's; then `conseil eval beir DIR`."""
    import json

    from conseil.eval.nfcorpus import BEIR_CORPUS_DOCS, BEIR_COUNTS, convert, default_out
    from conseil.search.settings import Settings

    target = out_dir or default_out(Settings().data_dir)
    done = convert(source, target)
    if as_json:
        typer.echo(json.dumps({"out": str(done.out), "docs": done.docs, "queries": done.queries,
                               "qrels": done.qrels, "notes": done.notes}, indent=2))
        return
    typer.echo(f"wrote {done.out}")
    typer.echo(f"corpus: {done.docs} documents (BEIR: {BEIR_CORPUS_DOCS})")
    for split in done.queries:
        want_q, want_r = BEIR_COUNTS[split]
        mark = "same as BEIR" if done.matches_beir(split) else "differs from BEIR"
        typer.echo(f"{split}: {done.queries[split]} queries, {done.qrels[split]} judgements "
                   f"(BEIR: {want_q}, {want_r}: {mark})")
    for note in done.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"next: conseil eval beir {done.out}")



# --- product suite, studies suite, baselines, report, benchmarks ------------------------------


@eval_app.command("products")
@friendly_errors
def eval_products(
    suite: Annotated[Path | None, typer.Option("--suite", help="The suite's BEIR folder (default: "
                                               "eval/datasets/sephora_products).")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="The Sephora product_info.csv the suite was "
                                                "generated from (default: ../shared/data/...).")] = None,
    modes: Annotated[str, typer.Option("--modes", help="Comma-separated: bm25, dense, hybrid_rrf, "
                                       "hybrid_dbsf.")] = "bm25,dense,hybrid_rrf,hybrid_dbsf",
    baseline_sample: Annotated[int, typer.Option("--baseline-sample", min=0, help="Combinations (x the suite's languages) "
                                                 "the llama-index baseline runs on; 0 skips it.")] = 15,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the JSON result here.")] = None,
) -> None:
    """Run the in-domain product suite through every retrieval mode and the baseline (index: DATA_DIR)."""
    from conseil.eval.product_eval import main as product_main

    argv = ["--modes", modes, "--baseline-sample", str(baseline_sample)]
    argv += ["--suite", str(suite)] if suite else []
    argv += ["--export", str(export)] if export else []
    argv += ["--json"] if as_json else []
    argv += ["--out", str(out_file)] if out_file else []
    raise typer.Exit(product_main(argv))


@eval_app.command("studies")
@friendly_errors
def eval_studies(
    modes: Annotated[str, typer.Option("--modes", help="Comma-separated: bm25, dense, hybrid.")] = "bm25,dense,hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the JSON result here.")] = None,
) -> None:
    """Page-level hit@5 and MRR@10 on the 66 judged analyst questions (studies index: DATA_DIR)."""
    import json

    from conseil.eval.beir import load
    from conseil.eval.studies_eval import QRELS_DIR, evaluate, print_report
    from conseil.search.engines import Engines
    from conseil.search.settings import Settings

    dataset = load(QRELS_DIR)
    with Engines.open(Settings(), need=["studies"]) as engines:
        engine = engines.study_engine()
        report = evaluate(engine, dataset.queries, dataset.qrels, [m.strip() for m in modes.split(",") if m.strip()])
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)


@eval_app.command("report")
@friendly_errors
def eval_report(
    reports_dir: Annotated[Path, typer.Option("--reports-dir", help="Where dated reports go.")] = Path("reports"),
    products_json: Annotated[Path | None, typer.Option("--products-json", help="From `conseil eval products "
                                                       "--out`.")] = None,
    studies_json: Annotated[Path | None, typer.Option("--studies-json", help="From `conseil eval studies "
                                                      "--out`.")] = None,
    beir_json: Annotated[Path | None, typer.Option("--beir-json", help="From `conseil eval beir --out` "
                                                   "(not recomputed).")] = None,
    bench_json: Annotated[Path | None, typer.Option("--bench-json", help="From `conseil eval bench --out`.")] = None,
    date: Annotated[str | None, typer.Option("--date", help="The report's folder name (default: today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A sentence put at the top (e.g. the machine's "
                                             "load during the run).")] = None,
) -> None:
    """Write REPORTS_DIR/<date>/report.md with tables and PNG plots, and REPORTS_DIR/latest.md."""
    from conseil.eval.report import ReportError, read_json, write_report

    inputs = {"products": read_json(products_json, "products result"),
              "studies": read_json(studies_json, "studies result"),
              "beir": read_json(beir_json, "BEIR result"), "bench": read_json(bench_json, "benchmarks")}
    if not any(inputs.values()):
        raise ReportError("nothing to report: give at least one of --products-json, --studies-json, "
                          "--beir-json, --bench-json.")
    report = write_report(reports_dir, date=date, note=note, **inputs)
    typer.echo(f"wrote {report} and {report.parent.parent / 'latest.md'}")


@eval_app.command("bench")
@friendly_errors
def eval_bench(
    run_all: Annotated[bool, typer.Option("--all", help="Every benchmark (the default when none is chosen).")] = False,
    ingest: Annotated[bool, typer.Option("--ingest", help="Ingestion rate vs raw encode rate.")] = False,
    search: Annotated[bool, typer.Option("--search", help="Search latency, recall, violations, baseline.")] = False,
    api: Annotated[bool, typer.Option("--api", help="HTTP API load.")] = False,
    studies: Annotated[bool, typer.Option("--studies", help="Studies extraction, ingestion, search.")] = False,
    append_to: Annotated[Path | None, typer.Option("--append-to", help="A report.md to append the Benchmarks "
                                                   "section to.")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
) -> None:
    """Run the benchmark scripts under eval/ (each a subprocess with --json) and print their figures."""
    from conseil.eval.bench_all import main as bench_main

    argv = [f"--{n}" for n, on in (("all", run_all), ("ingest", ingest), ("search", search), ("api", api),
                                   ("studies", studies)) if on]
    argv += ["--append-to", str(append_to)] if append_to else []
    argv += ["--out", str(out_file)] if out_file else []
    raise typer.Exit(bench_main(argv))



# --- feedback: `conseil eval feedback` ----------------------------------------------------------


@eval_app.command("feedback")
@friendly_errors
def eval_feedback(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the BEIR set "
                                                 "(default: DATA_DIR/feedback/beir).")] = None,
    min_votes: Annotated[int, typer.Option("--min-votes", min=1, help="Votes a result needs to be judged.")] = 1,
) -> None:
    """Turn the stored 👍/👎 feedback into a judged query set in BEIR format and print the counts."""
    from conseil.eval.feedback import export
    from conseil.search.feedback import FeedbackStore
    from conseil.search.settings import Settings

    settings = Settings()
    store = FeedbackStore(settings.data_dir)
    target = out_dir or settings.data_dir / "feedback" / "beir"
    if not store.path.exists():
        typer.echo(f"No feedback yet: {store.path} does not exist (the server writes it on POST /v1/feedback).",
                   err=True)
        raise typer.Exit(1)
    counts = export(store.read(), target, min_votes=min_votes, source=str(store.path))
    for line in counts.lines():
        typer.echo(line)
    typer.echo(f"written: {target} (queries.jsonl, qrels/test.tsv; the corpus is the live index). "
               f"Evaluate: python -m conseil.eval.feedback_eval --dataset {target}")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
