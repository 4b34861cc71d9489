"""The answer contract (`conseil ask`, `POST /v1/ask`), shared by the Python API, the CLI's JSON and HTTP.

A question is routed to one or more knowledge domains, each domain's retriever runs with the
caller's role, and a synthesizer (extractive by default, an LLM by configuration) writes a short
answer whose `[n]` markers refer to `citations[n-1]`. Streaming sends the same object in pieces:
`route`, then `delta` events with answer text, then one `done` event carrying the whole response.
"""

from __future__ import annotations

from typing import Literal

from conseil.search.request_text import Text
from pydantic import BaseModel, ConfigDict, Field

MAX_QUESTION_CHARS = 500

Domain = Literal["products", "studies", "ingredients"]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is refused (422), never ignored

    question: Text = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS,
                          description="The question, in any of the supported languages.")
    language: str | None = Field(None, pattern=r"^[a-z]{2}$",
                                 description="Language of the answer and its facts (the advisor's, say); default: "
                                             "the question's. English for a language without data.")
    domains: list[Domain] = Field(default_factory=list,
                                  description="Force these domains instead of routing (still limited by role).")
    limit: int = Field(5, ge=1, le=20, description="Sources retrieved per domain.")
    synthesizer: Literal["auto", "extractive"] = Field(
        "auto", description='"auto": the configured LLM when there is one, else extractive.')


class Route(BaseModel):
    domains: list[Domain]
    reason: str = Field(description="Why these domains, in words a person can check.")
    method: Literal["rules", "embedding", "llm", "forced"]
    refused: list[Domain] = Field(default_factory=list,
                                  description="Domains the question pointed at that the caller's role may not use.")


class Citation(BaseModel):
    n: int = Field(description="The number used in the answer's [n] markers (1-based).")
    kind: Literal["product", "study", "ingredient"]
    id: str = Field(description="Product id, study doc_id#page, or canonical ingredient name.")
    title: str = Field(description="Product brand and name, study title (year), or ingredient name.")
    page: int | None = None
    locator: str = Field(description='Human citation: "Brand Name (id)", "Title (Year), p. N", "INCI name".')
    text: str = Field(description="The retrieved text the citation stands for.")
    cited: bool = Field(True, description="Whether the answer's text cites it (every retrieved source is "
                                          "listed, so that [n] is always citations[n-1]).")


class AskResponse(BaseModel):
    answer_id: str = Field(description="Stable id of this answer, for feedback.")
    question: str
    language: str
    route: Route
    answer: str = Field(description="Short answer with [n] citation markers.")
    citations: list[Citation]
    answered: bool = Field(description="False when the retrieved context does not hold an answer.")
    synthesizer: str = Field(description='"extractive" or "provider:model".')
    fallback: str | None = Field(None, description="Why the extractive answer replaced the LLM's, if it did.")
    took_ms: float


class AskEvent(BaseModel):
    """One server-sent event of a streamed answer."""

    event: Literal["route", "delta", "done", "error"]
    data: dict[str, object]
