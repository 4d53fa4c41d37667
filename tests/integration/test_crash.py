"""``kill -9`` the real server while contacts are queued, offered and connected.

A real ``frontdesk serve`` process on loopback, driven over its HTTP API, is killed with
SIGKILL and started again on the same SQLite database. Queued contacts must be queued
again in their original order, agents' states restored, nothing lost or duplicated.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))
PASSWORD = "crash-test-password"
SCENARIO = """\
scenario: crash
version: 1
rules:
  - name: everyone
    queue: {name: sales}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.env = {
            **os.environ,
            "FRONTDESK_DATA_DIR": str(data_dir),
            "FRONTDESK_PASSWORD": PASSWORD,
            "FRONTDESK_PASSWORD_TIME_COST": "1",
            "FRONTDESK_PASSWORD_MEMORY_KIB": "8192",
            "FRONTDESK_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def command(self, *args: str) -> None:
        subprocess.run([FRONTDESK, *args], env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [FRONTDESK, "serve", "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                httpx.get(f"{self.base}/api/v1/auth/me", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    running.command("migrate")
    running.command("users", "create", "admin", "--role", "admin")
    running.start()
    yield running
    running.stop()


def _api(server: Server) -> httpx.Client:
    """An admin client authenticated with an API token (no CSRF needed)."""
    with httpx.Client(base_url=server.base) as login:
        session = login.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        session.raise_for_status()
        token = login.post(
            "/api/v1/tokens", json={"name": f"crash-test-{time.time_ns()}", "role": "admin"},
            headers={"X-CSRF-Token": session.json()["csrf_token"]},
        )  # fmt: skip
        token.raise_for_status()
    return httpx.Client(
        base_url=f"{server.base}/api/v1",
        headers={"Authorization": f"Bearer {token.json()['token']}"},
        timeout=10,
    )


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def _contact(api: httpx.Client, contact: str) -> Any:
    return _ok(api.get(f"/contacts/{contact}"))


def _agent_state(api: httpx.Client, agent: str) -> str:
    return str(_ok(api.get(f"/agents/{agent}"))["state"])


def _wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_server_loses_nothing_and_keeps_the_line_in_order(server: Server) -> None:
    api = _api(server)
    _ok(api.put("/queues/sales", json={"name": "Sales"}))
    _ok(api.put("/access-points/web-form", json={"channel": "webhook", "line": "web"}))
    _ok(api.put("/settings/desk", json={"ring_timeout": "10m"}))
    for agent in ("a1", "a2", "a3"):
        _ok(api.put(f"/agents/{agent}", json={"queues": ["sales"], "capacity": {"email": 1}}))
    version = _ok(api.post("/scenarios", json={"text": SCENARIO}))["version"]
    _ok(api.post(f"/scenarios/{version}/publish"))
    _ok(api.post("/agents/a1/state", json={"state": "ready"}))
    _ok(api.post("/agents/a2/state", json={"state": "ready"}))

    contacts = []
    for n in range(6):
        body = {"access_point": "web-form", "sender": f"+7916000000{n}",
                "idempotency_key": f"form-{n}"}  # fmt: skip
        contacts.append(_ok(api.post("/inbound", json=body))["id"])
        time.sleep(0.01)  # distinct arrival times
    c1, c2, *queued = contacts
    _wait_for(lambda: _contact(api, c2)["state"] == "offered", "the second offer")
    assert _contact(api, c1)["handling"]["agent"] == "a1"
    _ok(api.post(f"/contacts/{c1}/accept", json={"agent": "a1"}))
    assert [_contact(api, c)["state"] for c in contacts] == [
        "connected",
        "offered",
        "queued",
        "queued",
        "queued",
        "queued",
    ]

    server.kill()
    server.start()
    api = _api(server)

    stored = _ok(api.get("/contacts", params={"limit": 100}))
    assert sorted(c["id"] for c in stored) == sorted(contacts)  # nothing lost or doubled
    assert _contact(api, c1)["state"] == "connected"
    assert _agent_state(api, "a1") == "busy"
    # The offer ringing at the crash is made again, to the same free agent.
    _wait_for(lambda: _contact(api, c2)["state"] == "offered", "the offer made again")
    assert _contact(api, c2)["handling"]["agent"] == "a2"
    assert _agent_state(api, "a3") == "logged_out"
    again = api.post("/inbound", json={"access_point": "web-form", "sender": "+79160000005",
                                       "idempotency_key": "form-5"})  # fmt: skip
    assert again.status_code == 200
    assert again.json()["id"] == queued[-1]

    # The line keeps its order: each agent that frees up gets the next contact.
    _ok(api.post(f"/contacts/{c1}/wrap-up", json={"agent": "a1", "close": True}))
    _wait_for(lambda: _contact(api, queued[0])["state"] == "offered", "the first in line")
    assert _contact(api, queued[0])["handling"]["agent"] == "a1"
    _ok(api.post("/agents/a3/state", json={"state": "ready"}))
    _wait_for(lambda: _contact(api, queued[1])["state"] == "offered", "the second in line")
    assert [_contact(api, c)["state"] for c in queued[2:]] == ["queued", "queued"]
    assert len(_ok(api.get("/contacts", params={"limit": 100}))) == 6
