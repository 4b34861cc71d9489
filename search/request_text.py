"""Text fields of search, study and answer requests: valid Unicode, no control characters, bounded.

A lone surrogate ("x \\ud800") is valid JSON but not text: the tokenizer raises on it deep in a shared
model call. Request models refuse it, and control characters, with a 422 naming the field, the
character and its position, before any engine runs. Lists of names (exclusions, brands, markets)
are bounded in count and in the length of each item.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

MAX_ITEM_CHARS = 200  # one filter value: a family, an ingredient, a brand, a market
MAX_LIST_ITEMS = 50  # values in one filter list

# C0 controls except tab and line breaks, DEL and C1 controls, and UTF-16 surrogate halves.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(value: str) -> str:
    """`value` unchanged, or ValueError saying which character to remove and where."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return value
    code = ord(found.group())
    what = "a lone UTF-16 surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
    raise ValueError(f"contains {what} U+{code:04X} at character {found.start() + 1}: send plain text "
                     "(valid Unicode, no control characters)")


def _check_raw(value: object) -> object:
    """Before pydantic's own str check, whose message for a surrogate names no character."""
    return check_text(value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_check_raw)]
"""A free-text field (its length limit is set where it is used)."""

Item = Annotated[str, StringConstraints(max_length=MAX_ITEM_CHARS), BeforeValidator(_check_raw)]
"""One value of a filter list."""
