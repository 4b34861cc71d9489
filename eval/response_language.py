"""Is every text a client reads in the response's language? English leaks in product search responses.

    CONSEIL_DATA_DIR=/tmp/seph python -m conseil.eval.response_language [--limit 10] [--show 5] [--per-language N]

Runs the product suite's queries (eval/datasets/sephora_products/queries.jsonl) in every language but
English through the engine, walks every text field of each response and prints, per language, the
share of text fields with no English in them (target 1.0) and the leaks found. tests/test_no_english_leak.py
asserts the same over the demo catalog and a slice of the Sephora export.

What counts as English in a response in language L: a phrase of the English side of the language data
(messages, answer templates, category, claim and function names) that L's own side does not also use
("Serum" is German too), and the stop words below. Not checked, because the client reads them as the
retailer, the label or the client wrote them, or because they are codes a program reads:
EXCEPTED_FIELDS (product and brand names, raw category paths, claim codes, ingredient names, the
query's own words...). Their values are also removed from the other texts before checking, since
sentences quote them ("contient Fragrance (Parfum)").
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from conseil.search.query.language_data import LANGUAGES, by_language, language_file

from .product_suite import SUITE_DIR

# Field names whose values are not the engine's words (see the module docstring).
EXCEPTED_FIELDS = frozenset({
    "query", "semantic_text", "source_text", "language",  # the client's own words, and a code
    "id", "source", "name", "brand", "image_url", "size", "currency",  # the retailer's
    "category", "claims", "skin_types", "concerns",  # raw catalogue values and codes (labels are checked)
    "ingredients", "matched_families", "matched_ingredients", "unidentified", "offending",  # label INCI names
    "constraint", "claim", "kind", "value", "reason", "constraints",  # codes
})
# Inside `ignored`, `text` is the query's words as typed.
EXCEPTED_PATHS = frozenset({"interpretation.ignored.text", "facets.brand.label"})
STOP_WORDS = frozenset({"free", "of", "with", "skin", "ingredients", "the", "and", "without", "listed",
                        "contains", "claims", "price", "tagged", "none"})
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_WORD = re.compile(r"[^\W\d_]+")


def _fragments(template: str) -> list[str]:
    """The literal phrases of a template ('free of {family}: none of its {count} ...' ->
    ['free of', 'none of its', 'listed ingredients is one'])."""
    parts = (" ".join(_WORD.findall(p)) for p in _PLACEHOLDER.split(template))
    return [p for p in parts if any(len(w) >= 3 for w in p.split())]


def _sentences(language: str) -> list[str]:
    texts: list[str] = []
    for name, section in (("messages.json", "messages"), ("answer_templates.json", "templates")):
        texts += [str(v) for v in by_language(name, section).get(language, {}).values()]
    return texts


def _terms(language: str) -> list[str]:
    return [str(e.get(language) or "") for name, section in (("categories.json", "categories"),
            ("claims.json", "claims"), ("functions.json", "functions"))
            for e in language_file(name).get(section, ())]


@cache
def english_markers(language: str) -> tuple[str, ...]:
    """English phrases that must not appear in a response in `language`, longest first: fragments of
    the English sentences and English names, less those `language`'s own data also writes."""
    own = " ".join(_sentences(language) + _terms(language)).lower()
    own_words = set(_WORD.findall(own))
    found = {f for t in _sentences("en") for f in _fragments(t)}
    found |= {" ".join(_WORD.findall(t)) for t in _terms("en")}
    markers = {m for m in found if m and m.lower() not in own
               and not all(w.lower() in own_words for w in m.split())}
    return tuple(sorted(markers, key=lambda m: (-len(m), m)))


def text_fields(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every string of a response, excepted fields left out ('hits.why.text')."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in EXCEPTED_FIELDS and path != "facets":  # facet names ("category") are not fields
                continue
            yield from text_fields(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from text_fields(item, path)
    elif isinstance(value, str) and value.strip() and path not in EXCEPTED_PATHS:
        yield path, value


# Excepted fields whose values sentences quote as written ("contient Fragrance (Parfum)", "marque : Dior");
# not raw categories, claim or skin-type codes: their display forms must be translated.
QUOTED_FIELDS = frozenset({"query", "semantic_text", "source_text", "name", "brand", "ingredients",
                           "matched_families", "matched_ingredients", "unidentified", "offending", "ignored"})


def quoted_values(value: Any) -> set[str]:
    """Every string under a quoted field: sentences may quote them and they stay as written."""
    out: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in QUOTED_FIELDS:
                out |= _strings(item) | ({str(k) for k in item} if isinstance(item, Mapping) else set())
            else:
                out |= quoted_values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            out |= quoted_values(item)
    return out


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if value.strip() else set()
    if isinstance(value, Mapping):
        return {s for v in value.values() for s in _strings(v)} | {str(k) for k in value}
    if isinstance(value, (list, tuple)):
        return {s for v in value for s in _strings(v)}
    return set()


def english_in(text: str, language: str, quoted: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The English markers and stop words found in `text` once the quoted values are taken out."""
    for q in sorted(quoted, key=len, reverse=True):
        if len(q) >= 2:
            text = re.sub(re.escape(q), " ", text, flags=re.IGNORECASE)
    text = " ".join(_WORD.findall(text))  # words only, as the markers are
    found = [m for m in english_markers(language)
             if re.search(rf"(?<![^\W_]){re.escape(m)}(?![^\W_])", text, flags=re.IGNORECASE)]
    stops = sorted({w for w in _WORD.findall(text) if w.lower() in STOP_WORDS})
    return list(dict.fromkeys(found + stops))


def leaks(response: Mapping[str, Any], language: str) -> tuple[int, list[tuple[str, str, list[str]]]]:
    """(text fields checked, [(path, text, English found)]) of a response dumped to JSON-ready data."""
    quoted = quoted_values(response)
    fields = list(text_fields(response))
    bad = [(path, text, found) for path, text in fields if (found := english_in(text, language, quoted))]
    return len(fields), bad


def suite_queries(path: Path = SUITE_DIR / "queries.jsonl") -> list[tuple[str, str, str]]:
    """(id, language, text) of the suite's non-English queries (Greek included)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        lang = str((row.get("metadata") or {}).get("language") or row["_id"].rsplit("-", 1)[-1])
        if lang != "en" and lang in LANGUAGES:
            out.append((str(row["_id"]), lang, str(row["text"])))
    return out


def main(argv: list[str] | None = None) -> int:
    from conseil.search.engines import Engines
    from conseil.search.products.contract import SearchRequest
    from conseil.search.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="the index's data directory (default: CONSEIL_DATA_DIR)")
    parser.add_argument("--limit", type=int, default=10, help="hits per query")
    parser.add_argument("--show", type=int, default=5, help="leaks printed per language")
    parser.add_argument("--per-language", type=int, default=0, help="only the first N queries of each language")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    checked: dict[str, int] = defaultdict(int)
    clean: dict[str, int] = defaultdict(int)
    found: dict[str, list[str]] = defaultdict(list)
    with Engines.open(settings, need=["products"]) as engines:
        engine = engines.product_engine()
        seen: dict[str, int] = defaultdict(int)
        for qid, lang, text in suite_queries():
            seen[lang] += 1
            if args.per_language and seen[lang] > args.per_language:
                continue
            response = engine.search(SearchRequest(query=text, limit=args.limit, language=lang))
            n, bad = leaks(response.model_dump(), lang)
            checked[lang] += n
            clean[lang] += n - len(bad)
            found[lang] += [f"{qid} {path}: {t!r} -> {words}" for path, t, words in bad]
    print("language  text fields  in the language  share")
    for lang in sorted(checked, key=LANGUAGES.index):
        print(f"{lang:8}  {checked[lang]:11}  {clean[lang]:15}  {clean[lang] / max(checked[lang], 1):.4f}")
    total, ok = sum(checked.values()), sum(clean.values())
    print(f"{'all':8}  {total:11}  {ok:15}  {ok / max(total, 1):.4f}")
    for lang in sorted(found, key=LANGUAGES.index):
        for line in found[lang][: args.show]:
            print(f"  leak [{lang}] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
