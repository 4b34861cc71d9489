"""The index fingerprint: how many points each collection held when its last writer finished.

`<data_dir>/index/fingerprint.json` is written by every writer of a collection (products and studies
ingestion, CLI or server job, and `conseil index import/copy`): `begin` marks the collection
"writing" before the first write, `end` records its point count after the last flush. At open the
server compares (`check`): a collection holding another count than recorded, with no writer
interrupted, is damaged (a truncated id tracker opened with 86 of 100 products; nothing else
noticed); "writing" left behind means a writer was killed: re-running the ingest completes it.
`/readyz` shows the comparison and answers 503 while the products collection is damaged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conseil.search.index.contract import VectorIndex
from conseil.search.settings import Settings

FILE = "fingerprint.json"


@dataclass(frozen=True)
class Finding:
    """One collection compared with its fingerprint."""

    collection: str
    expected: int | None  # None: no fingerprint (built before fingerprints, or by an unknown writer)
    found: int
    state: str  # "ok", "damaged", "interrupted" or "unrecorded"

    def sentence(self) -> str:
        if self.state == "damaged":
            return (f"index damaged: {self.collection} holds {self.found} points but its last ingest left "
                    f"{self.expected}: restore the index from a backup or ingest again")
        if self.state == "interrupted":
            return (f"{self.collection}: an ingest was interrupted (killed?) and holds {self.found} points; run "
                    "the same ingest again to complete it")
        return ""


def _path(settings: Settings) -> Path:
    return settings.index_dir / FILE


def read(settings: Settings) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(settings: Settings, collection: str, entry: dict[str, Any]) -> None:
    """Replace one collection's entry atomically (write a temporary file, then rename)."""
    data = read(settings)
    data[collection] = {**entry, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    target = _path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def begin(settings: Settings, index: VectorIndex) -> None:
    """Before a writer's first write: a kill from here on leaves "writing" behind."""
    _write(settings, index.schema.name, {"state": "writing", "points": None})


def end(settings: Settings, index: VectorIndex) -> None:
    """After the writer's last flush: the count the next open must find."""
    _write(settings, index.schema.name, {"state": "recorded", "points": index.count()})


def check(settings: Settings, counts: dict[str, int]) -> list[Finding]:
    """Each open collection's count against its fingerprint."""
    recorded = read(settings)
    findings = []
    for collection, found in sorted(counts.items()):
        entry = recorded.get(collection)
        if not isinstance(entry, dict):
            findings.append(Finding(collection, None, found, "unrecorded"))
        elif entry.get("state") == "writing":
            findings.append(Finding(collection, None, found, "interrupted"))
        else:
            expected = entry.get("points")
            expected = expected if isinstance(expected, int) else None
            state = "ok" if expected == found else ("damaged" if expected is not None else "unrecorded")
            findings.append(Finding(collection, expected, found, state))
    return findings
