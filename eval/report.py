"""The evaluation report: Markdown tables and matplotlib plots from the result JSON files.

    conseil eval report [--reports-dir reports] [--products-json F] [--studies-json F] [--beir-json F]
                        [--bench-json F]

Writes `<reports-dir>/<date>/report.md` with its PNGs beside it, and `<reports-dir>/latest.md` (the
same report, image links pointing into the dated folder). Each input is optional; a section is
written for each one given. `append_benchmarks` adds the "Benchmarks" section to an existing report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from conseil.search.errors import EvaluationError

QUALITY = ("violation_rate", "constraint_precision@10", "ndcg@10", "recall@100", "capped_recall@100")
BASELINE_LABEL = "baseline (llama-index)"


class ReportError(EvaluationError):
    """An input is missing or unreadable, or matplotlib is absent; the message says what to do."""


def read_json(path: Path | None, what: str) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"The {what} file {path} does not exist: run the evaluation first or drop the "
                          "option.") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"The {what} file {path} is not JSON ({exc.msg} at line {exc.lineno}).") from exc
    if not isinstance(data, dict):
        raise ReportError(f"The {what} file {path} should hold a JSON object.")
    return data


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ReportError("matplotlib is needed for the plots: pip install 'conseil[dev]' "
                          "(or pip install matplotlib).") from exc
    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    return plt


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out + [""]


def _ms(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else str(value)


def _runs(products: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    runs: list[tuple[str, Mapping[str, Any]]] = list(products.get("modes", {}).items())
    if "baseline" in products:
        runs.append((BASELINE_LABEL, products["baseline"]))
    return runs


# -- plots ---------------------------------------------------------------------------------------

def plot_quality(products: Mapping[str, Any], out: Path) -> Path:
    plt = _pyplot()
    runs = _runs(products)
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(runs), 1)
    for i, (name, run) in enumerate(runs):
        values = [run["all"][m] for m in QUALITY]
        ax.bar([x + i * width for x in range(len(QUALITY))], values, width, label=name)
    ax.set_xticks([x + width * (len(runs) - 1) / 2 for x in range(len(QUALITY))], QUALITY, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title("Product suite: quality per mode (baseline on its sample)")
    ax.legend(fontsize=7)
    return _save(plt, fig, out / "quality_by_mode.png")


def plot_languages(products: Mapping[str, Any], out: Path) -> Path:
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    langs = sorted(products.get("interpretation", {}).get("by_language", {}))
    for name, run in _runs(products):
        per = run.get("by_language", {})
        axes[0].plot(langs, [per.get(lang, {}).get("capped_recall@100", 0.0) for lang in langs], marker="o",
                     label=name)
    axes[0].set_title("capped recall@100 per language")
    axes[0].set_ylim(0, 1.05)
    axes[0].legend(fontsize=7)
    interp = products.get("interpretation", {}).get("by_language", {})
    axes[1].bar(langs, [interp[lang]["all"] for lang in langs])
    axes[1].set_ylim(0, 1.05)
    axes[1].set_title("interpretation accuracy per language")
    return _save(plt, fig, out / "quality_by_language.png")


def plot_latency(products: Mapping[str, Any], out: Path) -> Path:
    plt = _pyplot()
    runs = [(name, run["latencies_ms"]) for name, run in _runs(products) if run.get("latencies_ms")]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.boxplot([v for _, v in runs], showfliers=True)
    ax.set_xticks(range(1, len(runs) + 1), [n for n, _ in runs], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("ms per query (log)")
    ax.set_title("Latency per query, query embedding included")
    return _save(plt, fig, out / "latency.png")


def plot_baseline_ratio(products: Mapping[str, Any], out: Path) -> Path | None:
    base = products.get("baseline")
    if not base:
        return None
    plt = _pyplot()
    names, ratios = [], []
    for name, run in products.get("modes", {}).items():
        ours = run.get("on_baseline_sample", {}).get("latency_ms", run["latency_ms"])["p50"]
        names.append(name)
        ratios.append(base["latency_ms"]["p50"] / ours if ours else 0.0)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(names, ratios)
    for x, r in enumerate(ratios):
        ax.text(x, r, f"{r:.0f}x", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("baseline p50 / Conseil p50")
    ax.set_title("How much slower the baseline is (same queries)")
    return _save(plt, fig, out / "baseline_ratio.png")


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -- sections ------------------------------------------------------------------------------------

def products_section(products: Mapping[str, Any], images: Sequence[Path]) -> list[str]:
    s = products["suite"]
    lines = ["## Product suite (real Sephora export)", "",
             (f"{s['queries']} queries: {s['combinations']} combinations of excluded families, categories, skin "
             f"types and price caps, each in {len(s['languages'])} languages "
             f"({', '.join(s['languages'])}); {products.get('products_indexed', '?')} products indexed; suite "
             f"fingerprint `{s['fingerprint']}`. Ground truth from the ingredient lists through the knowledge "
             "base (`eval/product_suite.py`); definitions in `eval/product_eval.py`."), ""]
    if machine := products.get("machine"):
        lines += [(f"Machine: {machine.get('cpus')} CPUs, 1-minute load average {machine.get('load_average_1m_at_start')} "
                  f"at the start and {machine.get('load_average_1m_at_end')} at the end of the run."), ""]
    header = ["run", "queries", "violation rate", "constraint P@10", "nDCG@10", "recall@100",
              "capped recall@100", "p50 ms", "p99 ms"]
    rows = [[name, run["all"]["queries"], *(run["all"][m] for m in QUALITY), _ms(run["latency_ms"]["p50"]),
             _ms(run["latency_ms"]["p99"])] for name, run in _runs(products)]
    lines += _table(header, rows)
    if "baseline" in products:
        base = products["baseline"]
        lines += [(f"The baseline ran on {base['all']['queries']} queries (combinations "
                  f"{', '.join(base.get('sample_combinations', []))}, all languages): {base.get('note', '')}. "
                  "On the same queries:"), ""]
        rows = [[name, *(run["on_baseline_sample"][m] for m in QUALITY),
                 _ms(run["on_baseline_sample"]["latency_ms"]["p50"])]
                for name, run in products.get("modes", {}).items() if "on_baseline_sample" in run]
        rows.append([BASELINE_LABEL, *(base["all"][m] for m in QUALITY), _ms(base["latency_ms"]["p50"])])
        lines += _table(["run (baseline sample)", "violation rate", "constraint P@10", "nDCG@10", "recall@100",
                         "capped recall@100", "p50 ms"], rows)
    interp = products.get("interpretation", {})
    if interp:
        fields = ["exclude_families", "skin_types", "category", "price_max", "all"]
        lines += ["### Interpretation accuracy per language", ""]
        rows = [[lang, *(v[f] for f in fields)] for lang, v in interp["by_language"].items()]
        rows.append(["all", *(interp["all"][f] for f in fields)])
        lines += _table(["language", *fields], rows)
        failures = interp.get("failures", [])
        if failures:
            per_lang: dict[str, int] = {}
            for f in failures:
                lang = f["id"].rsplit("-", 1)[-1]
                per_lang[lang] = per_lang.get(lang, 0) + 1
            lines += [(f"Misread queries: {len(failures)} ({', '.join(f'{k} {v}' for k, v in sorted(per_lang.items()))}); "
                      "one per distinct query head:"), ""]
            seen: set[str] = set()
            for f in failures:
                head = " ".join(f["text"].split()[:2])
                if head not in seen:
                    seen.add(head)
                    lines.append(f"* `{f['text']}` ({f['id']}): {', '.join(f['wrong'])}")
            lines.append("")
    lines += ["### Quality per language (capped recall@100 / nDCG@10)", ""]
    langs = sorted(interp.get("by_language", {}))
    rows = [[name, *(f"{run['by_language'][lang]['capped_recall@100']:.3f} / "
                     f"{run['by_language'][lang]['ndcg@10']:.3f}" if lang in run.get("by_language", {}) else "-"
                     for lang in langs)] for name, run in _runs(products)]
    lines += _table(["run", *langs], rows)
    lines += [f"![{p.stem}]({p.name})" for p in images] + [""]
    return lines


def studies_section(studies: Mapping[str, Any]) -> list[str]:
    lines = ["## Studies suite (judged analyst questions)", "",
             (f"{studies.get('questions', '?')} questions ({', '.join(f'{k} {v}' for k, v in studies.get('languages', {}).items())}); "
             "page-level hit@5 and MRR@10 (`eval/studies_eval.py`)."), ""]
    rows = [[mode, m["hit@5"], m["mrr@10"], _ms(m["latency_ms"]["p50"]), _ms(m["latency_ms"]["p99"])]
            for mode, m in studies.get("modes", {}).items()]
    return lines + _table(["mode", "hit@5", "MRR@10", "p50 ms", "p99 ms"], rows)


def beir_section(beir: Mapping[str, Any]) -> list[str]:
    """`conseil eval beir --out` results (one dataset, or a list under "results"), not recomputed."""
    listed = beir.get("results")
    results: list[Any] = listed if isinstance(listed, list) else [beir]
    if not all(isinstance(r, Mapping) and isinstance(r.get("runs"), list) for r in results):
        return figures_section("BEIR datasets", beir, "From `conseil eval beir` (its JSON, not recomputed here).")
    lines = ["## BEIR datasets", "", "From `conseil eval beir` (its JSON, not recomputed here).", ""]
    for r in results:
        lines += [(f"{r.get('dataset')} ({r.get('split')}): {r.get('queries')} judged queries, {r.get('docs')} "
                  f"documents, model {r.get('model')}."), ""]
        rows = [[run["run"], run["metrics"].get("ndcg@10", 0.0),
                 run.get("published_ndcg10") if run.get("published_ndcg10") is not None else "-",
                 run["metrics"].get("recall@100", 0.0), run["metrics"].get("mrr@10", 0.0),
                 _ms(run.get("latency", {}).get("p50_ms", "-"))] for run in r["runs"]]
        lines += _table(["run", "nDCG@10", "published nDCG@10", "recall@100", "MRR@10", "p50 ms"], rows)
    return lines


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaf figures of a nested JSON object as (dotted key, value); lists of numbers are left out."""
    if isinstance(data, Mapping):
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list):
        return []
    return [(prefix, data)]


def figures_section(title: str, data: Mapping[str, Any], note: str, limit: int = 80) -> list[str]:
    rows = flatten(data)
    lines = [f"## {title}", "", note, ""]
    lines += _table(["figure", "value"], [[k, f"{v:.6g}" if isinstance(v, float) else str(v)] for k, v in rows[:limit]])
    if len(rows) > limit:
        lines += [f"({len(rows) - limit} more figures in the JSON file.)", ""]
    return lines


def write_report(reports_dir: Path, products: Mapping[str, Any] | None = None,
                 studies: Mapping[str, Any] | None = None, beir: Mapping[str, Any] | None = None,
                 bench: Mapping[str, Any] | None = None, date: str | None = None, note: str | None = None) -> Path:
    """Write `<reports_dir>/<date>/report.md` with its plots, and `<reports_dir>/latest.md`; return the report."""
    day = date or dt.date.today().isoformat()
    folder = Path(reports_dir) / day
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Conseil evaluation report, {day}", "",
             ("Generated by `conseil eval report`; figures measured on a 2-core machine with the default "
             "model (all-MiniLM-L6-v2) unless a section says otherwise."), ""]
    if note:
        lines += [f"**Note.** {note}", ""]
    if products:
        images = [plot_quality(products, folder), plot_languages(products, folder), plot_latency(products, folder)]
        if (ratio := plot_baseline_ratio(products, folder)) is not None:
            images.append(ratio)
        lines += products_section(products, images)
    if studies:
        lines += studies_section(studies)
    if beir:
        lines += beir_section(beir)
    if bench:
        lines += benchmarks_lines(bench)
    report = folder / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    for name, data in (("products", products), ("studies", studies), ("beir", beir), ("bench", bench)):
        if data:  # the figures behind the report, beside it
            (folder / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    _write_latest(report)
    return report


def benchmarks_lines(bench: Mapping[str, Any]) -> list[str]:
    return figures_section("Benchmarks", bench, "From `conseil eval bench` (scripts under `eval/`, each run as "
                           "a subprocess with --json; a failed script is shown with its error).", limit=200)


def append_benchmarks(report: Path, bench: Mapping[str, Any]) -> Path:
    """Add (or replace) the "Benchmarks" section of an existing report, and refresh latest.md."""
    if not report.is_file():
        raise ReportError(f"The report {report} does not exist: write it first with `conseil eval report`.")
    text = report.read_text(encoding="utf-8")
    if "\n## Benchmarks\n" in text:
        head, _, rest = text.partition("\n## Benchmarks\n")
        after = rest.split("\n## ", 1)
        text = head + ("\n## " + after[1] if len(after) > 1 else "")
    report.write_text(text.rstrip("\n") + "\n\n" + "\n".join(benchmarks_lines(bench)), encoding="utf-8")
    if report.name == "report.md" and (report.parent.parent / "latest.md").exists():
        _write_latest(report)
    return report


def _write_latest(report: Path) -> None:
    """latest.md: the report with its image links pointing into the dated folder."""
    day = report.parent.name
    text = report.read_text(encoding="utf-8")
    text = text.replace("](", f"]({day}/").replace(f"]({day}/http", "](http")
    (report.parent.parent / "latest.md").write_text(text, encoding="utf-8")
