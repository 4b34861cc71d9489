"""Study pipeline benchmark: PDF extraction, ingestion against the raw encoder, search latency.

    python -m conseil.eval.bench_studies [--studies PATH ...] [--data-dir DIR] [--skip-ingest] [--json]

Prints:

  * extraction: pages/s of PDF text extraction (`conseil.ingest.pdf.extract_pdf` when present,
    which also strips running heads; pypdf's `extract_text` otherwise);
  * ingestion: chunks/s of `ingest_studies` into a fresh index (model loaded beforehand, so its
    load time is not counted), against the rate at which the same model encodes the same texts
    alone (title, section and passage, as ingestion embeds them). The ratio is the share of
    ingestion time spent encoding; the target is >= 0.9. Also the time of an unchanged re-run;
  * search: p50/p99 of `StudySearch.search` per mode over the judged questions
    (`eval/studies_qrels`), with the query embedding and with it computed ahead (engine only).

Defaults: ../shared/data/studies and ../shared/data/surveys, a temporary data directory. With
--data-dir and --skip-ingest it only measures search on the index already there.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from conseil.search.embedder import Embedder

from .beir import load
from .studies_eval import MODES, QRELS_DIR, percentile

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DEFAULT_PATHS = (SHARED / "studies", SHARED / "surveys")


class PrecomputedEmbedder(Embedder):
    """Query vectors computed ahead: isolates the engine's own latency from the model's."""

    def __init__(self, inner: Embedder, texts: Sequence[str]) -> None:
        super().__init__(inner.backend, name=inner.name, dimension=inner.dimension)
        self.inner = inner
        self.cache = {t: inner.embed_query(t) for t in texts}

    def embed_query(self, text: str) -> list[float]:
        return self.cache.get(text) or self.inner.embed_query(text)


def _rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def bench_extraction(paths: Sequence[Path]) -> dict[str, Any]:
    pdfs = sorted(p for root in paths for p in ([root] if root.is_file() else root.rglob("*.pdf"))
                  if p.suffix.lower() == ".pdf")
    extract_pdf: Callable[[bytes], Any] | None
    try:
        from conseil.ingest import pdf as ingest_pdf

        extract_pdf = ingest_pdf.extract_pdf
    except ImportError:  # the ingestion's extractor is optional here
        extract_pdf = None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages, failed, slowest = 0, 0, (0.0, "")
    began = time.perf_counter()
    for pdf in pdfs:
        started = time.perf_counter()
        try:
            if extract_pdf is not None:
                pages += extract_pdf(pdf.read_bytes()).page_count
            else:
                from pypdf import PdfReader

                reader = PdfReader(str(pdf))
                pages += sum(1 for page in reader.pages if page.extract_text() is not None)
        except Exception:  # noqa: BLE001 - a rejected file is counted, not fatal: this measures speed
            failed += 1
        slowest = max(slowest, (time.perf_counter() - started, pdf.name))
    seconds = time.perf_counter() - began
    return {"extractor": "conseil.ingest.pdf" if extract_pdf else "pypdf", "files": len(pdfs),
            "failed": failed, "pages": pages, "seconds": round(seconds, 2),
            "pages_per_s": _rate(pages, seconds),
            "slowest": {"file": slowest[1], "seconds": round(slowest[0], 2)}}


def _embedded_texts(settings: Any) -> list[str]:
    """The stored passages as ingestion embeds them: title, section (when it differs), passage."""
    from conseil.search.index.store import open_index, stored_dense_size, studies_schema

    texts = []
    schema = studies_schema(stored_dense_size(settings, "studies") or 0)
    with open_index(settings, schema, create=False) as index:
        for hit in index.scroll(fields=["title", "section", "text"]):
            p = hit.payload
            heads = [str(p.get("title") or "")]
            if p.get("section") and p.get("section") != p.get("title"):
                heads.append(str(p["section"]))
            texts.append("\n".join(heads + [str(p.get("text") or "")]))
    return texts


def bench_ingestion(paths: Sequence[Path], settings: Any, embedder: Embedder) -> dict[str, Any]:
    from conseil.ingest.studies import ingest_studies

    began = time.perf_counter()
    ingest_studies(settings, list(paths), embedder_factory=lambda: embedder)
    seconds = time.perf_counter() - began
    texts = _embedded_texts(settings)
    began = time.perf_counter()
    embedder.embed_documents(texts)
    encode_seconds = time.perf_counter() - began
    began = time.perf_counter()
    ingest_studies(settings, list(paths), embedder_factory=lambda: embedder)
    rerun = time.perf_counter() - began
    ingest_rate, encode_rate = _rate(len(texts), seconds), _rate(len(texts), encode_seconds)
    return {"chunks": len(texts), "seconds": round(seconds, 2), "chunks_per_s": ingest_rate,
            "encode_seconds": round(encode_seconds, 2), "encode_chunks_per_s": encode_rate,
            "ratio": round(ingest_rate / encode_rate, 3) if encode_rate else 0.0, "target": 0.9,
            "unchanged_rerun_seconds": round(rerun, 2)}


def bench_search(settings: Any, embedder: Embedder, questions: Sequence[str], repeats: int) -> dict[str, Any]:
    from conseil.search.index.store import open_index, stored_dense_size, studies_schema
    from conseil.search.studies.contract import StudySearchRequest
    from conseil.search.studies.engine import StudySearch

    out: dict[str, Any] = {"questions": len(questions), "repeats": repeats}
    schema = studies_schema(stored_dense_size(settings, "studies") or 0)
    with open_index(settings, schema, create=False) as index:
        out["passages"] = index.count()
        models = (("with_embedding", embedder), ("engine_only", PrecomputedEmbedder(embedder, questions)))
        for label, model in models:
            engine = StudySearch(index, model)
            for mode in MODES:
                for q in questions[:3]:  # warm-up
                    engine.search(StudySearchRequest(query=q, mode=mode))
                times = []
                for _ in range(repeats):
                    for q in questions:
                        began = time.perf_counter()
                        engine.search(StudySearchRequest(query=q, mode=mode))
                        times.append((time.perf_counter() - began) * 1000)
                out.setdefault(label, {})[mode] = {
                    "p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99),
                    "mean_ms": round(statistics.fmean(times), 2)}
    return out


def print_report(report: dict[str, Any]) -> None:
    if "extraction" in report:
        e = report["extraction"]
        print(f"extraction ({e['extractor']}): {e['pages']} pages of {e['files']} PDFs in {e['seconds']} s = "
              f"{e['pages_per_s']} pages/s (slowest {e['slowest']['file']}: {e['slowest']['seconds']} s; "
              f"{e['failed']} failed)")
    if "ingestion" in report:
        i = report["ingestion"]
        print(f"ingestion: {i['chunks']} chunks in {i['seconds']} s = {i['chunks_per_s']} chunks/s; "
              f"the model alone encodes them at {i['encode_chunks_per_s']} chunks/s: ratio {i['ratio']} "
              f"(target >= {i['target']}); unchanged re-run {i['unchanged_rerun_seconds']} s")
    if "search" in report:
        s = report["search"]
        print(f"search: {s['questions']} questions x {s['repeats']} over {s['passages']} passages")
        for label in ("with_embedding", "engine_only"):
            cells = "  ".join(f"{mode} p50 {v['p50_ms']} / p99 {v['p99_ms']} ms"
                              for mode, v in s[label].items())
            print(f"  {label:<15} {cells}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=Path, nargs="+", default=list(DEFAULT_PATHS))
    parser.add_argument("--data-dir", type=Path, help="ingest here (default: a temporary directory)")
    parser.add_argument("--skip-ingest", action="store_true",
                        help="measure search on the index in --data-dir")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.skip_ingest and not args.data_dir:
        parser.error("--skip-ingest measures an existing index: give its --data-dir")

    from conseil.search.embedder import load_embedder
    from conseil.search.settings import Settings

    questions = [q.text for q in load(QRELS_DIR).queries]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="conseil-bench-studies-") as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp) / "data")
        embedder = load_embedder(settings, "studies")  # the studies' own model
        if not args.skip_ingest:
            report["extraction"] = bench_extraction(args.studies)
            report["ingestion"] = bench_ingestion(args.studies, settings, embedder)
        report["search"] = bench_search(settings, embedder, questions, args.repeats)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
