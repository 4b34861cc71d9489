"""Regenerate `corpora/knowledge/ingredients.json.gz` from the raw sources and the hand curation.

    python -m conseil.ingest.knowledge_build [--shared PATH] [--out PATH]

Sources (read in place from ../shared/data/ontology, never copied): the EU CosIng inventory and annexes II-VI,
Open Beauty Facts taxonomies, CurlsBot and the Clean at Sephora list; decisions and names live in
`corpora/knowledge/curation.json`. The output is deterministic (no timestamps, sorted), so a test
can regenerate it and compare it with the committed file byte for byte.

Records are merged in priority order (curation, CosIng, Open Beauty Facts, CurlsBot): a record
joins the first existing ingredient sharing one of its names; a name already owned by another
ingredient is never moved (it is reported as a conflict instead).

Why one module of ~600 lines: it is a build script, not served, read top to bottom as one pipeline
(each source's reader, then the merge in priority order, then the output); splitting the readers from
the merge would scatter the priority rules that decide which source owns a name.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conseil.search.knowledge.families import ancestors_map, compile_rules, lookup_keys, pattern_families
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.language_data import LANGUAGES

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the repository root in a checkout
KNOWLEDGE_DIR = PACKAGE_ROOT / "corpora" / "knowledge"
DEFAULT_SHARED = PACKAGE_ROOT.parent / "shared" / "data"
COSING, OBF, CURLSBOT, SEPHORA = ("ontology/cosing-annexes-2026", "ontology/obf-beauty-taxonomies",
                                  "ontology/curlsbot", "ontology/clean-at-sephora")
INVENTORY = "ontology/cosing-inventory"
_CAS = re.compile(r"\b\d{2,7}-\d{2}-\d\b")
_CI_NAME = re.compile(r"^C\.?\s?I\.?\s?(\d{5}(?::\d)?)$", re.IGNORECASE)
_ALLERGEN = re.compile(r"indicated.{0,80}list of ingredients.*0[.,]001 ?%", re.DOTALL)
_DYE = re.compile(r"^(acid|basic|direct|disperse|pigment|solvent|food|reactive|vat|hc|natural) \w|\blake$|"
                  r"^(sunset yellow|curry red|ponceau|fast green|tartrazine|brilliant blue|ultramarines?|"
                  r"cochineal|carmine)\b", re.IGNORECASE)
_IDENTIFIED = "Identified INGREDIENTS or substances e.g."
_CI_GLOSSARY = "Colour index Number / Name of Common Ingredients Glossary"
_LABEL_AS = re.compile(r"indicated (?:as )?[‘'\"]([^’'\"]+)[’'\"]")
_ACRONYMS = {"peg", "ppg", "edta", "dea", "mea", "mipa", "tipa", "bht", "bha", "paba", "dmdm", "mdm", "hcl", "ci",
             "pvp", "va", "pca", "sd", "uv", "hc", "ext", "np", "ap", "sles", "sls", "als", "ales",
             "pfoa", "ptfe", "pdms", "pet", "pbt", "pp", "dmp", "dep", "dbp", "dehp", "bbp", "dnop",
             "dinp", "didp", "mit", "mci", "bit", "pg", "ii", "iii", "iv", "fd&c", "d&c", "hicc", "dna",
             "dmapa", "dmap", "hdi", "ppd", "mbbt", "bemt", "hepb", "amp", "hfc", "abs", "mbc", "omc",
             "ehmc", "tmchb", "dmbca"}
_LOCANTS = {"p", "o", "m", "n", "d", "l", "dl", "tert", "sec", "cis", "trans"}


def _clean(name: str) -> str:
    name = name.replace("\xad", "").replace("\\/", "/")
    return re.sub(r"\s+", " ", re.sub(r"(?<=[A-Za-z])-\s+(?=[A-Za-z])", "-", name)).strip(" ,;")


def inci_title(name: str) -> str:
    """INCI capitals for an upper-, lower- or oddly-cased name: 'PEG-25 PABA', 'Isoamyl p-Methoxycinnamate'."""
    name = _clean(name)
    words = re.findall(r"[^\W\d_]+", name)
    if name != name.upper() and all(
            w in _LOCANTS or w[0].isupper() and (w[1:].islower() or w.isupper() and len(w) < 6) for w in words):
        return name  # already in INCI case; 'ANISe alcohol' or 'Amyl cinnamal' is redone
    parts = re.split(r"((?:[^\W\d_]|&)+)", name.lower())
    out = []
    for i, part in enumerate(parts):
        before, after = (parts[i - 1] if i else ""), (parts[i + 1] if i + 1 < len(parts) else "")
        if not part or not part[0].isalpha():
            out.append(part)
        elif (part in _ACRONYMS or part == "tea" and (after.startswith("-") or before.endswith("/"))
              or len(part) == 1 and (after[:1].isdigit() or before[-1:].isdigit())):
            out.append(part.upper())  # TEA only as TEA-...: 'Tea Tree' stays a plant
        elif (part in _LOCANTS and after.startswith("-") and (not before or before[-1] in " (,-")
              or part == "nano" and before.endswith("(")):
            out.append(part)
        else:
            out.append(part.capitalize())
    return "".join(out)


def _short(text: str, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ;,")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" ,;(") + " …"


def _split_list(text: str) -> list[str]:
    """Split a comma list, keeping commas between digits ('2-Bromo-2-Nitropropane-1,3-Diol') and '\\,'."""
    parts = [_clean(p.replace("\\,", ",")) for p in re.split(r"(?<!\\)(?<!\d),|(?<!\\),(?!\d)|\s/\s", text)]
    return [p for p in parts if _plausible(p)]


def _plausible(name: str) -> bool:
    """False for a chemical name cut at one of its commas (unbalanced brackets, 'N', a dangling prime)
    and for annex prose ('... is a mixture of three dyes: ...')."""
    return (len(re.findall(r"[^\W\d_]", name)) >= 3 and len(name) <= 100 and ":" not in name[:-2]
            and name.count("(") == name.count(")") and name.count("[") == name.count("]")
            and not name.endswith("'"))


@dataclass
class Rec:
    """One source statement: these names denote one ingredient, with these facts."""

    names: list[str]
    families: set[str] = field(default_factory=set)
    cas: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    create: bool = True  # False: only annotate an ingredient that already exists
    functions: list[str] = field(default_factory=list)  # CosIng functions, English


class Merger:
    """Accumulates records into ingredients keyed by exact and compact name keys."""

    def __init__(self, cur: dict[str, Any]) -> None:
        self.items: list[dict[str, Any]] = []
        self.keys: dict[str, int] = {}
        self.conflicts: list[str] = []
        self.unmatched: list[str] = []
        self.drop = {normalize_name(n) for n in cur["drop_synonyms"]}
        self.drop_re = [re.compile(p) for p in cur["drop_synonym_patterns"]]

    def find(self, name: str) -> int | None:
        exact, comp, _ = lookup_keys(name)
        return self.keys.get(exact, self.keys.get("~" + comp))

    def add(self, rec: Rec) -> int | None:
        names = [n for n in (_clean(x) for x in rec.names) if n and not _CAS.fullmatch(n)]
        names = names[:1] + [n for n in names[1:] if normalize_name(n) not in self.drop
                             and not any(r.search(normalize_name(n)) for r in self.drop_re)]
        if not names:
            return None
        target = next((i for i in map(self.find, names) if i is not None), None)
        if target is None:
            if not rec.create:
                self.unmatched.append(names[0])
                return None
            target = len(self.items)
            self.items.append({"canonical": names[0], "synonyms": [], "families": set(), "cas": [],
                               "notes": [], "functions": []})
        item = self.items[target]
        for name in names:
            owner = self.find(name)
            if owner is not None and owner != target:
                self.conflicts.append(f"{name!r}: kept by {self.items[owner]['canonical']!r}, "
                                      f"not given to {item['canonical']!r}")
                continue
            exact, comp, _ = lookup_keys(name)
            if exact not in self.keys:
                if exact != lookup_keys(item["canonical"])[0]:
                    item["synonyms"].append(name)
                self.keys[exact] = target
                self.keys.setdefault("~" + comp, target)
        item["families"] |= rec.families
        item["cas"] += [c for c in rec.cas if c not in item["cas"]]
        item["notes"] += [n for n in rec.notes if n not in item["notes"]]
        item["functions"] += [f for f in rec.functions if f not in item["functions"]]
        return target


# -- CosIng annexes ---------------------------------------------------------------------------------

def read_annex(path: Path) -> list[dict[str, str]]:
    """Rows of a CosIng CSV export: 4 metadata lines, then a header; cells may span lines."""
    body = path.read_text(encoding="utf-8-sig").split("\n", 4)[4]
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(body))]


def _glossary(row: dict[str, str], any_slash: bool = False) -> list[str]:
    text = row.get("Name of Common Ingredients Glossary") or row.get(_CI_GLOSSARY, "")
    sep = r"\s*/\s*|\s*;\s*" if any_slash else r"\s+/\s*|\s*/\s+|\s*;\s*|/(?=\s*CI\b)"
    names = [_clean(p) for p in re.split(sep, text)]
    # a glossary cell holding a comma list ('SALICYLIC ACID, CALCIUM SALICYLATE') or a chemical name with
    # commas ('Phenol, 2-methoxy-...') is left to the Identified INGREDIENTS column
    return [n for n in names if _plausible(n) and not re.search(r"(?<!\d),|,(?!\d)", n)]


def _cas_for(row: dict[str, str], names: list[str]) -> dict[str, list[str]]:
    """CAS numbers per glossary name: aligned when the groups line up, all of them for a single name."""
    groups = [_CAS.findall(g) for g in re.split(r"\s+/\s+|;", row.get("CAS Number", ""))]
    if len(names) == 1:
        return {names[0]: [c for g in groups for c in g]}
    return dict(zip(names, groups)) if len(groups) == len(names) else {}


def _row_note(annex: str, row: dict[str, str], what: str) -> str:
    parts = [f"EU Annex {annex}/{row['Reference Number']}: {what}"]
    maxc = row.get("Maximum concentration in ready for use preparation", "")
    if maxc and maxc != "-":
        parts.append(f"max conc {_short(maxc, 140)}")
    if row.get("Product Type, body parts"):
        parts.append(f"products: {_short(row['Product Type, body parts'], 120)}")
    parts += [_short(row[c], 160) for c in ("Other", "Wording of conditions of use and warnings") if row.get(c)]
    return _short("; ".join(parts), 420)


def cosing_records(folder: Path, cur: dict[str, Any]) -> list[Rec]:
    # Annex IV first, so that dye names met again in Annexes III and II join their CI number
    recs = [rec for row in read_annex(folder / "annex_IV.csv") for rec in _colorant_records(row)]
    for row in read_annex(folder / "annex_III.csv"):
        other = re.sub(r"\s+", " ", row["Other"] + " " + row["Wording of conditions of use and warnings"])
        names, identified = _glossary(row), _split_list(row[_IDENTIFIED])
        if not _ALLERGEN.search(other):
            what = f"restricted ({_short(row['Chemical name / INN'], 80)})"
            recs += _per_name(row, names, identified, _row_note("III", row, what), set())
            continue
        label, fix = _LABEL_AS.search(other), cur["allergen_overrides"].get(row["Reference Number"], {})
        label_name = [re.sub(r"\s*/\s*", "/", label[1])] if label else []
        main = [fix["canonical"]] if "canonical" in fix else label_name
        what = ("fragrance allergen, must be named in the ingredient list above 0.001 % (leave-on) / 0.01 % "
                "(rinse-off)" + (f", as '{main[0]}'" if label and main else ""))
        note = _row_note("III", {**row, "Other": "", "Wording of conditions of use and warnings": ""}, what)
        names = [] if fix.get("replace_glossary") else names
        recs.append(Rec(main + [inci_title(n) for n in names + identified] + fix.get("synonyms", []),
                        {"fragrance_allergens"}, _CAS.findall(row["CAS Number"]),
                        [f"{note} ({row['Regulation']})"]))
    for annex, what in (("V", "allowed preservative"), ("VI", "allowed UV filter")):
        for row in read_annex(folder / f"annex_{annex}.csv"):
            names = _glossary(row)
            fams = {"preservatives"} if annex == "V" else {"mineral_uv_filters" if re.match(
                r"(titanium dioxide|zinc oxide)", " ".join(names), re.IGNORECASE) else "chemical_uv_filters"}
            recs += _per_name(row, names, _split_list(row[_IDENTIFIED]), _row_note(annex, row, what), fams)
    # Annex II last: its names (often dyes prohibited for one use only) should join the Annex IV colorants
    for row in read_annex(folder / "annex_II.csv"):
        chem, identified = row["Chemical name / INN"], _split_list(row[_IDENTIFIED])
        note = (f"EU Annex II/{row['Reference Number']}: prohibited in cosmetic products "
                f"({_short(chem, 160)}; {row['Regulation']})")
        simple = re.sub(r"\s*\(INN\)\s*$", "", chem)  # a plain chemical name is a name ('Dibutyl phthalate')
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9 \-']{2,45}", simple) and not re.search(
                r"\b(and|its|salts?|compounds?|esters?|except|when|derivatives?|products?)\b", simple, re.IGNORECASE):
            identified.append(simple)
        recs += [Rec([inci_title(n)], set(), [], [note]) for n in identified]
    return recs


def _colorant_records(row: dict[str, str]) -> list[Rec]:
    """One colorant per CI number, its dye and lake names as synonyms; other names on the row (Kaolin,
    Bentonite for CI 77004) stay separate ingredients and get families by the rules only."""
    note = _row_note("IV", row, f"allowed colorant ({_short(row['Chemical name'], 80)})")
    identified = _split_list(row[_IDENTIFIED])
    text = row[_CI_GLOSSARY] + "," + ",".join(identified)
    cis = list(dict.fromkeys(re.sub(r"\s+", " ", m).upper()
                             for m in re.findall(r"\bCI\s?\d{5}(?::\d)?", text, re.IGNORECASE)))
    glossary = [re.sub(r"\s*\(CI[^)]*\)", "", g)
                for g in _glossary(row, any_slash=True) if not _CI_NAME.match(g)]
    if not cis:
        return _per_name(row, glossary, identified, note, {"colorants"})
    dyes = [n for n in dict.fromkeys(glossary + identified)
            if not _CI_NAME.match(n) and (n in glossary or _DYE.search(n))]
    rest = [n for n in identified if not _CI_NAME.match(n) and n not in dyes]
    colorant = Rec(cis + [inci_title(n) for n in dyes], {"colorants"}, _CAS.findall(row["CAS Number"]),
                   [note])
    return [colorant, *_per_name(row, [], rest, note, set())]


def _per_name(row: dict[str, str], names: list[str], identified: list[str], note: str,
              fams: set[str]) -> list[Rec]:
    """One record per distinct name on an annex row, each with the row's note (CAS when they align)."""
    cas = _cas_for(row, names)
    seen: set[str] = set()
    out = []
    for name in names + identified:
        key = normalize_name(name)
        if key not in seen:
            seen.add(key)
            out.append(Rec([inci_title(name)], set(fams), cas.get(name, []), [note]))
    return out


# -- CosIng inventory ---------------------------------------------------------------------------------

def inventory_records(folder: Path) -> list[Rec]:
    """Every INCI name of the CosIng Ingredients & Fragrance Inventory, with its CAS number and functions.

    Merged after the annexes and the curation, so an inventory name joins the ingredient that already
    has it (AQUA joins Water) and brings its CAS number and functions there."""
    with (folder / "cosing_inventory.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    recs = []
    for row in rows:
        name = _clean(row["inci_name"])
        if not name:
            continue
        functions = [f.strip() for f in row["function"].split(",") if f.strip()]
        recs.append(Rec([inci_title(name)], set(), _CAS.findall(row["cas_number"]), [], functions=functions))
    return recs


def chemical_name_records(cur: dict[str, Any], inventory: list[Rec]) -> list[Rec]:
    """The chemical (CAS index, IUPAC) names labels print for inventory entries (curation `chemical_names`), as
    synonyms of those entries. An entry naming no inventory INCI name stops the build: a chemical name must
    land on the substance it denotes, never create one."""
    known = {lookup_keys(r.names[0])[0] for r in inventory}
    recs = []
    for entry in cur["chemical_names"]["names"]:
        inci = inci_title(_clean(entry["inci"]))
        if lookup_keys(inci)[0] not in known:
            raise SystemExit(f"curation chemical_names: {entry['inci']!r} is not an INCI name of the CosIng inventory")
        recs.append(Rec([inci, *entry["names"]], create=False))
    return recs


def function_names(folder: Path, functions: list[str]) -> dict[str, dict[str, str]]:
    """CosIng function name -> its name in each supported language, from the Open Beauty Facts table.

    Matched without case ('Uv Filter' is 'UV filter'); a compound 'Skin Conditioning - Emollient' is
    translated part by part; a few CosIng names differ from the table's ('Colorant')."""
    lines = (folder / "inci_functions_names.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    table: dict[str, dict[str, str]] = {}
    for line in lines[1:]:
        cells = dict(zip(header, line.split("\t")))
        if cells.get("en"):
            table[cells["en"].casefold()] = {lang: cells[lang] for lang in LANGUAGES if cells.get(lang)}
    aliases = {"colorant": "cosmetic colorant", "anti-seborrheic": "antiseborrhoeic"}
    out: dict[str, dict[str, str]] = {}
    for function in functions:
        parts = [table.get(aliases.get(p.casefold(), p.casefold())) for p in function.split(" - ")]
        if all(parts):
            out[function] = {lang: " – ".join(p[lang] for p in parts if p) for lang in LANGUAGES
                             if all(p is not None and lang in p for p in parts)}
    return out


# -- Open Beauty Facts, CurlsBot, Clean at Sephora -------------------------------------------------------

def _blocks(path: Path) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            blocks.append([])
        elif not line.startswith("#"):
            blocks[-1].append(line)
    return [b for b in blocks if b]


def obf_records(folder: Path, cur: dict[str, Any]) -> list[Rec]:
    fmap, skip, langs = (cur["source_family_map"][k] for k in ("obf", "obf_skip_roots", "obf_languages"))
    parsed = []
    for block in _blocks(folder / "ingredients-old-obf.txt"):
        parents = [b[1:].split(":", 1)[-1].strip() for b in block if b.startswith("<")]
        names: list[str] = []
        cas: list[str] = []
        for line in (b for b in block if not b.startswith("<")):
            bits = line.split(":", 2) if ":" in line else ["en", line]
            prop, value = (bits[0], bits[2]) if len(bits) == 3 and len(bits[1]) == 2 else ("", bits[-1])
            lang = bits[0] if not prop else prop
            if prop == "cas":
                cas += _CAS.findall(value)
            elif lang in langs:  # INCI-style capitals for English/INCI names, others as written
                names += [inci_title(n) if lang in ("en", "inci", "inn") else n for n in _split_list(value)]
        if names:
            parsed.append((names, parents, cas))
    roots = {fold(p) for _, parents, _ in parsed for p in parents}
    by_id = {fold(n[0]): parents for n, parents, _ in parsed}
    recs = []
    for names, parents, cas in parsed:
        if fold(names[0]) in roots or fold(names[0]) in {fold(s) for s in [*skip, *fmap]}:
            continue
        chain, fams = list(parents), set()
        while chain:
            parent = chain.pop()
            if parent in skip:
                fams = {"skip"}
                break
            if parent in fmap:
                fams.add(fmap[parent])
            chain += by_id.get(fold(parent), [])
        if "skip" not in fams:
            recs.append(Rec(names, fams, cas, [], create="fragrance_allergens" not in fams))
    return recs


def sccs_annotations(folder: Path) -> list[Rec]:
    """SCCS/1459/11 allergen categories (Open Beauty Facts extract), for ingredients already known."""
    recs = []
    for line in (folder / "allergens_extract.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t") + [""] * 6
        if cells[3] and cells[1]:
            recs.append(Rec([inci_title(re.split(r",\s(?!\d)", cells[0])[0])], set(), _CAS.findall(cells[1]),
                            [f"SCCS/1459/11 fragrance-allergen opinion: {cells[3].lower()}"], create=False))
    return recs


def curlsbot_records(folder: Path, cur: dict[str, Any]) -> list[Rec]:
    fmap = cur["source_family_map"]["curlsbot"]
    drop = {normalize_name(n) for n in cur["drop_ingredients"]}
    drop_re = [re.compile(p) for p in cur["drop_ingredient_patterns"]]
    recs = []
    for path in sorted((folder / "ingredients").glob("*.json")):
        for ing in json.loads(path.read_text(encoding="utf-8"))["ingredients"]:
            key = normalize_name(ing["name"])
            if key in drop or any(r.search(key) for r in drop_re):
                continue
            names = [inci_title(n) for n in [ing["name"], *ing.get("synonyms", [])]]
            recs.append(Rec(names, {fmap[c] for c in ing.get("categories", []) if c in fmap}))
    return recs


def sephora_membership(folder: Path, cur: dict[str, Any]) -> tuple[list[str], list[Rec]]:
    """The families and ingredients of the Clean at Sephora list; an unmapped line is an error."""
    spec = cur["clean_at_sephora"]
    text = (folder / "clean_at_sephora_formulated_without.txt").read_text("utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    unmapped = [ln for ln in lines if ln not in spec["lines"]]
    if unmapped:
        raise SystemExit(f"clean_at_sephora: map these lines in curation.json first: {unmapped}")
    picks = [spec["lines"][ln] for ln in lines] + list(spec["extra_2019"].values())
    families = sorted({f for p in picks for f in p.get("families", [])})
    named = [n for p in picks for n in p.get("ingredients", [])]
    return families, [Rec([n], {"clean_at_sephora"}, create=False) for n in named]


def label_names(folder: Path, cur: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Family names from the Open Beauty Facts 'free from' labels ('Bez siarczanów' -> 'siarczanów')."""
    prefix = re.compile(r"^({})\s+".format("|".join(map(re.escape, cur["label_prefixes"]))), re.IGNORECASE)
    suffix = re.compile(r"[\s-]*({})$".format("|".join(cur["label_suffixes"])), re.IGNORECASE)
    stop = {fold(s) for s in cur["label_name_stoplist"]}
    found: dict[str, dict[str, list[str]]] = {}
    for block in _blocks(folder / "labels_free-from_extract.txt"):
        lines = [ln.split(":", 1) for ln in block if not ln.startswith("<") and ":" in ln]
        en = next((v.split(",")[0].strip() for k, v in lines if k.strip() == "en"), "")
        fid = cur["label_family_map"].get(en)
        for lang, value in lines if fid else []:
            for phrase in value.split(","):
                name = suffix.sub("", prefix.sub("", phrase.strip())).strip()
                if name and fold(name) not in stop and lang.strip() in LANGUAGES:
                    found.setdefault(fid, {}).setdefault(lang.strip(), []).append(name)
    return found


# -- assembly --------------------------------------------------------------------------------------

def _families_out(cur: dict[str, Any], harvested: dict[str, dict[str, list[str]]],
                  sephora_families: list[str]) -> dict[str, Any]:
    out = {}
    for fid, spec in cur["families"].items():
        names = {}
        for lang in LANGUAGES:
            merged = list(spec["names"][lang])
            for extra in harvested.get(fid, {}).get(lang, []):
                if fold(extra) not in {fold(m) for m in merged}:
                    merged.append(extra)
            names[lang] = merged
        rules = [r.get("match") or r"^({})\b.*{}".format("|".join(r["genera"]), r["suffix"])
                 for r in spec["rules"]]
        out[fid] = {
            "names": names, "description": spec["description"],
            "includes": sephora_families if fid == "clean_at_sephora" else spec["includes"],
            "patterns": [r["why"] for r in spec["rules"]] + [f"except {e['why']}" for e in spec["exceptions"]]
            + spec["notes"],
            "rules": rules, "exceptions": [e["match"] for e in spec["exceptions"]],
        }
    index: dict[str, str] = {}
    for fid, fam in out.items():
        for name in (n for ns in fam["names"].values() for n in ns):
            if index.setdefault(fold(name), fid) != fid:
                raise SystemExit(f"family name {name!r} names both {index[fold(name)]} and {fid}")
    return out


def build(shared: Path, curation: Path) -> tuple[dict[str, Any], Merger]:
    """The knowledge data, ready to serialise, and the merger (for its conflict report)."""
    cur = json.loads(curation.read_text(encoding="utf-8"))
    onto = {name: shared / rel for name, rel in (("cosing", COSING), ("obf", OBF), ("curlsbot", CURLSBOT),
                                                 ("sephora", SEPHORA), ("inventory", INVENTORY))}
    sephora_families, sephora_recs = sephora_membership(onto["sephora"], cur)
    families = _families_out(cur, label_names(onto["obf"], cur), sephora_families)
    merger = Merger(cur)
    curated = [Rec([c["canonical"], *c["synonyms"]], set(c.get("families", [])), c.get("cas", []))
               for c in cur["ingredients"] + cur["former_allergens"]["ingredients"]]
    colors = [Rec([ci, *names]) for ci, names in cur["us_color_names"].items() if not ci.startswith("_")]
    cosing = cosing_records(onto["cosing"], cur)
    inventory = inventory_records(onto["inventory"])
    chemical = chemical_name_records(cur, inventory)
    for rec in (curated + cosing + inventory + chemical + colors + obf_records(onto["obf"], cur)
                + curlsbot_records(onto["curlsbot"], cur) + sephora_recs + sccs_annotations(onto["obf"])):
        merger.add(rec)
    missing = [n for n in merger.unmatched if any(n in r.names for r in sephora_recs)]
    if missing:
        raise SystemExit(f"clean_at_sephora names no known ingredient: {missing}")
    rules = compile_rules(families)
    ancestors = ancestors_map({fid: f["includes"] for fid, f in families.items()})
    excluded = {fid: {lookup_keys(n)[0] for n in names} for fid, names in cur["exclusions"].items()
                if not fid.startswith("_")}
    # functions are stored as indexes into one sorted table: 28,000 rows repeating the same 79 names
    function_table = sorted({f for item in merger.items for f in item["functions"]})
    function_index = {f: i for i, f in enumerate(function_table)}
    translations = function_names(onto["obf"], function_table)
    group_rules = {head: [re.compile(r) for r in spec["rules"]] for head, spec in cur["groups"].items()
                   if not head.startswith("_")}
    ingredients = []
    for item in merger.items:
        names = [item["canonical"], *item["synonyms"]]
        keys = {lookup_keys(n)[0] for n in names}
        fams = item["families"] | pattern_families(names, rules)
        fams -= {fid for fid, excluded_keys in excluded.items() if keys & excluded_keys}
        row: dict[str, Any] = {"canonical": item["canonical"]}
        if item["synonyms"]:  # empty lists are left out: most inventory rows have neither
            row["synonyms"] = item["synonyms"]
        if fams:
            row["families"] = sorted({a for f in fams for a in ancestors[f]})
        groups = sorted(head for head, rules in group_rules.items()
                        if any(r.search(k) for r in rules for k in keys))
        if groups:
            row["groups"] = groups
        if item["functions"]:
            row["functions"] = sorted(function_index[f] for f in item["functions"])
        if item["cas"]:
            row["cas"] = item["cas"]
        if item["notes"]:
            row["regulatory"] = item["notes"]
        ingredients.append(row)
    ingredients.sort(key=lambda r: (normalize_name(r["canonical"]), r["canonical"]))
    counts = {"ingredients": len(ingredients), "synonyms": sum(len(r.get("synonyms", ())) for r in ingredients),
              "inventory_names": len(inventory),
              "with_functions": sum("functions" in r for r in ingredients),
              "annex_iii_labelled_allergen_entries": sum("fragrance_allergens" in r.families for r in cosing),
              "families": {fid: sum(fid in r.get("families", ()) for r in ingredients) for fid in families}}
    about = _about(shared, curation, cur, counts, len(merger.conflicts))
    groups_out = {head: {"why": spec["why"], "rules": spec["rules"],
                         "members": sum(head in r.get("groups", ()) for r in ingredients)}
                  for head, spec in cur["groups"].items() if not head.startswith("_")}
    missing_heads = [h for h in groups_out if not any(r["canonical"] == h for r in ingredients)]
    if missing_heads:
        raise SystemExit(f"groups: these heads are no ingredient: {missing_heads}")
    functions = {"names": function_table,
                 "translations": {f: translations[f] for f in function_table if f in translations}}
    return {"_about": about, "languages": list(LANGUAGES), "families": families, "groups": groups_out,
            "functions": functions,
            "ingredients": ingredients,
            "skin_types": _vocab(cur["skin_types"]), "concerns": _vocab(cur["concerns"]),
            "scan": {k: v for k, v in cur["scan"].items() if not k.startswith("_")},
            "label_names": {k: v for k, v in cur["label_names"].items() if not k.startswith("_")}}, merger


def _vocab(raw: dict[str, Any]) -> dict[str, Any]:
    return {code: {lang: raw[code][lang] for lang in LANGUAGES} for code in raw if not code.startswith("_")}


def _about(shared: Path, curation: Path, cur: dict[str, Any], counts: dict[str, Any],
           conflicts: int) -> dict[str, Any]:
    def files(rel: str) -> dict[str, str]:
        return {p.relative_to(shared).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((shared / rel).rglob("*")) if p.is_file()}
    about = cur["about"]
    return {
        "title": about["title"],
        "generated_by": "python -m conseil.ingest.knowledge_build (ingest/knowledge_build.py) from the sources "
                        "below (read in ../shared/data, sha256 listed) and corpora/knowledge/curation.json. Do "
                        "not edit: change curation.json and regenerate.",
        "curation_sha256": hashlib.sha256(curation.read_bytes()).hexdigest(),
        "licence": about["licence"],
        "sources": [{**{k: v for k, v in src.items() if k != "path"}, "files": files(src["path"])}
                    for src in about["sources"]],
        "decisions": about["decisions"],
        "counts": counts,
        "merge_conflicts": conflicts,
    }


def write(data: dict[str, Any], out: Path) -> None:
    """Deterministic JSON: sections indented, one ingredient per line (about 3 MB, gzip-compressed to well
    under 1 MB when `out` ends in .gz)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    sections = []
    for key, value in data.items():
        if key == "ingredients":
            body = "[\n" + ",\n".join(dump(v) for v in value) + "\n]"
        elif isinstance(value, dict):
            body = "{\n" + ",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in value.items()) + "\n}"
        else:
            body = dump(value)
        sections.append(f"{dump(key)}: {body}")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = ("{\n" + ",\n".join(sections) + "\n}\n").encode("utf-8")
    if out.suffix == ".gz":  # the shipped file: mtime 0 and no name in the header, so the bytes repeat
        text = gzip.compress(text, compresslevel=9, mtime=0)
    out.write_bytes(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="default: ../shared/data")
    parser.add_argument("--out", type=Path, default=KNOWLEDGE_DIR / "ingredients.json.gz")
    parser.add_argument("--curation", type=Path, default=KNOWLEDGE_DIR / "curation.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="list merge conflicts, unmatched records")
    args = parser.parse_args(argv)
    if not (args.shared / COSING).is_dir():
        print(f"The raw sources are not there: {args.shared / 'ontology'} does not exist. The knowledge "
              f"file is regenerated from ../shared/data; pass --shared PATH to point at it. The committed "
              f"{args.out.name} is unchanged.", file=sys.stderr)
        return 2
    data, merger = build(args.shared, args.curation)
    write(data, args.out)
    counts = data["_about"]["counts"]
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {counts['ingredients']} ingredients, "
          f"{counts['synonyms']} synonyms, {len(merger.conflicts)} merge conflicts, "
          f"{len(merger.unmatched)} unmatched annotations")
    for fid, n in counts["families"].items():
        print(f"  {fid}: {n}")
    if args.verbose:
        print("\n".join(["conflicts:", *merger.conflicts, "unmatched:", *merger.unmatched]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
