"""What the product search writes for the client, in the client's language.

Sentences come from `corpora/language/messages.json` (reviewed data, one field per language); the
names put into them come from the knowledge base in the same language (family, skin-type and concern
names). Product, brand and ingredient (INCI) names stay as the retailer and the label wrote them. A
language without data falls back to English, so a response is always complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypedDict

from conseil.search.query.language_data import by_language, language_file
from conseil.search.query.model import FamilyLike

MESSAGES: Mapping[str, Mapping[str, str]] = by_language("messages.json", "messages")


class NamedVocabulary(Protocol):
    """The knowledge base's names, by code and language (`knowledge.IngredientKnowledge` has them)."""

    @property
    def families(self) -> Mapping[str, FamilyLike]: ...

    @property
    def skin_types(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...

    @property
    def concerns(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]: ...


def message(language: str, key: str, **values: object) -> str:
    """The sentence `key` in `language` (English when the language has no data), placeholders filled.
    A value may be a mapping language -> text (a family's names, from `names_by_language`): it is read
    in `language` (else English), so an error raised before the request's language is known still
    renders every name in it."""
    filled = {k: (v.get(language, v.get("en", "")) if isinstance(v, Mapping) else v) for k, v in values.items()}
    return MESSAGES.get(language, MESSAGES["en"])[key].format(**filled)


def names_by_language(kb: NamedVocabulary, family_id: str, *, declined: bool = False) -> dict[str, str]:
    """The family's display name in every language with messages (a `message` value); `declined`: the
    form `family_without` gives, for a sentence whose word before the name governs the genitive."""
    name = family_without if declined else family_name
    return {language: name(kb, family_id, language) for language in MESSAGES}


def message_language(language: str | None) -> str:
    """The language `message(language, ...)` actually writes in: English for one without data (or
    none). An error body names it beside its `message` (`message_language`)."""
    return language if language is not None and language in MESSAGES else "en"


class ClientMessage(TypedDict):
    message: str
    message_language: str


def client_message(key: str, language: str | None, **values: object) -> ClientMessage:
    """`message` and `message_language` of an error body or a streamed error event: the sentence `key`
    (a QueryError's or LLMError's) in `language`, and the language it is actually written in."""
    written = message_language(language)
    return {"message": message(written, key, **values), "message_language": written}


def _first(names: Mapping[str, Sequence[str]], language: str) -> str | None:
    found = names.get(language) or names.get("en")
    return found[0] if found else None


def family_name(kb: NamedVocabulary, family_id: str, language: str) -> str:
    """The family's display name in `language` ("parabènes"); English names in lower case, as before."""
    family = kb.families.get(family_id)
    name = _first(family.names, language) if family is not None else None
    if name is None:
        return family_id.replace("_", " ")
    return name.lower() if language == "en" or language not in MESSAGES else name


def family_without(kb: NamedVocabulary, family_id: str, language: str) -> str:
    """The family's name as it reads after the language's "without" word: the genitive in Polish and
    Czech ("bez parabenów", "bez parabenů", from `family_cases.json`), the name itself elsewhere. The
    same genitive follows every other word that governs it there: "brak", "nepřítomnost", and "rodziny"/
    "skupiny" ("należy do rodziny parabenów", "patří do skupiny parabenů")."""
    form = language_file("family_cases.json")["without"].get(language, {}).get(family_id)
    return str(form) if form else family_name(kb, family_id, language)


def skin_type_name(kb: NamedVocabulary, code: str, language: str) -> str:
    """'dry' -> 'dry skin', 'peau sèche', 'ξηρή επιδερμίδα'."""
    return _first(kb.skin_types.get(code, {}), language) or f"{code.replace('_', ' ')} skin"


def concern_name(kb: NamedVocabulary, code: str, language: str) -> str:
    """'dark_spots' -> 'dark spots', 'taches pigmentaires'."""
    return _first(kb.concerns.get(code, {}), language) or code.replace("_", " ")


def join_and(items: Sequence[str], language: str) -> str:
    """'a', 'a and b', 'a, b and c' with the language's "and"."""
    if len(items) < 2:
        return "".join(items)
    word = message(language, "and")
    return f"{', '.join(items[:-1])} {word} {items[-1]}" if len(items) > 2 else f"{items[0]} {word} {items[1]}"
