"""Feedback on results and answers, stored durably as JSON lines under the data directory.

    <data_dir>/feedback/feedback.jsonl     one FeedbackRecord per line, appended, fsynced

The file is append-only: a vote is never rewritten, so what the evaluation reads is what people said.
One server process owns a data directory (see `search.lock`); inside it, one lock serialises writers,
and each record is written with a single `write` of one whole line, then flushed and fsynced before
the HTTP answer says it is stored. A crash can leave at most a partial last line: reading skips it
with a warning, and the next append starts on a fresh line so earlier records are never touched.

A client may send an idempotency key with a vote: a retry with the same key (from the same API key)
after a lost answer stores nothing and gets the first vote's id, also after a server restart (the
keys are read back from the file on the first keyed vote).
Here, not in `api/`, because the evaluation (`conseil eval feedback`) reads the same file.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from conseil.search.errors import FeedbackError
from conseil.search.query.model import MAX_QUERY_CHARS
from pydantic import BaseModel, Field, ValidationError

log = logging.getLogger("conseil.feedback")

FEEDBACK_DIR = "feedback"
FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 1_000
MAX_TARGET_CHARS = 300
MAX_IDEMPOTENCY_CHARS = 100

FeedbackKind = Literal["search", "answer", "study"]


class FeedbackRecord(BaseModel):
    """One vote, as stored. `role` and `key_name` come from the caller's API key, never the body."""

    id: str
    timestamp: str = Field(description="UTC, ISO 8601.")
    role: str
    key_name: str
    kind: FeedbackKind
    query: str = Field(max_length=MAX_QUERY_CHARS)
    target_id: str = Field(max_length=MAX_TARGET_CHARS,
                           description="Product id (search), study `doc_id#page` (study), answer_id (answer).")
    helpful: bool
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    language: str | None = None
    rank: int | None = Field(None, ge=1, description="1-based position of the result when it was judged.")
    idempotency_key: str | None = Field(None, max_length=MAX_IDEMPOTENCY_CHARS,
                                        description="The client's key for this vote: a retry stores nothing.")


def feedback_path(data_dir: Path) -> Path:
    return data_dir / FEEDBACK_DIR / FEEDBACK_FILE


def new_record(*, role: str, key_name: str, kind: FeedbackKind, query: str, target_id: str, helpful: bool,
               comment: str | None = None, language: str | None = None,
               rank: int | None = None, idempotency_key: str | None = None) -> FeedbackRecord:
    return FeedbackRecord(id=uuid.uuid4().hex, timestamp=datetime.now(UTC).isoformat(timespec="milliseconds"),
                          role=role, key_name=key_name, kind=kind, query=query, target_id=target_id,
                          helpful=helpful, comment=comment, language=language, rank=rank,
                          idempotency_key=idempotency_key)


class FeedbackStore:
    """Appends records to the feedback file (thread-safe within the process) and reads them back."""

    def __init__(self, data_dir: Path) -> None:
        self.path = feedback_path(data_dir)
        self._lock = threading.RLock()  # re-entered when the idempotency keys are read back
        self._keyed: dict[tuple[str, str], str] | None = None  # (key name, idempotency key) -> record id

    def append(self, record: FeedbackRecord) -> FeedbackRecord:
        """Store `record`; a record whose idempotency key was stored before is not stored again: the
        earlier record's id comes back instead."""
        line = (record.model_dump_json() + "\n").encode("utf-8")
        keyed = (record.key_name, record.idempotency_key) if record.idempotency_key else None
        with self._lock:
            if keyed is not None and self._keyed is None:
                self._keyed = {(r.key_name, r.idempotency_key or ""): r.id for r in self.iter_records()
                               if r.idempotency_key}
            if keyed is not None and self._keyed is not None and keyed in self._keyed:
                return record.model_copy(update={"id": self._keyed[keyed]})
            try:
                created = not self.path.exists()
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("ab") as handle:
                    if not created and _ends_without_newline(self.path):
                        # A crash cut the last line short: start ours on a fresh line, leave that one as it is.
                        line = b"\n" + line
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
                if created:
                    _fsync_dir(self.path.parent)  # the new file's name survives a power cut too
            except OSError as exc:
                raise FeedbackError(f"Could not store the feedback in {self.path}: {exc.strerror or exc}. "
                                    "Check that the data directory is writable and not full.") from exc
            if keyed is not None and self._keyed is not None:
                self._keyed[keyed] = record.id
        return record

    def read(self) -> list[FeedbackRecord]:
        return list(self.iter_records())

    def iter_records(self) -> Iterator[FeedbackRecord]:
        """Every readable record, oldest first. A line that is not a valid record is skipped with a
        warning naming its line number (a crash's partial last line is the expected case)."""
        if not self.path.exists():
            return
        with self._lock, self.path.open("rb") as handle:
            lines = handle.read().split(b"\n")
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                yield FeedbackRecord.model_validate_json(raw)
            except ValidationError as exc:
                last = number >= len(lines) - 1
                where = "the last line (cut short by a crash?)" if last else f"line {number}"
                log.warning("%s: skipped %s: not a complete feedback record (%s).", self.path, where,
                            exc.errors()[0].get("msg", "invalid") if exc.errors() else "invalid")


def _ends_without_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not every platform opens directories
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

