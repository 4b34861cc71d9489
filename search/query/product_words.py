"""Product-type words in seven languages, mapped to category keys: Conseil's product-type ids first.

The words and the hierarchy are data (`corpora/language/product_types.json`, read by
`search/query/product_types.py`). Each entry lists candidate category keys (as the engine stores
them: a type id, or `normalize_name` of a level of a catalog's category path, e.g. "face serums") in
order of preference; the parser emits the first one the catalog vocabulary has, or nothing. Catalogs
ingested with the vocabulary store type ids, so the type id comes first and means the same on every
catalog. An entry with no candidates only stops a shorter, wrong match ("hair serum" is not a face
serum). Patterns use the `search/query/tokens.PhraseMatcher` syntax.
"""

from __future__ import annotations

from conseil.search.query.product_types import ProductTypes, load_product_types, query_candidates


def query_table(vocabulary: ProductTypes) -> tuple[tuple[tuple[str, ...], dict[str, str]], ...]:
    """(candidate category keys, language -> patterns) for every query type, then the blocks."""
    table = [(query_candidates(vocabulary, t.id), dict(t.names)) for t in vocabulary.types.values() if t.query]
    table += [((), dict(block)) for block in vocabulary.blocks]
    return tuple(table)


PRODUCT_TYPES: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = query_table(load_product_types())

# Catalog category names too generic to match by themselves in a query ("hair", "face", "men"):
# "fragrance" in particular must stay an ingredient family word.
GENERIC_CATEGORIES: frozenset[str] = frozenset({
    "skincare", "makeup", "hair", "fragrance", "bath & body", "mini size", "men", "women", "tools & brushes",
    "gifts", "face", "eye", "lip", "cheek", "nail", "treatments", "value & gift sets", "anti-aging",
    "color care", "damaged hair", "hair thinning & hair loss", "for body", "for face", "other needs",
    "shop by concern", "wellness", "accessories", "tools", "high tech tools", "beauty tools", "hair tools",
    "skincare sets", "body products", "shaving", "intimate care", "beauty supplements", "sunscreen",
})
