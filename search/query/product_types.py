"""Conseil's own product-type vocabulary: a hierarchy of types with names in every language.

The data is `corpora/language/product_types.json` (one entry per type, a field per language). A
type's id is what products store in their `category` payload and what query filters use, so
"toner" means the same on every catalog. Two uses:

* the query parser maps product-type words to type ids (`search/query/product_words.py`);
* ingestion maps each catalog's own category names onto types (`CategoryMatcher`): by the
  type's id or known catalog names, by its names in any language, singular or plural, British or
  American spelling, and for "A & B" names by their first part that matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from conseil.search.errors import ConfigurationError
from conseil.search.knowledge.text import fold, normalize_name
from conseil.search.query.model import LANGUAGES
from conseil.search.query.tokens import PhraseMatcher, expand_pattern, stems

DATA_PACKAGE = "conseil.corpora"
DATA_RESOURCE = "language/product_types.json"
_WORD = re.compile(r"[^\W_]+")
# Parts of a compound category name: "Face Wash & Cleansers", "Shampoo and Conditioner", "Masks/Peels".
_PARTS = re.compile(r"\s*(?:&|\+|/|,|\band\b|\bet\b|\by\b|\be\b|\bund\b|\bi\b|\ba\b)\s*")
# Words that make a category name about accessories, not products: no match on part of the name.
_NOT_PRODUCTS = frozenset({
    "tool", "tools", "brush", "brushes", "applicator", "applicators", "sponge", "sponges", "curler", "curlers",
    "dryer", "dryers", "iron", "irons", "comb", "combs", "case", "cases", "bag", "bags", "sharpener",
    "sharpeners", "accessories", "supplement", "supplements", "device", "devices"})
# British -> American word endings, tried both ways ("moisturiser" <-> "moisturizer").
_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("isers", "izers"), ("iser", "izer"), ("ising", "izing"), ("ise", "ize"), ("our", "or"))


@dataclass(frozen=True)
class ProductType:
    id: str
    parent: str | None
    query: bool  # False: not matched in queries (a root, or a word that must stay an ingredient family)
    catalog_names: tuple[str, ...]  # category names of known catalogs (Sephora's) meaning this type
    names: Mapping[str, str]  # language -> patterns in the PhraseMatcher syntax


@dataclass(frozen=True)
class ProductTypes:
    """The vocabulary, its hierarchy and the query-only block phrases."""

    types: Mapping[str, ProductType]  # id -> type, in file order
    blocks: tuple[Mapping[str, str], ...]

    def lineage(self, type_id: str) -> tuple[str, ...]:
        """The type and its ancestors, most specific first: ("night cream", "moisturiser", "skincare")."""
        chain: list[str] = []
        current: str | None = type_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.types[current].parent
        return tuple(chain)

    def depth(self, type_id: str) -> int:
        return len(self.lineage(type_id)) - 1


def parse_product_types(raw: object, where: str) -> ProductTypes:
    """Validate the JSON document; a ConfigurationError names the entry and the field at fault."""
    if not isinstance(raw, dict) or not isinstance(raw.get("types"), list):
        raise ConfigurationError(f"{where}: the top level must be an object with a 'types' list")
    types: dict[str, ProductType] = {}
    for n, entry in enumerate(raw["types"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            raise ConfigurationError(f"{where}: type #{n} has no string 'id'")
        tid = entry["id"]
        if tid != normalize_name(tid) or tid in types:
            raise ConfigurationError(f"{where}: type id {tid!r} is duplicated or not normalised ({normalize_name(tid)!r})")
        if missing := [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str)]:
            raise ConfigurationError(f"{where}: type {tid!r} has no names for language(s) {missing}")
        parent = entry.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ConfigurationError(f"{where}: type {tid!r} has a parent that is not a string or null")
        types[tid] = ProductType(
            id=tid, parent=parent, query=bool(entry.get("query", True)),
            catalog_names=tuple(normalize_name(c) for c in entry.get("catalog_names", ())),
            names=MappingProxyType({lang: entry[lang] for lang in LANGUAGES}))
    for t in types.values():
        if t.parent is not None and t.parent not in types:
            raise ConfigurationError(f"{where}: type {t.id!r} has unknown parent {t.parent!r}")
    vocabulary = ProductTypes(MappingProxyType(types), tuple(
        MappingProxyType({k: v for k, v in b.items() if k in LANGUAGES}) for b in raw.get("blocks", ())))
    for tid in types:
        if len(vocabulary.lineage(tid)) > 12:
            raise ConfigurationError(f"{where}: type {tid!r} has a parent cycle")
    return vocabulary


def load_product_types() -> ProductTypes:
    """The shipped vocabulary (read from the installed `conseil.corpora` package data)."""
    raw = resources.files(DATA_PACKAGE).joinpath(DATA_RESOURCE).read_text(encoding="utf-8")
    return parse_product_types(json.loads(raw), f"{DATA_PACKAGE}/{DATA_RESOURCE}")


def query_candidates(vocabulary: ProductTypes, type_id: str) -> tuple[str, ...]:
    """Category keys a query word for this type may filter on, best first: the type id, the known
    catalog names (so a catalog ingested before the vocabulary still filters), then the same for each
    ancestor that is itself a query type ("night cream" falls back to "moisturiser" on a catalog without
    night creams; "mascara" does not widen to all eye makeup)."""
    out: list[str] = []
    for tid in vocabulary.lineage(type_id):
        if not vocabulary.types[tid].query:
            break
        out += [tid, *vocabulary.types[tid].catalog_names]
    return tuple(dict.fromkeys(out))


def _variants(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The words as written, in the other spelling (British/American) and in the other number."""
    spelled = [words]
    swapped = tuple(_swap_spelling(w) for w in words)
    if swapped != words:
        spelled.append(swapped)
    out: list[tuple[str, ...]] = []
    for form in spelled:
        out.append(form)
        last = form[-1]
        if last.endswith("es") and len(last) > 4:
            out.append(form[:-1] + (last[:-2],))
        if last.endswith("s") and len(last) > 3:
            out.append(form[:-1] + (last[:-1],))
        else:
            out.append(form[:-1] + (last + "s",))
    return list(dict.fromkeys(out))


def _swap_spelling(word: str) -> str:
    for british, american in _SPELLINGS:
        if word.endswith(british):
            return word[: -len(british)] + american
        if word.endswith(american):
            return word[: -len(american)] + british
    return word


class CategoryMatcher:
    """Catalog category names -> product-type ids (None when nothing fits)."""

    def __init__(self, vocabulary: ProductTypes, overrides: Mapping[str, str] | None = None) -> None:
        """`overrides`: normalize_name()d category name or path -> type id (a mapping file's `values.category`)."""
        self.vocabulary = vocabulary
        self.overrides = dict(overrides or {})
        self._by_key: dict[str, str] = {}
        # The most general type first: a name shared by a type and its parent means the parent.
        ordered = sorted(vocabulary.types.values(), key=lambda t: vocabulary.depth(t.id))
        for t in ordered:
            for key in (t.id, *t.catalog_names):
                self._by_key.setdefault(key, t.id)
        self._matcher: PhraseMatcher[str] = PhraseMatcher(
            (p.strip(), t.id) for t in ordered for text in t.names.values() for p in text.split(";") if p.strip())
        # Stems of every exact phrase: "Lotions toniques" meets "lotion tonique", "Sérums" meets "serum".
        self._by_stems: dict[tuple[str, ...], str] = {}
        for t in ordered:
            for text in t.names.values():
                for pattern in text.split(";"):
                    for phrase in _phrases(pattern):
                        self._by_stems.setdefault(stems(phrase), t.id)
        self._memo: dict[tuple[str, ...], str | None] = {}

    def match_name(self, name: str) -> str | None:
        """One category name (a level of a path) -> a type id."""
        key = normalize_name(name)
        if key in self.overrides:
            return self.overrides[key]
        if key in self._by_key:
            return self._by_key[key]
        words = tuple(_WORD.findall(fold(name)))
        if not words:
            return None
        whole = self._full(words)
        if whole is not None:
            return whole
        for part in _PARTS.split(fold(name)):
            part_words = tuple(_WORD.findall(part))
            if part_words and part_words != words and (found := self._full(part_words)):
                return found
        if _NOT_PRODUCTS & set(words):
            return None  # "Tweezers & Eyebrow Tools" are not eyebrow products
        return self._partial(words)

    def match_path(self, path: Sequence[str]) -> str | None:
        """The type of the deepest level that maps ("Skincare > Cleansers > Toners" -> "toner"); a
        mapping-file entry for the whole path ("Skincare > Oil") wins over its levels."""
        key = tuple(path)
        if key not in self._memo:
            joined = normalize_name(" > ".join(path))
            found = self.overrides.get(joined) if path else None
            if found is None:
                # The deepest level naming a real type; a root ("Skincare") only when no level does,
                # then the shallowest ("Skincare > High Tech Tools > Hair Removal" is skincare).
                levels = [t for t in (self.match_name(level) for level in path) if t is not None]
                specific = [t for t in levels if self.vocabulary.types[t].parent is not None]
                found = specific[-1] if specific else (levels[0] if levels else None)
            self._memo[key] = found
        return self._memo[key]

    def types_of(self, path: Sequence[str]) -> tuple[str, ...]:
        """The path's type and its ancestors; () when no level maps."""
        found = self.match_path(path)
        return self.vocabulary.lineage(found) if found else ()

    def _full(self, words: tuple[str, ...]) -> str | None:
        for form in _variants(words):
            key = " ".join(form)
            if key in self._by_key:
                return self._by_key[key]
            m = self._matcher.match_at(form, 0)
            if m is not None and m.end == len(form):
                return m.value
        return self._by_stems.get(stems(words))

    def _partial(self, words: tuple[str, ...]) -> str | None:
        """The longest phrase of a type inside the name, the rightmost on a tie (English puts the
        head noun last: "Hydrating Face Mist")."""
        best: tuple[int, int, str] | None = None
        for i in range(len(words)):
            m = self._matcher.match_at(words, i)
            if m is not None and (best is None or (m.end - m.start, m.start) >= best[:2]):
                best = (m.end - m.start, m.start, m.value)
        return best[2] if best else None


def _phrases(pattern: str) -> list[tuple[str, ...]]:
    """Every word sequence a pattern spells with exact words (prefix slots are the matcher's job)."""
    out: list[tuple[str, ...]] = []
    for slots in expand_pattern(pattern.strip()):
        if any(slot.prefixes and not slot.exact for slot in slots):
            continue
        phrases: list[tuple[str, ...]] = [()]
        for slot in slots:
            phrases = [p + (w,) for p in phrases for w in sorted(slot.exact)][:256]
        out += phrases
    return out
