"""The service commands as a person runs them: migrate, check-config, users, publish, demo."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))
REJECT_ALL = """\
scenario: closed
version: 1
rules:
  - name: closed
    reject: {reason: closed}
"""


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "FRONTDESK_DATA_DIR": str(data_dir),
        "FRONTDESK_PASSWORD_TIME_COST": "1",
        "FRONTDESK_PASSWORD_MEMORY_KIB": "8192",
        **extra,
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FRONTDESK, *args], env=env, capture_output=True, text=True, check=False)


def test_check_config_tells_what_is_missing_until_everything_is_there(tmp_path: Path) -> None:
    env = _env(tmp_path, FRONTDESK_PASSWORD="a-long-password")
    before = _run(env, "check-config")
    assert before.returncode == 1
    assert "FAIL schema" in before.stdout
    assert "frontdesk migrate" in before.stdout

    assert _run(env, "migrate").returncode == 0
    created = _run(env, "users", "create", "boss", "--role", "admin", "--tenant", "acme")
    assert created.returncode == 0, created.stderr
    assert "user boss (admin) created in tenant acme" in created.stdout
    missing = _run(env, "check-config")
    assert missing.returncode == 1
    assert "FAIL tenant acme: no scenario published" in missing.stdout

    scenario = tmp_path / "closed.yaml"
    scenario.write_text(REJECT_ALL)
    invalid = tmp_path / "broken.yaml"
    invalid.write_text(REJECT_ALL.replace("reject: {reason: closed}", "queue: {name: nowhere}"))
    refused = _run(env, "scenario", "publish", str(invalid), "--tenant", "acme")
    assert refused.returncode == 2
    assert "nowhere" in refused.stderr
    published = _run(env, "scenario", "publish", str(scenario), "--tenant", "acme")
    assert published.returncode == 0, published.stderr
    assert "published version 1 for tenant acme" in published.stdout
    after = _run(env, "check-config")
    assert after.returncode == 0, after.stdout
    assert "ok   tenant acme: scenario version 1 compiles" in after.stdout


def test_a_bad_settings_file_is_named_with_the_key(tmp_path: Path) -> None:
    settings = tmp_path / "frontdesk.toml"
    settings.write_text('port = "eighty"\n')
    result = _run(_env(tmp_path), "check-config", "--config", str(settings))
    assert result.returncode == 2
    assert "port must be int" in result.stderr
    settings.write_text("colour = 1\n")
    result = _run(_env(tmp_path), "check-config", "--config", str(settings))
    assert "unknown setting 'colour'" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_demo_prints_credentials_and_contacts_get_routed(tmp_path: Path) -> None:
    port = _free_port()
    demo = subprocess.Popen(
        [FRONTDESK, "demo", "--port", str(port), "--rate", "240"],
        env=_env(tmp_path / "demo"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        printed: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            assert line or demo.poll() is None, "".join(printed)
            printed.append(line)
            if line.startswith("Contacts arrive"):
                break
        output = "".join(printed)
        password = re.search(r"password:\s+(\S+)", output)
        supervisor = re.search(r"supervisors:\s+(\S+?)[,\s]", output)
        assert password, output
        assert supervisor, output
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.post("/auth/login", json={
                "tenant": "demo", "username": supervisor.group(1),
                "password": password.group(1),
            })  # fmt: skip
            assert login.status_code == 200, login.text
            deadline = time.monotonic() + 60
            served: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not served:
                contacts = client.get("/contacts", params={"limit": 50}).json()
                # at whatever hour the test runs: the demo opens its hours for the day
                served = [c for c in contacts if c["handling"]["connected_at"]]
                time.sleep(0.5)
            assert served, "no demo contact reached an agent within a minute"
        sign_in = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert sign_in.status_code == 200
        assert 'name="tenant" value="demo"' in sign_in.text
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    # Ctrl+C ends the demo as it says it does: quietly, after shutting down in order.
    assert demo.returncode == 0, rest
    assert "Traceback" not in rest, rest
