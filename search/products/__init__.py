"""Product search for advisors: understood constraints, filtered inside the index, every hit verified.

    contract.py    SearchRequest / SearchResponse / ProductHit (the JSON contract of the CLI and HTTP)
    engine.py      ProductSearch: interpret, embed, one hybrid Qdrant query, verify, describe
    filters.py     build_filter: constraints pushed down as one Qdrant filter (exclusions are must_not)
    verify.py      verify: each hit's ingredient list re-resolved against the constraints (the last line)
    currency.py    prices in the catalog's currency, with the user's rate table
    popularity.py  ratings, reviews and sorting
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conseil.search._exports import lazy_exports

if TYPE_CHECKING:  # the real classes for type checkers; at run time they load on first use
    from conseil.search.products.contract import ProductHit, SearchRequest, SearchResponse  # noqa: F401
    from conseil.search.products.engine import ProductSearch  # noqa: F401
    from conseil.search.products.filters import build_filter  # noqa: F401
    from conseil.search.products.verify import Verdict, verify  # noqa: F401

__all__, __getattr__ = lazy_exports(__name__, {
    "contract": ("ProductHit", "SearchRequest", "SearchResponse"),
    "engine": ("ProductSearch",),
    "filters": ("build_filter",),
    "verify": ("Verdict", "verify"),
})
