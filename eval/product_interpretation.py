"""Interpretation accuracy of the product suite without an index: how well the parser alone reads it.

    python -m conseil.eval.product_interpretation [--export ../shared/data/sephora-products/product_info.csv]

`conseil eval products` measures the same thing through the engine, whose catalog vocabulary comes
from the index facets; this script builds that vocabulary from the export itself (category levels and
brands, normalised as ingestion stores them), so a change to the language data can be checked in
seconds, before and after, on a machine without an index. Same rule as the engine's: the parsed
families, skin types, category and price must equal the suite's stated ones, and nothing else of those
kinds. Prints the accuracy overall and per language, and the failing queries with --failures.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query import QueryParser, QueryVocabulary

from .product_suite import EXPORT, SUITE_DIR

_LEVELS = ("primary_category", "secondary_category", "tertiary_category")


def export_vocabulary(export: Path) -> QueryVocabulary:
    """Category levels and brands of the export, keyed as the index facets key them."""
    with export.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    categories = {normalize_name(r[c]) for r in rows for c in _LEVELS if r.get(c)}
    brands = {normalize_name(r["brand_name"]) for r in rows if r.get("brand_name")}
    return QueryVocabulary(categories={fold(c): c for c in categories}, brands={fold(b): b for b in brands})


def accuracy(parser: QueryParser, queries: Path) -> tuple[dict[str, list[bool]], list[str]]:
    per_language: dict[str, list[bool]] = defaultdict(list)
    failures: list[str] = []
    for line in queries.read_text(encoding="utf-8").splitlines():
        query = json.loads(line)
        meta, stated = query["metadata"], query["metadata"]["constraints"]
        c = parser.parse(query["text"]).constraints
        ok = (set(c.exclude_families) == set(stated["exclude_families"])
              and set(c.skin_types) == set(stated["skin_types"])
              and list(c.categories) == [stated["category"]] and c.price_max == stated["price_max"])
        per_language[meta["language"]].append(ok)
        if not ok:
            failures.append(f"{meta['language']}: {query['text']}")
    return per_language, failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, default=EXPORT)
    parser.add_argument("--suite", type=Path, default=SUITE_DIR)
    parser.add_argument("--failures", action="store_true", help="list the queries read wrongly")
    args = parser.parse_args(argv)
    if not args.export.exists():
        parser.error(f"{args.export} is missing: the real export lives in ../shared/data (see its README)")
    per_language, failures = accuracy(QueryParser(IngredientKnowledge.load(), export_vocabulary(args.export)),
                                      args.suite / "queries.jsonl")
    every = [ok for oks in per_language.values() for ok in oks]
    print(f"interpretation accuracy {sum(every) / len(every):.3f} ({len(every)} queries)  " + "  ".join(
        f"{lang} {sum(oks) / len(oks):.3f}" for lang, oks in per_language.items()))
    if args.failures:
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
