"""Every refused search names its client sentence: QueryError's `key` and values, rendered by the HTTP
edge in the request's language (corpora/language/messages.json). A raise without a key falls back to
the generic "the detail says why", which the client cannot act on: these tests catch it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conseil.search.answers.contract import AskRequest
from conseil.search.answers.service import AskService
from conseil.search.errors import QueryError
from conseil.search.query import MAX_QUERY_CHARS, merge_explicit
from conseil.search.query.messages import MESSAGES, family_without, message
from test_query_support import KB, parse

# Words of the English sentences that must not appear in a Polish or Greek one.
ENGLISH = re.compile(r"\b(the|is|an|must|required|excluded|empty|query|question|price|family|ingredient|"
                     r"remove|type|detail)\b", re.IGNORECASE)


def _ask_empty() -> None:
    def none() -> object:
        raise AssertionError("an empty question must be refused before any engine is looked up")

    service = AskService(KB, products=none, studies=none)  # type: ignore[arg-type]
    service.prepare(AskRequest(question="   ", language="pl"), allowed=frozenset({"products"}),
                    audiences=("advisor",))


CASES: list[tuple[str, Callable[[], object], str, dict[str, object]]] = [
    ("empty query", lambda: parse("   "), "error_query_empty", {}),
    ("too long query", lambda: parse("serum " * (MAX_QUERY_CHARS // 5)), "error_query_too_long",
     {"limit": MAX_QUERY_CHARS}),
    ("empty name", lambda: merge_explicit(parse("serum"), KB, exclude=["  "]), "error_empty_name", {}),
    ("family as an included ingredient", lambda: merge_explicit(parse("serum"), KB, include=["silicones"]),
     "error_include_family", {"x": "silicones"}),
    ("negative price", lambda: merge_explicit(parse("serum"), KB, price_max=-1), "error_price_negative",
     {"x": "-1"}),
    ("not a number price", lambda: merge_explicit(parse("serum"), KB, price_min=float("nan")),
     "error_price_negative", {"x": "nan"}),
    ("ingredient both required and excluded", lambda: parse("serum with retinol but without retinol"),
     "error_contradiction", {"x": "retinol"}),
    ("family both required and excluded", lambda: parse("with parabens without parabens"),
     "error_contradiction", {"x": "parabens"}),
    ("contradictory prices", lambda: parse("over $50 and under $20"), "error_price_range",
     {"min": "50", "max": "20"}),
    ("empty question", _ask_empty, "error_question_empty", {}),
]


def _raised(call: Callable[[], object]) -> QueryError:
    with pytest.raises(QueryError) as err:
        call()
    return err.value


@pytest.mark.parametrize("name,call,key,values", CASES, ids=[c[0] for c in CASES])
def test_each_refusal_carries_its_own_key_and_values(name: str, call: Callable[[], object], key: str,
                                                     values: dict[str, object]) -> None:
    err = _raised(call)
    assert err.key == key
    assert err.values == values
    assert all(key in MESSAGES[language] for language in MESSAGES)


@pytest.mark.parametrize("language", ["pl", "el"])
@pytest.mark.parametrize("name,call,key,values", CASES, ids=[c[0] for c in CASES])
def test_each_refusal_renders_in_the_clients_language(name: str, call: Callable[[], object], key: str,
                                                      values: dict[str, object], language: str) -> None:
    err = _raised(call)
    text = message(language, err.key, **err.values)
    assert text != message("en", err.key, **err.values)
    assert not ENGLISH.search(text.replace('"', "")), text
    for value in values.values():  # the client's own words and numbers are kept
        assert str(value) in text


def test_a_required_ingredient_in_an_excluded_family_names_the_family_in_the_clients_language() -> None:
    err = _raised(lambda: merge_explicit(parse("silicone-free primer"), KB, include=["dimethicone"]))
    assert (err.key, err.values["x"]) == ("error_contradiction_family", "dimethicone")
    assert "silicones" in str(err)  # the English detail for the advisor and the logs
    english = message("en", err.key, **err.values)
    assert "silicones" in english
    for language in ("fr", "pl", "el"):  # Polish "rodziny" takes the genitive: "rodziny silikonów"
        family = family_without(KB, "silicones", language)
        assert family.lower() in message(language, err.key, **err.values).lower(), language
    assert "rodziny silikonów" in message("pl", err.key, **err.values)


def test_the_empty_question_is_refused_in_the_requests_language() -> None:
    err = _raised(_ask_empty)
    assert err.language == "pl"
