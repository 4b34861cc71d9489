"""Which knowledge domains a question is for: products, studies, ingredient knowledge, or several.

Offline: rules first (ingredient-question patterns in every language, study cue words, the
product constraints and product words the query parser finds); when the rules are not decisive,
the LLM router if an LLM is configured, else (or when it fails) embedding similarity to a few
example questions per domain (embedded once per router). The caller's
role then removes the domains it may not use; they are listed as `refused`, never searched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from conseil.search.answers.contract import Domain, Route
from conseil.search.embedder import Embedder
from conseil.search.errors import LLMError
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import fold
from conseil.search.query import Interpretation
from conseil.search.query.language_data import by_language, words
from conseil.search.query.tokens import tokenize
from conseil.search.query.vocabulary import PRODUCT_MATCHER

DOMAINS: tuple[Domain, ...] = ("products", "studies", "ingredients")
STRONG = 2
Method = Literal["rules", "embedding", "llm", "forced"]
EMBED_MARGIN = 0.03  # a second domain this close to the best one is searched too

# Question words of every language (`corpora/language/questions.json`), all on the folded question.
_QUESTIONS = "questions.json"
# "what is X", "is X a <family>" and their equivalents; the first pattern that matches decides.
_D = r"(?:(?:" + "|".join(w for ws in by_language(_QUESTIONS, "determiners").values() for w in ws) + r")\s*)?"
INGREDIENT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p.replace("{D}", _D)) for ps in by_language(_QUESTIONS, "ingredient_questions").values() for p in ps)
_STUDY_CUES = tuple(sorted(words(_QUESTIONS, "study_cues")))
# How a question opens when it asks for knowledge rather than for a product (folded, cleaned text).
_INTERROGATIVE = re.compile(
    r"^(" + "|".join(by_language(_QUESTIONS, "interrogatives").values()) + r")\b"
    + "".join("|" + p for p in by_language(_QUESTIONS, "interrogative_suffix").values()))
# Words that name a study by themselves (prefixes of folded words).
_STRONG_STUDY_CUES = tuple(sorted(words(_QUESTIONS, "strong_study_cues")))
_WEAK_CHIPS = frozenset({"skin_type", "concern"})
# Asking for something to use or buy (the word "product" alone is not: "how is a product classified?").
_PRODUCT_INTENT = words(_QUESTIONS, "product_intent")
_QUESTION_MARKS = re.compile(r"[?¿!.¡;\u037e]+")  # ";" and U+037E: the Greek question mark
_SPACE = re.compile(r"\s+")

ROUTE_EXAMPLES: dict[Domain, tuple[str, ...]] = {
    "products": ("a moisturizer without parabens for dry skin", "which shampoo do you recommend for curly hair",
                 "serum with niacinamide under 30 dollars", "fragrance-free sunscreen for sensitive skin",
                 "crème hydratante sans silicones pour peau sèche", "a gentle cleanser for acne-prone skin"),
    "studies": ("what do consumers think about clean beauty", "survey results on sunscreen use in Korea",
                "does makeup change how attractive or healthy a face looks", "market trends for skincare in 2023",
                "what percentage of respondents buy organic cosmetics", "labelling rules for cosmetics in the EU",
                "how is the safety of a cosmetic ingredient assessed", "do people judge faces by skin colour",
                "quelles obligations réglementaires pour un produit cosmétique"),
    "ingredients": ("what is methylparaben", "is phenoxyethanol a paraben", "what does niacinamide do",
                    "which family does dimethicone belong to", "is sodium laureth sulfate a sulfate",
                    "what are formaldehyde releasers"),
}


@dataclass(frozen=True)
class IngredientSubject:
    """What an ingredient question asks about: a name as written and, for "is X a Y", the family Y."""

    name: str
    family: str | None = None  # family id


@dataclass(frozen=True)
class Routing:
    route: Route
    subjects: tuple[IngredientSubject, ...]


# Question words that tell the language where the query parser, tuned to product queries, cannot.
_QUESTION_LANGUAGE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (lang, re.compile(p)) for lang, p in by_language(_QUESTIONS, "question_language").items())


def question_language(question: str) -> str | None:
    """The language of a question's interrogative words, if they tell one (else None)."""
    text = fold(question.replace("’", "'"))
    for lang, pattern in _QUESTION_LANGUAGE:
        if pattern.search(text):
            return lang
    return None


def _clean(question: str) -> str:
    text = fold(question.replace("’", "'").replace("`", "'"))
    return _SPACE.sub(" ", _QUESTION_MARKS.sub(" ", text)).strip()


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class Router:
    def __init__(self, kb: IngredientKnowledge, embedder: Embedder | None = None,
                 classifier: Callable[[str], Sequence[str]] | None = None) -> None:
        """`classifier`: the LLM router (an LLM's domain names for a question), used only when the rules
        are not decisive; its failure or an unusable reply falls back to embedding similarity."""
        self.kb = kb
        self.embedder = embedder
        self.classifier = classifier
        self._examples: dict[Domain, list[list[float]]] | None = None  # embedded on first need

    # -- ingredient subjects ----------------------------------------------------------------------

    def family_id(self, name: str) -> str | None:
        """A family named in any of the seven languages ("parabens", "parabène", "a paraben")."""
        index = self.kb.family_name_index()
        key = fold(name).strip()
        for candidate in (key, key.rstrip("s"), key + "s", key.removesuffix("es")):
            if candidate in index:
                return index[candidate]
        return None

    def _known(self, name: str) -> bool:
        return bool(self.kb.resolve(name) is not None or self.family_id(name) or self.kb.families_of_name(name))

    def subjects(self, question: str) -> tuple[IngredientSubject, ...]:
        """Ingredients or families the question asks about, from the patterns, else named in it."""
        text = _clean(question)
        for pattern in INGREDIENT_PATTERNS:
            m = pattern.match(text)
            if m is None:
                continue
            name = m.group("x").strip()
            family = self.family_id(m.groupdict().get("f") or "") if m.groupdict().get("f") else None
            if self._known(name) and (family is not None or "f" not in m.groupdict() or not m.group("f")):
                return (IngredientSubject(name, family),)
        named = [IngredientSubject(ing.canonical) for ing in self.kb.scan(question)]
        words = text.split()
        named += [IngredientSubject(" ".join(words[i:i + n])) for n in (2, 1) for i in range(len(words) - n + 1)
                  if self.family_id(" ".join(words[i:i + n])) and len(" ".join(words[i:i + n])) > 3]
        unique: dict[str, IngredientSubject] = {}
        for subject in named:
            unique.setdefault(fold(subject.name), subject)
        return tuple(unique.values())

    def _pattern_subject(self, question: str) -> bool:
        text = _clean(question)
        for pattern in INGREDIENT_PATTERNS:
            m = pattern.match(text)
            if m is not None and self._known(m.group("x").strip()):
                f = m.groupdict().get("f")
                if not f or self.family_id(f):
                    return True
        return False

    # -- routing ------------------------------------------------------------------------------------

    def route(self, question: str, interpretation: Interpretation | None, *, allowed: Collection[str],
              forced: Sequence[Domain] = (), use_llm: bool = True) -> Routing:
        subjects = self.subjects(question)
        method: Method
        if forced:
            domains: list[Domain] = list(dict.fromkeys(forced))
            reason, method = "domains chosen by the caller", "forced"
        else:
            domains, reason, method = self._decide(question, interpretation, subjects, use_llm)
        refused = [d for d in domains if d not in allowed]
        kept = [d for d in domains if d in allowed]
        if refused:
            reason += f"; not searched for this role: {', '.join(refused)}"
        return Routing(Route(domains=kept, reason=reason, method=method, refused=refused), subjects)

    def _decide(self, question: str, interp: Interpretation | None,
                subjects: Sequence[IngredientSubject], use_llm: bool = True) -> tuple[list[Domain], str, Method]:
        text = _clean(question)
        words = text.split()
        scores: dict[Domain, int] = dict.fromkeys(DOMAINS, 0)
        why: dict[Domain, list[str]] = {d: [] for d in DOMAINS}
        if self._pattern_subject(question):
            scores["ingredients"] += STRONG
            why["ingredients"].append(f"asks what {subjects[0].name!r} is" if subjects else "an ingredient question")
        chips = [c for c in (interp.chips if interp else ()) if c.kind != "category"]
        if chips:  # a skin type or concern alone may as well be a study topic
            scores["products"] += STRONG if any(c.kind not in _WEAK_CHIPS for c in chips) else 1
            why["products"].append("product constraints: " + ", ".join(sorted({c.value for c in chips})))
        product_words = [m.value for m in PRODUCT_MATCHER.find_all([t.text for t in tokenize(question)])]
        intent = [w for w in words if w in _PRODUCT_INTENT]
        if product_words or intent:
            scores["products"] += 1 + (1 if product_words and intent else 0)
            why["products"].append("product words" + (f" ({', '.join(intent)})" if intent else ""))
        cues = [w for w in words if any(w.startswith(c) if len(c) >= 5 else w == c for c in _STUDY_CUES)]
        if re.search(r"\b(19[5-9]\d|20[0-4]\d)\b", text) or "%" in question:
            cues.append("a year or percentage")
        if not intent and scores["products"] < STRONG and (_INTERROGATIVE.search(text) and "?" in question):
            cues.append("asks for knowledge, not for a product")
        if cues:
            strength = sum(STRONG if any(w.startswith(c) for c in _STRONG_STUDY_CUES) else 1 for w in cues)
            scores["studies"] += min(STRONG, strength)
            why["studies"].append("study cues: " + ", ".join(dict.fromkeys(cues)))
        if subjects and not scores["ingredients"] and not scores["products"]:
            scores["ingredients"] += 1
            why["ingredients"].append("names " + ", ".join(s.name for s in subjects[:3]))
        strong = [d for d in DOMAINS if scores[d] >= STRONG]
        ranked = sorted((d for d in DOMAINS if scores[d] > 0), key=lambda d: -scores[d])
        if strong or len(ranked) == 1:
            chosen = strong or ranked  # a strong cue decides over weaker ones
            return chosen, "; ".join(f"{d}: {', '.join(why[d])}" for d in chosen), "rules"
        note = ""
        if self.classifier is not None and use_llm:
            try:
                reply = set(self.classifier(question))
                named = [d for d in DOMAINS if d in reply]
            except LLMError as exc:
                named, note = [], f"LLM router failed ({exc}); "
            if named:
                return named, "the LLM router chose " + ", ".join(named), "llm"
            note = note or "LLM router reply unusable; "
        domains, reason, method = self._by_embedding(question, ranked)
        return domains, note + reason, method

    def _by_embedding(self, question: str, hinted: Sequence[Domain]) -> tuple[list[Domain], str, Method]:
        if self.embedder is None:
            chosen = list(hinted) or ["products"]
            return chosen, "no decisive cue" + ("; weak cues kept" if hinted else "; products by default"), "rules"
        if self._examples is None:
            self._examples = {d: self.embedder.embed_documents(list(ex)) for d, ex in ROUTE_EXAMPLES.items()}
        q = self.embedder.embed_query(question)
        sims = {d: max(_cosine(q, v) for v in vectors) for d, vectors in self._examples.items()}
        best = max(DOMAINS, key=lambda d: sims[d])
        chosen = [d for d in DOMAINS if sims[d] >= sims[best] - EMBED_MARGIN]
        chosen.sort(key=lambda d: -sims[d])
        detail = ", ".join(f"{d} {sims[d]:.2f}" for d in sorted(DOMAINS, key=lambda d: -sims[d]))
        return chosen, f"closest example questions: {detail}", "embedding"
