"""The labelled adversarial set of label spellings: `eval/datasets/label_variants/variants.jsonl`.

    python -m conseil.eval.label_variants [--out PATH]       # regenerate (deterministic)

Each line: {"variant", "expected" (canonical INCI name, or "unidentifiable"), "families" (the excluded
families the variant must never be called free of), "kind", "source"}. Built from the knowledge base's
family members (the EU annexes and the CosIng inventory) by rules that do not use the resolver:

  inn_pharmacopoeia  hand-checked INN / Ph. Eur. / chemical names (HAND_CHECKED below)
  british            sulfate -> sulphate, aluminum -> aluminium
  typo               one letter dropped or doubled inside a name of 10+ letters (never the first)
  missing_space      the spaces of a multi-word name removed, or one space removed
  hyphen_case        hyphens for spaces, upper case, footnote marks, a percentage
  salt               "X Acid (Sodium Salt)" for "Sodium X-ate"
  cas                the CAS number printed instead of the name
  short_typo         a typo in a short name: must stay unidentifiable (one letter changes the substance)
  name_cas           the name followed by its CAS number (or by another ingredient's: unidentifiable,
                     and never free of either's families)
  grade              a pharmacopoeia grade after the name ("USP", "Ph. Eur.")
  plant              a plant ingredient without its part, several parts giving that product: one of them
  plant_part         a plant part the inventory lacks for that plant: the inventory's entry that writes no part
                     (`botanical`), else that plant's product, one of its listed ingredients (`part`)
  everyday           an everyday or trade name the curation lists ("Squalane Olive")
Declaration-level kinds (checked on the parsed item, not on the name; "expected" is the canonical
name, the parts joined by " + ", "two items", or "unidentifiable"):
  split              two names run together ("Butylene Glycol Menthol")
  joined             one name cut by a stray comma ("Ethylhexyl, Methoxycinnamate")
  locant             a chemical name's locant comma ("1, 2-Hexanediol")

A generated typo that lies as close to another known name as to its own is labelled "unidentifiable"
(the resolver must not guess), but keeps its families: it must still never be called free of them.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from conseil.search.knowledge.base import Ingredient, IngredientKnowledge
from conseil.search.knowledge.resolve import compact_key
from conseil.search.knowledge.text import normalize_name

OUT = Path(__file__).resolve().parent / "datasets" / "label_variants" / "variants.jsonl"
FAMILIES = ("parabens", "silicones", "sulfates", "fragrance", "formaldehyde_releasers", "phthalates",
            "isothiazolinones", "drying_alcohols", "mineral_oils", "pegs", "triclosan", "edta", "aluminum_salts")
PER_FAMILY = 6  # members per family and rule
# Hand-checked label spellings (INN, Ph. Eur., chemical, Latin, typos printed on real labels).
HAND_CHECKED: tuple[tuple[str, str, str], ...] = (
    ("Methyl Hydroxybenzoate", "Methylparaben", "inn_pharmacopoeia"),
    ("Methyl Parahydroxybenzoate", "Methylparaben", "inn_pharmacopoeia"),
    ("Ethyl 4-hydroxybenzoate", "Ethylparaben", "inn_pharmacopoeia"),
    ("Propyl Hydroxybenzoate", "Propylparaben", "inn_pharmacopoeia"),
    ("Butyl 4-Hydroxybenzoate", "Butylparaben", "inn_pharmacopoeia"),
    ("Sodium Methyl Parahydroxybenzoate", "Sodium Methylparaben", "inn_pharmacopoeia"),
    ("Sodium Propyl Hydroxybenzoate", "Sodium Propylparaben", "inn_pharmacopoeia"),
    ("Dimeticone", "Dimethicone", "inn_pharmacopoeia"),
    ("Dimethicon", "Dimethicone", "inn_pharmacopoeia"),
    ("Simeticone", "Simethicone", "inn_pharmacopoeia"),
    ("Cyclopentasiloxan", "Cyclopentasiloxane", "inn_pharmacopoeia"),
    ("Fragance", "Parfum", "typo"),
    ("Fragrence", "Parfum", "typo"),
    ("Parfume", "unidentifiable", "short_typo"),  # 7 letters: below the typo threshold
    ("Sodium Lauryl Sulphate", "Sodium Lauryl Sulfate", "british"),
    ("Sodium Laureth Sulphate", "Sodium Laureth Sulfate", "british"),
    ("Ammonium Lauryl Sulphate", "Ammonium Lauryl Sulfate", "british"),
    ("Alcohol Cetylicus", "Cetyl Alcohol", "inn_pharmacopoeia"),
    ("Alcohol Stearylicus", "Stearyl Alcohol", "inn_pharmacopoeia"),
    ("Alcohol Benzylicus", "Benzyl Alcohol", "inn_pharmacopoeia"),
    ("Paraffinum Liquidum", "Mineral Oil", "inn_pharmacopoeia"),
    ("Aqua Purificata", "unidentifiable", "inn_pharmacopoeia"),
    ("Alcohol Denat", "Alcohol Denat.", "hyphen_case"),
    ("99-76-3", "Methylparaben", "cas"),
    ("Triclosan 0.3%", "Triclosan", "hyphen_case"),
    ("Methylisothiazolinone*", "Methylisothiazolinone", "hyphen_case"),
    ("Hyaluronic Acid (Sodium Salt)", "Sodium Hyaluronate", "salt"),
    ("Caffeinee", "Caffeine", "typo"),
    ("Methylparabne", "Methylparaben", "typo"),
    ("Glycerine", "Glycerin", "british"),
    ("Tlc", "unidentifiable", "short_typo"),
    ("Ureaa", "unidentifiable", "short_typo"),
    ("PEG-8", "PEG-8", "hyphen_case"),
    ("PEG 100 Stearate", "PEG-100 Stearate", "hyphen_case"),
    # routes added for the coverage work (hand-checked against the inventory)
    ("Olea Europaea Oil", "Olea Europaea Oil", "plant"),  # fruit, husk or leaf oil
    ("Lavandula Spica Oil", "Lavandula Spica Oil", "plant"),  # flower or herb oil
    ("Citrus Paradisi Oil", "Citrus Paradisi Oil", "plant"),  # peel or seed oil
    ("Citrus Aurantium Amara Oil", "Citrus Aurantium Amara Oil", "plant"),  # leaf/twig, flower, peel oil
    ("Ginkgo Biloba Extract", "Ginkgo Biloba Extract", "plant"),
    ("Camellia Sinensis Oil", "Camellia Sinensis Oil", "plant"),
    ("Cocos Nucifera Extract", "Cocos Nucifera Extract", "plant"),
    ("Ziziphus Jujuba Fruit Extract", "Ziziphus Jujuba Extract", "plant_part"),  # branch, leaf, seed extracts listed
    ("Nephelium Lappaceum Seed Extract", "Nephelium Lappaceum Extract", "plant_part"),  # not the Peel Extract
    ("Borago Officinalis Flower Extract", "Borago Officinalis Extract", "plant_part"),  # the entry with no part
    ("Mentha Piperita Leaf Oil", "Mentha Piperita Oil", "plant_part"),  # the entry with no part
    ("Linalool 78-70-6", "Linalool", "name_cas"),
    ("Benzyl Benzoate 120-51-4", "Benzyl Benzoate", "name_cas"),
    ("Dimethicone (CAS 9006-65-9)", "Dimethicone", "name_cas"),
    ("Propylparaben 94-13-3", "Propylparaben", "name_cas"),
    ("Propylparaben 99-76-3", "unidentifiable", "name_cas"),  # Methylparaben's number
    ("Linalool 120-51-4", "unidentifiable", "name_cas"),  # Benzyl Benzoate's number
    ("Coconut Oil 84836-98-6", "unidentifiable", "name_cas"),  # Hydrogenated Coconut Oil's number
    ("Stearic Acid USP", "Stearic Acid", "grade"),
    ("Methylparaben USP", "Methylparaben", "grade"),
    ("Phenoxyethanol Ph. Eur.", "Phenoxyethanol", "grade"),
    ("Butylene Glycol Menthol", "Butylene Glycol + Menthol", "split"),
    ("CI 77491  CI 77492  CI 77499", "CI 77491 + CI 77492 + CI 77499", "split"),
    ("Methylparaben Propylparaben", "Methylparaben + Propylparaben", "split"),
    ("Phenoxyethanol Methylisothiazolinone", "Phenoxyethanol + Methylisothiazolinone", "split"),
    ("Cyclopentasiloxane Dimethicone", "Cyclopentasiloxane + Dimethicone", "split"),
    ("Cane Sugar Alcohol And Distilled Water", "unidentifiable", "split"),  # words left over
    ("Lauryl Methacrylate/Glycol Dimethacrylate Copolymer", "unidentifiable", "split"),
    ("Squalane Olive", "Squalane", "everyday"),  # squalane from olives (curated); "olive" alone names nothing
    ("Glycerin Alcohol", "unidentifiable", "split"),  # "alcohol" alone: which one?
    ("Ethylhexyl, Methoxycinnamate", "Ethylhexyl Methoxycinnamate", "joined"),
    ("Sodium, Isethionate", "Sodium Isethionate", "joined"),
    ("Sodium Lauryl, Sulfate", "Sodium Lauryl Sulfate", "joined"),
    ("Butyl, Paraben", "Butylparaben", "joined"),
    ("PEG-8, Dimethicone", "two items", "joined"),  # both names of their own: "PEG-8 Dimethicone" not guessed
    ("1, 2-Hexanediol", "1,2-Hexanediol", "locant"),
    ("2-Oleamido-1, 3-Octadecanediol", "2-Oleamido-1,3-Octadecanediol", "locant"),
    ("Laureth-4, 1,2-Hexanediol", "two items", "locant"),
)
DECLARATION_KINDS = frozenset({"split", "joined", "locant"})


def _variants(name: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if re.search(r"sulfate", name, re.IGNORECASE):
        out.append((re.sub("sulfate", "sulphate", re.sub("Sulfate", "Sulphate", name)), "british"))
    if re.search(r"aluminum", name, re.IGNORECASE):
        out.append((re.sub("aluminum", "aluminium", re.sub("Aluminum", "Aluminium", name)), "british"))
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(compact_key(normalize_name(name))) >= 10 and not re.search(r"\d", name):
        middle = letters[len(letters) // 2]
        out.append((name[:middle] + name[middle + 1:], "typo"))  # a letter dropped
        third = letters[len(letters) // 3]
        out.append((name[:third] + name[third] + name[third:], "typo"))  # a letter doubled
    if " " in name:
        out.append((name.replace(" ", ""), "missing_space"))
        out.append((name.replace(" ", "", 1), "missing_space"))
        out.append((name.upper() + "*", "hyphen_case"))
        if not re.search(r"\d", name):
            out.append((name.replace(" ", "-") + " 2%", "hyphen_case"))
    return out


def _salt_variants(kb: IngredientKnowledge) -> list[tuple[str, str, str]]:
    out = []
    for ing in kb.ingredients():
        found = re.fullmatch(r"(Sodium|Potassium|Calcium|Magnesium|Zinc) ([A-Z][a-z]{3,})ate", ing.canonical)
        if found and kb.resolve(f"{found[2]}ic Acid") is not None:
            out.append((f"{found[2]}ic Acid ({found[1]} Salt)", ing.canonical, "salt"))
    return sorted(out)[:40]


def _nearest_other(kb: IngredientKnowledge, variant: str, own: Ingredient, own_distance: int) -> bool:
    """Is another ingredient's name at most as close to the variant as its own? (brute force, for labels)"""
    from rapidfuzz.distance import Levenshtein

    query = compact_key(normalize_name(variant))
    for ing in kb.ingredients():
        if ing is own:
            continue
        for name in (ing.canonical, *ing.synonyms):
            key = compact_key(normalize_name(name))
            if abs(len(key) - len(query)) <= own_distance and \
                    Levenshtein.distance(query, key, score_cutoff=own_distance) <= own_distance:
                return True
    return False


def build(kb: IngredientKnowledge) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(variant: str, expected: str, kind: str, source: str) -> None:
        if variant in seen:
            return
        seen.add(variant)
        names = expected.split(" + ") if kind in DECLARATION_KINDS else [expected]
        if expected == "two items":
            names = [n.strip() for n in variant.split(",")]
        elif expected == "unidentifiable":  # a name with another's CAS number: never free of either's
            names = variant.rsplit(" ", 1) if kind == "name_cas" else []
        targets = [t for t in map(kb.resolve, names) if t is not None]
        families = sorted(set(FAMILIES).intersection(*(t.families for t in targets))) if len(targets) == 1 else \
            sorted(set(FAMILIES) & frozenset().union(*(t.families for t in targets)))
        if kind == "cas" and not targets:
            families = sorted(set(FAMILIES) & {fid for fid in FAMILIES if fid in source.split()})
        rows.append({"variant": variant, "expected": expected, "families": families, "kind": kind,
                     "source": source})

    for variant, expected, kind in HAND_CHECKED:
        add(variant, expected, kind, "hand-checked")
    for fid in FAMILIES:
        members = sorted((i for i in kb.ingredients() if fid in i.families and len(i.canonical) <= 40),
                         key=lambda i: (len(i.canonical), i.canonical))
        picked = members[:: max(1, len(members) // PER_FAMILY)][:PER_FAMILY]
        for ing in picked:
            if ing.cas:  # a CAS number several entries share identifies none of them (fail closed)
                shared = sum(ing.cas[0] in other.cas for other in kb.ingredients()) > 1
                add(ing.cas[0], "unidentifiable" if shared else ing.canonical, "cas", f"inventory/annex member of {fid}")
                if not shared and len(ing.cas) == 1:
                    add(f"{ing.canonical} {ing.cas[0]}", ing.canonical, "name_cas", f"member of {fid}")
            add(f"{ing.canonical} USP", ing.canonical, "grade", f"member of {fid}")
            for variant, kind in _variants(ing.canonical):
                if kb.resolve(variant) not in (None, ing) and normalize_name(variant) in kb.ingredient_name_index():
                    continue  # the variant is itself another ingredient's exact name: not a misspelling
                expected = ing.canonical
                if kind == "typo" and _nearest_other(kb, variant, ing, 1):
                    expected = "unidentifiable"
                rows.append({"variant": variant, "expected": expected, "kind": kind,
                             "families": sorted(set(FAMILIES) & ing.families),
                             "source": f"member of {fid}"}) if variant not in seen else None
                seen.add(variant)
    for variant, expected, kind in _salt_variants(kb):
        add(variant, expected, kind, "salt notation of an inventory acid")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = build(IngredientKnowledge.load())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"wrote {args.out}: {len(rows)} variants {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
