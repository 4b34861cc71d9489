"""Sizing: bytes per product and per study chunk on Qdrant Edge, and search latency vs collection size.

    python -m conseil.eval.bench_scale sizing [--products-index DIR] [--studies PATH]
    python -m conseil.eval.bench_scale latency [--sizes 10000,100000] [--queries 300] [--quantization none,int8]

`sizing` copies the product index (default: the full Sephora index at /tmp/conseil-sephora/index, read
only, else an index of the demo catalog) into a temporary directory, then rebuilds it from its own
points (`export_points`) into fresh shards, without and with int8 scalar quantization, optimizes
them (segments merged, HNSW built) and walks the shard directories: every file is classed as dense
vectors, quantized vectors, sparse vectors, HNSW graph, sparse index, payload, payload indexes, id
tracker or WAL. The studies figure comes from the demo studies (`corpora/studies`) ingested with the
real model into a temporary data dir. Both allocated bytes (what the disk holds) and apparent sizes
(mmap files are preallocated and sparse) are printed; per point = allocated / points.

`latency` builds synthetic collections with the products schema (random unit 384-d vectors, ~24
sparse terms, families/brand/category/price payloads), optimizes them and times hybrid (dense +
BM25 prefetches, RRF) queries through `EdgeIndex.query`, unfiltered and with a typical advisor
filter (must_not two families, price range). Speed is printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from conseil.search.index.contract import (
    CollectionSchema,
    Filter,
    HybridQuery,
    IndexPoint,
    MatchAny,
    Range,
    SparseVector,
)
from conseil.search.index.store import products_schema, studies_schema

SEPHORA_INDEX = Path("/tmp/conseil-sephora/index")
DIM = 384
FAMILIES = [f"family_{i}" for i in range(24)]
VOCAB = 30_000

# What each file under an Edge shard is, by the first matching path fragment.
PARTS = [
    ("wal/", "WAL (write-ahead log)"),
    ("vector_storage-dense/quantized", "dense vectors, int8 quantized"),
    ("vector_storage-dense/", "dense vectors (float32)"),
    ("vector_index-dense", "dense HNSW graph"),
    ("vector_storage-bm25", "sparse vectors"),
    ("vector_index-bm25", "sparse inverted index"),
    ("payload_storage", "payload"),
    ("payload_index", "payload indexes"),
    ("id_tracker", "id tracker"),
]


def classify(relative: str) -> str:
    for fragment, name in PARTS:
        if fragment in relative:
            return name
    return "other (segment and shard config)"


def walk(shard: Path) -> dict[str, tuple[int, int]]:
    """part -> (allocated bytes, apparent bytes)."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in shard.rglob("*"):
        if path.is_file():
            stat = path.stat()
            part = sizes[classify(path.relative_to(shard).as_posix())]
            part[0] += stat.st_blocks * 512
            part[1] += stat.st_size
    return {k: (v[0], v[1]) for k, v in sizes.items()}


def open_fresh(directory: Path, schema: CollectionSchema, quantized: bool) -> Any:
    """An EdgeIndex on a new shard, with the project's HNSW settings, optionally int8-quantized."""
    import qdrant_edge as qe
    from conseil.search.index.edge import FULL_SCAN_THRESHOLD_KB, HNSW_EF_CONSTRUCT, HNSW_M, EdgeIndex

    quantization = qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
    config = qe.EdgeConfig(
        vectors={schema.dense_name: qe.EdgeVectorParams(size=schema.dense_size, distance=qe.Distance.Cosine)},
        sparse_vectors={schema.sparse_name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                       full_scan_threshold=FULL_SCAN_THRESHOLD_KB),
        quantization_config=quantization if quantized else None,
    )
    directory.mkdir(parents=True, exist_ok=True)
    index = EdgeIndex(qe.EdgeShard.create(str(directory / "shard"), config), schema, directory)
    index._ensure_payload_indexes()
    return index


def report_sizes(label: str, shard: Path, points: int) -> dict[str, Any]:
    parts = walk(shard)
    total = sum(a for a, _ in parts.values())
    # The WAL is a ring of 32 MB files, not proportional to the points: kept out of the per-point figure.
    data = total - parts.get("WAL (write-ahead log)", (0, 0))[0]
    print(f"\n{label}: {points:,} points, {total / 1e6:.1f} MB allocated on disk; without the WAL "
          f"{data / 1e6:.1f} MB, {data / points:,.0f} B/point")
    print(f"  {'part':<36}{'allocated MB':>13}{'apparent MB':>13}{'B/point':>10}")
    for name, (alloc, apparent) in sorted(parts.items(), key=lambda kv: -kv[1][0]):
        print(f"  {name:<36}{alloc / 1e6:>13.2f}{apparent / 1e6:>13.2f}{alloc / points:>10,.0f}")
    return {"label": label, "points": points, "bytes": total, "bytes_without_wal": data,
            "parts": {k: {"allocated": a, "apparent": p, "per_point": round(a / points)} for k, (a, p) in parts.items()}}


def rebuild(source: Any, schema: CollectionSchema, directory: Path, quantized: bool) -> tuple[Path, str]:
    """The source's points in a fresh shard, optimized: the steady state of a long-lived index."""
    index = open_fresh(directory, schema, quantized)
    for batch in source.export_points(1000):
        index.upsert(batch)
    began = time.perf_counter()
    index.optimize()
    seconds = time.perf_counter() - began
    info = index._shard.info()  # indexed vectors: dense HNSW + sparse index entries actually built
    index.close()
    return directory / "shard", (f"optimize {seconds:.1f} s, {info.segments_count} segments, "
                                 f"{info.indexed_vectors_count:,} indexed vectors")


def measure_collection(label: str, index_dir: Path, schema: CollectionSchema, work: Path,
                       as_ingested: Path | None = None) -> list[dict[str, Any]]:
    """`as_ingested`: the original shard to stat (a copy loses the sparseness of mmap files)."""
    from conseil.search.index.edge import EdgeIndex

    model = json.loads((index_dir / schema.name / "meta.json").read_text())["model"]
    source = EdgeIndex.open(index_dir, schema, create=False, model=model)
    points = source.count()
    results = [report_sizes(f"{label}, as ingested (appendable segment + WAL)",
                            as_ingested or index_dir / schema.name / "shard", points)]
    for quantized in (False, True):
        shard, how = rebuild(source, schema, work / f"{schema.name}-{'int8' if quantized else 'f32'}", quantized)
        tag = "int8 scalar quantization" if quantized else "no quantization"
        results.append(report_sizes(f"{label}, rebuilt and optimized, {tag} ({how})",
                                    shard, points))
    source.close()
    return results


def sizing(args: argparse.Namespace) -> None:
    from conseil.search.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="conseil-sizing-"))
    try:
        products_dir, original = work / "products-index", None
        if args.products_index and (args.products_index / "products" / "meta.json").exists():
            shutil.copytree(args.products_index / "products", products_dir / "products")  # never open the original
            label, original = f"products ({args.products_index})", args.products_index / "products" / "shard"
        else:
            from importlib.resources import files

            from conseil.ingest.products import ingest_products
            from conseil.search.embedder import load_embedder

            settings = Settings(data_dir=work / "demo")
            ingest_products(settings, Path(str(files("conseil.corpora") / "demo" / "products.jsonl")), source="demo",
                            embedder_factory=lambda: load_embedder(settings))
            products_dir, label = settings.index_dir, "products (demo catalog)"
        results = measure_collection(label, products_dir, products_schema(DIM), work, original)

        from conseil.ingest.studies import ingest_studies
        from conseil.search.embedder import load_embedder

        studies = Settings(data_dir=work / "studies")
        ingest_studies(studies, args.studies, embedder_factory=lambda: load_embedder(studies, "studies"))
        results += measure_collection(f"study chunks ({', '.join(map(str, args.studies))})", studies.index_dir,
                                      studies_schema(DIM), work)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- latency vs size ---------------------------------------------------------------------------


def synthetic_batch(rng: np.random.Generator, start: int, count: int) -> list[IndexPoint]:
    import uuid

    dense = rng.standard_normal((count, DIM)).astype(np.float32)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    points = []
    for n in range(count):
        terms = np.unique(rng.zipf(1.3, 24) % VOCAB)
        families = sorted({FAMILIES[i] for i in rng.integers(0, len(FAMILIES), rng.integers(0, 5))})
        points.append(IndexPoint(
            id=str(uuid.UUID(int=start + n + 1)), dense=dense[n].tolist(),
            sparse=SparseVector(tuple(int(t) for t in terms), tuple(float(v) for v in rng.random(len(terms)) + 0.5)),
            payload={"source": "synthetic", "product_id": f"S{start + n}", "brand": f"brand {rng.integers(500)}",
                     "category": [f"category {rng.integers(50)}"], "families": families,
                     "price": float(rng.integers(5, 200)), "ingredient_count": float(rng.integers(1, 60))}))
    return points


def timed_queries(index: Any, rng: np.random.Generator, queries: int, flt: Filter) -> list[float]:
    times = []
    for _ in range(queries):
        vector = rng.standard_normal(DIM).astype(np.float32)
        vector /= np.linalg.norm(vector)
        terms = np.unique(rng.zipf(1.3, 5) % VOCAB)
        request = HybridQuery(dense=vector.tolist(), sparse=SparseVector(tuple(int(t) for t in terms),
                                                                         (1.0,) * len(terms)),
                              filter=flt, limit=10, with_payload=["product_id", "price"])
        began = time.perf_counter()
        index.query(request)
        times.append((time.perf_counter() - began) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    advisor_filter = Filter(must=(Range("price", lte=60.0),),
                            must_not=(MatchAny("families", ("family_1", "family_2")),))
    rows = []
    for quant in args.quantization.split(","):
        for size in sizes:
            work = Path(tempfile.mkdtemp(prefix="conseil-scale-"))
            try:
                rng = np.random.default_rng(size)
                index = open_fresh(work / "products", products_schema(DIM), quantized=quant == "int8")
                began = time.perf_counter()
                for start in range(0, size, 1000):
                    index.upsert(synthetic_batch(rng, start, min(1000, size - start)))
                upsert_s = time.perf_counter() - began
                began = time.perf_counter()
                index.optimize()
                optimize_s = time.perf_counter() - began
                index.flush()
                disk = sum(a for a, _ in walk(work / "products" / "shard").values())
                info = index._shard.info()  # did the optimizer build HNSW (indexed vectors) and merge?
                timed_queries(index, rng, 20, Filter())  # warm-up: page cache, thread pool
                row: dict[str, Any] = {"points": size, "quantization": quant, "upsert_s": round(upsert_s, 1),
                                       "optimize_s": round(optimize_s, 1), "disk_MB": round(disk / 1e6, 1),
                                       "segments": info.segments_count, "indexed_vectors": info.indexed_vectors_count,
                                       "filtered_share": round(index.count(advisor_filter) / size, 3)}
                for name, flt in (("unfiltered", Filter()), ("filtered", advisor_filter)):
                    times = timed_queries(index, rng, args.queries, flt)
                    row[f"{name}_p50_ms"] = round(statistics.median(times), 2)
                    row[f"{name}_p99_ms"] = round(percentile(times, 0.99), 2)
                index.close()
            finally:
                shutil.rmtree(work, ignore_errors=True)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{'points':>10} {'quant':>5} {'upsert s':>9} {'optimize s':>10} {'disk MB':>8} "
          f"{'unfilt p50':>10} {'p99':>7} {'filt p50':>9} {'p99':>7}")
    for r in rows:
        print(f"{r['points']:>10,} {r['quantization']:>5} {r['upsert_s']:>9} {r['optimize_s']:>10} {r['disk_MB']:>8} "
              f"{r['unfiltered_p50_ms']:>10} {r['unfiltered_p99_ms']:>7} {r['filtered_p50_ms']:>9} "
              f"{r['filtered_p99_ms']:>7}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    size_cmd = commands.add_parser("sizing", help="bytes per product and per study chunk")
    size_cmd.add_argument("--products-index", type=Path, default=SEPHORA_INDEX if SEPHORA_INDEX.exists() else None,
                          help="an embedded index directory holding a products collection (copied, never opened)")
    size_cmd.add_argument("--studies", type=Path, nargs="+", help="study folders to ingest (default: the demo studies)",
                          default=[Path(__file__).resolve().parents[1] / "corpora" / "studies"])
    size_cmd.add_argument("--json", help="also write the figures to this file")
    lat_cmd = commands.add_parser("latency", help="hybrid query latency vs collection size (synthetic)")
    lat_cmd.add_argument("--sizes", default="10000,100000", help="comma-separated point counts, e.g. 10000,100000,1000000")
    lat_cmd.add_argument("--queries", type=int, default=300)
    lat_cmd.add_argument("--quantization", default="none", help="none, int8, or both: none,int8")
    args = parser.parse_args(argv)
    if args.command == "sizing":
        sizing(args)
    else:
        latency(args)


if __name__ == "__main__":
    main()
