"""Issue 18.2 in a real server process: one client sending text the tokenizer refuses fails none of
the other searches, is answered 422 naming the field, and its keep-alive connection stays usable."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from api_support import auth, demo_data
from conseil.api.auth import Role
from fault_support import Children, start_server

pytestmark = pytest.mark.faults

BAD = b'{"query": "x \\ud800"}'  # valid JSON, not valid text: a lone surrogate
SECONDS = 6.0  # bounded: the innocent clients search for this long
INNOCENT = 12


def test_a_client_sending_bad_text_fails_no_one_else(tmp_path_factory: pytest.TempPathFactory,
                                                     children: Children) -> None:
    data = demo_data(tmp_path_factory, "isolation")
    server, base = start_server(children, data)
    stop = threading.Event()
    outcomes: list[int | str] = []
    bad: list[int | str] = []

    def innocent(n: int) -> None:
        role = Role.ANALYST if n % 2 else Role.ADVISOR
        path, body = (("/v1/search/studies", {"query": "sensitive skin respondents"}) if role is Role.ANALYST
                      else ("/v1/search/products", {"query": f"serum without parabens {n}", "facets": False}))
        with httpx.Client(base_url=base, headers=auth(role), timeout=30) as client:  # one keep-alive connection
            while not stop.is_set():
                try:
                    outcomes.append(client.post(path, json=body).status_code)
                except httpx.TransportError as exc:
                    outcomes.append(type(exc).__name__)

    def attacker() -> None:
        with httpx.Client(base_url=base, headers={**auth(Role.ANALYST), "content-type": "application/json"},
                          timeout=30) as client:
            while not stop.is_set():
                for path in ("/v1/search/studies", "/v1/search/products", "/v1/ask"):
                    body = BAD if path != "/v1/ask" else BAD.replace(b"query", b"question")
                    try:
                        answer = client.post(path, content=body)
                        bad.append(answer.status_code)
                        assert answer.json()["error"] == "invalid_request"
                    except httpx.TransportError as exc:
                        bad.append(type(exc).__name__)
                time.sleep(0.02)

    threads = [threading.Thread(target=innocent, args=(n,)) for n in range(INNOCENT)]
    threads.append(threading.Thread(target=attacker))
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    failed = [o for o in outcomes if o != 200]
    print(f"innocent searches: {len(outcomes)}, failed: {len(failed)} ({len(failed) / max(1, len(outcomes)):.1%});"
          f" bad requests: {len(bad)}, all 422 on one connection: {set(bad) == {422}}")
    assert outcomes and failed == []
    assert bad and set(bad) == {422}  # refused with a clear 422, never a reset
    assert server.proc.poll() is None
