"""Answers with citations: route the question, retrieve with the search engines, synthesize.

    service = AskService(kb, products=get_products, studies=get_studies, embedder=embedder)
    response = service.ask(AskRequest(question="a cream without parabens for dry skin"),
                           allowed=frozenset({"products", "ingredients"}), audiences=())

Retrieval reuses the engines as they are: a product answer comes from `ProductSearch.search`, so it
can only cite products that passed the same parsed exclusions and the ingredient-list verification;
a study answer from `StudySearch.search` with the caller's audiences; an ingredient answer from the
knowledge base. A domain the role may not use is never searched. `prepare` does the index reads (the
server holds its read lock around it only); `complete` and `stream` synthesize. An LLM failure
raises LLMError, or with `fallback` gives the extractive answer and says why in `fallback`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conseil.search.answers.contract import AskEvent, AskRequest, AskResponse, Citation, Domain
from conseil.search.answers.domain_router import IngredientSubject, Router, Routing, question_language
from conseil.search.answers.llm import CITATION, check_answer
from conseil.search.answers.synthesis import (
    NOT_IN_SOURCES,
    ExtractiveSynthesizer,
    Question,
    Source,
    Synthesizer,
    template,
)
from conseil.search.embedder import Embedder
from conseil.search.errors import ConseilError, IndexMissingError, LLMError, QueryError
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.cards import regulatory_summary
from conseil.search.products.contract import SearchRequest
from conseil.search.query import Interpretation, parse_query
from conseil.search.query.messages import client_message, family_without, message
from conseil.search.studies.contract import StudySearchRequest

if TYPE_CHECKING:
    from conseil.search.products.engine import ProductSearch
    from conseil.search.settings import Settings
    from conseil.search.studies.engine import StudySearch

log = logging.getLogger("conseil.search")
MAX_SUBJECTS = 3


@dataclass(frozen=True)
class Prepared:
    """A routed question and its numbered sources, ready to synthesize."""

    question: Question
    routing: Routing
    sources: tuple[Source, ...]
    synthesizer: Synthesizer
    began: float
    # source n -> (file path, first page, last page): evaluation matches cited pages to judged ones
    study_spans: dict[int, tuple[str, int | None, int | None]]


class AskService:
    def __init__(self, kb: IngredientKnowledge, *, products: Callable[[], ProductSearch],
                 studies: Callable[[], StudySearch], embedder: Embedder | None = None,
                 llm: Synthesizer | None = None, fallback: bool = False) -> None:
        """`products`/`studies` return the engine or raise IndexMissingError (the server's engines
        appear after an ingestion job, so they are looked up per question)."""
        self.kb = kb
        self.products = products
        self.studies = studies
        self.router = Router(kb, embedder, classifier=getattr(llm, "classify", None))
        self.extractive = ExtractiveSynthesizer(embedder)
        self.llm = llm
        self.fallback = fallback

    @classmethod
    def from_settings(cls, settings: Settings, kb: IngredientKnowledge, *, products: Callable[[], ProductSearch],
                      studies: Callable[[], StudySearch], embedder: Embedder | None) -> AskService:
        from conseil.search.answers.llm import build_llm_synthesizer

        return cls(kb, products=products, studies=studies, embedder=embedder,
                   llm=build_llm_synthesizer(settings), fallback=settings.llm_fallback)

    # -- retrieval --------------------------------------------------------------------------------

    def prepare(self, req: AskRequest, *, allowed: Collection[str], audiences: Sequence[str],
                lock: Callable[[], AbstractContextManager[object]] = nullcontext) -> Prepared:
        """Route, then retrieve; `lock` is held around the index reads only (not around an LLM router
        call, which may take up to the LLM timeout)."""
        began = time.perf_counter()
        text = req.question.strip()
        if not text:
            raise QueryError("The question is empty: type what you want to know.", key="error_question_empty",
                             language=req.language)
        with lock():
            interp = self._interpret(text)
        use_llm = self.llm is not None and req.synthesizer == "auto"
        routing = self.router.route(text, interp, allowed=allowed, forced=req.domains, use_llm=use_llm)
        # The answer's language: the request's (the advisor reads the client's question in hers), else
        # the question's. Retrieval uses the question's text whatever the answer's language.
        question = Question(text, req.language or question_language(text) or (interp.language if interp else "en"))
        sources: list[Source] = []
        study_spans: dict[int, tuple[str, int | None, int | None]] = {}
        reasons: list[str] = []
        for domain in routing.route.domains:
            try:
                with lock():
                    sources += self._retrieve(domain, question, req.limit, routing.subjects, audiences,
                                              len(sources) + 1, study_spans)
            except IndexMissingError:
                if len(routing.route.domains) == 1:
                    raise
                reasons.append(f"{domain}: no index yet")
        if reasons:
            routing = Routing(routing.route.model_copy(
                update={"reason": routing.route.reason + "; " + "; ".join(reasons)}), routing.subjects)
        synthesizer: Synthesizer = self.llm if self.llm is not None and use_llm else self.extractive
        return Prepared(question, routing, tuple(sources), synthesizer, began, study_spans)

    def _interpret(self, text: str) -> Interpretation | None:
        try:
            engine = self.products()
        except IndexMissingError:
            return parse_query(text, self.kb)
        return engine.interpret(SearchRequest.model_validate({"query": text}))

    def _retrieve(self, domain: Domain, question: Question, limit: int, subjects: Sequence[IngredientSubject],
                  audiences: Sequence[str], first: int,
                  study_spans: dict[int, tuple[str, int | None, int | None]]) -> list[Source]:
        out: list[Source] = []
        if domain == "products":
            found = self.products().search(SearchRequest.model_validate(  # why lines in the answer's language
                {"query": question.text, "limit": limit, "facets": False, "language": question.language}))
            for hit in found.hits:
                title = f"{hit.brand} {hit.name}" if hit.brand else hit.name
                price = f" ({hit.price:g} {hit.currency or ''})".replace(" )", ")") if hit.price is not None else ""
                why = "; ".join(w.text for w in hit.why)
                out.append(Source(first + len(out), "product", hit.id, title, f"{title} ({hit.id})",
                                  f"{title}{price}" + (f": {why}" if why else "")))
        elif domain == "studies":
            if not audiences:  # a role without study audiences: the engine is not even called
                return out
            passages = self.studies().search(StudySearchRequest.model_validate(
                {"query": question.text, "limit": limit, "audiences": list(audiences)}))
            for passage in passages.hits:
                year = f" ({passage.year})" if passage.year else ""
                study_spans[first + len(out)] = (passage.path, passage.page, passage.page_end)
                out.append(Source(first + len(out), "study", f"{passage.doc_id}#{passage.page or 1}",
                                  passage.title + year, passage.citation, passage.passage.replace("**", ""),
                                  page=passage.page))
        else:
            for subject in subjects[:MAX_SUBJECTS]:
                source = self._ingredient_source(subject, question.language, first + len(out))
                if source is not None:
                    out.append(source)
        return out

    def _ingredient_source(self, subject: IngredientSubject, language: str, n: int) -> Source | None:
        family_id = self.router.family_id(subject.name)
        if family_id is not None and self.kb.resolve(subject.name) is None:
            family = self.kb.family(family_id)
            name = (family.names.get(language) or family.names["en"])[0]
            members = sorted(self.kb.members(family_id))
            # The description is English prose (the knowledge base's); another language reads the count
            # and examples from messages.json, and the description stays in the citation's text.
            described = (f"{name}: {family.description}",) if language == "en" else ()
            card_facts = (*described, message(language, "family_members", count=len(members),
                                              examples=", ".join(members[:5])) + ".")
            return Source(n, "ingredient", family_id, name, f"Family: {name}",
                          " ".join((f"{name}: {family.description}", *card_facts[len(described):])), facts=card_facts)
        card = self.kb.describe(subject.name)
        if not card["known"] and not card["families"]:
            return None
        name = card["canonical"] or subject.name
        fam_names = [self._family_name(f, language) for f in card["families"]]
        facts: list[str] = []
        if subject.family is not None:
            # after "rodziny"/"skupiny" the genitive: "należy do rodziny parabenów", "patří do skupiny parabenů"
            asked = (self._family_name(subject.family, language) if language == "en"
                     else family_without(self.kb, subject.family, language))
            key = "in_family" if subject.family in card["families"] else "not_in_family"
            yes = template(language, "yes" if key == "in_family" else "no")
            facts.append(f"{yes}: {template(language, key, name=name, family=asked)}")
        families = f"{template(language, 'families')}: {', '.join(fam_names)}" if fam_names else ""
        facts.append(f"{name} (INCI)" + (f" — {families}" if families else "") +
                     (f"; CAS {', '.join(card['cas'])}" if card["cas"] else "") + ".")
        # EU notes are the regulation's English text: another language reads their short form.
        notes = [note if language == "en" else regulatory_summary(note, language) for note in card["regulatory"][:2]]
        facts += [f"{note}." if not note.endswith(".") else note for note in notes]
        return Source(n, "ingredient", name, name, f"INCI: {name}", " ".join(facts), facts=tuple(facts))

    def _family_name(self, family_id: str, language: str) -> str:
        names = self.kb.family(family_id).names
        return (names.get(language) or names["en"])[0]

    # -- synthesis --------------------------------------------------------------------------------

    def ask(self, req: AskRequest, *, allowed: Collection[str], audiences: Sequence[str]) -> AskResponse:
        return self.complete(self.prepare(req, allowed=allowed, audiences=audiences))

    def complete(self, prep: Prepared) -> AskResponse:
        if not prep.routing.route.domains:
            return self._response(prep, "", self.extractive.name, None)
        synth = prep.synthesizer
        if not prep.sources:
            return self._response(prep, NOT_IN_SOURCES, synth.name, None)
        try:
            text = "".join(synth.answer(prep.question, prep.sources))
            if synth is not self.extractive:
                check_answer(text, len(prep.sources))
        except LLMError as exc:
            return self._fall_back(prep, exc)
        return self._response(prep, text, synth.name, None)

    def stream(self, prep: Prepared) -> Iterator[AskEvent]:
        """route, delta..., done (or error). After a fallback, `done` carries the extractive answer,
        which replaces the deltas already shown."""
        yield AskEvent(event="route", data=prep.routing.route.model_dump())
        synth = prep.synthesizer
        if not prep.routing.route.domains or not prep.sources or synth is self.extractive:
            response = self.complete(prep)
            yield AskEvent(event="delta", data={"text": response.answer})
            yield AskEvent(event="done", data=response.model_dump())
            return
        text, held = "", True  # hold the first characters back while they could spell NOT_IN_SOURCES
        try:
            for piece in synth.answer(prep.question, prep.sources):
                text += piece
                if held and NOT_IN_SOURCES.startswith(text.strip()):
                    continue
                yield AskEvent(event="delta", data={"text": text if held else piece})
                held = False
            check_answer(text, len(prep.sources))
            response = self._response(prep, text, synth.name, None)
            if held:  # never streamed: the localized "not in the sources" sentence
                yield AskEvent(event="delta", data={"text": response.answer})
        except LLMError as exc:
            try:
                response = self._fall_back(prep, exc)
            except LLMError:  # `detail` English (advisor, logs), `message` in the answer's language
                yield AskEvent(event="error", data={"error": exc.error_code, "detail": str(exc),
                                                    **client_message(exc.key, exc.language, **exc.values)})
                return
        except ConseilError as exc:
            yield AskEvent(event="error", data={"error": "server_error", "detail": str(exc),
                                                **client_message("error_answer", prep.question.language)})
            return
        yield AskEvent(event="done", data=response.model_dump())

    def _fall_back(self, prep: Prepared, exc: LLMError) -> AskResponse:
        if not self.fallback:
            exc.language = prep.question.language  # the edges say so in the answer's language
            raise exc
        log.warning("%s Falling back to the extractive answer.", exc)
        text = "".join(self.extractive.answer(prep.question, prep.sources))
        return self._response(prep, text, self.extractive.name, str(exc))

    def _response(self, prep: Prepared, text: str, synth_name: str, fallback: str | None) -> AskResponse:
        route, language = prep.routing.route, prep.question.language
        answered = bool(route.domains) and text.strip() != NOT_IN_SOURCES
        if not route.domains:
            answer = template(language, "refused", domains=", ".join(route.refused)) if route.refused \
                else template(language, "none")
        elif not answered:
            answer = template(language, "none")
        else:
            answer = text.strip()
        cited = {int(n) for n in CITATION.findall(answer)} if answered else set()
        citations = [Citation(n=s.n, kind=s.kind, id=s.id, title=s.title, page=s.page, locator=s.locator,
                              text=s.text, cited=s.n in cited) for s in prep.sources]
        key = json.dumps([prep.question.text, synth_name, [s.id for s in prep.sources]], ensure_ascii=False)
        return AskResponse(
            answer_id=hashlib.sha256(key.encode()).hexdigest()[:16], question=prep.question.text,
            language=language, route=route, answer=answer, citations=citations, answered=answered,
            synthesizer=synth_name, fallback=fallback,
            took_ms=round((time.perf_counter() - prep.began) * 1000, 2))
