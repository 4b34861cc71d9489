"""Every error Conseil raises on purpose, in one hierarchy; each class carries how the edges answer it.

    class                             HTTP  exit  where it lives, what it means
    ConseilError                      500   2     base: a message a person can act on
    ├── ConfigurationError            500   2     a setting is wrong or missing (model, URL, data directory)
    ├── VectorIndexError              503   2     the index cannot be used as asked
    │   ├── IndexMissingError         503   2     no index yet: says which command builds it
    │   ├── IndexLockedError          503   3     another process holds the embedded index (names its pid)
    │   ├── IndexSchemaError          503   2     the index on disk was built with another model or schema
    │   ├── IndexDamagedError         503   2     the index on disk is damaged or incomplete: restore or re-ingest
    │   └── BackendUnavailableError   503   2     the Qdrant server did not answer, even after retries
    ├── SourceError                   500   2     an input file cannot be read at all (missing, not a table)
    │   ├── RowError                              ingest.mapping: one row is unusable (becomes a Reject)
    │   ├── FileRejected                          ingest.study_sources: one study file is unusable
    │   ├── BeirFormatError                       eval.beir: a BEIR dataset file is malformed
    │   └── NfcorpusError                         eval.nfcorpus: NFCorpus's release is incomplete
    ├── KnowledgeBaseError            500   2     the ingredient knowledge file is missing or malformed
    ├── LLMError                      503   2     the answer LLM is down, too slow, or returned an unusable answer
    ├── QueryError                    400   2     a search request is invalid (empty, too long, unknown value,
    │                                             contradictory constraints)
    ├── FeedbackError                 500   2     a feedback vote could not be stored
    ├── RequestRejected               400   2     an HTTP request the server refuses as a whole
    │   ├── UploadRejected            415         api.jobs: an upload of a type the route does not take
    │   │   └── UploadTooLarge        413         api.jobs: an upload over the server's size limit
    │   ├── JobConflict               409         api.jobs: another ingestion job is queued or running
    │   └── AmbiguousProduct          409         api.catalog: one product id in several sources
    ├── JobCancelled                  500   2     the server shut down during a job (caught by the job runner)
    └── EvaluationError               500   2     an evaluation cannot run as asked
        ├── ReportError                           eval.report: a figures file is missing, or matplotlib is
        ├── SuiteMismatch                         eval.product_eval: the suite does not fit the catalog
        └── UnknownRun                            eval.beir_run: a mode or fusion name it does not know

A blank cell inherits from the line above. Leaf classes outside this module subclass a class here
(tests/test_errors.py walks every module and fails on an exception class outside the tree).

Row-level problems in an input file do not escape as exceptions: they become `Reject` records in the
ingest report so that the rest of the file is still ingested. Errors are translated into messages,
status codes and exit codes only at the edges, once per edge: `api.http_errors.install_error_handlers`
(HTTP: `http_status`, `error_code`) and `api.cli_common.friendly_errors` (CLI: `exit_code`).
"""

from __future__ import annotations

from typing import ClassVar


class ConseilError(Exception):
    """Base class: `str(err)` is a complete sentence telling the user what happened and what to do."""

    http_status: ClassVar[int] = 500
    error_code: ClassVar[str] = "server_error"  # the stable `error` field of the HTTP answer
    exit_code: ClassVar[int] = 2


class ConfigurationError(ConseilError):
    """A setting is invalid or missing."""


class VectorIndexError(ConseilError):
    """The index cannot be used as asked."""

    http_status = 503
    error_code = "index_unavailable"


class IndexMissingError(VectorIndexError):
    """The collection does not exist yet."""

    error_code = "index_missing"


class IndexLockedError(VectorIndexError):
    """Another process holds the embedded index."""

    exit_code = 3

    def __init__(self, message: str, holder_pid: int | None) -> None:
        super().__init__(message)
        self.holder_pid = holder_pid


class IndexSchemaError(VectorIndexError):
    """The index on disk is incompatible with the current settings."""


class BackendUnavailableError(VectorIndexError):
    """The Qdrant server or cluster could not be reached (transient failures outlasted the retries)."""


class SourceError(ConseilError):
    """An input source cannot be read at all."""


class KnowledgeBaseError(ConseilError):
    """The ingredient knowledge base cannot be loaded."""


class LLMError(ConseilError):
    """The configured answer LLM failed: unreachable, timed out, or its answer broke the citation rules.
    Like QueryError it carries the client's sentence: `key` in corpora/language/messages.json, which
    the edges add (`message`) in `language`, the answer's (set by the answer service; None: English)."""

    http_status = 503
    error_code = "llm_unavailable"
    key: str = "error_llm"
    language: str | None = None
    values: dict[str, object] = {}  # noqa: RUF012 (never mutated)


class QueryError(ConseilError):
    """A search request is invalid. `key` (with `values`) names the client's sentence in
    corpora/language/messages.json, which the HTTP edge adds (`message`) in `language`: the request's,
    set by the product engine (None: English)."""

    http_status = 400
    error_code = "query_error"
    # Class defaults too: an edge reads them from any instance, however it was made.
    key: str = "error_request"
    language: str | None = None
    values: dict[str, object] = {}  # noqa: RUF012 (never mutated: each instance assigns its own)

    def __init__(self, detail: str, *, key: str = "error_request", language: str | None = None,
                 **values: object) -> None:
        super().__init__(detail)
        self.key = key
        self.language = language
        self.values = values


class FeedbackError(ConseilError):
    """A feedback vote could not be stored."""


class RequestRejected(ConseilError):
    """An HTTP request the server refuses as a whole (the subclass says why, and with which status)."""

    http_status = 400
    error_code = "bad_request"


class JobCancelled(ConseilError):
    """Raised from a job's progress callback when the server shuts down; the job runner catches it."""


class EvaluationError(ConseilError):
    """An evaluation or benchmark cannot run as asked (its inputs do not fit)."""


class IndexDamagedError(VectorIndexError):
    """The index on disk is damaged or incomplete (an engine panic, fewer points than recorded):
    restore it from a backup or ingest again."""

    error_code = "index_damaged"
