"""Known ingredient names found inside a longer text: for declarations where a missing comma merged
names ('Coumarin Limonene'). A token trie over every canonical name and synonym, built on first use."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from conseil.search.knowledge.text import fold

_TOKEN = re.compile(r"[a-z0-9]+")
_SEPARATORS = frozenset(",;()[]/")


def name_tokens(text: str) -> list[str]:
    """Lower-case word tokens, the unit of `scan` matching: 'D-Limonene' -> ['d', 'limonene']."""
    return _TOKEN.findall(fold(text))


class NameScanner:
    """Leftmost-longest, non-overlapping matching of known names (as ingredient positions)."""

    def __init__(self, head_nouns: frozenset[str], min_length: int) -> None:
        self._head_nouns = head_nouns
        self._min_length = min_length
        self._trie: dict[str, Any] | None = None

    @property
    def built(self) -> bool:
        return self._trie is not None

    def build(self, names: Iterable[tuple[int, Iterable[str]]]) -> None:
        """Index (position, its names) pairs; the first ingredient to claim a token sequence keeps it."""
        trie: dict[str, Any] = {}
        for idx, own in names:
            for name in own:
                tokens = name_tokens(name)
                if len("".join(tokens)) < self._min_length or "".join(tokens).isdigit():
                    continue  # 'SLS', 'PET', 'E218'... resolve, but are too ambiguous inside free text
                node = trie
                for tok in tokens:
                    node = node.setdefault(tok, {})
                node.setdefault("", idx)
        self._trie = trie

    def scan(self, text: str) -> list[int]:
        """Positions of the known names in `text`, in order, deduplicated (build() first).

        A one-word generic head noun ('Alcohol', 'Water') is not taken from the end of an unknown longer
        name ('Myristyl Alcohol'), only when it stands alone or follows another match or a separator.
        """
        trie = self._trie
        assert trie is not None, "NameScanner.build() first"
        folded = fold(text)
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        found: list[int] = []
        i, last_match_end = 0, -1
        while i < len(tokens):
            node, best, j = trie, None, i
            while j < len(tokens) and tokens[j][0] in node:
                node = node[tokens[j][0]]
                j += 1
                if "" in node:
                    best = (j, node[""])
            if best is not None and best[0] - i == 1 and tokens[i][0] in self._head_nouns and (
                    i > 0 and last_match_end != i and not _SEPARATORS & set(folded[tokens[i - 1][2]:tokens[i][1]])
                    or _unknown_word_follows(trie, tokens, folded, best[0])):
                best = None  # the "alcohol" of an unknown "Myristyl Alcohol" or a Latin "Alcohol Cetylicus"
            if best is None:
                i += 1
                continue
            if best[1] not in found:
                found.append(best[1])
            i = last_match_end = best[0]
        return found


def _unknown_word_follows(trie: dict[str, Any], tokens: list[tuple[str, int, int]], folded: str, j: int) -> bool:
    """Is token j a word of the same name (no separator before it) that starts no known name?"""
    return j < len(tokens) and tokens[j][0] not in trie and tokens[j][0].isalpha() \
        and not _SEPARATORS & set(folded[tokens[j - 1][2]:tokens[j][1]])
