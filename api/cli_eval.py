"""`conseil eval ...`: the evaluation harness's commands, registered on the CLI's typer app.

Each section below belongs to one concern (BEIR datasets, the product suite and report, feedback);
heavy imports stay inside the commands so that `conseil --help` stays instant.
"""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure quality and speed on real data (BEIR format).", no_args_is_help=True)


# --- BEIR datasets: `conseil eval beir`, `conseil eval nfcorpus` -------------------------------


# --- product suite, studies suite, baselines, report, benchmarks ------------------------------


# --- feedback: `conseil eval feedback` ----------------------------------------------------------


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
