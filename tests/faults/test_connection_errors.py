"""Issue 18.2 (second half) and 18.5: an unhandled error or an engine panic is answered with the JSON
error, and the client's keep-alive connection serves its next request (it was reset)."""

from __future__ import annotations

import json
import socket

import pytest
from api_support import SECRETS, demo_data
from conseil.api.auth import Role
from fault_support import Children, start_server

pytestmark = pytest.mark.faults


def _exchange(sock: socket.socket, query: str) -> tuple[int, dict[str, object]]:
    """One request on an open connection, read to the end of its body (Content-Length)."""
    body = json.dumps({"query": query, "facets": False}).encode()
    sock.sendall(b"POST /v1/search/products HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + SECRETS[Role.ADVISOR].encode() + b"\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    assert headers.get("connection") != "close", "the server is closing the connection"
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        rest += chunk
    return int(lines[0].split()[1]), json.loads(rest[:length])


def test_errors_are_json_and_the_connection_survives(tmp_path_factory: pytest.TempPathFactory,
                                                      children: Children) -> None:
    data = demo_data(tmp_path_factory, "connection")
    server, base = start_server(children, data, env={"FAULTS_PLANT_ERRORS": "1"})
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        assert _exchange(sock, "serum")[0] == 200
        status, body = _exchange(sock, "boom")  # an unexpected exception in the engine
        assert status == 500 and body["error"] == "internal_error" and "KeyError" not in json.dumps(body)
        assert _exchange(sock, "serum")[0] == 200  # same connection: not reset
        status, body = _exchange(sock, "panic")  # a Rust panic (a BaseException)
        assert status == 503 and body["error"] == "index_damaged"
        assert "restore" in str(body["detail"]) and "ingest again" in str(body["detail"])
        assert _exchange(sock, "serum")[0] == 200
    assert server.proc.poll() is None
