"""Concern phrases per language, mapped to the concern codes of `search.index.schema.CONCERNS`.

Read from `corpora/language/concerns.json`. Patterns use the `tokens.PhraseMatcher` syntax ("a|b"
alternatives, "stem*" prefixes, "[optional]" slots), several per language separated by ";". Bare
words that are also product or finish words ("volume" mascara, lip "shine", "glow") only count in an
unambiguous form.
"""

from __future__ import annotations

from collections.abc import Mapping

from conseil.search.query.language_data import language_file

CONCERN_PATTERNS: Mapping[str, Mapping[str, str]] = language_file("concerns.json")["patterns"]
