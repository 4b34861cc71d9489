"""Telling prose from a list: sentences, claims and marketing bullets are set aside as notes.

Decided on what a clause says outside its brackets; an ingredient name has no sentence words.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# --- prose -------------------------------------------------------------------------------------

_GROUP = re.compile(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]|\{([^{}()\[\]]*)\}")  # innermost only
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LETTER = re.compile(r"[^\W\d_]")
_STRONG = re.compile(  # words a sentence has and an ingredient name has not
    r"\b(?:please|refer|is|are|was|were|be|been|we|you|your|our|do|does|not|doesn't|don't|will|should"
    r"|must|shall|helps?|formulated|subject\s+to|free\s+(?:of|from)|without|made\s+(?:with|from|without)"
    r"|this|these|that|visit)\b|\b[^\W\d_]+-free\b", _I)
_FUNC = frozenset({
    "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "from", "by", "as", "at", "into",
    "than", "while", "when", "which", "its",
})
_CLAIM = re.compile(r"\bwithout\b|\bfree\s+(?:of|from)\b|\bnot\s+(?:use|contain|include)|\bno\s+added\b", _I)
_FREE = re.compile(r"-\s*free\b", _I)
_INCI_HINT = re.compile(  # chemistry-looking: "Sodium Benzoate", "CI 77491", "PEG-40"
    r"\b(?:acid|oil|extract|glycol|water|aqua|sodium|potassium|c\.?i\.?\s*\d{5}|peg-?\d+"
    r"|[a-z]+(?:ate|ide|ol|one|ene|ine|cone|ane|ose|yl|ium))\b", _I)


def _top(text: str) -> str:
    """The text outside brackets (prose is judged on what the sentence itself says)."""
    for _ in range(8):
        stripped = _GROUP.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return text


def _prose_like(piece: str) -> bool:
    if piece.count(" ") < 2 or (  # fast paths: ingredient names are short and have no sentence words
            not any(w in _FUNC for w in piece.lower().split()) and not _STRONG.search(piece)):
        return False
    top = _top(piece)
    if not _LETTER.search(top):  # a sentence wholly in brackets: "(10 ppm or less for products that ...)"
        top = piece
    words = _WORD.findall(top)
    if len(words) >= 3 and _STRONG.search(top):
        return True
    func = sum(w.lower() in _FUNC for w in words)
    lower = sum(w[0].islower() for w in words)
    return len(words) >= 5 and func >= 1 and (func * 4 >= len(words) or lower * 5 >= len(words) * 3)


def _is_prose(pieces: list[str], strong_first: bool = True) -> bool:
    """A sentence, a claim or a disclaimer rather than a list (decided on the whole clause)."""
    if not pieces:
        return False
    if _CLAIM.search(_top(pieces[0])):
        return True  # "Clean at Sephora products are formulated without parabens, sulfates, ..."
    if strong_first and _prose_like(pieces[0]) and _STRONG.search(_top(pieces[0])):
        return True  # after "Name:", a sentence: "Aloe Vera: Contains vitamins that are known to ..."
    need, hits, misses = len(pieces) // 2 + 1, 0, 0
    for piece in pieces:  # a strict majority of sentence-like pieces; stop once decided
        if _prose_like(piece):
            hits += 1
            if hits >= need:
                return True
        else:
            misses += 1
            if misses > len(pieces) - need:
                break
    # "Paraben-, Phthalate-, and Cruelty-Free."
    return any(p.endswith("-") for p in pieces) and any(_FREE.search(p) for p in pieces)


def _looks_like_list(pieces: list[str]) -> bool:
    """After a "-Name:" bullet: a list ("Water, Glycerin, Mica") rather than "Purifies skin"."""
    words = [w for p in pieces for w in _WORD.findall(_top(p))]
    func = sum(w.lower() in _FUNC for w in words)
    if any(_prose_like(p) for p in pieces) or func * 4 > len(pieces):
        return False
    # "-Liquid: Water" but not ": Sunscreen." nor ": Provide broad spectrum protection."
    chemistry = all(_INCI_HINT.search(p) for p in pieces) and all(w[0].isupper() for w in words)
    return len(pieces) >= 3 or chemistry


