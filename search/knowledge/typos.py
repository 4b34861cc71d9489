"""Typo tolerance of label-name resolution (resolve.py's last step): the nearest known names of a misprint.

Typo tolerance: optimal-string-alignment distance (rapidfuzz's OSA: Levenshtein plus adjacent
transpositions, so "Gylcerin" is one edit from Glycerin) between compact keys (no spaces or hyphens).
Never on names shorter than TYPO_MIN_LENGTH letters, where one letter changes the substance
("PEG-8"/"PEG-9", "Urea"/"Ure"); the digits must be the same (PEG-100 is not PEG-10); the first
letter must be the same (from TYPO_ANY_FIRST_LETTER_FROM letters it may be the misprint: "Imodimethicone");
at most 1 edit below TYPO_TWO_EDITS_FROM characters, 2 from there on. A name of TYPO_DROPPED_LETTER_LENGTH
letters is tried only against longer names, as one letter dropped ("Gerniol", "Limonen", "Arnesol"): a
substitution in so short a name may be another substance. Two ingredients at the same best distance:
ambiguous, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPO_MIN_LENGTH = 8
TYPO_TWO_EDITS_FROM = 16
TYPO_ANY_FIRST_LETTER_FROM = 12
TYPO_DROPPED_LETTER_LENGTH = 7

_DIGITS = re.compile(r"\d")

Buckets = dict[int, tuple[list[str], list[int]]]  # key length -> (compact keys, their ingredients)


def typo_candidate(query: str) -> bool:
    """May this compact key be a misprint at all (long enough, one name)?"""
    dropped_only = len(query) == TYPO_DROPPED_LETTER_LENGTH and query.isalpha()
    return (len(query) >= TYPO_MIN_LENGTH or dropped_only) and "/" not in query


def nearest_names(query: str, parts: frozenset[str], buckets: Buckets,
                  parts_of: Callable[[int], set[frozenset[str]]]) -> tuple[dict[int, int], int]:
    """Each ingredient within the allowed edits of `query` -> its smallest distance; and the edits allowed.
    `parts`: the plant parts the label writes ("Seed Extract" is never a misprint of "Peel Extract")."""
    from rapidfuzz.distance import OSA  # lazy: only names no table knows get here
    from rapidfuzz.process import extract

    dropped_only = len(query) == TYPO_DROPPED_LETTER_LENGTH and query.isalpha()
    max_edits = 1 if len(query) < TYPO_TWO_EDITS_FROM else 2
    digits = _DIGITS.findall(query)
    best: dict[int, int] = {}
    lengths = [len(query) + 1] if dropped_only else range(len(query) - max_edits, len(query) + max_edits + 1)
    any_first = len(query) >= TYPO_ANY_FIRST_LETTER_FROM or dropped_only
    for length in lengths:
        keys, owners = buckets.get(length, ([], []))
        for choice, distance, pos in extract(query, keys, scorer=OSA.distance, score_cutoff=max_edits, limit=20):
            if (choice[0] == query[0] or any_first) and _DIGITS.findall(choice) == digits:
                idx = owners[pos]
                if parts and parts not in parts_of(idx):
                    continue
                best[idx] = min(distance, best.get(idx, distance))
    return best, max_edits
