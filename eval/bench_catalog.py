"""Any retailer's catalog (issue 17): do product-type words filter, do categories map, how fast is a preview.

    python -m conseil.eval.bench_catalog [--baseline-root DIR] [--sephora PATH] [--json]

Three catalogs: the demo catalog, the UK-shaped example (corpora/examples/uk-shop.csv with its
mapping) and a generated non-Sephora catalog (seeded: 2,000 products whose categories are written
as French, German, Polish, Spanish, Italian, Czech and UK shops write them; no mapping file). Per
catalog:

* queries: 70 product-type queries in the seven languages ("toner", "huile visage", "olejek do
  kąpieli"...): the share that set a category filter, and the share whose filter is the right type,
  over the queries whose type the catalog holds (target 1.0) and over all of them;
* products: the share whose category path maps to a product type (and to one below the roots).

Then the dry-run time on the full Sephora export (`preview_products`, in process, and the CLI).
`--baseline-root`: a directory holding `conseil/` linked to another checkout's sources (e.g. main);
the query measurement is re-run there in a subprocess and printed beside ours. No index, no model.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "corpora" / "examples"
DEMO = REPO / "corpora" / "demo" / "products.jsonl"
SEPHORA = REPO.parent / "shared" / "data" / "sephora-products" / "product_info.csv"

# (query, the product type it asks for): written by hand, as advisors type them.
QUERIES: tuple[tuple[str, str], ...] = (
    ("toner", "toner"), ("serum", "serum"), ("cleanser", "cleanser"), ("moisturiser", "moisturiser"),
    ("face oil", "face oil"), ("mist", "mist"), ("eye cream", "eye treatment"), ("face mask", "face mask"),
    ("exfoliator", "exfoliator"), ("peel", "peel"), ("body wash", "body wash"), ("bath salts", "bath"),
    ("cleansing balm", "cleanser"), ("toner without alcohol", "toner"), ("mist without fragrance", "mist"),
    ("serum without parabens", "serum"),
    ("huile visage", "face oil"), ("lotion tonique", "toner"), ("sérum sans parabènes", "serum"),
    ("nettoyant visage", "cleanser"), ("brume visage", "mist"), ("crème hydratante", "moisturiser"),
    ("masque visage", "face mask"), ("gommage", "exfoliator"), ("gel douche", "body wash"),
    ("sels de bain", "bath"),
    ("tónico", "toner"), ("sérum facial", "serum"), ("limpiador facial", "cleanser"), ("aceite facial", "face oil"),
    ("bruma facial", "mist"), ("crema hidratante", "moisturiser"), ("mascarilla facial", "face mask"),
    ("exfoliante", "exfoliator"), ("gel de ducha", "body wash"),
    ("bruma viso", "mist"), ("tonico", "toner"), ("siero viso", "serum"), ("detergente viso", "cleanser"),
    ("olio viso", "face oil"), ("crema idratante", "moisturiser"), ("maschera viso", "face mask"),
    ("esfoliante", "exfoliator"), ("gel doccia", "body wash"),
    ("Gesichtswasser", "toner"), ("Serum", "serum"), ("Reinigungsgel", "cleanser"), ("Gesichtsöl", "face oil"),
    ("Gesichtsspray", "mist"), ("Feuchtigkeitscreme", "moisturiser"), ("Gesichtsmaske", "face mask"),
    ("Peeling", "exfoliator"), ("Duschgel", "body wash"), ("Badesalz", "bath"),
    ("tonik", "toner"), ("serum do twarzy", "serum"), ("żel do mycia twarzy", "cleanser"),
    ("olejek do twarzy", "face oil"), ("mgiełka do twarzy", "mist"), ("krem nawilżający", "moisturiser"),
    ("maseczka", "face mask"), ("żel pod prysznic", "body wash"), ("olejek do kąpieli", "bath"),
    ("pleťová voda", "toner"), ("pleťové sérum", "serum"), ("čisticí gel", "cleanser"),
    ("pleťový olej", "face oil"), ("hydratační krém", "moisturiser"), ("sprchový gel", "body wash"),
    ("sůl do koupele", "bath"),
)

# Category names of the generated catalog, as shops in each market write them (not taken from the
# vocabulary file), with the type an advisor would file them under.
GENERATED_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Moisturiser", "moisturiser"), ("Toner", "toner"), ("Serum", "serum"), ("Cleanser", "cleanser"),
    ("Facial Oil", "face oil"), ("Face Mist", "mist"), ("Eye Cream", "eye treatment"), ("Exfoliator", "exfoliator"),
    ("Body Wash", "body wash"), ("Bath Salts", "bath"),
    ("Crèmes hydratantes", "moisturiser"), ("Lotions toniques", "toner"), ("Sérums", "serum"),
    ("Huiles visage", "face oil"), ("Brumes visage", "mist"), ("Masques visage", "face mask"),
    ("Gommages", "exfoliator"), ("Gels douche", "body wash"),
    ("Cremas hidratantes", "moisturiser"), ("Tónicos", "toner"), ("Limpiadores faciales", "cleanser"),
    ("Aceites faciales", "face oil"), ("Creme idratanti", "moisturiser"), ("Detergenti viso", "cleanser"),
    ("Maschere viso", "face mask"), ("Feuchtigkeitscremes", "moisturiser"), ("Gesichtswasser", "toner"),
    ("Gesichtsöle", "face oil"), ("Gesichtsmasken", "face mask"), ("Duschgele", "body wash"),
    ("Kremy nawilżające", "moisturiser"), ("Toniki", "toner"), ("Olejki do twarzy", "face oil"),
    ("Mgiełki do twarzy", "mist"), ("Olejki do kąpieli", "bath"), ("Hydratační krémy", "moisturiser"),
    ("Pleťové vody", "toner"), ("Pleťové oleje", "face oil"), ("Sprchové gely", "body wash"),
    ("Gift Cards", "-"),  # no product type: counted as unmapped, as it should be
)
INGREDIENT_POOL = ("Aqua", "Glycerin", "Alcohol Denat.", "Parfum", "Methylparaben", "Dimethicone", "Niacinamide",
                   "Squalane", "Sodium Laureth Sulfate", "Tocopherol", "Phenoxyethanol", "Linalool")


def generate_catalog(path: Path, products: int = 2000, seed: int = 17) -> Path:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "category", "price", "currency", "ingredients"])
        for n in range(products):
            category, _ = GENERATED_CATEGORIES[n % len(GENERATED_CATEGORIES)]
            items = rng.sample(INGREDIENT_POOL, 5)
            writer.writerow([f"G{n:05d}", f"{category} {n}", f"Beauty > {category}", f"{rng.uniform(3, 60):.2f}",
                             "EUR", ", ".join(items)])
    return path


def query_filters(catalog: Path, mapping: Path | None) -> dict[str, object]:
    """Runs with whichever `conseil` is importable (ours or a baseline's): category keys the catalog
    would store, then each query's category filter. Only APIs that both versions have."""
    from conseil.ingest.sources import read_products
    from conseil.search.knowledge.base import IngredientKnowledge
    from conseil.search.knowledge.text import fold, normalize_name
    from conseil.search.query import QueryVocabulary, parse_query

    read = read_products(catalog, mapping=mapping)
    keys: set[str] = set()
    for record in read.records:
        keys.update(normalize_name(level) for level in record.category_path)
        keys.update(getattr(record, "product_types", ()))
    vocabulary = QueryVocabulary(categories={fold(k): k for k in keys}, brands={})
    kb = IngredientKnowledge.load()
    return {"keys": sorted(keys),
            "filters": [list(parse_query(text, kb, vocabulary).constraints.categories) for text, _ in QUERIES]}


def score(found: dict[str, object], catalog: Path, mapping: Path | None) -> dict[str, object]:
    from conseil.ingest.sources import read_products
    from conseil.search.query.product_types import CategoryMatcher, load_product_types

    types = load_product_types()
    matcher = CategoryMatcher(types)
    read = read_products(catalog, mapping=mapping)
    held = {t for r in read.records for t in r.product_types}

    def right(filters: list[str], wanted: str) -> bool:
        # The filter means the wanted type, its parent fallback, or a catalog name meaning it.
        meant = [matcher.match_name(f) for f in filters]
        return len(meant) == 1 and meant[0] is not None and (
            meant[0] in types.lineage(wanted) or wanted in types.lineage(meant[0]))

    rows = list(zip(QUERIES, found["filters"]))  # type: ignore[call-overload]
    relevant = [(q, f) for q, f in rows if q[1] in held]

    def share(selection: list[tuple[tuple[str, str], list[str]]], test: str) -> float:
        ok = [bool(f) if test == "set" else right(f, q[1]) for q, f in selection]
        return round(sum(ok) / len(ok), 3) if ok else 0.0

    missing = [q[0] for q, f in relevant if not right(f, q[1])]
    typed = [r for r in read.records if r.product_types]
    specific = [r for r in typed if types.types[r.product_types[0]].parent is not None]
    return {"queries": len(rows), "queries_for_held_types": len(relevant),
            "filter_set_held": share(relevant, "set"), "filter_right_held": share(relevant, "right"),
            "filter_set_all": share(rows, "set"), "filter_right_all": share(rows, "right"),
            "missed_held": missing[:10], "products": len(read.records),
            "products_typed": round(len(typed) / len(read.records), 4) if read.records else 0.0,
            "products_typed_below_root": round(len(specific) / len(read.records), 4) if read.records else 0.0}


def baseline_filters(root: Path, catalog: Path, mapping: Path | None) -> dict[str, object]:
    """`query_filters` under another checkout's code (PYTHONPATH first, ahead of our editable install)."""
    here = str(Path(__file__).parent)
    code = (f"import json, sys; from pathlib import Path; sys.path.insert(0, {here!r}); "
            "from bench_catalog import query_filters; m = sys.argv[2] or None; "
            "print(json.dumps(query_filters(Path(sys.argv[1]), Path(m) if m else None)))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code, str(catalog), str(mapping or "")], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _older_mapping(mapping: Path | None, tmp: Path) -> Path | None:
    """The mapping as a user of the older code could write it: the URL as id, no category values."""
    if mapping is None:
        return None
    raw = json.loads(mapping.read_text(encoding="utf-8"))
    if isinstance(raw["columns"].get("id"), dict):
        raw["columns"]["id"] = raw["columns"].get("url", raw["columns"]["id"]["hash"][0])
    raw.get("values", {}).pop("category", None)
    older = tmp / f"older-{mapping.name}"
    older.write_text(json.dumps(raw), encoding="utf-8")
    return older


def dry_run_seconds(sephora: Path) -> dict[str, float]:
    from conseil.ingest.preview import preview_products
    from conseil.search.knowledge.base import IngredientKnowledge

    kb = IngredientKnowledge.load()
    began = time.perf_counter()
    preview = preview_products(sephora, kb=kb)
    in_process = time.perf_counter() - began
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conseil.api.cli", "ingest", "products", str(sephora), "--dry-run",
                    "--json"], check=True, capture_output=True)
    return {"preview_s": round(in_process, 2), "cli_s": round(time.perf_counter() - began, 2),
            "products": preview.products, "typed_share": round(preview.typed_share, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-root", type=Path, default=None)
    parser.add_argument("--sephora", type=Path, default=SEPHORA)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        catalogs = {"demo": (DEMO, None), "uk-shop": (EXAMPLES / "uk-shop.csv", EXAMPLES / "uk-shop-mapping.json"),
                    "generated": (generate_catalog(Path(tmp) / "generated.csv"), None)}
        results: dict[str, Any] = {"load_average_1m": round(load, 2)}
        for name, (path, mapping) in catalogs.items():
            ours = score(query_filters(path, mapping), path, mapping)
            entry: dict[str, object] = {"ours": ours}
            if args.baseline_root:
                base = score(baseline_filters(args.baseline_root, path, _older_mapping(mapping, Path(tmp))),
                             path, mapping)
                entry["baseline"] = {k: base[k] for k in ("filter_set_held", "filter_right_held", "filter_set_all",
                                                           "filter_right_all")}
            results[name] = entry
        if args.sephora.is_file():
            results["sephora_dry_run"] = dry_run_seconds(args.sephora)
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return
    print(f"load average (1 min) at start: {results['load_average_1m']}")
    for name in catalogs:
        ours, base = results[name]["ours"], results[name].get("baseline", {})
        print(f"\n{name}: {ours['products']} products, {ours['products_typed']:.1%} with a product type "
              f"({ours['products_typed_below_root']:.1%} below the roots)")
        for key in ("filter_set_held", "filter_right_held", "filter_set_all", "filter_right_all"):
            beside = f"   baseline {base[key]:.3f}" if key in base else ""
            print(f"  {key:18s} {ours[key]:.3f}{beside}")
        print(f"  queries for held types {ours['queries_for_held_types']} of {ours['queries']}; "
              f"missed: {ours['missed_held'] or 'none'}")
    if "sephora_dry_run" in results:
        d = results["sephora_dry_run"]
        print(f"\nSephora dry run ({d['products']} products, {d['typed_share']:.1%} typed): "
              f"{d['preview_s']} s in process, {d['cli_s']} s through the CLI")


if __name__ == "__main__":
    main()
