"""Desk benchmark: what one voice call costs the tenant desk and its store, per store.

Run ``python bench/desk.py`` (``--store memory|sqlite|postgresql|all``, ``--calls 300``).
One call at a time, in this process, no SIP and no HTTP: the desk calls the voice channel
makes for a caller who picks "1" in the menu and is served — ``submit`` (intake),
``route(live=True)`` (CRM look-up, the menu), ``answer_menu`` (decision, queue, offer),
``accept``, ``hang_up`` and ``wrap_up`` — on the voice benchmark's scenario, with one
ready agent. It prints the time per call (p50, mean) and per step, and the SQL
statements per call; the first fifth of the calls is warm-up. Baseline: the in-memory
store, which leaves the desk's own work. SQLite is a file in a temporary folder with the
embedded default's durable set-up (WAL, ``synchronous=FULL``); PostgreSQL a fresh
database on the local server (``synchronous_commit=on``). Results go to
``bench/results/desk.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for the voice benchmark's set-up
from frontdesk.app.runtime import assemble
from frontdesk.domain.agents import AgentState
from frontdesk.domain.ids import AgentId
from frontdesk.domain.repositories import Store
from frontdesk.services.clock import SystemClock
from frontdesk.services.intake import Submission
from frontdesk.storage.memory import MemoryStore
from frontdesk.storage.sql import SqlStore, migrate, open_store
from voice import MAIN_NUMBER, SCENARIO, T

RESULTS = Path(__file__).resolve().parent / "results" / "desk.json"
STORES = ("memory", "sqlite", "postgresql")
STEPS = ("submit", "route", "answer_menu", "accept", "hang_up", "wrap_up")
POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "frontdesk_desk_bench"
AGENT = AgentId("agent0001")


async def open_bench_store(kind: str, folder: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'frontdesk.db'}"
    else:
        admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(
                text(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            )
            await connection.execute(text(f"CREATE DATABASE {POSTGRES_DATABASE}"))
        await admin.dispose()
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_DATABASE}"
    await migrate(url)
    return await open_store(url)


def count_statements(store: Store) -> list[int]:
    """A counter of the SQL statements ``store`` sends (none for the memory store)."""
    counter = [0]
    if isinstance(store, SqlStore):
        engine = store._engine
        target = getattr(engine, "sync_engine", engine)

        def counted(*_: object) -> None:
            counter[0] += 1

        event.listen(target, "before_cursor_execute", counted)
    return counter


async def run(kind: str, calls: int) -> dict[str, Any]:
    store = await open_bench_store(kind, Path(tempfile.mkdtemp(prefix="desk-bench-")))
    frontdesk = assemble(store, SystemClock())
    try:
        await frontdesk.auth.ensure_tenant(T, "Acme")
        config = frontdesk.configuration
        for queue in ("sales", "hold"):
            await config.put(T, "queues", queue, {"name": queue.title()}, "bench")
        point = {"channel": "voice", "line": "main"}
        await config.put(T, "access_points", MAIN_NUMBER, point, "bench")
        await config.put(T, "settings", "desk", {"wrap_up": "60s"}, "bench")
        await config.put_agent(T, AGENT, {"name": "Agent", "queues": ["sales"]}, "bench")
        version = await frontdesk.scenarios.save(T, SCENARIO, "bench")
        await frontdesk.scenarios.publish(T, version.version, "bench")
        await frontdesk.dispatcher.start()
        desk = frontdesk.dispatcher.desk(T)
        await desk.set_agent_state(AGENT, AgentState.READY)
        statements = count_statements(store)
        totals: list[float] = []
        steps: list[list[float]] = []
        counted: list[int] = []
        for n in range(calls):
            marks = [time.perf_counter()]
            sender = f"+7495{n:07d}"
            live, _ = await desk.submit(Submission(
                access_point=MAIN_NUMBER, sender=sender, channel_data={"sip_call_id": sender}
            ))  # fmt: skip
            contact = live.contact.id
            marks.append(time.perf_counter())
            turn = await desk.route(contact, live=True, known=live)
            assert turn is not None, "the scenario decides live"
            assert turn.menu is not None, "the scenario plays a menu"
            marks.append(time.perf_counter())
            await desk.answer_menu(turn, "1", "chosen")
            marks.append(time.perf_counter())
            await desk.accept(AGENT, contact)
            marks.append(time.perf_counter())
            await desk.hang_up(contact)
            marks.append(time.perf_counter())
            await desk.wrap_up(AGENT, contact, close=True)
            marks.append(time.perf_counter())
            totals.append(marks[-1] - marks[0])
            steps.append([b - a for a, b in itertools.pairwise(marks)])
            counted.append(statements[0])
        warm = calls // 5
        measured = calls - warm
        return {
            "store": kind,
            "calls": measured,
            "per_call_ms": {
                "p50": round(statistics.median(totals[warm:]) * 1000, 2),
                "mean": round(statistics.mean(totals[warm:]) * 1000, 2),
            },
            "per_step_p50_ms": {
                name: round(statistics.median(s[i] for s in steps[warm:]) * 1000, 2)
                for i, name in enumerate(STEPS)
            },
            "statements_per_call": round((counted[-1] - counted[warm - 1]) / measured, 1),
        }
    finally:
        await frontdesk.dispatcher.stop()
        frontdesk.bus.close()
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--store", choices=(*STORES, "all"), default="all")
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args(argv)
    kinds = STORES if options.store == "all" else (options.store,)
    results = [asyncio.run(run(kind, max(options.calls, 10))) for kind in kinds]
    baseline = next((r for r in results if r["store"] == "memory"), None)
    for result in results:
        ratio = ""
        if baseline is not None and result is not baseline:
            times = result["per_call_ms"]["p50"] / baseline["per_call_ms"]["p50"]
            ratio = f" = {times:.1f}× the memory store"
        steps = ", ".join(f"{k} {v:g}" for k, v in result["per_step_p50_ms"].items())
        print(
            f"{result['store']:10s} per call p50 {result['per_call_ms']['p50']:g} ms "
            f"(mean {result['per_call_ms']['mean']:g}){ratio}; "
            f"{result['statements_per_call']:g} SQL statements per call\n"
            f"{'':10s} steps p50 ms: {steps}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "results": results,
    }, indent=2) + "\n", encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
