"""The catalogue's own values as the client reads them: category names, claims, facet values.

A product keeps its raw values (`category`, `claims`: what filters, programs and evaluations use);
beside them a response carries their display form in the response language, from reviewed data
(`corpora/language/categories.json`, `claims.json`, `messages.json`) and the knowledge base's family
and skin-type names. A value the data does not know (a retailer's own category) is shown as the
retailer wrote it, like product and brand names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from types import MappingProxyType

from conseil.search.knowledge.text import normalize_name
from conseil.search.query.language_data import language_file
from conseil.search.query.messages import NamedVocabulary, family_without, message, skin_type_name


def _entries(name: str, section: str, key_field: str) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({normalize_name(str(entry[key_field])): entry
                             for entry in language_file(name).get(section, ())})


@cache
def _categories() -> Mapping[str, Mapping[str, str]]:
    # Keyed like the index's `category` field (normalize_name): a path level and a facet value alike.
    return _entries("categories.json", "categories", "en")


@cache
def _claims() -> Mapping[str, Mapping[str, str]]:
    return _entries("claims.json", "claims", "id")


def category_label(value: str, language: str) -> str:
    """'Face Serums' or 'face serums' or the product type 'serum' in `language`; unknown: as written."""
    entry = _categories().get(normalize_name(value))
    if entry is None:
        return value
    return str(entry.get(language) or entry["en"])


def category_labels(path: Sequence[str], language: str) -> list[str]:
    """A breadcrumb, level by level (same length as `path`)."""
    return [category_label(level, language) for level in path]


def claim_label(code: str, kb: NamedVocabulary, language: str) -> str:
    """'without:parabens' -> 'sans parabènes'; 'vegan' -> 'végan'; an unknown code -> its words."""
    kind, _, subject = code.partition(":")
    if kind == "without" and subject:
        return message(language, "claim_without", x=family_without(kb, subject, language))
    if kind == "without_ingredient" and subject:  # the ingredient's name stays as the label wrote it
        return message(language, "claim_without", x=subject)
    entry = _claims().get(normalize_name(code))
    if entry is None:
        return code.replace("_", " ")
    return str(entry.get(language) or entry["en"])


def claim_labels(codes: Sequence[str], kb: NamedVocabulary, language: str) -> list[str]:
    return [claim_label(code, kb, language) for code in codes]


def facet_label(facet: str, value: str, kb: NamedVocabulary, language: str) -> str:
    """What a facet value reads as: categories and skin types translated, brands as written."""
    if facet == "category":
        return category_label(value, language)
    if facet == "skin_type":
        return skin_type_name(kb, value, language)
    return value
