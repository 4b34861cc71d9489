"""Words of a query that nothing could use, so that the page can say so instead of dropping them.

The parser reports negations of product properties ("without water": nothing excluded). What is left
for retrieval is judged here, against a `known(word)` test the caller supplies (the product engine asks
its BM25 index whether any product contains the word): a leftover word is unusable when it is not a
grammar word or a number, the English gloss does not translate it (queries in another language), and
the catalog does not know it ("xyzzy plugh"). A query whose every word is unusable and that states no
constraint should return no products, saying so (messages.json "nothing_usable"), rather than the whole
catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from conseil.search.query.gloss import unglossed_words
from conseil.search.query.lexicon import DETERMINERS, FILLERS, FUNCTION_WORDS, NOT_INGREDIENTS
from conseil.search.query.model import Ignored, Interpretation
from conseil.search.query.tokens import TokenState, tokenize
from conseil.search.query.vocabulary import NEGATION_MATCHER


def unused_negations(toks: TokenState) -> tuple[Ignored, ...]:
    """Negations left in the text because what they negate is a product property, not an ingredient
    ("shampoo without water", "sans rinçage"): said, since the advisor may have meant an exclusion."""
    found: list[Ignored] = []
    i = 0
    while i < len(toks.words):
        neg = NEGATION_MATCHER.match_at(toks.words, i, toks.usable()) if toks.free(i) else None
        if neg is None or (neg.end < len(toks.tokens) and toks.tokens[neg.end].joined):
            i += 1
            continue
        j = neg.end
        while toks.free(j) and toks.words[j] in DETERMINERS:
            j += 1
        end = j
        while toks.free(end) and toks.words[end] in NOT_INGREDIENTS:
            end += 1  # "without white cast", "without plastic packaging"
        if end > j:
            found.append(Ignored(toks.text(i, end), "not_an_ingredient"))
        i = max(j, i + 1)
    return tuple(found)


def _content_words(text: str) -> tuple[str, ...]:
    """The words of a text as typed, less grammar words, fillers and numbers."""
    return tuple(text[t.start:t.end] for t in tokenize(text)
                 if t.is_word and not t.is_number and t.text not in FUNCTION_WORDS and t.text not in FILLERS)


def with_unusable_words(interp: Interpretation, known: Callable[[str], bool]) -> Interpretation:
    """`interp` with the semantic words retrieval cannot use added to `ignored` ("not_understood"):
    in English every content word the catalog does not know, elsewhere those the gloss does not
    translate either."""
    text = interp.semantic_text
    candidates = _content_words(text) if interp.language == "en" else unglossed_words(text, interp.language)
    said = {w for i in interp.ignored for w in i.text.split()}  # "without water": already reported
    unusable = tuple(dict.fromkeys(w for w in candidates if w not in said and not known(w)))
    if not unusable:
        return interp
    return replace(interp, ignored=interp.ignored + tuple(Ignored(w, "not_understood") for w in unusable))


def nothing_usable(interp: Interpretation) -> bool:
    """No constraint, and no content word of the query left that retrieval can use."""
    unusable = {i.text for i in interp.ignored if i.reason == "not_understood"}
    return not interp.chips and all(w in unusable for w in _content_words(interp.semantic_text))
