"""The product-suite scoring on a small fake catalog, and the report: Markdown tables and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.font_manager
import pytest
from conseil.api.cli import app
from conseil.eval.beir import BeirQuery
from conseil.eval.bench_all import last_json_object
from conseil.eval.product_eval import score, score_by_language
from conseil.eval.product_suite import CatalogProduct, Combo, ground_truth
from conseil.eval.report import ReportError, append_benchmarks, read_json, write_report
from typer.testing import CliRunner

# matplotlib builds its font cache on first use by running `fc-list` where fontconfig is installed
# (Debian's chromium brings it): build it at collection, outside the unit tier's no-process guard.
matplotlib.use("Agg")
matplotlib.font_manager.get_font_names()

PNG = b"\x89PNG\r\n\x1a\n"


def item(pid: str, families: set[str], category: str = "moisturizers", **kw: Any) -> CatalogProduct:
    return CatalogProduct(id=pid, name=pid, has_ingredients=kw.get("has_ingredients", True),
                          families=frozenset(families), categories=frozenset({category}),
                          skin_types=frozenset(kw.get("skin", ())), price=kw.get("price", 10.0),
                          claims=frozenset(kw.get("claims", ())))


CATALOG = [item("A", set(), claims={"without:parabens"}), item("B", set()), item("C", {"parabens"}),
           item("D", set(), category="shampoo"), item("E", set(), has_ingredients=False)]
COMBO = Combo("c0", "moisturizers", ("parabens",))
QUERIES = [BeirQuery("c0-en", "moisturizer without parabens", {"language": "en", "combo": "c0"}),
           BeirQuery("c0-fr", "crème hydratante sans parabènes", {"language": "fr", "combo": "c0"})]


def scored(top: dict[str, list[str]]) -> dict[str, Any]:
    truth = {"c0": ground_truth(CATALOG, COMBO)}
    return score_by_language(top, top, QUERIES, {"c0": COMBO}, truth, {p.id: p for p in CATALOG})


def test_score_counts_violations_precision_recall_and_grades() -> None:
    assert ground_truth(CATALOG, COMBO) == {"A": 4, "B": 3, "D": 1}
    perfect = scored({"c0-en": ["A", "B"], "c0-fr": ["A", "B"]})["all"]
    assert perfect["violation_rate"] == 0 and perfect["constraint_precision@10"] == 1.0
    assert perfect["ndcg@10"] == pytest.approx(1.0) and perfect["capped_recall@100"] == 1.0
    mixed = scored({"c0-en": ["C", "B", "D", "E"], "c0-fr": []})
    en = mixed["by_language"]["en"]
    assert en["violating_hits"] == 1 and en["violation_rate"] == 0.25  # C lists a paraben
    assert en["unverifiable_hits"] == 1  # E has no ingredient list
    assert en["constraint_precision@10"] == 0.25  # only B satisfies everything
    assert en["capped_recall@100"] == 0.5 and 0 < en["ndcg@10"] < 1
    assert mixed["by_language"]["fr"]["empty_queries"] == 1 and mixed["by_language"]["fr"]["ndcg@10"] == 0
    swapped = score({"c0-en": ["B", "A"]}, {}, QUERIES[:1], {"c0": COMBO}, {"c0": ground_truth(CATALOG, COMBO)},
                    {p.id: p for p in CATALOG})
    assert swapped["ndcg@10"] < 1.0  # the product that claims what was asked ranks first in the ideal


def fake_products() -> dict[str, Any]:
    run = scored({"c0-en": ["A", "B"], "c0-fr": ["A", "B"]})
    base = scored({"c0-en": ["C", "A"], "c0-fr": ["D", "E"]})
    modes = {name: {**run, "latency_ms": {"p50": p50, "p95": p50 * 2, "p99": p50 * 3, "mean": p50},
                    "latencies_ms": [p50, p50 * 1.5, p50 * 3],
                    "on_baseline_sample": {**run["all"], "latency_ms": {"p50": p50}}}
             for name, p50 in (("bm25", 8.0), ("hybrid_rrf", 30.0))}
    return {"suite": {"queries": 2, "combinations": 1, "languages": {"en": 1, "fr": 1}, "fingerprint": "abc"},
            "products_indexed": 5, "modes": modes,
            "interpretation": {"all": {"exclude_families": 1.0, "skin_types": 1.0, "category": 0.5,
                                       "price_max": 1.0, "all": 0.5},
                               "by_language": {"en": {"exclude_families": 1.0, "skin_types": 1.0, "category": 1.0,
                                                      "price_max": 1.0, "all": 1.0},
                                               "fr": {"exclude_families": 1.0, "skin_types": 1.0, "category": 0.0,
                                                      "price_max": 1.0, "all": 0.0}},
                               "failures": [{"id": "c0-fr", "text": "crème hydratante sans parabènes",
                                             "wrong": ["category"]}]},
            "baseline": {**base, "latency_ms": {"p50": 900.0, "p95": 1000.0, "p99": 1200.0, "mean": 950.0},
                         "latencies_ms": [800.0, 900.0, 1200.0], "note": "llama-index", "sample_combinations": ["c0"]}}


def test_report_writes_markdown_tables_and_plots(tmp_path: Path) -> None:
    studies = {"questions": 66, "languages": {"en": 40}, "modes": {
        "hybrid": {"hit@5": 0.849, "mrr@10": 0.717, "latency_ms": {"p50": 30.0, "p99": 90.0}}}}
    beir_result = {"dataset": "nfcorpus", "split": "test", "queries": 323, "docs": 3633, "model": "m",
                   "runs": [{"run": "bm25", "metrics": {"ndcg@10": 0.32, "recall@100": 0.25, "mrr@10": 0.5},
                             "published_ndcg10": 0.3218, "latency": {"p50_ms": 3.0}}]}
    bench = {"search": {"figures": {"conseil": {"violations": 0}}, "seconds": 12.0}}
    report = write_report(tmp_path / "reports", products=fake_products(), studies=studies, beir=beir_result,
                          bench=bench, date="2026-01-02")
    folder = tmp_path / "reports" / "2026-01-02"
    assert report == folder / "report.md"
    for png in ("quality_by_mode", "quality_by_language", "latency", "baseline_ratio"):
        assert (folder / f"{png}.png").read_bytes().startswith(PNG)
    assert json.loads((folder / "products.json").read_text(encoding="utf-8")) == fake_products()
    text = report.read_text(encoding="utf-8")
    assert "| hybrid_rrf | 2 | 0.000 | 1.000 | 1.000 | 1.000 | 1.000 | 30.0 | 90.0 |" in text
    assert "| baseline (llama-index) | 2 | 0.250 |" in text  # C violates: 1 of 4 returned hits
    assert "| fr | 1.000 | 1.000 | 0.000 | 1.000 | 0.000 |" in text
    assert "| hybrid | 0.849 | 0.717 | 30.0 | 90.0 |" in text
    assert "| bm25 | 0.320 | 0.322 | 0.250 | 0.500 | 3.0 |" in text
    assert "| search.figures.conseil.violations | 0 |" in text
    assert "![quality_by_mode](quality_by_mode.png)" in text
    latest = (tmp_path / "reports" / "latest.md").read_text(encoding="utf-8")
    assert "![quality_by_mode](2026-01-02/quality_by_mode.png)" in latest


def test_benchmarks_section_is_appended_once(tmp_path: Path) -> None:
    report = write_report(tmp_path, products=fake_products(), date="d")
    append_benchmarks(report, {"api": {"error": "timed out after 5 s"}})
    append_benchmarks(report, {"api": {"figures": {"rps": 120.5}}})
    text = report.read_text(encoding="utf-8")
    assert text.count("## Benchmarks") == 1 and "| api.figures.rps | 120.5 |" in text and "timed out" not in text
    assert "| api.figures.rps | 120.5 |" in (tmp_path / "latest.md").read_text(encoding="utf-8")
    with pytest.raises(ReportError, match="does not exist"):
        append_benchmarks(tmp_path / "nope.md", {})


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError, match="is not JSON"):
        read_json(broken, "products result")
    result = CliRunner().invoke(app, ["eval", "report", "--reports-dir", str(tmp_path / "r"),
                                      "--products-json", str(tmp_path / "missing.json")])
    assert result.exit_code == 2 and "does not exist" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["eval", "report", "--reports-dir", str(tmp_path / "r")])
    assert result.exit_code == 2 and "nothing to report" in " ".join(result.output.split())
    good = tmp_path / "products.json"
    good.write_text(json.dumps(fake_products()), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "report", "--reports-dir", str(tmp_path / "r"), "--products-json",
                                      str(good), "--date", "x"])
    assert result.exit_code == 0 and (tmp_path / "r" / "x" / "latency.png").exists()


def test_bench_output_parsing_skips_text_around_the_json() -> None:
    assert last_json_object('loading...\n{"a": {"b": 1}}\ntargets: p50 <= 10 ms\n') == {"a": {"b": 1}}
    with pytest.raises(ValueError):
        last_json_object("no figures {here")
