"""Issue 18.4 and 18.6 against a real server process: a misspelt safety filter is refused, and a
row holding megabytes in one field is rejected at ingest (the rest is ingested and served)."""

from __future__ import annotations

import time

import httpx
import pytest
from api_support import auth, demo_data
from conseil.api.auth import Role
from fault_support import Children, start_server

pytestmark = pytest.mark.faults


def test_unknown_filters_and_oversized_rows_are_refused(tmp_path_factory: pytest.TempPathFactory,
                                                        children: Children) -> None:
    data = demo_data(tmp_path_factory, "hostile")
    _, base = start_server(children, data)
    advisor, admin = auth(Role.ADVISOR), auth(Role.ADMIN)
    answer = httpx.post(f"{base}/v1/search/products", headers=advisor, timeout=30,
                        json={"query": "moisturizer", "exclude_families": ["parabens"]})
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "exclude_families"]

    huge = "Aqua, " * 400_000  # 2.4 MB in one cell, one line
    catalog = ("product_id,name,brand,ingredients\nOK-1,Calm cream,Zorblax,\"Aqua, Glycerin\"\n"
               f"BIG-1,Huge cream,Zorblax,\"{huge}\"\nOK-2,Calm serum,Zorblax,Aqua\n").encode()
    job = httpx.post(f"{base}/v1/ingest/products", headers=admin, data={"source": "hostile", "format": "generic"},
                     files={"file": ("hostile.csv", catalog, "text/csv")}, timeout=60).json()
    deadline = time.monotonic() + 120
    while (state := httpx.get(f"{base}/v1/jobs/{job['id']}", headers=admin, timeout=30).json())["status"] in (
            "queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state["status"] == "succeeded", state
    assert state["report"]["rejected"] == 1 and state["report"]["new"] == 2
    assert "BIG-1" not in str(state["report"]) or "limit is 20,000" in str(state["report"])
    missing = httpx.get(f"{base}/v1/products/BIG-1?source=hostile", headers=advisor, timeout=30)
    assert missing.status_code == 404
    found = httpx.get(f"{base}/v1/products/OK-2?source=hostile", headers=advisor, timeout=30)
    assert found.status_code == 200 and len(found.content) < 100_000
