"""Issue 18.1: a study ingest killed between two upsert batches is completed by the next run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, fake_embedder
from conseil.ingest.studies import ingest_studies
from conseil.search.index.store import open_index, studies_schema
from conseil.search.settings import Settings
from conseil.search.studies.completeness import incomplete_studies
from fault_support import Children

pytestmark = pytest.mark.faults

CHILD = """
import sys, time
from pathlib import Path
from conftest import fake_embedder
from conseil.ingest.studies import ingest_studies
from conseil.search.index.edge import EdgeIndex
from conseil.search.settings import Settings

real_upsert = EdgeIndex.upsert
def upsert(self, points):
    real_upsert(self, points)
    last = points[-1].payload
    if last["chunk_index"] + 1 < last["passages"]:  # more batches of this document to come
        self.flush()  # this batch reaches the disk, as it would seconds later in a real run
        print("UPSERTED", last["chunk_index"] + 1, flush=True)
        time.sleep(120)  # killed here, between two batches of one document
EdgeIndex.upsert = upsert
settings = Settings(data_dir=Path(sys.argv[1]), embedding_model="hash-test", batch_size=2)
ingest_studies(settings, [Path(sys.argv[2])], embedder_factory=fake_embedder)
print("FINISHED", flush=True)
"""


def test_a_study_killed_mid_write_is_reindexed_by_the_next_run(tmp_path: Path, children: Children) -> None:
    studies = tmp_path / "studies"
    shutil.copytree(REPO / "corpora" / "studies", studies, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    data = tmp_path / "data"
    child = children.start(CHILD, str(data), str(studies))
    written = int(child.wait_for("UPSERTED", timeout=120).split()[1])
    child.kill()

    settings = Settings(data_dir=data, embedding_model="hash-test", batch_size=2)
    with open_index(settings, studies_schema(32), create=False) as index:
        broken = incomplete_studies(index)
    assert len(broken) == 1 and broken[0].stored == written < broken[0].expected  # seen at open

    first = ingest_studies(settings, [studies], embedder_factory=fake_embedder)
    statuses = {f.path: (f.status, f.reason) for f in first.files}
    half = broken[0].path
    assert statuses[half][0] == "rebuilt" and f"{written} of {broken[0].expected} passages stored" in statuses[half][1]
    again = ingest_studies(settings, [studies], embedder_factory=fake_embedder)
    assert {f.status for f in again.files if f.kind != "-"} == {"unchanged"}  # nothing left to redo
    with open_index(settings, studies_schema(32), create=False) as index:
        assert incomplete_studies(index) == []
        per_doc: dict[str, int] = {}
        for hit in index.scroll(fields=["doc_id", "passages"]):
            per_doc[str(hit.payload["doc_id"])] = int(hit.payload["passages"])
        assert index.count() == sum(per_doc.values())
