"""Study search for analysts: passages of consumer studies with document and page citations.

    contract.py   StudySearchRequest / StudyHit / StudySearchResponse (the JSON contract)
    engine.py     StudySearch: hybrid retrieval, year/market/language/audience filters, grouping, highlights
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conseil.search._exports import lazy_exports

if TYPE_CHECKING:  # the real classes for type checkers; at run time they load on first use
    from conseil.search.studies.contract import StudyHit, StudySearchRequest, StudySearchResponse  # noqa: F401
    from conseil.search.studies.engine import StudySearch, build_study_filter, citation  # noqa: F401

__all__, __getattr__ = lazy_exports(__name__, {
    "contract": ("StudyHit", "StudySearchRequest", "StudySearchResponse"),
    "engine": ("StudySearch", "build_study_filter", "citation"),
})
