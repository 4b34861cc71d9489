"""The language data: `corpora/language/*.json`, one file per concept with a field per language.

    languages.json         the supported languages (the one definition of `LANGUAGES`), endonyms, locales
    grammar.json           negations, inclusions, "free" forms, coordinators, fillers, diacritics...
    skin_types.json        skin nouns and adjectives, hair and scalp nouns
    concerns.json          concern phrases by concern code
    actives.json           everyday names of actives and commonly avoided ingredients
    prices.json            currencies and price comparators
    gloss.json             English glosses for retrieval over the English catalog
    questions.json         question words of the answer route (search/answers/domain_router.py)
    messages.json          what the product search writes for the client (why lines, summary, notes, errors)
    family_cases.json      family names after "without" where the language inflects them (pl, cs genitive)
    categories.json        display names of catalog category values (breadcrumbs, facets, chips)
    claims.json            labels of brand-claim codes (vegan, cruelty_free...)
    functions.json         names of CosIng ingredient functions (ingredient cards)
    answer_templates.json  the words of extractive answers
    page.json              the web page's strings (api/static/i18n.js is generated from it)

Family, skin-type and concern *names* ("parabènes", "peau sèche") are the knowledge base's
(`corpora/knowledge/`), not repeated here. Adding a language is adding its code to languages.json
and its fields to these files (plus tests); `check_language_data` says what is missing.

Files are read on first use and kept, read-only, for the process: they are package data that
never changes while it runs, so the cache is a memo, not state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conseil.search.errors import ConfigurationError
from conseil.search.knowledge.text import fold

DATA_PACKAGE = "conseil.corpora"
FOLDER = "language"

# Sections of each file that must have a field for every language; other sections may leave out the
# languages that have no such words (Polish has no "free" suffix).
REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "grammar.json": ("negations", "inclusions", "coordinators", "determiners", "prepositions", "grammar_words",
                     "fillers", "function_word_exceptions", "brand_cues"),
    "skin_types.json": ("nouns", "hair_nouns"),
    "prices.json": ("currencies", "max", "min", "between", "and", "post_max", "post_min"),
    "answer_templates.json": ("templates",),
    "messages.json": ("messages",),
    "page.json": ("ui",),
})
# Files made of entries (one term, a field per language): every entry must have every language.
ENTRIES: Mapping[str, str] = MappingProxyType({
    "categories.json": "categories", "claims.json": "claims", "functions.json": "functions"})


def _frozen(value: Any) -> Any:
    """JSON made read-only: objects become mappings, arrays tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _read(name: str, folder: Path | None) -> Mapping[str, Any]:
    where = f"{DATA_PACKAGE}/{FOLDER}/{name}" if folder is None else str(folder / name)
    try:
        raw = (resources.files(DATA_PACKAGE).joinpath(FOLDER, name).read_bytes() if folder is None
               else (folder / name).read_bytes())
        data = json.loads(raw)
    except (OSError, ModuleNotFoundError) as exc:
        raise ConfigurationError(f"The language file {where} is missing ({exc}); reinstall the package.") from exc
    except ValueError as exc:
        raise ConfigurationError(f"The language file {where} is not valid JSON ({exc}); fix it.") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"The language file {where} is not a JSON object; fix it.")
    frozen: Mapping[str, Any] = _frozen(data)
    return frozen


@cache
def language_file(name: str) -> Mapping[str, Any]:
    """One packaged language file, read once per process (read-only mappings and tuples)."""
    return _read(name, None)


def _languages(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(entry["code"]) for entry in data["languages"])


LANGUAGES: tuple[str, ...] = _languages(language_file("languages.json"))


def language_info(code: str) -> Mapping[str, Any]:
    """The languages.json entry of `code` (endonym, speech_locale, inflected)."""
    for entry in language_file("languages.json")["languages"]:
        if entry["code"] == code:
            info: Mapping[str, Any] = entry
            return info
    raise ConfigurationError(f"{code!r} is not a language of languages.json; one of {', '.join(LANGUAGES)}.")


def by_language(name: str, section: str) -> Mapping[str, Any]:
    """A section of a file whose keys are language codes, in the order of LANGUAGES."""
    table: Mapping[str, Any] = language_file(name).get(section, MappingProxyType({}))
    return MappingProxyType({lang: table[lang] for lang in LANGUAGES if lang in table})


def words(name: str, section: str) -> frozenset[str]:
    """Every word of a {language: [words]} section, all languages together, folded like query tokens
    (the files write "χωρίς", "ohne"; tokens are "χωρισ", "ohne")."""
    return frozenset(fold(w) for ws in by_language(name, section).values() for w in ws)


_CODE = re.compile(r"[a-z]{2}")
_ENTRY_FIELDS = frozenset({"gloss", "kind", "id"})  # fields beside the language fields of an entry


def _language_keyed(value: Any) -> bool:
    """A mapping whose keys are language codes (two lower-case letters; entries add gloss, kind, id)."""
    keys = set(value) - _ENTRY_FIELDS if isinstance(value, Mapping) else set()
    return bool(keys) and all(_CODE.fullmatch(k) for k in keys)


def _language_tables(value: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every mapping keyed by language codes inside a file, with its path ('gloss.json/glossary[3]')."""
    if isinstance(value, Mapping):
        if _language_keyed(value):
            yield path, value
        for k, v in value.items():
            yield from _language_tables(v, f"{path}/{k}")
    elif isinstance(value, tuple):
        for i, v in enumerate(value):
            yield from _language_tables(v, f"{path}[{i}]")


def check_language_data(folder: Path | None = None) -> list[str]:
    """Problems of the language files (empty: fine): a language code outside languages.json, a required
    section without a field for every language, a page/template key missing in a language, or an entry
    (a category, claim or function) without every language."""
    problems: list[str] = []
    where = folder or Path(str(resources.files(DATA_PACKAGE).joinpath(FOLDER)))
    files = sorted(p.name for p in where.glob("*.json"))
    languages = _languages(_read("languages.json", folder))
    for name in files:
        data = _read(name, folder)
        for path, table in _language_tables(data, name):
            problems += [f"{path}: {lang!r} is not in languages.json" for lang in sorted(set(table) - _ENTRY_FIELDS)
                         if lang not in languages]
        for section in REQUIRED.get(name, ()):
            present = data.get(section, {})
            problems += [f"{name}/{section}: no field for {lang!r}" for lang in languages if lang not in present]
        if name in ENTRIES:
            for i, entry in enumerate(data.get(ENTRIES[name], ())):
                label = entry.get("id") or entry.get("en") or f"[{i}]"
                problems += [f"{name}/{ENTRIES[name]}/{label}: no {lang!r}" for lang in languages
                             if not str(entry.get(lang) or "").strip()]
        for section in ("templates", "ui", "messages"):
            keyed: Any = data.get(section)
            if keyed and "en" in keyed:
                for lang in languages:
                    missing = sorted(set(keyed["en"]) - set(keyed.get(lang, {})))
                    # A language's extra plural forms ("total_few", "total_many" in Polish and Czech) are
                    # fine where English has the word ("total" or "total_one"): English needs no such form.
                    extra = sorted(k for k in set(keyed.get(lang, {})) - set(keyed["en"])
                                   if not _extra_plural_form(k, keyed["en"]))
                    problems += [f"{name}/{section}/{lang}: missing {k!r}" for k in missing]
                    problems += [f"{name}/{section}/{lang}: {k!r} is not an English key" for k in extra]
    return problems


_PLURAL_SUFFIXES = ("_zero", "_two", "_few", "_many")  # CLDR categories English does not use


def _extra_plural_form(key: str, english: Mapping[str, Any]) -> bool:
    for suffix in _PLURAL_SUFFIXES:
        if key.endswith(suffix):
            stem = key[: -len(suffix)]
            return stem in english or f"{stem}_one" in english
    return False
