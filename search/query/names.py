"""Names of ingredient families and ingredients in a query, known or not.

`NameResolver` answers "which family or ingredient do the words at this position name?": first the
stem index of family and ingredient names (the lexicon's plus the knowledge base's family names, so
"parabenów", "Duftstoffe", "kwasem hialuronowym" are found), then the knowledge base's own
resolution of the words, then, after a strong negation only, an unknown name kept as typed.
"""

from __future__ import annotations

from conseil.search.errors import QueryError
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.builder import Term
from conseil.search.query.lexicon import COORDINATOR_WORDS, FUNCTION_WORDS, NOT_INGREDIENTS, OIL_WORDS
from conseil.search.query.model import KnowledgeVocabulary
from conseil.search.query.tokens import TokenState, stem, stems
from conseil.search.query.vocabulary import (
    NAME_WORD,
    PRODUCT_MATCHER,
    STATIC_NAME_KEYS,
    STATIC_TERMS,
    TermEntry,
)

_CONNECTORS = frozenset({"de", "di", "d", "del", "della", "des", "du", "von", "of"})  # "huile de palme"
_MAX_UNKNOWN_WORDS = 2


class NameResolver:
    """Family and ingredient names for one knowledge base (the term index is compiled here)."""

    def __init__(self, kb: KnowledgeVocabulary) -> None:
        self.kb = kb
        # The knowledge base's family names (already folded) win over the lexicon's on a clash.
        terms = dict(STATIC_TERMS)
        for name, family in kb.family_name_index().items():
            words = tuple(NAME_WORD.findall(name))
            if words:
                key = STATIC_NAME_KEYS.get(" ".join(words)) or stems(words)  # skip re-stemming known names
                terms[key] = TermEntry("family", family=family)
        self.terms = terms
        self.term_max_words = max(len(k) for k in terms)
        self.family_ids = frozenset(kb.family_name_index().values()) | frozenset(
            e.family for e in terms.values() if e.kind == "family")

    def resolve_name(self, name: str) -> Term:
        """A family id, a family name in any language, or an ingredient name -> a term (unknown: by name)."""
        text = name.strip()
        if not text:
            raise QueryError("An empty name cannot be excluded or required.", key="error_empty_name")
        code = fold(text).replace(" ", "_").replace("-", "_")
        if code in self.family_ids:
            return Term("family", code, 0, 0, True, text)
        toks = TokenState.of(text)
        tokens = toks.tokens
        term = self.term_at(toks, 0, allow_unknown=False) if tokens else None
        if term is not None and term.end == len(tokens):
            return term
        family = self.kb.family_name_index().get(fold(text))
        if family is not None:
            return Term("family", family, 0, 0, True, text)
        ing = self.kb.resolve(text)
        if ing is not None:
            return Term("ingredient", ing.key, 0, 0, True, text, frozenset(ing.families))
        return Term("unknown", normalize_name(text), 0, 0, False, text, self.kb.families_of_name(text))

    def compound(self, toks: TokenState, i: int) -> Term | None:
        """German "parabenfrei"/"silikonfreie", Polish "bezsiarczanowy": one token, one known family."""
        word = toks.words[i]
        if not word.isalpha():
            return None
        rest = ""
        for suffix in ("freie", "freies", "freier", "freien", "frei"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                rest = word[: -len(suffix)]
                break
        if not rest and word.startswith("bez") and len(word) >= 8:
            rest = word[3:]
        if not rest:
            return None
        entry = self.terms.get((stem(rest),))
        if entry is None:
            return None
        return self._entry_term(entry, i, i + 1, toks.text(i, i + 1))

    def term_at(self, toks: TokenState, i: int, allow_unknown: bool) -> Term | None:
        """The longest family/ingredient name starting at token i (or, if allowed, an unknown name)."""
        if not toks.free(i) or not toks.is_word(i):
            return None
        for n in range(min(self.term_max_words, len(toks.words) - i), 0, -1):
            if all(toks.free(k) and toks.is_word(k) for k in range(i, i + n)):
                entry = self.terms.get(tuple(toks.stems[i:i + n]))
                if entry is not None:
                    return self._entry_term(entry, i, i + n, toks.text(i, i + n))
        word = toks.words[i]
        if word in FUNCTION_WORDS or (word in NOT_INGREDIENTS and word not in OIL_WORDS):
            return None
        for n in range(min(4, len(toks.words) - i), 1 if word in OIL_WORDS else 0, -1):
            term = self._kb_window(toks, i, i + n)
            if term is not None:
                return term
        return self._unknown(toks, i) if allow_unknown else None

    def term_ending(self, toks: TokenState, e: int, allow_unknown: bool) -> Term | None:
        """The longest name ending right before token e ("paraben" in "paraben-free"); an unknown one-word
        name only if allowed (a hyphenated "-free": "gluten-free")."""
        for n in range(min(self.term_max_words, e), 0, -1):
            s = e - n
            if all(toks.free(k) and toks.is_word(k) for k in range(s, e)):
                entry = self.terms.get(tuple(toks.stems[s:e]))
                if entry is not None:
                    return self._entry_term(entry, s, e, toks.text(s, e))
        for n in range(min(4, e), 0, -1):
            if toks.words[e - n] not in FUNCTION_WORDS and toks.words[e - n] not in NOT_INGREDIENTS:
                term = self._kb_window(toks, e - n, e)
                if term is not None:
                    return term
        w = e - 1
        if allow_unknown and toks.free(w) and toks.words[w].isalpha() and len(toks.words[w]) >= 3 \
                and toks.words[w] not in FUNCTION_WORDS and toks.words[w] not in NOT_INGREDIENTS:
            return Term("unknown", normalize_name(toks.text(w, e)), w, e, False, toks.text(w, e))
        return None

    def _kb_window(self, toks: TokenState, s: int, e: int) -> Term | None:
        """An ingredient the knowledge base resolves from the words s..e (or a de-inflected single word)."""
        if not all(toks.free(k) and toks.is_word(k) and toks.words[k] not in FUNCTION_WORDS for k in range(s, e)):
            return None
        text = toks.text(s, e)
        if len(text) < 3:
            return None
        candidates = [text] if e - s > 1 or toks.stems[s] == toks.words[s] else [text, toks.stems[s]]
        for name in candidates:
            ing = self.kb.resolve(name)
            if ing is not None:
                return Term("ingredient", ing.key, s, e, True, text, frozenset(ing.families))
        return None

    def _entry_term(self, entry: TermEntry, s: int, e: int, text: str) -> Term:
        if entry.kind == "family":
            return Term("family", entry.family, s, e, True, text)
        for target in entry.targets:
            ing = self.kb.resolve(target)
            if ing is not None:
                return Term("ingredient", ing.key, s, e, True, text, frozenset(ing.families))
        name = normalize_name(entry.targets[0])
        return Term("ingredient", name, s, e, False, text, self.kb.families_of_name(name))

    def _unknown(self, toks: TokenState, i: int) -> Term | None:
        """An unknown name after a strong negation: up to two words ("shea butter", "huile de palme")."""
        def content(k: int) -> bool:
            w = toks.words[k] if 0 <= k < len(toks.words) else ""
            return (toks.free(k) and w.isalpha() and len(w) >= 2 and w not in FUNCTION_WORDS
                    and w not in COORDINATOR_WORDS and PRODUCT_MATCHER.match_at(toks.words, k) is None)

        head = toks.words[i] if 0 <= i < len(toks.words) else ""
        if not content(i) or (head in NOT_INGREDIENTS and head not in OIL_WORDS):
            return None
        end, count = i + 1, 1
        while count < _MAX_UNKNOWN_WORDS:
            if content(end) and toks.words[end] not in NOT_INGREDIENTS:
                end, count = end + 1, count + 1
            elif toks.free(end) and toks.words[end] in _CONNECTORS and content(end + 1) \
                    and toks.words[end + 1] not in NOT_INGREDIENTS:
                end, count = end + 2, count + 1
            else:
                break
        if head in OIL_WORDS and count < 2:
            return None  # "sans huile" is oil-free, not an ingredient called "huile"
        text = toks.text(i, end)
        return Term("unknown", normalize_name(text), i, end, False, text, self.kb.families_of_name(text))
