"""`POST /v1/feedback`: a 👍/👎 on a product result, a study passage or an answer, stored durably.

Any authenticated role may send feedback; the role and key name stored are the caller's, never the
body's. An advisor may not send feedback on a study target (403): accepting it would let the
answer (201 vs 422 on a malformed id) tell study ids apart, and studies never reach an advisor.
"""

from __future__ import annotations

import re
from typing import Annotated

from conseil.search.feedback import (
    MAX_COMMENT_CHARS,
    MAX_TARGET_CHARS,
    FeedbackKind,
    new_record,
)
from conseil.search.query import MAX_QUERY_CHARS
from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from .auth import Permission, Principal, current_principal
from .http_errors import error_docs, require_json
from .runtime import Runtime, runtime_of

router = APIRouter(prefix="/v1", tags=["feedback"])

_STUDY_TARGET = re.compile(r"^[^#\s][^#\t\r\n]*(#\d+)?$")  # doc_id#page, or doc_id for a text without pages
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind = Field(
        description='"search" (a product result), "study" (a study passage) or "answer".')
    query: str = Field(..., min_length=1, max_length=MAX_QUERY_CHARS,
                       description="The query or question the judged item answered.")
    target_id: str = Field(..., min_length=1, max_length=MAX_TARGET_CHARS,
                           description="Product id, study `doc_id#page` (`doc_id` for a text without "
                                       "pages), or the answer's `answer_id`.")
    helpful: bool
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS,
                                description="Optional, at most 1,000 characters.")
    language: str | None = Field(None, max_length=12, description='The page or query language, e.g. "fr".')
    rank: int | None = Field(None, ge=1, le=1000,
                             description="1-based position of the result when it was judged.")

    @field_validator("query", "target_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        if any(c in value for c in "\t\r\n"):
            raise ValueError("must not contain tabs or line breaks")
        return value

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.match(value):
            raise ValueError('must be a language code such as "en" or "pt-BR"')
        return value


class FeedbackStored(BaseModel):
    id: str = Field(description="The stored record's id.")
    stored: bool = True


@router.post("/feedback", status_code=status.HTTP_201_CREATED, response_model=FeedbackStored,
             responses=error_docs(401, 403, 413, 415, 422))
async def post_feedback(
    body: FeedbackRequest,
    principal: Annotated[Principal, Depends(current_principal)],
    _json: Annotated[None, Depends(require_json)],
    runtime: Annotated[Runtime, Depends(runtime_of)],
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", pattern=r"^[A-Za-z0-9._:-]{1,100}$",
        description="Optional: a retry with the same key stores nothing and answers the first vote's id.")] = None,
) -> FeedbackStored:
    """Store one vote. The role and key name recorded are the API key's (a `role` in the body is refused)."""
    if body.kind == "study" and Permission.STUDIES not in principal.permissions:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"The {principal.role.value} role may not send feedback on studies.")
    # Checked after the role, so that an advisor learns nothing about study ids from a 422.
    if body.kind == "study" and not _STUDY_TARGET.match(body.target_id):
        raise HTTPException(422,
                            'Invalid request: target_id: a study target is the passage\'s "doc_id#page" '
                            '(or its doc_id alone when it has no page), e.g. "3f9a…#3".')
    record = new_record(role=principal.role.value, key_name=principal.name, kind=body.kind, query=body.query,
                        target_id=body.target_id, helpful=body.helpful, comment=body.comment,
                        language=body.language, rank=body.rank, idempotency_key=idempotency_key)
    stored = await run_in_threadpool(runtime.feedback.append, record)  # fsync: off the event loop
    return FeedbackStored(id=stored.id)
