"""The language data (corpora/language/*.json) is complete, is the one source, and drives the page.

Pure Python, no model, no index: part of the unit tier.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from conseil.ingest import make_i18n
from conseil.search.answers.synthesis import TEMPLATES, template
from conseil.search.feedback import FeedbackRecord
from conseil.search.knowledge.base import read_knowledge_file
from conseil.search.products.contract import SearchRequest
from conseil.search.query import LANGUAGES, MAX_QUERY_CHARS
from conseil.search.query.language_data import check_language_data, language_file

LANGUAGE_DIR = REPO / "corpora" / "language"


def test_every_file_has_every_language_and_every_key() -> None:
    assert check_language_data() == []


def test_languages_are_defined_once_in_languages_json() -> None:
    codes = tuple(e["code"] for e in json.loads((LANGUAGE_DIR / "languages.json").read_text())["languages"])
    assert LANGUAGES == codes
    knowledge = read_knowledge_file(REPO / "corpora" / "knowledge" / "ingredients.json.gz")
    assert tuple(knowledge["languages"]) == LANGUAGES, "regenerate: python -m conseil.ingest.knowledge_build"


def test_answer_templates_speak_every_language() -> None:
    assert set(TEMPLATES) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert template(lang, "in_family", name="X", family="Y").startswith("X")
    assert template("xx", "yes") == "Yes", "a language without data falls back to English"


def test_the_query_limit_is_defined_once() -> None:
    fields = (SearchRequest.model_fields["query"], FeedbackRecord.model_fields["query"])
    limits = [c.max_length for f in fields for c in f.metadata if hasattr(c, "max_length")]
    assert limits == [MAX_QUERY_CHARS, MAX_QUERY_CHARS]


def test_i18n_js_is_generated_from_the_language_files() -> None:
    assert make_i18n.main(["--check"]) == 0, "run python -m conseil.ingest.make_i18n"
    text = (REPO / "api" / "static" / "i18n.js").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert f'"{lang}": {{' in text


def test_no_build_script_is_served_with_the_page() -> None:
    assert not list((REPO / "api" / "static").glob("*.py"))


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "language"
    shutil.copytree(LANGUAGE_DIR, folder)
    return folder


def _edit(path: Path, change: Callable[[Any], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_missing_page_string_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "page.json", lambda d: d["ui"]["pl"].pop("search"))
    assert check_language_data(folder) == ["page.json/ui/pl: missing 'search'"]


def test_a_new_language_without_its_data_is_named(tmp_path: Path) -> None:
    """Adding a language is data: the check lists every section still missing for it."""
    folder = _copy(tmp_path)
    _edit(folder / "languages.json", lambda d: d["languages"].append(
        {"code": "nl", "endonym": "Nederlands", "speech_locale": "nl-NL", "inflected": False}))
    problems = check_language_data(folder)
    assert "grammar.json/negations: no field for 'nl'" in problems
    assert "page.json/ui/nl: missing 'search'" in problems
    assert "answer_templates.json/templates/nl: missing 'products'" in problems


def test_an_unknown_language_code_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "concerns.json", lambda d: d["patterns"]["acne"].update({"xx": "akne"}))
    assert check_language_data(folder) == ["concerns.json/patterns/acne: 'xx' is not in languages.json"]


@pytest.mark.parametrize("name", sorted(p.name for p in LANGUAGE_DIR.glob("*.json")))
def test_every_file_says_what_it_holds(name: str) -> None:
    assert len(language_file(name)["_about"]) > 40
