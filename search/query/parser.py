"""`QueryParser`: free text in every supported language -> semantic text + constraints + chips.

Passes run in a fixed order over folded tokens, each claiming the tokens it understands so that
later passes cannot reinterpret them: prices, fixed exclusions ("unscented"), brands, protected
phrases ("cruelty-free"), concerns, skin types, exclusion/inclusion lists, then product types.
What no pass claimed (plus product-type words) is the semantic text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from conseil.search.errors import QueryError
from conseil.search.query.builder import Builder, Term, semantic_text
from conseil.search.query.ignored import unused_negations
from conseil.search.query.lexicon import (
    BRAND_CUES,
    COORDINATOR_WORDS,
    DETERMINERS,
    FREE_WORDS,
    POST_MODIFIERS,
    PREPOSITIONS,
    RANGE_WORDS,
)
from conseil.search.query.model import (
    MAX_QUERY_CHARS,
    Chip,
    Interpretation,
    KnowledgeVocabulary,
    QueryVocabulary,
)
from conseil.search.query.names import NameResolver
from conseil.search.query.prices import find_prices
from conseil.search.query.terms import HAIR_NOUNS
from conseil.search.query.tokens import TokenState, fold_with_offsets
from conseil.search.query.vocabulary import (
    CONCERN_MATCHER,
    FIXED_MATCHER,
    INCLUSION_MATCHER,
    NEGATION_MATCHER,
    PRODUCT_MATCHER,
    PROTECTED_MATCHER,
    SKIN_ADJECTIVE_WORDS,
    SKIN_COMPOUND_WORDS,
    SKIN_NOUN_WORDS,
    guess_language,
    language_words,
    name_words,
    vocabulary_index,
)


class QueryParser:
    """Parses queries against one knowledge base and (optionally) one catalog vocabulary.

    Build it once and call `parse` per query: the term index and matchers are compiled here.
    """

    def __init__(self, kb: KnowledgeVocabulary, vocabulary: QueryVocabulary | None = None) -> None:
        self.kb = kb
        self.vocabulary = vocabulary
        self.names = NameResolver(kb)
        self.language_words = language_words({fid: f.names for fid, f in kb.families.items()})
        # Multi-word skin-type and concern names of the knowledge base, by exact words, by first word.
        self.kb_phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        seen: set[tuple[str, ...]] = set()
        for kind, table in (("concern", kb.concerns), ("skin_type", kb.skin_types)):
            for code, by_lang in table.items():
                for names in by_lang.values():
                    for name in names:
                        words = name_words(name)
                        if len(words) > 1 and words not in seen:
                            seen.add(words)
                            self.kb_phrases.setdefault(words[0], []).append((words, kind, code))

    # -- public -----------------------------------------------------------------------------------

    def resolve_name(self, name: str) -> Term:
        """A family id or name (any language) or an ingredient name -> a term; see `NameResolver`."""
        return self.names.resolve_name(name)

    def parse(self, query: str) -> Interpretation:
        text = query.strip()
        if not text:
            raise QueryError("The query is empty: type what the client is looking for.", key="error_query_empty")
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"The query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}. "
                             "Shorten it to what the client is looking for.", key="error_query_too_long",
                             limit=MAX_QUERY_CHARS)
        folded, origin = fold_with_offsets(text)
        toks = TokenState.of(text, folded, origin)
        out = Builder(self.kb)
        self._prices(toks, folded, origin, out)
        self._fixed(toks, out)
        self._brands(toks, out)
        self._protected(toks)
        self._concerns(toks, out)
        self._skin_types(toks, out)
        self._lists(toks, out)
        self._categories(toks, out)
        self._orphans(toks)
        language = guess_language(text, toks.words, out.currency, self.language_words)
        return replace(out.build(text, language, semantic_text(toks)), ignored=unused_negations(toks))

    # -- passes -----------------------------------------------------------------------------------

    def _prices(self, toks: TokenState, folded: str, origin: Sequence[int], out: Builder) -> None:
        for p in find_prices(folded):
            start, end = origin[p.start], origin[p.end - 1] + 1
            source = toks.query[start:end]
            for i, t in enumerate(toks.tokens):
                if t.start < end and start < t.end:
                    toks.role[i] = "price"
            out.price(p.price_min, p.price_max, p.currency, source, start)

    def _brands(self, toks: TokenState, out: Builder) -> None:
        if self.vocabulary is None:
            return
        index = vocabulary_index(self.vocabulary)
        i = 0
        while i < len(toks.words):
            found = None
            for n in range(min(index.brand_max_words, len(toks.words) - i), 0, -1):
                entry = index.brands.get(tuple(toks.words[i:i + n]))
                if entry and all(toks.free(k) for k in range(i, i + n)):
                    found = (n, entry)
                    break
            if found is None:
                i += 1
                continue
            n, entry = found
            cue = i > 0 and toks.words[i - 1] in BRAND_CUES and toks.free(i - 1)
            if entry.ambiguous and not cue and (i == 0 or not toks.text(i, i + n)[:1].isupper()):
                i += 1  # "fresh scent" is not the brand Fresh; "by fresh", "… Fresh" are
                continue
            start = i - 1 if cue else i
            toks.claim(start, i + n, "brand")
            out.add(Chip("brand", entry.key, toks.text(start, i + n)), toks.tokens[start].start)
            i += n

    def _protected(self, toks: TokenState) -> None:
        for m in PROTECTED_MATCHER.find_all(toks.words, toks.usable()):
            toks.claim(m.start, m.end, "protected")

    def _fixed(self, toks: TokenState, out: Builder) -> None:
        for m in FIXED_MATCHER.find_all(toks.words, toks.usable()):
            family, _ = m.value
            toks.claim(m.start, m.end, "exclude")
            out.exclude([Term("family", family, m.start, m.end, True, toks.text(m.start, m.end))],
                        toks.text(m.start, m.end), toks.tokens[m.start].start)

    def _concerns(self, toks: TokenState, out: Builder) -> None:
        usable = toks.usable()
        found = [(m.start, m.end, m.value[0]) for m in CONCERN_MATCHER.find_all(toks.words, usable)]
        found += self._kb_phrase_matches(toks, "concern", found)
        for start, end, code in sorted(found):
            start = self._extend_left(toks, start)
            toks.claim(start, end, "concern")
            out.add(Chip("concern", code, toks.text(start, end)), toks.tokens[start].start)

    def _kb_phrase_matches(self, toks: TokenState, kind: str, taken: list[tuple[int, int, str]]) -> list[
            tuple[int, int, str]]:
        """Knowledge-base names (exact words) not already covered by the lexicon matches."""
        found: list[tuple[int, int, str]] = []
        covered = {i for s, e, _ in taken for i in range(s, e)}
        for i, word in enumerate(toks.words):
            for words, k, code in self.kb_phrases.get(word, ()):
                n = len(words)
                span = range(i, i + n)
                if k == kind and tuple(toks.words[i:i + n]) == words \
                        and all(toks.free(j) and j not in covered for j in span):
                    found.append((i, i + n, code))
                    covered.update(span)
        return found

    def _extend_left(self, toks: TokenState, start: int) -> int:
        """Take up to two prepositions/articles before a phrase: "pour les" peaux sèches."""
        for _ in range(2):
            if toks.free(start - 1) and toks.words[start - 1] in PREPOSITIONS:
                start -= 1
        return start

    def _skin_types(self, toks: TokenState, out: Builder) -> None:
        self._skin_grammar(toks, out)
        for start, end, code in self._kb_phrase_matches(toks, "skin_type", []):  # what the grammar missed
            start = self._extend_left(toks, start)
            toks.claim(start, end, "skin")
            out.add(Chip("skin_type", code, toks.text(start, end)), toks.tokens[start].start)

    def _skin_grammar(self, toks: TokenState, out: Builder) -> None:
        """Skin nouns with their adjectives on either side: "dry and sensitive skin", "peaux sèches à mixtes"."""
        for n, word in enumerate(toks.words):
            if not toks.free(n):
                continue
            if word in SKIN_COMPOUND_WORDS:
                codes, start, end = [SKIN_COMPOUND_WORDS[word]], n, n + 1
            elif word in SKIN_NOUN_WORDS:
                after, end = self._adjectives(toks, n + 1, +1)
                before, first = self._adjectives(toks, n - 1, -1)
                codes, start = before + after, first + 1
                if not codes or (n + 1 < len(toks.words) and toks.words[n + 1] in {"glowy", "hlavy"}):
                    continue  # "skóra głowy" is the scalp
            else:
                continue
            start = self._extend_left(toks, start)
            source = toks.text(start, end)
            toks.claim(start, end, "skin")
            for code in dict.fromkeys(codes):
                out.add(Chip("skin_type", code, source), toks.tokens[start].start)

    def _adjectives(self, toks: TokenState, i: int, step: int) -> tuple[list[str], int]:
        """Skin-type adjectives chained from token i in one direction; returns codes and the stop index."""
        codes: list[str] = []
        last = i - step
        j = i
        over_concern = False
        while 0 <= j < len(toks.words):
            if toks.role[j] == "concern" or (over_concern and toks.words[j] in COORDINATOR_WORDS):
                j += step  # "oily, acne-prone skin": step over the concern (and its comma)
                over_concern = True
                continue
            over_concern = False
            if not toks.free(j):
                break
            word = toks.words[j]
            if word in SKIN_ADJECTIVE_WORDS:
                codes.append(SKIN_ADJECTIVE_WORDS[word])
                last = j
                j += step
            elif codes and (word in COORDINATOR_WORDS or word in RANGE_WORDS) \
                    and toks.free(j + step) and toks.words[j + step] in SKIN_ADJECTIVE_WORDS:
                j += step
            else:
                break
        return (codes[::-1] if step < 0 else codes), (last + step if step > 0 else last - 1)

    # -- exclusion and inclusion lists ------------------------------------------------------------

    def _lists(self, toks: TokenState, out: Builder) -> None:
        i = 0
        while i < len(toks.words):
            if not toks.free(i):
                i += 1
                continue
            end = self._list_at(toks, i, out)
            i = end if end > i else i + 1

    def _marker(self, toks: TokenState, i: int) -> tuple[str, bool, int] | None:
        """The negation or inclusion marker at token i: (polarity, strong, end index)."""
        usable = toks.usable()
        neg = NEGATION_MATCHER.match_at(toks.words, i, usable)
        inc = INCLUSION_MATCHER.match_at(toks.words, i, usable)
        if neg and (inc is None or neg.end >= inc.end):
            marker = ("exclude", neg.value[0] == "strong", neg.end)
        elif inc:
            marker = ("include", False, inc.end)
        else:
            return None
        if marker[2] < len(toks.tokens) and toks.tokens[marker[2]].joined:
            return None  # "no-rinse", "no-makeup look"
        return marker

    def _list_at(self, toks: TokenState, i: int, out: Builder) -> int:
        word = toks.words[i]
        marker = self._marker(toks, i)
        if marker is not None:
            polarity, strong, after = marker
            terms, end = self._forward_list(toks, after, polarity, strong)
            if terms:
                self._record(toks, out, polarity, terms, i, end)
                return end
            return i + 1
        if word in FREE_WORDS and not (i + 1 < len(toks.words) and toks.words[i + 1] in {"of", "from", "von"}):
            terms, start = self._backward_list(toks, i, toks.tokens[i].joined)
            if terms:
                self._record(toks, out, "exclude", terms, start, i + 1)
                return i + 1
        compound = self.names.compound(toks, i)
        if compound is not None:
            terms, start = self._backward_list(toks, i, False, last=compound)
            self._record(toks, out, "exclude", terms, start, i + 1)
            return i + 1
        return i + 1

    def _record(self, toks: TokenState, out: Builder, polarity: str, terms: list[Term], start: int, end: int) -> None:
        source = toks.text(start, end)
        where = toks.tokens[start].start
        if polarity == "exclude":
            toks.claim(start, end, "exclude")
            out.exclude(terms, source, where)
            return
        ingredients = [t for t in terms if t.kind != "family"]
        for t in terms:
            if t.kind == "family":
                out.include_family(t, source)  # contradiction check only: the text stays semantic
        if ingredients:
            toks.claim(start, ingredients[0].start, "include")  # the marker
            for t in ingredients:
                toks.claim(t.start, t.end, "include")
            for k in range(start, end):  # coordinators between claimed terms
                if toks.free(k) and toks.words[k] in COORDINATOR_WORDS and not toks.free(k - 1):
                    toks.role[k] = "include"
            out.include(ingredients, source, where)

    def _forward_list(self, toks: TokenState, j: int, polarity: str, strong: bool) -> tuple[list[Term], int]:
        terms: list[Term] = []
        allow_unknown = strong and polarity == "exclude"
        while True:
            k = j
            while toks.free(k) and toks.words[k] in DETERMINERS and k - j < 2:
                k += 1
            term = self.names.term_at(toks, k, allow_unknown) or (self.names.term_at(toks, j, allow_unknown) if k > j else None)
            if term is None:
                break
            terms.append(term)
            j = term.end
            while toks.free(j) and toks.words[j] in POST_MODIFIERS:
                j += 1  # "sans parfum ajouté", "without fragrance added"
            c = j
            while toks.free(c) and toks.words[c] in COORDINATOR_WORDS:
                c += 1
            if c == j or not toks.free(c):
                break
            again = self._marker(toks, c)
            if again is not None and again[0] != polarity:
                break  # "with niacinamide and without fragrance": the next list starts there
            nxt, strong_next = (again[2], again[1]) if again else (c, False)
            probe_unknown = strong_next and polarity == "exclude"
            probe = self.names.term_at(toks, _skip_determiners(toks, nxt), probe_unknown)
            if probe is None or (probe.end < len(toks.words) and toks.words[probe.end] in FREE_WORDS):
                break  # "with retinol, fragrance-free": the "-free" construct is its own list
            if polarity == "exclude" and again is None and set(toks.words[j:c]) <= {",", ";"} \
                    and not _avoidable(probe):
                break  # "without oxybenzone, hyaluronic acid serum": a bare comma before an active ends it
            j, allow_unknown = nxt, probe_unknown
        return terms, j

    def _backward_list(self, toks: TokenState, e: int, allow_unknown: bool,
                       last: Term | None = None) -> tuple[list[Term], int]:
        """Terms ending right before token e ("paraben and sulfate free"); returns them and the start."""
        term = last if last is not None else self.names.term_ending(toks, e, allow_unknown)
        if term is None:
            return [], e
        terms = [term]
        start = term.start
        while toks.free(start - 1) and toks.words[start - 1] in COORDINATOR_WORDS:
            prev = self.names.term_ending(toks, start - 1, False)
            if prev is None or not _avoidable(prev):
                break  # "vitamin C, fragrance free": only what people avoid is listed before "-free"
            terms.insert(0, prev)
            start = prev.start
        return terms, start

    # -- product types and tidying ----------------------------------------------------------------

    def _categories(self, toks: TokenState, out: Builder) -> None:
        if self.vocabulary is None:
            return
        index = vocabulary_index(self.vocabulary)
        usable = [r is None or r == "protected" for r in toks.role]
        i = 0
        while i < len(toks.words):
            if not usable[i]:
                i += 1
                continue
            best: tuple[int, str | None] | None = None
            m = PRODUCT_MATCHER.match_at(toks.words, i, usable)
            if m is not None:
                best = (m.end, index.category_key(m.value[0]) if m.value[0] else None)
            for n in range(min(index.category_max_words, len(toks.words) - i), 0, -1):
                key = index.categories.get(tuple(toks.words[i:i + n]))
                if key and all(usable[k] for k in range(i, i + n)) and (best is None or i + n > best[0]):
                    best = (i + n, key)
                    break
            if best is None:
                i += 1
                continue
            end, key = best
            if key is not None:
                out.add(Chip("category", key, toks.text(i, end)), toks.tokens[i].start)
            toks.claim(i, end, "category")  # claimed but kept in the semantic text
            i = end

    def _orphans(self, toks: TokenState) -> None:
        """Skin and hair nouns left next to a concern or skin type ("acne-prone skin", "capelli danneggiati")."""
        for i, word in enumerate(toks.words):
            if toks.free(i) and (word in SKIN_NOUN_WORDS or word in HAIR_NOUNS) \
                    and any(0 <= k < len(toks.role) and toks.role[k] in ("concern", "skin") for k in (i - 1, i + 1)):
                toks.role[i] = "concern"


def _avoidable(term: Term) -> bool:
    """A family, or an ingredient the knowledge base files under one ("SLS"): the kind of name listed to avoid."""
    return term.kind == "family" or bool(term.families)


def _skip_determiners(toks: TokenState, j: int) -> int:
    k = j
    while toks.free(k) and toks.words[k] in DETERMINERS and k - j < 2:
        k += 1
    return k


def parser_for(kb: KnowledgeVocabulary, vocabulary: QueryVocabulary) -> QueryParser:
    """The parser for `vocabulary` and `kb`, compiled on first use (for the last kb asked).

    `parse_query` goes through here so that an engine holding one vocabulary pays the ~10 ms
    compilation of the knowledge-base term index once, not per query. The cache is stored on the
    vocabulary value (bypassing its frozen __setattr__); it is not part of equality or repr.
    """
    cached = vocabulary.__dict__.get("_parser_cache")
    if cached is not None and cached[0] is kb:
        parser: QueryParser = cached[1]
        return parser
    parser = QueryParser(kb, vocabulary)
    vocabulary.__dict__["_parser_cache"] = (kb, parser)
    return parser
