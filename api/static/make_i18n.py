"""Write the knowledge-base names table into api/static/i18n.js (between its GENERATED markers).

    python api/static/make_i18n.py            # rewrite the table
    python api/static/make_i18n.py --check    # exit 1 if i18n.js is not up to date (tests, CI)

The page shows family, skin type and concern names in the client's language without a server round
trip, so it carries a compact copy of corpora/knowledge/ingredients.json's names:

    families:   {id: {lang: [name, name after "without"]}}
    skin_types: {code: {lang: [name, name after "for"]}}
    concerns:   {code: {lang: name}}

Every form is one of the knowledge base's own names. Polish and Czech decline the noun after "bez"
(without, genitive) and after "dla"/"pro" (for, genitive/accusative): the form is picked among the
names the knowledge base lists, by the rules below; a family missing from WITHOUT keeps its first name.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
KNOWLEDGE = REPO / "corpora" / "knowledge" / "ingredients.json"
TARGET = HERE / "i18n.js"
BEGIN = "// BEGIN GENERATED"
END = "// END GENERATED"

# Polish and Czech genitive after "bez" (without): each must be one of the family's names there.
WITHOUT: dict[str, dict[str, str]] = {
    "pl": {
        "parabens": "parabenów", "formaldehyde_releasers": "substancji uwalniających formaldehyd",
        "formaldehyde": "formaldehydu", "fragrance": "substancji zapachowych",
        "fragrance_allergens": "alergenów zapachowych", "essential_oils": "olejków eterycznych",
        "silicones": "silikonów", "volatile_silicones": "lotnych silikonów", "sulfates": "siarczanów",
        "mineral_oils": "olejów mineralnych", "drying_alcohols": "alkoholi wysuszających", "pegs": "PEG-ów",
        "phthalates": "ftalanów", "chemical_uv_filters": "filtrów chemicznych",
        "mineral_uv_filters": "filtrów mineralnych", "uv_filters": "filtrów UV", "preservatives": "konserwantów",
        "isothiazolinones": "izotiazolinonów", "triclosan": "triklosanu", "ethanolamines": "etanoloamin",
        "edta": "soli EDTA", "aluminum_salts": "soli glinu", "colorants": "barwników",
    },
    "cs": {
        "parabens": "parabenů", "formaldehyde_releasers": "látek uvolňujících formaldehyd",
        "formaldehyde": "formaldehydu", "fragrance": "parfému", "fragrance_allergens": "alergenních vonných látek",
        "essential_oils": "esenciálních olejů", "silicones": "silikonů", "volatile_silicones": "těkavých silikonů",
        "sulfates": "sulfátů", "mineral_oils": "minerálních olejů", "drying_alcohols": "vysušujících alkoholů",
        "pegs": "polyethylenglykolů", "phthalates": "ftalátů", "chemical_uv_filters": "chemických filtrů",
        "mineral_uv_filters": "minerálních filtrů", "uv_filters": "UV filtrů", "preservatives": "konzervantů",
        "isothiazolinones": "isothiazolinonů", "triclosan": "triklosanu", "ethanolamines": "ethanolaminů",
        "aluminum_salts": "hlinitých solí", "colorants": "barviv",
    },
}


def _for_form(lang: str, names: list[str]) -> str:
    """The skin type's name after "for": Polish genitive "skóry suchej", Czech accusative "suchou pleť"."""
    if lang == "pl":
        return next((n for n in names if n.startswith("skóry ")), names[0])
    if lang == "cs":
        return next((n for n in names if re.fullmatch(r"\w+ou pleť", n)), names[0])
    return names[0]


def build_table(knowledge: dict) -> dict:
    languages = knowledge["languages"]
    families: dict[str, dict[str, list[str]]] = {}
    for family_id, entry in knowledge["families"].items():
        by_lang = {}
        for lang in languages:
            names = entry["names"].get(lang) or entry["names"]["en"]
            without = WITHOUT.get(lang, {}).get(family_id, names[0])
            if without not in names:
                raise SystemExit(f"{family_id}/{lang}: {without!r} is not among the knowledge base's names {names}")
            by_lang[lang] = [names[0], without]
        families[family_id] = by_lang
    skin_types = {code: {lang: [by_lang[lang][0], _for_form(lang, by_lang[lang])] for lang in languages}
                  for code, by_lang in knowledge["skin_types"].items()}
    concerns = {code: {lang: by_lang[lang][0] for lang in languages}
                for code, by_lang in knowledge["concerns"].items()}
    return {"families": families, "skin_types": skin_types, "concerns": concerns}


def render(table: dict) -> str:
    lines = [f"{BEGIN} (api/static/make_i18n.py from corpora/knowledge/ingredients.json; do not edit by hand)",
             "  const KB = {"]
    for section, entries in table.items():
        lines.append(f"    {section}: {{")
        for key, value in entries.items():
            lines.append(f"      {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
        lines.append("    },")
    lines.append("  };")
    lines.append(f"  {END}")
    return "\n".join(lines)


def updated_source(source: str, table: dict) -> str:
    start = source.index(BEGIN)
    stop = source.index(END, start) + len(END)
    return source[:start] + render(table) + source[stop:]


def main(argv: list[str]) -> int:
    table = build_table(json.loads(KNOWLEDGE.read_text(encoding="utf-8")))
    current = TARGET.read_text(encoding="utf-8")
    fresh = updated_source(current, table)
    if "--check" in argv:
        if fresh != current:
            print(f"{TARGET} is out of date: run python api/static/make_i18n.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        TARGET.write_text(fresh, encoding="utf-8")
    print(f"{TARGET.relative_to(REPO)}: {len(table['families'])} families, {len(table['skin_types'])} skin types, "
          f"{len(table['concerns'])} concerns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
