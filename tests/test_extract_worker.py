"""Study files built in a worker process: the same result as in a thread, rejections intact."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from conftest import REPO
from conseil.ingest.chunking import Chunker
from conseil.ingest.extract_worker import extraction_pool
from conseil.ingest.pdf import PdfLimits
from conseil.ingest.studies import StudyIngestReport
from conseil.ingest.study_sources import FileRejected, walk_studies

pytestmark = pytest.mark.index  # starts a worker process


@pytest.mark.slow
def test_a_process_builds_what_a_thread_builds_and_rejections_keep_their_reason(tmp_path: Path) -> None:
    pdf = next(f for f in walk_studies([REPO / "corpora" / "studies"]) if f.kind == "pdf")
    doc_id = hashlib.sha256(pdf.path.read_bytes()).hexdigest()[:32]
    built = {}
    for use_process in (False, True):
        report = StudyIngestReport(paths=[])
        with extraction_pool(use_process=use_process) as pool:
            study = pool.submit(report, pdf, doc_id, PdfLimits(), Chunker(), time.monotonic).result()
            with pytest.raises(FileRejected) as rejected:
                pool.submit(report, pdf, "0" * 32, PdfLimits(), Chunker(), time.monotonic).result()
        assert rejected.value.reason == "changed while reading" and "again" in rejected.value.detail
        assert report.extract_seconds > 0
        built[use_process] = study
    assert built[True].chunks and built[True] == built[False]
