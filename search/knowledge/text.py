"""Text normalisation shared by the INCI parser, the knowledge base and query understanding.

One function decides when two spellings are "the same name", so the ingest side and the search
side can never disagree about it.
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
_QUOTES = re.compile(r"[\u2018\u2019\u201A\u201B\u2032\u00B4`]")
_SPACES = re.compile(r"\s+")
_AROUND_JOINERS = re.compile(r"\s*([-/])\s*")
# Letters that NFKD does not decompose but that users type without their mark.
# (applied after casefold, so lower-case forms suffice)
_UNMARKED: dict[str, str | int | None] = {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d"}
_UNMARK = str.maketrans(_UNMARKED)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Parabène' -> 'parabene', 'SKÓRY' -> 'skory'."""
    if text.isascii():  # the common case (28,000 inventory names at load): nothing to decompose
        return text.lower()
    # NFKD before and after casefold: compatibility forms ('𝓐') fold only once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_UNMARK)


def normalize_name(name: str) -> str:
    """The matching key of an ingredient name.

    Folds case and accents, unifies dashes and quotes, collapses whitespace (also around hyphens
    and slashes), and strips surrounding punctuation, asterisks and footnote marks.
    'Methyl-Paraben*' -> 'methyl-paraben'; ' Aqua / Water. ' -> 'aqua/water'.
    """
    text = fold(name)
    if not text.isascii() or "`" in text:
        text = _QUOTES.sub("'", _DASHES.sub("-", text))
    text = " ".join(text.split())  # what _SPACES.sub(" ", text).strip() does, in C
    if " -" in text or "- " in text or " /" in text or "/ " in text:
        text = _AROUND_JOINERS.sub(r"\1", text)
    return text.strip(" .,;:*†‡§¹²³°+")


def compact(name: str) -> str:
    """A looser key that also ignores spaces and hyphens: 'methyl paraben' == 'methylparaben'."""
    return re.sub(r"[\s\-]", "", normalize_name(name))
