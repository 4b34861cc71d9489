"""Consumer-study search: passages of studies, reports and surveys, with page citations.

    with Engines.open(settings, need=["studies"]) as engines:     # conseil.search.engines
        response = engines.study_engine().search(StudySearchRequest(query="does makeup make the eyes look larger?"))
        print(response.hits[0].citation)                 # "Makeup Changes the Apparent Size ... (2017), p. 1"

or `StudySearch(index, embedder)` on any `IndexReader`, or `StudySearch.from_store(store, embedder)`.

With the English-only all-MiniLM-L6-v2, a non-English question gets the English gloss of its cosmetic
words appended (`translate.py`).
Ranking is one Qdrant Query API call: a dense and a BM25 prefetch, each carrying the filter (years,
market, language, study type, kind and the caller's audiences), fused by RRF (`mode` keeps one of
the two); a count and a facet give the totals. Qdrant Edge has no grouping call, so
`group_by_document` over-fetches light hits (ids and pages only), keeps each document's best
passage in rank order (fetching more only when too few documents came back), then loads the
payload of the passages it returns. Passages without a year are outside any year range.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conseil.search.embedder import Embedder
from conseil.search.errors import IndexMissingError, IndexSchemaError, QueryError
from conseil.search.index.contract import (
    Condition,
    Filter,
    Hit,
    HybridQuery,
    IndexReader,
    MatchAny,
    Range,
    SparseVector,
)
from conseil.search.index.schema import STUDIES_COLLECTION
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.index.store import CollectionSource, missing_index_message, studies_schema
from conseil.search.knowledge.text import fold
from conseil.search.query.lexicon import FUNCTION_WORDS, word_set
from conseil.search.query.tokens import stem
from conseil.search.query.vocabulary import guess_language
from conseil.search.settings import DEFAULT_MODEL
from conseil.search.studies.contract import (
    MAX_STUDY_QUERY_CHARS,
    StudyHit,
    StudySearchRequest,
    StudySearchResponse,
)
from conseil.search.studies.references import looks_like_references
from conseil.search.studies.translate import with_english_gloss

MARK_OPEN, MARK_CLOSE = "**", "**"  # Markdown bold: French text already uses «guillemets» as quotes
SNIPPET_CHARS = 280
GROUP_FANOUT = 6  # candidate passages fetched per document wanted, when grouping
MAX_CANDIDATES = 1000
LIGHT_FIELDS = ("doc_id", "page", "page_end")
MATCH_CAP = 1000  # passages counted as containing a query word (a sparse-only query: no score threshold)
REFERENCE_MARGIN = 20  # extra passages fetched so that reference lists can move behind the others
_WORD = re.compile(r"[^\W_]+")  # letters and digits: "l'acide" -> "l", "acide"

# Question words, auxiliaries and pronouns (folded) of en/fr/es/de: neither marked in passages nor
# given to BM25, whose own stopwords are English only. Short grammar words come from query
# understanding's FUNCTION_WORDS.
_QUESTION_WORDS = word_set("""
what which who whom whose when where why how does did do is are was were can could should would
there their them they this that these those with from into about than have has had been much many
quel quelle quels quelles qui quoi comment est pourquoi combien quand est-ce sont etre avoir fait faut
dans pour avec selon entre leur leurs cette ces plus moins tres
que cual cuales quien como cuando donde cuanto cuanta cuantos cuantas para segun entre esta estan
sobre tiene tienen hay mas
was welche welcher welches wer wie wann warum wieviel viele gibt sind wird werden nach fur uber
zwischen eine einer einem einen nicht auch
il ils elle elles lui par sur sous doit doivent peut peuvent well must may might debe deben puede pueden
muss mussen kann konnen soll sollen
""")


@dataclass(frozen=True)
class Marked:
    """A text with the query's words marked, and what was marked."""

    text: str
    snippet: str
    terms: list[str] = field(default_factory=list)


# -- filters -----------------------------------------------------------------------------------

def _variants(values: Iterable[str], *, upper: bool = False) -> tuple[str, ...]:
    """The values as given plus their lower (and upper) case: "fr" finds a market stored as "FR"."""
    out: list[str] = []
    for value in values:
        value = value.strip()
        for v in (value, value.lower(), value.upper() if upper else value):
            if v and v not in out:
                out.append(v)
    return tuple(out)


def build_study_filter(req: StudySearchRequest) -> Filter:
    """The request's filters as one Qdrant filter (every field used has a payload index)."""
    must: list[Condition] = [MatchAny("audience", _variants(req.audiences))]
    if req.year_from is not None or req.year_to is not None:
        must.append(Range("year", gte=req.year_from, lte=req.year_to))
    for key, values, upper in (("market", req.market, True), ("language", req.language, False),
                               ("study_type", req.study_type, False), ("kind", req.kind, False)):
        if values:
            must.append(MatchAny(key, _variants(values, upper=upper)))
    return Filter(must=tuple(must))


def describe_filters(req: StudySearchRequest) -> dict[str, list[str] | int | None]:
    applied: dict[str, list[str] | int | None] = {"audiences": list(req.audiences)}
    for key in ("year_from", "year_to"):
        if getattr(req, key) is not None:
            applied[key] = getattr(req, key)
    for key in ("market", "language", "study_type", "kind"):
        if getattr(req, key):
            applied[key] = list(getattr(req, key))
    return applied


# -- citations and highlighting ----------------------------------------------------------------

def citation(title: str, year: int | None, page: int | None, page_end: int | None, kind: str | None) -> str:
    """'Title (2016), p. 4' or 'pp. 4–5'; surveys and text files have no pages to cite."""
    head = f"{title} ({year})" if year else title
    if page is None or kind in ("survey", "text"):
        return head
    if page_end is not None and page_end > page:
        return f"{head}, pp. {page}\u2013{page_end}"
    return f"{head}, p. {page}"


def _content_words(query: str) -> list[tuple[str, str]]:
    """The query's words less grammar and question words: (as typed, folded)."""
    out = []
    for m in _WORD.finditer(query):
        word = m.group().lower() if m.group().isascii() else fold(m.group())
        if word not in FUNCTION_WORDS and word not in _QUESTION_WORDS and (len(word) >= 3 or word.isdigit()):
            out.append((m.group(), word))
    return out


def sparse_text(query: str) -> str:
    """What BM25 matches: the content words. Its own stopwords are English only, and French or German
    grammar words ("par", "quelle", "wie") would otherwise outweigh the words that matter."""
    # As typed, not folded: NFKD would split Hangul syllables into letters BM25 never saw.
    return " ".join(typed for typed, _ in _content_words(query)) or query


def query_keys(query: str) -> frozenset[str]:
    """Stems of the query's content words: folded ('Cosmétiques' -> 'cosmetiq'), grammar words left out."""
    return frozenset(stem(folded) for _, folded in _content_words(query))


def _spans(text: str, keys: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the words of `text` whose stem is a query key; touching words merged."""
    # A stem is a prefix of its word, so a word whose first three letters start no key cannot match:
    # most words are rejected without being stemmed.
    heads = {k[:3] for k in keys}
    spans: list[tuple[int, int]] = []
    seen: dict[str, bool] = {}  # word as written -> matches; passages repeat their words a lot
    for m in _WORD.finditer(text):
        word = m.group()
        hit = seen.get(word)
        if hit is None:
            folded = word.lower() if word.isascii() else fold(word)
            hit = seen[word] = folded[:3] in heads and stem(folded) in keys
        if not hit:
            continue
        if spans and not text[spans[-1][1]:m.start()].strip():  # "facial contrast": one mark
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return spans


def _mark(text: str, spans: Sequence[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out: list[str] = []
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(text[at:s])
        out.append(f"{MARK_OPEN}{text[s:e]}{MARK_CLOSE}")
        at = e
    out.append(text[at:end])
    return "".join(out)


def _window(text: str, spans: Sequence[tuple[int, int]], width: int) -> tuple[int, int]:
    """The stretch of about `width` characters holding the most marked words, on word boundaries."""
    if len(text) <= width:
        return 0, len(text)
    best_start, best = 0, (-1, -1)
    words = [frozenset(stem(w) for w in _WORD.findall(fold(text[a:b]))) for a, b in spans]
    for s, _ in spans:
        start = max(0, s - width // 5)  # some words of context before the first match
        inside = [w for (a, b), w in zip(spans, words) if a >= start and b <= start + width]
        score = (len(frozenset().union(*inside)), len(inside))  # several query words beat one repeated
        if score > best:
            best_start, best = start, score
    start = best_start
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 30 else end
    return start, end


def highlight(text: str, keys: frozenset[str], width: int = SNIPPET_CHARS) -> Marked:
    """Mark the words of `text` that share a folded stem with the query; also cut a snippet."""
    spans = _spans(text, keys) if keys else []
    start, end = _window(text, spans, width)
    snippet = " ".join(_mark(text, spans, start, end).split())
    snippet = ("\u2026" if start > 0 else "") + snippet + ("\u2026" if end < len(text) else "")
    # Every distinct form as written ("Makeup", "makeup"): a caller can re-mark the words itself.
    terms = list(dict.fromkeys(word for s, e in spans for word in _WORD.findall(text[s:e])))
    return Marked(text=_mark(text, spans), snippet=snippet, terms=terms)


# -- grouping ----------------------------------------------------------------------------------

def _pages(payload: dict[str, Any]) -> list[int]:
    page = _int(payload.get("page"))
    if page is None:
        return []
    return list(range(page, (_int(payload.get("page_end")) or page) + 1))


def group_by_document(hits: Sequence[Hit]) -> list[tuple[Hit, list[int]]]:
    """Each document's best hit, in rank order, with the other pages of it that also matched."""
    best: dict[str, tuple[Hit, list[int]]] = {}
    for hit in hits:
        doc = str(hit.payload.get("doc_id") or hit.id)
        if doc not in best:
            best[doc] = (hit, [])
            continue
        own = _pages(best[doc][0].payload)
        others = best[doc][1]
        others.extend(p for p in _pages(hit.payload) if p not in own and p not in others)
    return [(hit, sorted(others)) for hit, others in best.values()]


def references_last(hits: Sequence[StudyHit]) -> list[StudyHit]:
    """Reference lists and bibliographies after the passages that report something (stable)."""
    return [h for h in hits if not h.reference_list] + [h for h in hits if h.reference_list]


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# -- the engine --------------------------------------------------------------------------------

class StudySearch:
    """Search over the `studies` collection; build one per process and reuse it."""

    def __init__(self, index: IndexReader, embedder: Embedder, *, gloss: bool | None = None) -> None:
        """`gloss`: append the English gloss of a non-English question (`translate.py`); None: only for the
        English-only default model (it lowers the multilingual model's hybrid hit@5: README)."""
        if embedder.dimension != index.schema.dense_size:
            raise IndexSchemaError(
                f"The studies index holds {index.schema.dense_size}-dimension vectors but the embedding "
                f"model {embedder.name!r} makes {embedder.dimension}: set CONSEIL_STUDIES_EMBEDDING_MODEL to the "
                "model the index was built with, or ingest the studies again.")
        self.index = index
        self.embedder = embedder
        self.bm25 = Bm25Encoder()
        self.gloss = embedder.name == DEFAULT_MODEL if gloss is None else gloss

    @classmethod
    def from_store(cls, store: CollectionSource, embedder: Embedder) -> StudySearch:
        """On the studies collection of an open store; IndexMissingError when it does not exist."""
        dense_size = store.dense_size(STUDIES_COLLECTION)
        if dense_size is None:
            raise IndexMissingError(missing_index_message(STUDIES_COLLECTION, store.settings))
        return cls(store.collection(studies_schema(dense_size), create=False), embedder)

    def validate(self, req: StudySearchRequest) -> str:
        """The stripped query, or a QueryError saying what to change (its `message` in the request's
        `message_language`, else the query's)."""
        try:
            return self._validate(req)
        except QueryError as exc:  # the language only when it is needed: guessing costs a little
            text = req.query.strip()[:MAX_STUDY_QUERY_CHARS]
            exc.language = req.message_language or (guess_language(text, fold(text).split()) if text else "en")
            raise

    @staticmethod
    def _validate(req: StudySearchRequest) -> str:
        text = req.query.strip()
        if not text:
            raise QueryError("The query is empty: type the question to search the studies for.",
                             key="error_study_query_empty")
        if len(text) > MAX_STUDY_QUERY_CHARS:
            raise QueryError(f"The query is {len(text)} characters long; the limit is "
                             f"{MAX_STUDY_QUERY_CHARS}: shorten it to the question itself.",
                             key="error_study_query_too_long", limit=MAX_STUDY_QUERY_CHARS)
        if req.year_from is not None and req.year_to is not None and req.year_from > req.year_to:
            raise QueryError(f"The year range is empty: from {req.year_from} is after to {req.year_to}.",
                             key="error_year_range", year_from=req.year_from,
                             year_to=req.year_to)
        return text

    def search(self, req: StudySearchRequest) -> StudySearchResponse:
        began = time.perf_counter()
        text = self.validate(req)
        flt = build_study_filter(req)
        hits: list[StudyHit] = []
        total = total_documents = 0
        matching: tuple[int, int, bool] | None = None
        if req.audiences:  # no audience: nothing is visible (advisors never see studies)
            text = with_english_gloss(text) if self.gloss else text
            dense = self.embedder.embed_query(text) if req.mode != "bm25" else None
            sparse = self.bm25.query(sparse_text(text)) if req.mode != "dense" else None
            if dense is not None or (sparse is not None and sparse.indices):  # bm25 of stopwords only: none
                keys = query_keys(text)
                if req.group_by_document:
                    hits = self._grouped(req, dense, sparse, flt, keys)
                else:
                    want = req.offset + req.limit + REFERENCE_MARGIN
                    raw = self.index.query(HybridQuery(
                        dense=dense, sparse=sparse, filter=flt, limit=want, offset=0,
                        prefetch_limit=max(100, 2 * want), fusion=req.fusion))
                    hits = references_last([self._hit(h, keys) for h in raw])[req.offset:req.offset + req.limit]
            if sparse is not None and sparse.indices:
                matching = self._matching(sparse, flt)
            total = self.index.count(flt)
            total_documents = len(self.index.facet("doc_id", flt, limit=100_000))
        return StudySearchResponse(
            query=req.query, mode=req.mode, hits=hits, total=total, total_documents=total_documents,
            grouped=req.group_by_document, limit=req.limit, offset=req.offset,
            took_ms=round((time.perf_counter() - began) * 1000, 2), filters=describe_filters(req),
            matching=matching[0] if matching else None, matching_documents=matching[1] if matching else None,
            matching_capped=bool(matching and matching[2]))

    def _matching(self, sparse: SparseVector, flt: Filter) -> tuple[int, int, bool]:
        """Passages (and documents) that contain a word of the query: what the query found, as opposed
        to `total`, which counts what the filters allow."""
        raw = self.index.query(HybridQuery(dense=None, sparse=sparse, filter=flt, limit=MATCH_CAP,
                                           prefetch_limit=MATCH_CAP, with_payload=("doc_id",)))
        documents = {str(h.payload.get("doc_id")) for h in raw}
        return len(raw), len(documents), len(raw) >= MATCH_CAP

    def _grouped(self, req: StudySearchRequest, dense: list[float] | None, sparse: SparseVector | None,
                 flt: Filter, keys: frozenset[str]) -> list[StudyHit]:
        """Over-fetch light hits until enough documents are seen, keep the best passage of each."""
        need = req.offset + req.limit
        candidates = min(MAX_CANDIDATES, max(50, need * GROUP_FANOUT))
        while True:
            raw = self.index.query(HybridQuery(
                dense=dense, sparse=sparse, filter=flt, limit=candidates, prefetch_limit=candidates,
                with_payload=LIGHT_FIELDS, fusion=req.fusion))
            groups = group_by_document(raw)
            if len(groups) >= need or len(raw) < candidates or candidates >= MAX_CANDIDATES:
                break
            candidates = min(MAX_CANDIDATES, candidates * 4)
        page = groups[req.offset:need]
        full = {h.id: h for h in self.index.retrieve([h.id for h, _ in page])}
        hits = []
        for light, others in page:
            loaded = full.get(light.id)
            if loaded is not None:
                hit = Hit(id=light.id, score=light.score, payload=loaded.payload)
                hits.append(self._hit(hit, keys, others))
        return references_last(hits)

    def _hit(self, hit: Hit, keys: frozenset[str], also_on_pages: list[int] | None = None) -> StudyHit:
        p = hit.payload
        path = str(p.get("path") or "")
        title = _str(p.get("title")) or path.rsplit("/", 1)[-1] or str(p.get("doc_id") or hit.id)
        year, page, page_end = _int(p.get("year")), _int(p.get("page")), _int(p.get("page_end"))
        kind = _str(p.get("kind"))
        marked = highlight(str(p.get("text") or ""), keys)
        return StudyHit(
            doc_id=str(p.get("doc_id") or ""), path=path, title=title, year=year,
            market=_str(p.get("market")), language=_str(p.get("language")),
            study_type=_str(p.get("study_type")), kind=kind, page=page,
            page_end=page_end if page_end is not None else page, section=_str(p.get("section")),
            chunk_index=_int(p.get("chunk_index")), score=round(hit.score, 6),
            citation=citation(title, year, page, page_end, kind), passage=marked.text,
            snippet=marked.snippet, matched_terms=marked.terms, also_on_pages=also_on_pages or [],
            reference_list=looks_like_references(str(p.get("text") or ""), _str(p.get("section"))))
