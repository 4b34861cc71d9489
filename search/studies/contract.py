"""The consumer-study search contract, shared by the Python API, the CLI's JSON and HTTP.

Evaluation scripts (`eval/studies_eval.py`) parse these fields: renaming one is a breaking change.
Request checks that need a sentence a person can act on (empty query, year range upside down) are
made by the engine and raised as `QueryError`, not by pydantic, so every edge reports them alike.
"""

from __future__ import annotations

from typing import Literal

from conseil.search.index.contract import DEFAULT_FUSION, Fusion
from conseil.search.request_text import MAX_LIST_ITEMS, Item, Text
from pydantic import BaseModel, ConfigDict, Field

MAX_STUDY_QUERY_CHARS = 500
HARD_QUERY_CHARS = 20 * MAX_STUDY_QUERY_CHARS  # beyond this, 422 before the engine's own 400
DEFAULT_AUDIENCES: tuple[str, ...] = ("analyst",)


class StudySearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is refused (422), never ignored

    query: Text = Field("", max_length=HARD_QUERY_CHARS, description="The analyst's question, in any language "
                                       f"(at most {MAX_STUDY_QUERY_CHARS} characters).")
    limit: int = Field(10, ge=1, le=50)
    offset: int = Field(0, ge=0, le=1000, description="Hits to skip (documents when grouping).")
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Fusion = Field(DEFAULT_FUSION, description="How hybrid mode fuses the dense and BM25 "
                                           "rankings (README: Choosing the fusion).")
    year_from: int | None = Field(None, ge=1900, le=2100, description="Documents without a year are excluded "
                                                                      "when a year bound is given.")
    year_to: int | None = Field(None, ge=1900, le=2100)
    market: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description='e.g. "FR", "KR", "EU", "global"')
    language: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description="ISO 639-1 codes of the documents")
    message_language: str | None = Field(None, pattern=r"^[a-z]{2}$", description=(
        "Language of the error `message` the analyst reads (`language` filters documents); default: the query's. "
        "English for a language without data."))
    study_type: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description='e.g. "peer-reviewed", "course-notes"')
    kind: list[Item] = Field(default_factory=list, max_length=MAX_LIST_ITEMS, description='"pdf", "text" or "survey"')
    audiences: list[Item] = Field(max_length=MAX_LIST_ITEMS, default_factory=lambda: list(DEFAULT_AUDIENCES),
                                 description="Audiences the caller belongs to (set from the caller's role); "
                                             "only documents meant for one of them are searched.")
    group_by_document: bool = Field(False, description="Best passage per document, then further documents.")


class StudyHit(BaseModel):
    doc_id: str
    path: str
    title: str
    year: int | None
    market: str | None
    language: str | None
    study_type: str | None
    kind: str | None
    page: int | None = Field(description="First page of the passage (1-based).")
    page_end: int | None = Field(description="Last page of the passage (= page for a one-page passage).")
    section: str | None
    chunk_index: int | None
    score: float
    citation: str = Field(description='"Title (Year), p. N" or "Title (Year), pp. N–M"')
    passage: str = Field(description="The passage, with the matched query words marked **like this**.")
    snippet: str = Field(description="The part of the passage densest in matched words, marked the same way.")
    matched_terms: list[str] = Field(description="The passage's words that matched the query, each distinct "
                                                 "form as written.")
    also_on_pages: list[int] = Field(default_factory=list,
                                     description="Grouped: other pages of this document that also matched.")
    reference_list: bool = Field(False, description="The passage is part of a reference list or bibliography "
                                                    "(ranked after the other passages).")


class StudySearchResponse(BaseModel):
    query: str
    mode: str
    hits: list[StudyHit]
    total: int = Field(description="Passages satisfying the filters (before ranking).")
    total_documents: int = Field(description="Documents satisfying the filters.")
    matching: int | None = Field(None, description="Passages containing a word of the query, within the filters "
                                                   "(at most MATCH_CAP counted; None when the query has no word to match).")
    matching_documents: int | None = Field(None, description="Documents with such a passage.")
    matching_capped: bool = Field(False, description="True when `matching` stopped at the cap.")
    grouped: bool
    limit: int
    offset: int
    took_ms: float
    filters: dict[str, list[str] | int | None] = Field(default_factory=dict, description="Filters applied.")
