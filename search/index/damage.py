"""Engine panics are index damage: one recognition, one sentence, at every edge.

Qdrant Edge is Rust; a panic inside it (a truncated WAL, a damaged segment file) reaches Python as
`pyo3_runtime.PanicException`, which derives from BaseException, not Exception: it slips past every
`except Exception` and, unhandled, became a plain-text 500 or a 60-line traceback. Both edges (HTTP
and CLI) turn it into `IndexDamagedError` with `damaged_index`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from conseil.search.errors import ConseilError, IndexDamagedError

RESTORE = ("the index may be damaged: restore the data directory's index/ from a backup, or delete it "
           "and ingest again (`conseil ingest products ...`, `conseil ingest studies ...`)")


def is_engine_panic(exc: BaseException) -> bool:
    """A Rust panic raised through pyo3 (its class is not importable by name)."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ in ("pyo3_runtime", "builtins")


@contextmanager
def translating_damage(doing: str) -> Iterator[None]:
    """Around opening embedded index files: what fails there, other than a Conseil error, is damage.
    Qdrant Edge raises a plain `Exception("Service runtime error: ...")` for an unreadable WAL,
    segment or config file, and a panic for others; a garbled meta.json is a JSONDecodeError."""
    try:
        yield
    except ConseilError:
        raise
    except Exception as exc:
        raise damaged_index(exc, doing) from exc
    except BaseException as exc:
        if is_engine_panic(exc):
            raise damaged_index(exc, doing) from exc
        raise


def damaged_index(exc: BaseException, doing: str) -> IndexDamagedError:
    """The error to raise (`from exc`) for a panic while `doing` something with the index."""
    reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return IndexDamagedError(f"The index engine failed while {doing} ({reason}): {RESTORE}.")
