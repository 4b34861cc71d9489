"""Every error Conseil raises on purpose, in one hierarchy.

    ConseilError                      base: a message a person can act on
    ├── ConfigurationError            a setting is wrong or missing (model, URL, data directory)
    ├── IndexError_                   the index cannot be used as asked
    │   ├── IndexMissingError         no index yet: says which command builds it
    │   ├── IndexLockedError          another process holds the embedded index (names its pid)
    │   ├── IndexSchemaError          the index on disk was built with another model or schema
    │   ├── IndexDamagedError         the index on disk is damaged or incomplete: restore or re-ingest
    │   └── BackendUnavailableError   the Qdrant server did not answer, even after retries
    ├── SourceError                   an input file cannot be read at all (missing, not a table)
    ├── KnowledgeBaseError            the ingredient knowledge file is missing or malformed
    ├── LLMError                      the answer LLM is down, too slow, or returned an unusable answer
    └── QueryError                    a search request is invalid (empty, too long, unknown value,
                                      contradictory constraints)

Row-level problems in an input file are *not* exceptions: they become `Reject` records in the
ingest report so that the rest of the file is still ingested. Errors are translated into messages
and exit codes only at the edges (the CLI, later the HTTP API).
"""

from __future__ import annotations


class ConseilError(Exception):
    """Base class: `str(err)` is a complete sentence telling the user what happened and what to do."""


class ConfigurationError(ConseilError):
    """A setting is invalid or missing."""


class IndexError_(ConseilError):  # trailing underscore: do not shadow the builtin IndexError
    """The index cannot be used as asked."""


class IndexMissingError(IndexError_):
    """The collection does not exist yet."""


class IndexLockedError(IndexError_):
    """Another process holds the embedded index."""

    def __init__(self, message: str, holder_pid: int | None) -> None:
        super().__init__(message)
        self.holder_pid = holder_pid


class IndexSchemaError(IndexError_):
    """The index on disk is incompatible with the current settings."""


class BackendUnavailableError(IndexError_):
    """The Qdrant server or cluster could not be reached (transient failures outlasted the retries)."""


class SourceError(ConseilError):
    """An input source cannot be read at all."""


class KnowledgeBaseError(ConseilError):
    """The ingredient knowledge base cannot be loaded."""


class LLMError(ConseilError):
    """The configured answer LLM failed: unreachable, timed out, or its answer broke the citation rules."""


class QueryError(ConseilError):
    """A search request is invalid."""


class IndexDamagedError(IndexError_):
    """The index on disk is damaged or incomplete (an engine panic, fewer points than recorded):
    restore it from a backup or ingest again. Subclass of IndexError_, so the edges answer 503."""
