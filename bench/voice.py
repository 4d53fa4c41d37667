"""Voice benchmark: call setup rate, calls held with music, and INVITE → 200 latency.

Run ``python bench/voice.py`` (``--store sqlite|memory|both``, ``--rate 50`` (repeat for
several runs), ``--seconds 30``, ``--held 300``, ``--hold-rate 25``, ``--hold-seconds
30``, ``--agents N``; ``--quick``: the in-memory store, one setup run of 8 s at 50
calls/s and 300 calls held 14 s, under a minute; ``--profile`` samples Frontdesk with
py-spy during the last setup run; ``--keep`` keeps the logs, sipp files and captures).
It prints its figures and their ratio to the issue's targets, and writes JSON to
``bench/results/voice.json``. The exit code is 0 whatever the figures: this is a report.

The system
----------
Everything runs on 127.0.0.1, on free ports, on this machine's cores: Frontdesk in this
process (the services of ``frontdesk.app.runtime.assemble`` on SQLite with durable
commits — WAL, ``synchronous=FULL`` — or on the in-memory store, which leaves the
telephony path alone), its voice channel (``VoiceChannel``: the sippy B2BUA in its
own process, the calls on the asyncio loop with the desk) and the channel's own Kamailio and
rtpengine (a 10,000-port RTP range). One tenant, ``acme``; two voice numbers: the main
line, whose scenario plays a menu ("press 1 for sales", 3 s to answer) whose key 1 queues
the caller for ``sales`` and whose failure sends it to ``hold``; and the hold line, which
queues every caller for ``hold``, a queue no agent serves: each caller there waits with
music (and is told their place in line), played by rtpengine. Desk settings: ring timeout
10 s, automatic wrap-up after 1 s.

The agents
----------
N agents (``--agents``, by default 6 per call/s of the highest rate, so that no call waits
for a free one) in ``sales``, each with a phone login (the ``phones`` documents: digest
HA1 of a password). A sipp UAC REGISTERs every one of them with Kamailio, answering the
401 challenge, with a Contact that points at ONE sipp UAS: the agents' phones. That UAS
answers every INVITE at once with 200 and its SDP, echoes every RTP packet it receives
(``-rtp_echo``) and waits for the BYE. The desk's agents are set ready; an offer makes
the B2BUA dial ``sip:<agent>@kamailio``, Kamailio finds the registration and relays the
call to the UAS, which answers: the agent accepts and is bridged to the caller. After
each call the agent wraps up for 1 s and is ready again.

The load
--------
1. *Setup rate*, for each ``--rate`` (by default 10, 25 and 50 calls/s): a sipp UAC sends
   calls to the main line at that rate for ``--seconds``. Each call: INVITE (G.711 A-law
   and RFC 4733 events), 200, ACK; listens 600 ms to the menu; presses 1 (sipp plays
   Debian's ``dtmf_2833_1.pcap``); after 400 ms talks (``g711a.pcap``) for 2 s; hangs up.
   A call succeeds when sipp saw every message as scripted AND Frontdesk bridged it (an
   agent accepted the contact, which was then closed) AND the agents' UAS answered it.
   After the last call the run waits until every call has ended in Frontdesk and every
   agent is ready again. The figure is the highest rate whose run had no failure.
2. *Held calls*: ``--held`` calls to the hold line, started at ``--hold-rate`` calls/s,
   each kept ``--hold-seconds`` with sipp's ``-rtp_echo``: the caller sends back every
   packet it hears, so media flows both ways at 50 packets/s. Each waiting caller first
   hears music, then their place in line (the channel's announcement, spoken with
   espeak-ng), then music again. The texts ("You are number N in line.") are rendered
   before the run, as in a system that has run a while; their cost is printed. Once every
   call is up, the calls rtpengine holds are queried twice, a few seconds apart: a call
   counts as held with media when rtpengine received at least 40 packets/s from its
   caller in between (music went out and came back). The callers then hang up: every
   contact must be abandoned in the queue and no call may fail.
3. *Latency*: INVITE → 200 OK of every call, as sipp measures it (``start_rtd`` on the
   INVITE, ``rtd`` on the 200, ``-trace_rtt``: one line per call; what a trunk sees
   through Kamailio). sipp's clock moves in steps of 4 ms on this kernel, so each call's
   time is also taken from a tcpdump capture of the caller's port (microseconds), when
   tcpdump can capture. The target applies to the setup run at the target rate.

Frontdesk's side is checked after each run: contacts by final state, the time from the
menu answered to the agent connected, no call left in the voice channel, no leg in the
SIP stack, no call in rtpengine, no agent busy or reserved, the channel still following
the desk's events. Inside Frontdesk's process the benchmark times every ng command
(rtpengine's control protocol) and the tenant desk's lock (how long changes wait for it
and hold it), runs a 10 ms ticker on the event loop to see how late it runs, and counts
log records at warning and above (the log is ``frontdesk.log`` in the kept folder). CPU
per process (Frontdesk's threads, Kamailio, rtpengine, the two sipps) and of the whole
machine comes from /proc; "others" is what else ran on the machine meanwhile. Every
process this benchmark starts is stopped at the end, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gc
import itertools
import json
import logging
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import struct
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from frontdesk.app.runtime import assemble
from frontdesk.channels.voice.adapter import VoiceChannel
from frontdesk.channels.voice.announcements import place_in_line
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.errors import MediaError
from frontdesk.channels.voice.kamailio import ha1
from frontdesk.channels.voice.media import MUSIC_REPEAT, CallMedia
from frontdesk.channels.voice.ng import NgClient
from frontdesk.domain.agents import AgentState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.repositories import ContactFilter, Store
from frontdesk.services.clock import SystemClock
from frontdesk.services.desk import TenantDesk
from frontdesk.services.memory import settle_memory
from frontdesk.storage.memory import MemoryStore
from frontdesk.storage.sql import migrate, open_store
from frontdesk.web.container import Frontdesk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the voice tests' helpers

from tests.channels.voice.callers import BYE, INVITE_AND_ACK, PCAPS, play  # noqa: E402
from tests.channels.voice.ports import free_port  # noqa: E402
from tests.channels.voice.sipp import register, scenario_xml, uas_answer  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "voice.json"
TARGET_RATE = 50.0  # calls/s through IVR, queue and bridge, without failures
TARGET_HELD = 300  # calls held at once, each with music from rtpengine
TARGET_P99_MS = 20.0  # INVITE → 200 OK under load, p99
STORES = ("sqlite", "memory")
DEFAULT_RATES = (10.0, 25.0, TARGET_RATE)

T = TenantId("acme")
MAIN_NUMBER = "+74951230000"  # the menu: 1 → sales
HOLD_NUMBER = "+74951230001"  # everyone queued where no agent is: music until they hang up
PASSWORD = "bench-phone-1"
MENU_PROMPT = "press-1-for-sales"
#: The audio the agents' phones answer with: A-law and RFC 4733 events, as the callers.
AGENT_MEDIA = """\
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=ptime:20"""
SCENARIO = f"""\
scenario: bench-voice
version: 1
rules:
  - name: hold
    when: contact.line == "hold"
    queue: {{name: hold}}
  - name: everyone
    menu: main
menus:
  main:
    prompt: {MENU_PROMPT}
    timeout: 3s
    retries: 0
    options:
      "1": {{queue: sales}}
    on_fail: {{queue: hold}}
"""
DESK_SETTINGS = {"ring_timeout": "10s", "wrap_up": "1s"}

#: The setup run's caller: listens to the menu, presses 1, talks, hangs up (ms).
LISTEN_MS = 600
AFTER_KEY_MS = 400
TALK_MS = 2000
CALL_MS = LISTEN_MS + AFTER_KEY_MS + TALK_MS
#: Agents per call/s of the highest rate: an agent is taken ~3.5 s per call (ringing,
#: talking, 1 s of wrap-up), so at 6 per call/s no call waits for a free agent.
AGENTS_PER_RATE = 6
HOLD_RAMP_RATE = 25.0  # calls/s at which the held calls are started (--hold-rate)
#: A held caller must have been sent this many packets/s of music (of 50: 20 ms frames).
MEDIA_MIN_PPS = 45.0
RTP_RANGE = 10_000
#: After the last call of a run: how long Frontdesk may take to end every call.
DRAIN_SECONDS = 30.0
RECV_TIMEOUT_MS = 10_000  # sipp: a response or request that does not come fails the call
TICK = 0.01  # the event-loop lateness ticker's period, seconds


# --- ports and processes ---------------------------------------------------------------------


def ports_free(first: int, size: int) -> bool:
    sockets: list[socket.socket] = []
    try:
        for port in range(first, first + size):
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(probe)
            probe.bind(("127.0.0.1", port))
    except OSError:
        return False
    finally:
        for probe in sockets:
            probe.close()
    return True


def free_range(size: int, preferred: int = 20_000) -> tuple[int, int]:
    """``size`` consecutive UDP ports free now: ``preferred`` onwards if they are."""
    candidates = [preferred, *range(30_000, 61_000 - size, size)]
    for first in candidates:
        if ports_free(first, size):
            return first, first + size - 1
    raise RuntimeError(f"no {size} consecutive free UDP ports")


#: Every child process this benchmark started and has not seen end: killed at exit.
CHILDREN: dict[int, str] = {}


def kill_children() -> None:
    """The last resort (a crash): end what is left, each by its own id. Every child was
    started in a session of its own, so its process group (Kamailio's workers too) has
    its id."""
    for pid in tuple(CHILDREN):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        CHILDREN.pop(pid, None)


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(path: str) -> int:
    """utime + stime of a process or thread from its /proc stat file (0 if gone)."""
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def child_pids(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` (Kamailio's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


async def machine_busy(seconds: float = 2.0) -> float:
    """Cores the whole machine kept busy over ``seconds`` (before this benchmark starts
    anything: other work on the machine)."""
    busy, total = machine_ticks()
    await asyncio.sleep(seconds)
    busy2, total2 = machine_ticks()
    return round((busy2 - busy) / max(total2 - total, 1) * (os.cpu_count() or 1), 2)


def thread_names(pid: int) -> dict[int, str]:
    """The threads of process ``pid``: id → name."""
    names = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            names[int(task.name)] = (task / "comm").read_text().strip()
    return names


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used by each named part between :meth:`start` and :meth:`stop`, in cores.

    Every process and thread is read twice a second, so one that ends during the run
    (a sipp that finished, a worker thread) still counts with its last reading. "others"
    is the rest of the machine: what else ran on these cores meanwhile.
    """

    def __init__(self, parts: Callable[[], dict[str, list[str]]]) -> None:
        self.parts = parts  # name → /proc stat files, looked up at each reading
        self._first: dict[str, int] = {}  # stat file → ticks at the start
        self._last: dict[str, tuple[str, int]] = {}  # stat file → (part, latest ticks)
        self._machine: tuple[int, int] = (0, 0)
        self._began = 0.0
        self._task: asyncio.Task[None] | None = None

    def _read(self) -> None:
        for name, paths in self.parts().items():
            for path in paths:
                ticks = cpu_ticks(path)
                if ticks:
                    self._last[path] = (name, max(ticks, self._last.get(path, (name, 0))[1]))

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self._read()

    def start(self) -> None:
        self._last.clear()
        self._read()
        self._first = {path: ticks for path, (_, ticks) in self._last.items()}
        self._machine = machine_ticks()
        self._began = time.monotonic()
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> dict[str, Any]:
        if self._task is not None:
            self._task.cancel()
        self._read()
        wall = max(time.monotonic() - self._began, 1e-9)
        used: Counter[str] = Counter(dict.fromkeys(self.parts(), 0))
        for path, (name, ticks) in self._last.items():
            used[name] += ticks - self._first.get(path, 0)
        shares = {name: round(ticks / CLOCK_TICK / wall, 2) for name, ticks in used.items()}
        busy, total = machine_ticks()
        cores = os.cpu_count() or 1
        machine = (busy - self._machine[0]) / max(total - self._machine[1], 1) * cores
        shares["others"] = round(max(0.0, machine - sum(shares.values())), 2)
        return {"wall_s": round(wall, 1), "cores_used": shares, "machine": round(machine, 2)}


class TimedLock(asyncio.Lock):
    """The tenant desk's lock, timed: how long each change waited for it and held it."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.held = 0.0
        self._since = 0.0

    async def acquire(self) -> Literal[True]:
        began = time.perf_counter()
        await super().acquire()
        self._since = time.perf_counter()
        self.waits.append((self._since - began) * 1000)
        return True

    def release(self) -> None:
        self.held += time.perf_counter() - self._since
        super().release()


class Probes(logging.Handler):
    """Inside Frontdesk's process: the round trip of every ng command by name, how late
    the event loop runs a 10 ms ticker, and the log records at warning and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.ng: dict[str, list[float]] = {}
        self.lateness: list[float] = []
        self.gc_pauses: dict[int, list[float]] = {}
        self._gc_began = 0.0
        self.records: Counter[str] = Counter()
        self.file: logging.FileHandler | None = None
        self.desk_lock: TimedLock | None = None
        self._since = time.monotonic()
        self._ticker: asyncio.Task[None] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.records[f"{record.levelname} {record.name}: {record.msg}"] += 1

    def reset(self) -> None:
        self.ng = {}
        self.lateness = []
        self.gc_pauses = {}
        self.records = Counter()
        self._since = time.monotonic()
        if self.desk_lock is not None:
            self.desk_lock.waits, self.desk_lock.held = [], 0.0

    def time_lock(self, desk: TenantDesk) -> None:
        """Put a :class:`TimedLock` in place of the desk's lock (while nothing holds it)."""
        assert not desk.lock.locked()
        self.desk_lock = TimedLock()
        desk.lock = self.desk_lock

    def time_ng(self, client: NgClient) -> None:
        """Wrap ``client.command`` to time every command (this benchmark's only change)."""
        command = client.command

        async def timed(
            name: str, params: Mapping[str, object] | None = None, *, timeout: float = 2.0
        ) -> dict[str, object]:
            began = time.perf_counter()
            try:
                return await command(name, params, timeout=timeout)
            finally:
                self.ng.setdefault(name, []).append((time.perf_counter() - began) * 1000)

        setattr(client, "command", timed)  # noqa: B010 - an instance attribute, on purpose

    def log_to(self, path: Path) -> None:
        """Frontdesk's log (info and above) into ``path``; warnings and errors counted."""
        self.file = logging.FileHandler(path)
        self.file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.setLevel(logging.INFO)
        root.addHandler(self.file)
        root.addHandler(self)

    def close_log(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        if self.file is not None:
            root.removeHandler(self.file)
            self.file.close()

    def time_gc(self) -> None:
        """Time the cyclic garbage collector's collections (they stop every thread)."""

        def timed(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._gc_began = time.perf_counter()
            else:
                pause = (time.perf_counter() - self._gc_began) * 1000
                self.gc_pauses.setdefault(info["generation"], []).append(pause)

        gc.callbacks.append(timed)

    def start_ticker(self) -> None:
        async def tick() -> None:
            loop = asyncio.get_running_loop()
            while True:
                due = loop.time() + TICK
                await asyncio.sleep(TICK)
                self.lateness.append((loop.time() - due) * 1000)

        self._ticker = asyncio.create_task(tick())

    def stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()

    def figures(self, calls: int) -> dict[str, Any]:
        wall = time.monotonic() - self._since
        lock = self.desk_lock
        return {
            "desk_lock": {
                "held_share": round(lock.held / wall, 3),
                "held_ms_per_call": round(lock.held * 1000 / max(calls, 1), 2),
                "changes": len(lock.waits),
                "wait_ms": distribution(lock.waits),
            }
            if lock is not None
            else None,
            "ng_commands_per_call": {
                name: round(len(times) / max(calls, 1), 2)
                for name, times in sorted(self.ng.items())
            },
            "ng_round_trip_ms": {
                name: distribution(times) for name, times in sorted(self.ng.items())
            },
            "event_loop_late_ms": distribution(self.lateness),
            "gc_pauses_ms": {
                generation: {
                    "count": len(pauses),
                    "max": round(max(pauses), 1),
                    "total": round(sum(pauses), 1),
                }
                for generation, pauses in sorted(self.gc_pauses.items())
            },
            "log_records": dict(self.records.most_common(10)),
        }


# --- sipp --------------------------------------------------------------------------------------

#: sipp's summary of response times, for the setup timer of the callers' INVITE.
_RESPONSE_TIMES = '  <ResponseTimeRepartition value="1, 2, 5, 10, 20, 50, 100, 200, 500, 1000"/>\n'


def caller_through_menu() -> str:
    """Listen to the menu, press 1, talk (A-law pcap), hang up."""
    return scenario_xml(
        "caller-menu",
        INVITE_AND_ACK
        + f'  <pause milliseconds="{LISTEN_MS}"/>\n'
        + play(PCAPS / "dtmf_2833_1.pcap")
        + f'  <pause milliseconds="{AFTER_KEY_MS}"/>\n'
        + play(PCAPS / "g711a.pcap")
        + f'  <pause milliseconds="{TALK_MS}"/>\n'
        + BYE
        + _RESPONSE_TIMES,
    )


def caller_on_hold(hold_ms: int) -> str:
    """Wait ``hold_ms`` in the queue (sipp's -rtp_echo sends the music back), hang up."""
    pause = f'  <pause milliseconds="{hold_ms}"/>\n'
    return scenario_xml("caller-hold", INVITE_AND_ACK + pause + BYE + _RESPONSE_TIMES)


def agent_registrations(domain: str, phones_port: int) -> str:
    """REGISTER ``[field0]``, answering the challenge with ``[field1]`` (sipp's
    ``[authentication ...]`` keyword, written whole in the field), Contact at the agents'
    UAS, for an hour."""
    return register(
        "[field0]", "", domain, expires=3600, contact_port=str(phones_port),
        authentication="[field1]",
    )  # fmt: skip


def agent_phones() -> str:
    """Every agent's phone: answer at once (no 180: a proxy may reorder it after the 200)
    in A-law, as the callers talk, wait for the BYE."""
    return uas_answer(AGENT_MEDIA, name="agent")


class Sipp:
    """One sipp process: its scenario, fields, statistics and per-call response times, all
    in ``folder`` (its working directory)."""

    def __init__(
        self, name: str, folder: Path, scenario: str, args: Sequence[str],
        fields: Sequence[str] = (),
    ) -> None:  # fmt: skip
        self.name = name
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{name}.xml").write_text(scenario, encoding="utf-8")
        extra: list[str] = []
        if fields:
            (self.folder / "fields.csv").write_text(
                "SEQUENTIAL\n" + "".join(f"{line};\n" for line in fields), encoding="utf-8"
            )
            extra = ["-inf", "fields.csv"]
        self.argv = [
            *args, "-sf", f"{name}.xml", *extra, "-nostdin",
            "-trace_stat", "-stf", "stats.csv", "-fd", "1",
            "-trace_err", "-error_file", "errors.log",
            "-trace_screen", "-screen_file", "screen.log",
        ]  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None
        self.sip_port = 0  # the UDP port it sends and receives SIP on, when known
        self.media_port = 0  # and its RTP port

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            "sipp", *self.argv, cwd=self.folder, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches this process only; it stops sipp
        )  # fmt: skip
        CHILDREN[self.process.pid] = self.name

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def wait(self) -> int:
        assert self.process is not None
        code = await self.process.wait()
        CHILDREN.pop(self.process.pid, None)
        return code

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        CHILDREN.pop(process.pid, None)

    def stats(self) -> dict[str, str]:
        """The last row of sipp's statistics file (cumulative columns end in ``(C)``)."""
        try:
            text = (self.folder / "stats.csv").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return {}
        rows = [row for row in csv.reader(text.splitlines(), delimiter=";") if row]
        return dict(zip(rows[0], rows[-1], strict=False)) if len(rows) >= 2 else {}

    def count(self, column: str) -> int:
        value = self.stats().get(f"{column}(C)", "0")
        return int(value) if value.isdigit() else 0

    def response_times(self) -> list[tuple[float, float]]:
        """(ms since sipp started, INVITE → 200 in ms) of every call, from ``-trace_rtt``."""
        times = []
        for path in self.folder.glob("*_rtt.csv"):
            for row in csv.reader(path.read_text().splitlines()[1:], delimiter=";"):
                if len(row) >= 3 and row[2] == "setup":
                    times.append((float(row[0]), float(row[1])))
        return sorted(times)

    def errors(self, limit: int = 5) -> list[str]:
        """sipp's complaints by kind, most frequent first (numbers and names left out)."""
        try:
            text = (self.folder / "errors.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        kinds: Counter[str] = Counter()
        for event in re.split(r"\d{4}-\d\d-\d\d\s+[\d:.]+\s+[\d.]+: ", text)[1:]:
            first = event.strip().split("\n", 1)[0]
            first = re.sub(r"'.*", "", first)  # the message sipp quotes
            kinds[re.sub(r"[\w.@+-]*\d[\w.@+-]*", "#", first)[:160]] += 1
        return [f"{n} × {kind}" for kind, n in kinds.most_common(limit)]


class Capture:
    """tcpdump on the loopback interface (microsecond timestamps), while it runs."""

    def __init__(self, path: Path, bpf: str, snaplen: int = 4096) -> None:
        self.path = path
        self.bpf = bpf
        self.snaplen = snaplen
        self.process: asyncio.subprocess.Process | None = None
        self.dropped = 0  # packets the kernel dropped before tcpdump read them

    async def start(self) -> None:
        tcpdump = shutil.which("tcpdump")
        if tcpdump is None:
            return
        self.process = await asyncio.create_subprocess_exec(
            tcpdump, "-i", "lo", "-n", "-U", "-s", str(self.snaplen), "-w", str(self.path),
            self.bpf, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        CHILDREN[self.process.pid] = "tcpdump"
        assert self.process.stderr is not None
        with contextlib.suppress(TimeoutError):  # "listening on lo ...": capturing now
            await asyncio.wait_for(self.process.stderr.readline(), 3)

    async def stop(self) -> None:
        process = self.process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        _, errors = await process.communicate()
        CHILDREN.pop(process.pid, None)
        dropped = re.search(rb"(\d+) packets? dropped by kernel", errors)
        self.dropped = int(dropped[1]) if dropped else 0

    def datagrams(self) -> list[tuple[float, int, int, bytes]] | None:
        """The UDP datagrams captured: (time, source port, destination port, payload);
        None if tcpdump could not capture. Read once the load is over: parsing a large
        capture takes this process's CPU, which Frontdesk shares."""
        if self.process is None:
            return None
        try:
            return udp_datagrams(self.path.read_bytes())
        except (OSError, ValueError, struct.error):
            return None


def udp_datagrams(pcap: bytes) -> list[tuple[float, int, int, bytes]]:
    """The IPv4 UDP datagrams of a pcap file (either byte order, µs or ns timestamps)."""
    for order in ("<", ">"):
        magic = struct.unpack(order + "I", pcap[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError("not a pcap file")
    scale = 1e-6 if magic == 0xA1B2C3D4 else 1e-9
    link = struct.unpack(order + "I", pcap[20:24])[0] & 0xFFFF
    skip = {0: 4, 1: 14, 113: 16, 276: 20}.get(link)
    if skip is None:
        raise ValueError(f"link type {link}")
    found = []
    offset = 24
    while offset + 16 <= len(pcap):
        seconds, fraction, length, _ = struct.unpack(order + "IIII", pcap[offset : offset + 16])
        ip = pcap[offset + 16 + skip : offset + 16 + length]
        offset += 16 + length
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_UDP:
            continue
        header = (ip[0] & 0x0F) * 4
        source, destination = struct.unpack("!HH", ip[header : header + 4])
        found.append((seconds + fraction * scale, source, destination, ip[header + 8 :]))
    return found


def invite_to_ok(datagrams: Sequence[tuple[float, int, int, bytes]]) -> tuple[list[float], float]:
    """The ms from each Call-ID's first INVITE to its first 200 OK with ``CSeq: 1 INVITE``,
    and the rate at which the first INVITEs were sent (calls/s)."""
    sent: dict[bytes, float] = {}
    answered: dict[bytes, float] = {}
    for at, _, _, payload in datagrams:
        call_id = re.search(rb"^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)", payload, re.M | re.I)
        if call_id is None:
            continue
        if payload.startswith(b"INVITE "):
            sent.setdefault(call_id[1], at)
        elif payload.startswith(b"SIP/2.0 200") and re.search(rb"^CSeq:\s*1 INVITE", payload, re.M):
            answered.setdefault(call_id[1], at)
    times = sorted(sent.values())
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return [(answered[k] - sent[k]) * 1000 for k in sent if k in answered], rate


def media_rates(
    datagrams: Sequence[tuple[float, int, int, bytes]], callers_port: int, seconds: float
) -> tuple[list[float], list[float]]:
    """Per call (rtpengine's port facing it), packets/s sent to the callers' media port,
    and packets/s the callers sent back."""
    to_callers: Counter[int] = Counter()
    from_callers: Counter[int] = Counter()
    for _, source, destination, _ in datagrams:
        if destination == callers_port:
            to_callers[source] += 1
        elif source == callers_port:
            from_callers[destination] += 1
    return (
        [n / seconds for n in to_callers.values()],
        [from_callers[port] / seconds for port in to_callers],
    )


# --- the contact center -------------------------------------------------------------------------


@dataclass
class Bench:
    store_kind: str
    folder: Path
    frontdesk: Frontdesk
    voice: VoiceChannel
    settings: VoiceSettings
    agents: list[str]
    probes: Probes
    phones: Sipp | None = None
    kamailio_pids: list[int] = field(default_factory=list)
    rtpengine_threads: dict[int, Any] = field(default_factory=dict)  # tid → name; 0 → pid
    #: Calls rtpengine still held after every call had ended in Frontdesk.
    leaked: set[str] = field(default_factory=set)

    @property
    def desk_agents(self) -> dict[AgentId, Any]:
        return self.frontdesk.dispatcher.desk(T).agents

    def proc_parts(self) -> dict[str, list[str]]:
        """The /proc stat files of each part whose CPU is measured."""
        me = os.getpid()
        threads = [int(t.name) for t in Path(f"/proc/{me}/task").iterdir()]
        sip = self.voice.sip.pid if self.voice.sip is not None else None
        parts = {
            "frontdesk: event loop (desk, calls, ng)": [f"/proc/{me}/task/{me}/stat"],
            "frontdesk: SIP process (sippy, answerer)": [f"/proc/{sip}/stat"] if sip else [],
            "frontdesk: other threads": [f"/proc/{me}/task/{t}/stat" for t in threads if t != me],
        }
        for name, daemon in (
            ("kamailio", self.voice.kamailio.daemon),
            ("rtpengine", self.voice.rtpengine.daemon),
        ):
            process = daemon.process
            if process is not None:
                pids = [process.pid]
                if name == "kamailio":  # its workers, found once (a /proc scan is not cheap)
                    if self.kamailio_pids[:1] != [process.pid]:
                        self.kamailio_pids = [process.pid, *child_pids(process.pid)]
                    pids = self.kamailio_pids
                    parts[name] = [f"/proc/{pid}/stat" for pid in pids]
                else:  # by thread: its ng control, pollers (relay), media players ...
                    if self.rtpengine_threads.get(0) != process.pid:
                        self.rtpengine_threads = {0: process.pid, **thread_names(process.pid)}
                    for tid, comm in self.rtpengine_threads.items():
                        if tid:
                            stat = f"/proc/{process.pid}/task/{tid}/stat"
                            parts.setdefault(f"rtpengine/{comm}", []).append(stat)
        if self.phones is not None and self.phones.pid is not None:
            parts["sipp: agents' phones"] = [f"/proc/{self.phones.pid}/stat"]
        return parts


async def open_bench_store(kind: str, folder: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    url = f"sqlite+aiosqlite:///{folder / 'frontdesk.db'}"
    await migrate(url)
    return await open_store(url)


async def start_bench(kind: str, folder: Path, agents: int) -> Bench:
    store = await open_bench_store(kind, folder)
    frontdesk = assemble(store, SystemClock())
    await frontdesk.auth.ensure_tenant(T, "Acme")
    config = frontdesk.configuration
    for queue in ("sales", "hold"):
        await config.put(T, "queues", queue, {"name": queue.title()}, "bench")
    await config.put(T, "access_points", MAIN_NUMBER, {"channel": "voice", "line": "main"}, "bench")
    await config.put(T, "access_points", HOLD_NUMBER, {"channel": "voice", "line": "hold"}, "bench")
    await config.put(T, "settings", "desk", DESK_SETTINGS, "bench")
    for reason in ("no_answer", "rejected", "unreachable"):
        await config.put(T, "reasons", reason, {"name": {"en": reason}}, "bench")
    names = [f"agent{n:04d}" for n in range(1, agents + 1)]
    for name in names:
        await config.put_agent(T, name, {"name": name, "queues": ["sales"]}, "bench")
    version = await frontdesk.scenarios.save(T, SCENARIO, "bench")
    await frontdesk.scenarios.publish(T, version.version, "bench")
    await frontdesk.dispatcher.start()
    rtp_min, rtp_max = free_range(RTP_RANGE)
    settings = VoiceSettings(
        work_dir=folder / "voice", sip_port=free_port(), b2bua_port=free_port(),
        ng_port=free_port(), dtmf_port=free_port(), rtp_min=rtp_min, rtp_max=rtp_max,
    )  # fmt: skip
    for name in names:
        body = {"ha1": ha1(name, settings.domain, PASSWORD)}
        await config.put(T, "phones", name, body, "bench")
    voice = VoiceChannel(settings, frontdesk.dispatcher, store, frontdesk.bus)
    probes = Probes()
    probes.time_ng(voice.ng)
    probes.log_to(folder / "frontdesk.log")
    bench = Bench(kind, folder, frontdesk, voice, settings, names, probes)
    try:
        await voice.start()
    finally:
        for daemon in (voice.kamailio.daemon, voice.rtpengine.daemon):
            if daemon.process is not None:
                CHILDREN[daemon.process.pid] = daemon.name
    # The menu prompt is spoken once, before any call needs it.
    await voice.center.prompts.file(T, MENU_PROMPT, {}, None)
    probes.time_lock(frontdesk.dispatcher.desk(T))
    settle_memory()  # as the service does once it has started
    probes.time_gc()
    probes.start_ticker()
    return bench


async def stop_bench(bench: Bench) -> None:
    bench.probes.close_log()
    bench.probes.stop_ticker()
    try:
        if bench.phones is not None:
            await bench.phones.stop()
        await bench.voice.stop()
        await bench.frontdesk.dispatcher.stop()
        bench.frontdesk.bus.close()
        await bench.frontdesk.store.close()
    finally:
        for daemon in (bench.voice.kamailio.daemon, bench.voice.rtpengine.daemon):
            if daemon.process is not None and daemon.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    daemon.process.kill()
        for pid in [p for p, n in CHILDREN.items() if n in ("kamailio", "rtpengine")]:
            CHILDREN.pop(pid, None)


async def ng_capacity(bench: Bench, seconds: float = 4.0) -> dict[str, float]:
    """rtpengine's control path alone, no SIP, no RTP: the ng commands of one setup call
    (offer and answer for the caller, the menu prompt played and stopped, the music
    started, offer and answer of the agent's branch, delete), for as many calls as 8 at a
    time get through in ``seconds``; then the same without the music."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        port = sink.getsockname()[1]
        sdp = (
            f"v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
        )
        center = bench.voice.center
        prompt = await center.prompts.file(T, MENU_PROMPT, {}, None)
        serial = itertools.count(1)
        rates = {}
        # The channel's watch deletes rtpengine calls that are none of its own: these are.
        measuring: set[str] = set()
        media_ids = center._media_ids
        center._media_ids = lambda: media_ids() | measuring  # type: ignore[method-assign]
        for label, music in (("with_music", True), ("without_music", False)):
            done = 0
            end = time.monotonic() + seconds

            async def calls(music: bool = music, end: float = end) -> None:
                nonlocal done
                while time.monotonic() < end:
                    n = next(serial)
                    measuring.add(f"ngcap-{n}")
                    media = CallMedia(bench.voice.ng, "127.0.0.1", f"ngcap-{n}", f"c{n}", sdp)
                    await media.open()
                    await media.play(prompt)
                    await media.stop()
                    if music:
                        await media.play(center.music, repeat=MUSIC_REPEAT)
                    await media.offer_to("agent-1")
                    await media.connect("agent-1", sdp, f"a{n}")
                    await media.close()
                    done += 1

            began = time.monotonic()
            await asyncio.gather(*(calls() for _ in range(8)))
            rates[label] = round(done / (time.monotonic() - began), 1)
    center._media_ids = media_ids  # type: ignore[method-assign]
    return rates


async def register_agents(bench: Bench) -> dict[str, Any]:
    """The agents' UAS, then one REGISTER (with its challenge) per agent through Kamailio."""
    media = free_range(4, preferred=free_port())[0]
    port = free_port()
    bench.phones = Sipp(
        "agent-phones", bench.folder, agent_phones(),
        ["-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1", "-mp", str(media),
         "-rtp_echo", "-recv_timeout", "300000"],
    )  # fmt: skip
    await bench.phones.start()
    kamailio = f"127.0.0.1:{bench.settings.sip_port}"
    registrar = Sipp(
        "register", bench.folder, agent_registrations(bench.settings.domain, port),
        [kamailio, "-i", "127.0.0.1", "-p", str(free_port()), "-r", "200", "-l", "50",
         "-m", str(len(bench.agents)), "-timeout", "60", "-timeout_error",
         "-recv_timeout", str(RECV_TIMEOUT_MS)],
        fields=[
            f"{agent};[authentication username={agent} password={PASSWORD}]"
            for agent in bench.agents
        ],
    )  # fmt: skip
    began = time.monotonic()
    await registrar.start()
    code = await registrar.wait()
    registered = registrar.count("SuccessfulCall")
    result = {
        "agents": len(bench.agents),
        "registered": registered,
        "failed": registrar.count("FailedCall"),
        "seconds": round(time.monotonic() - began, 1),
        "sipp_exit": code,
        "errors": registrar.errors(),
    }
    if registered != len(bench.agents):
        raise RuntimeError(f"agent registration failed: {result}")
    probe = bench.agents[-1]
    contacts = await bench.voice.kamailio.contacts(probe)
    if not any(f":{port}" in contact for contact in contacts):
        raise RuntimeError(f"Kamailio does not know {probe}'s phone: {contacts}")
    desk = bench.frontdesk.dispatcher.desk(T)
    for agent in bench.agents:
        await desk.set_agent_state(AgentId(agent), AgentState.READY)
    return result


# --- the runs ---------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an ascending sequence (inf for an empty one)."""
    if not ordered:
        return math.inf
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def distribution(values: Sequence[float]) -> dict[str, float | int | None]:
    ordered = sorted(values)

    def shown(v: float) -> float | None:
        return None if math.isinf(v) else round(v, 2)

    return {
        "count": len(ordered),
        "min": shown(ordered[0]) if ordered else None,
        "p50": shown(percentile(ordered, 0.5)),
        "p90": shown(percentile(ordered, 0.9)),
        "p99": shown(percentile(ordered, 0.99)),
        "max": shown(ordered[-1]) if ordered else None,
        "mean": round(statistics.fmean(ordered), 2) if ordered else None,
    }


async def timelines(bench: Bench, contacts: Sequence[LiveContact], limit: int = 4) -> list[str]:
    """What happened to a few contacts: their events, ms after arrival."""
    lines = []
    for live in contacts[:limit]:
        async with bench.frontdesk.store.transaction() as tx:
            events = await tx.events.for_contact(T, live.contact.id)
        start = live.contact.arrived_at
        steps = ", ".join(
            f"{event.type}{'→' + str(event.data['new']) if 'new' in event.data else ''} "
            f"{(event.at - start).total_seconds() * 1000:.0f}"
            for event in events
        )
        lines.append(f"{live.contact.state.value}: {steps}")
    return lines


async def contacts_since(bench: Bench, since: datetime) -> list[LiveContact]:
    async with bench.frontdesk.store.transaction() as tx:
        return await tx.contacts.search(
            T, ContactFilter(channel="voice", since=since, limit=1_000_000)
        )


def leftovers(bench: Bench) -> dict[str, int]:
    """What must be empty once every call has ended."""
    center = bench.voice.center
    sip = bench.voice.sip
    agents = bench.desk_agents.values()
    follower = bench.voice._follower
    return {
        "calls_in_voice_channel": len(center.by_call_id),
        "contacts_in_voice_channel": len(center.calls),
        "sip_legs": len(sip.legs) if sip is not None else 0,
        "agents_busy_or_reserved": sum(
            a.state in (AgentState.BUSY, AgentState.RESERVED) for a in agents
        ),
        "agents_in_wrap_up": sum(a.state is AgentState.WRAP_UP for a in agents),
        # The channel follows the desk's events through a bounded bus subscription; one
        # that fell 10,000 events behind is closed, and the follower ends silently.
        "voice_event_follower_ended": int(follower is None or follower.done()),
    }


async def drain(bench: Bench, *, agents_ready: bool) -> tuple[float, dict[str, int]]:
    """Wait until no call is left and (``agents_ready``) every agent is ready again."""
    began = time.monotonic()
    while True:
        left = leftovers(bench)
        if agents_ready:
            done = not any(left.values())
        else:
            done = not (left["calls_in_voice_channel"] or left["sip_legs"])
        if done or time.monotonic() - began > DRAIN_SECONDS:
            left["calls_in_rtpengine"] = await forget_leaked(bench)
            return time.monotonic() - began, left
        await asyncio.sleep(0.1)


async def forget_leaked(bench: Bench) -> int:
    """Calls rtpengine holds although every call has ended in Frontdesk: counted, kept in
    ``bench.leaked``, then deleted here, so that the next run does not pay for them (they
    may still be playing music to nobody)."""
    listed = (await bench.voice.ng.command("list", {"limit": 100_000})).get("calls")
    known = set(bench.voice.center.by_call_id)
    leaked = {str(call) for call in listed or ()} - known if isinstance(listed, list) else set()
    bench.leaked |= leaked
    for call_id in leaked:
        with contextlib.suppress(MediaError):
            await bench.voice.ng.command("delete", {"call-id": call_id})
    return len(leaked)


def sipp_outcome(sipp: Sipp, code: int) -> dict[str, Any]:
    return {
        "exit_code": code,
        "created": sipp.count("OutgoingCall"),
        "successful": sipp.count("SuccessfulCall"),
        "failed": sipp.count("FailedCall"),
        "retransmissions": sipp.count("Retransmissions"),
        "unexpected_messages": sipp.count("FailedUnexpectedMessage"),
        "recv_timeouts": sipp.count("FailedTimeoutOnRecv"),
        "errors": sipp.errors(),
    }


def caller_sipp(
    bench: Bench, name: str, scenario: str, number: str, rate: float, calls: int,
    seconds_each: float, *, echo: bool,
) -> Sipp:  # fmt: skip
    media = free_range(4, preferred=free_port())[0]
    limit = max(50, int(rate * (seconds_each + 10) * 2))
    timeout = calls / rate + seconds_each + 60
    port = free_port()
    sipp = Sipp(
        name, bench.folder, scenario,
        [f"127.0.0.1:{bench.settings.sip_port}", "-s", number,
         "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1", "-mp", str(media),
         "-r", f"{rate:g}", "-m", str(calls), "-l", str(limit),
         "-timeout", f"{timeout:.0f}", "-timeout_error", "-recv_timeout", str(RECV_TIMEOUT_MS),
         "-trace_rtt", "-rtt_freq", "1", *(["-rtp_echo"] if echo else [])],
        fields=[f"+7916{n:07d}" for n in range(1, calls + 1)],
    )  # fmt: skip
    sipp.sip_port, sipp.media_port = port, media
    return sipp


async def start_callers(bench: Bench, sipp: Sipp) -> tuple[CpuMeter, Capture]:
    """Start the callers' sipp with the CPU meter and a capture of its SIP port running,
    and the in-process probes started afresh."""
    meter = CpuMeter(lambda: {**bench.proc_parts(), "sipp: callers": pid_stat(sipp.pid)})
    wire = Capture(sipp.folder / "sip.pcap", f"udp port {sipp.sip_port}")
    await wire.start()
    await sipp.start()
    meter.start()
    bench.probes.reset()
    return meter, wire


async def run_setup(bench: Bench, rate: float, seconds: float, profile: bool) -> dict[str, Any]:
    """Calls through the menu to an agent at ``rate`` for ``seconds``."""
    calls = max(1, round(rate * seconds))
    name = f"setup-{rate:g}"
    sipp = caller_sipp(
        bench, name, caller_through_menu(), MAIN_NUMBER, rate, calls, CALL_MS / 1000, echo=False
    )
    phones = bench.phones
    assert phones is not None
    answered_before = phones.count("SuccessfulCall") + phones.count("FailedCall")
    since = datetime.now(UTC)
    meter, wire = await start_callers(bench, sipp)
    profiler = await start_profiler(bench, seconds) if profile else None
    code = await sipp.wait()
    cpu = meter.stop()
    await wire.stop()
    drained, left = await drain(bench, agents_ready=True)
    inside = bench.probes.figures(calls)
    captured = wire.datagrams()
    on_wire, sent_rate = invite_to_ok(captured) if captured is not None else (None, None)
    await asyncio.sleep(1.2)  # the phones' statistics are written every second
    contacts = await contacts_since(bench, since)
    states = Counter(live.contact.state.value for live in contacts)
    bridged = [live for live in contacts if live.handling.connected_at is not None]
    waits = [
        (live.handling.connected_at - live.handling.decided_at).total_seconds() * 1000
        for live in bridged
        if live.handling.connected_at is not None and live.handling.decided_at is not None
    ]
    answered = phones.count("SuccessfulCall") + phones.count("FailedCall") - answered_before
    arrivals = sorted(live.contact.arrived_at.timestamp() for live in contacts)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    outcome = sipp_outcome(sipp, code)
    failures = {
        "sipp_failed_calls": outcome["failed"] + max(0, calls - outcome["created"]),
        "not_bridged": calls - len(bridged),
        "not_closed": calls - states.get(ContactState.CLOSED.value, 0),
        "phones_answered_mismatch": abs(answered - len(bridged)),
        "left_over": sum(left.values()),
    }
    clean = not any(failures.values()) and code == 0
    return {
        "kind": "setup",
        "rate_asked": rate,
        "calls": calls,
        # The rate the calls were sent at (first INVITEs on the wire), and the rate their
        # contacts were created at in Frontdesk (after the answer: later when it lags).
        "sent_rate": round(sent_rate, 1) if sent_rate else None,
        "arrival_rate": round((len(arrivals) - 1) / span, 1) if span else None,
        "sipp": outcome,
        "contacts": len(contacts),
        "states": dict(states),
        "bridged": len(bridged),
        "phones_answered": answered,
        "failures": failures,
        "not_bridged_timelines_ms": await timelines(
            bench, [live for live in contacts if live.handling.connected_at is None]
        ),
        "clean": clean,
        "invite_to_200_ms": distribution([rtt for _, rtt in sipp.response_times()]),
        "invite_to_200_on_wire_ms": distribution(on_wire) if on_wire is not None else None,
        "menu_answer_to_agent_connected_ms": distribution(waits),
        "drain_s": round(drained, 1),
        "left_over": left,
        "cpu": cpu,
        "inside_frontdesk": inside,
        "profile": await finish_profiler(profiler) if profiler is not None else None,
    }


def pid_stat(pid: int | None) -> list[str]:
    return [f"/proc/{pid}/stat"] if pid is not None else []


async def caller_streams(bench: Bench) -> dict[str, tuple[float, int]]:
    """For every call rtpengine holds: when it was asked, and how many packets it had
    received from the caller by then."""
    listed = (await bench.voice.ng.command("list", {"limit": 100_000})).get("calls")
    calls = [str(c) for c in listed] if isinstance(listed, list) else []
    counts: dict[str, tuple[float, int]] = {}

    async def one(call_id: str) -> None:
        call = bench.voice.center.by_call_id.get(call_id)
        if call is None:
            return
        try:
            reply = await bench.voice.ng.command("query", {"call-id": call_id})
        except MediaError:  # the call ended since the list
            return
        tags = reply.get("tags")
        tag = tags.get(call.caller.remote_tag) if isinstance(tags, dict) else None
        packets = 0
        for media in tag.get("medias", []) if isinstance(tag, dict) else []:
            for stream in media.get("streams", []):
                if "RTP" in stream.get("flags", []):
                    packets += int(stream.get("stats", {}).get("packets", 0))
        counts[call_id] = (time.monotonic(), packets)

    for start in range(0, len(calls), 50):
        await asyncio.gather(*(one(c) for c in calls[start : start + 50]))
    return counts


def announcements(bench: Bench) -> int:
    """Place-in-line announcements rendered so far (one WAV per distinct text)."""
    folder = bench.voice.center.prompts.library(T).directory
    return len(list(folder.glob("announcement.*.wav")))


async def warm_announcements(bench: Bench, places: int) -> dict[str, Any]:
    """Render the texts the held callers will hear ("You are number N in line.": nobody
    serves the hold queue, so no wait is told), as a system that ran a while has them."""
    library = bench.voice.center.prompts.library(T)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    texts = [place_in_line(n, math.inf, "en") for n in range(1, places + 1)]
    gate = asyncio.Semaphore(os.cpu_count() or 1)

    async def one(text: str) -> None:
        async with gate:
            await asyncio.to_thread(library.render, "announcement", text, "en")

    await asyncio.gather(*(one(text) for text in texts))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "texts": len(texts),
        "seconds": round(time.monotonic() - began, 1),
        "cpu_ms_each": round(cpu * 1000 / max(len(texts), 1), 1),
    }


async def measure_media(
    bench: Bench, sipp: Sipp, first_hang_up: float
) -> tuple[list[float], Capture, float]:
    """While every call is up (until ``first_hang_up``, monotonic): a capture of the
    callers' media port, then what each caller sent back as rtpengine counted it
    (packets/s); and how long that counting lasted."""
    window = max(1.0, min(4.0, (first_hang_up - time.monotonic() - 1.0) / 2))
    capture = Capture(sipp.folder / "media.pcap", f"udp port {sipp.media_port}", snaplen=64)
    await capture.start()
    await asyncio.sleep(window)
    await capture.stop()
    first_at = time.monotonic()
    first = await caller_streams(bench)
    await asyncio.sleep(max(0.0, window / 2 - (time.monotonic() - first_at)))
    second = await caller_streams(bench)
    seconds = time.monotonic() - first_at
    echoed = sorted(
        (second[c][1] - first[c][1]) / max(second[c][0] - first[c][0], 1e-3)
        for c in first.keys() & second.keys()
    )
    return echoed, capture, seconds


def music_rates(capture: Capture, port: int) -> tuple[list[float] | None, list[float] | None]:
    """Packets/s of music sent to each caller, and sent back by each, from the capture
    (None when there is none, or tcpdump could not keep up: the counts would be short)."""
    datagrams = capture.datagrams()
    if not datagrams or capture.dropped:
        return None, None
    span = datagrams[-1][0] - datagrams[0][0]
    return media_rates(datagrams, port, max(span, 1e-3))


async def run_hold(bench: Bench, held: int, hold_seconds: float, rate: float) -> dict[str, Any]:
    """``held`` callers waiting with music at once, each for ``hold_seconds``, started at
    ``rate`` calls/s."""
    rendered_before = announcements(bench)
    sipp = caller_sipp(
        bench, f"hold-{held}", caller_on_hold(round(hold_seconds * 1000)), HOLD_NUMBER,
        rate, held, hold_seconds, echo=True,
    )  # fmt: skip
    since = datetime.now(UTC)
    meter, wire = await start_callers(bench, sipp)
    began = time.monotonic()
    ramp_end = began + held / rate
    # Up: every call answered and waiting with music, or half the hold after the ramp.
    peak, rose = 0, time.monotonic()
    while time.monotonic() < ramp_end + hold_seconds / 2:
        waiting = sum(1 for call in bench.voice.center.by_call_id.values() if call.media.playing)
        if waiting > peak:
            peak, rose = waiting, time.monotonic()
        if waiting >= held or (time.monotonic() > ramp_end and time.monotonic() - rose > 2):
            break  # all up, or no more coming (some failed)
        await asyncio.sleep(0.1)
    all_up_after = time.monotonic() - began
    echoed, capture, seconds = await measure_media(bench, sipp, began + hold_seconds)
    statistics_reply = await bench.voice.ng.command("statistics")
    current = statistics_reply.get("statistics", {})
    current = current.get("currentstatistics", {}) if isinstance(current, dict) else {}
    code = await sipp.wait()
    cpu = meter.stop()
    await wire.stop()
    drained, left = await drain(bench, agents_ready=False)
    inside = bench.probes.figures(held)
    captured = wire.datagrams()
    on_wire, sent_rate = invite_to_ok(captured) if captured is not None else (None, None)
    music, back = music_rates(capture, sipp.media_port)
    capture_dropped = capture.dropped
    contacts = await contacts_since(bench, since)
    states = Counter(live.contact.state.value for live in contacts)
    outcome = sipp_outcome(sipp, code)
    failures = {
        "sipp_failed_calls": outcome["failed"] + max(0, held - outcome["created"]),
        "not_abandoned_in_queue": held - states.get(ContactState.ABANDONED.value, 0),
        "left_over": left["calls_in_voice_channel"]
        + left["sip_legs"]
        + left["calls_in_rtpengine"]
        + left["voice_event_follower_ended"],
    }
    measured = music if music is not None else echoed
    return {
        "kind": "hold",
        "held_asked": held,
        "hold_seconds": hold_seconds,
        "ramp_rate": rate,
        "sent_rate": round(sent_rate, 1) if sent_rate else None,
        "announcements_rendered_during_run": announcements(bench) - rendered_before,
        "waiting_with_music_peak": peak,
        "all_up_after_s": round(all_up_after, 1),
        "media_window_s": round(seconds, 1),
        "media_measured_by": "capture" if music is not None else "rtpengine counters",
        "capture_dropped_packets": capture_dropped,
        "calls_with_media": sum(r >= MEDIA_MIN_PPS for r in measured),
        "music_to_caller_pps": distribution(music) if music is not None else None,
        "caller_back_pps_capture": distribution(back) if back is not None else None,
        "caller_back_pps_rtpengine": distribution(echoed),
        "rtpengine_packet_rate": current.get("packetrate") if isinstance(current, dict) else None,
        "sipp": outcome,
        "contacts": len(contacts),
        "states": dict(states),
        "failures": failures,
        "clean": not any(failures.values()) and code == 0,
        "invite_to_200_ms": distribution([rtt for _, rtt in sipp.response_times()]),
        "invite_to_200_on_wire_ms": distribution(on_wire) if on_wire is not None else None,
        "drain_s": round(drained, 1),
        "left_over": left,
        "cpu": cpu,
        "inside_frontdesk": inside,
    }


# --- profiling -----------------------------------------------------------------------------


@dataclass
class Profiler:
    process: asyncio.subprocess.Process
    output: Path


async def start_profiler(bench: Bench, seconds: float) -> Profiler | None:
    """py-spy sampling this process (every thread) for ``seconds``, without pausing it."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("  py-spy is not installed (.venv/bin/pip install py-spy): no profile")
        return None
    output = RESULTS.with_name(f"voice-{bench.store_kind}-profile.txt")
    process = await asyncio.create_subprocess_exec(
        py_spy, "record", "--pid", str(os.getpid()), "--duration", str(max(1, round(seconds))),
        "--rate", "100", "--nonblocking", "--threads", "--format", "raw",
        "--output", str(output), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    CHILDREN[process.pid] = "py-spy"
    return Profiler(process, output)


#: The innermost frame of a thread waiting for I/O or work: not busy.
IDLE_FRAMES = (
    "procrastinate (elperiodic/ElPeriodic.py)",
    "AsyncReceiver.run (sippy/Udp_server.py)",
    "AsyncSender.run (sippy/Udp_server.py)",
    "_connection_worker_thread (aiosqlite/core.py)",
    "select (selectors.py)",
    "poll (selectors.py)",
    "wait (threading.py)",
    "_worker (concurrent/futures/thread.py)",
    "get (queue.py)",
    "run (aiosqlite/core.py)",
)


async def finish_profiler(profiler: Profiler) -> dict[str, Any]:
    _, errors = await profiler.process.communicate()
    CHILDREN.pop(profiler.process.pid, None)
    if profiler.process.returncode != 0 or not profiler.output.exists():
        return {"error": errors.decode().strip()[-500:]}
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    for line in profiler.output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        if any(frames[-1].endswith(idle) for idle in IDLE_FRAMES):
            continue
        thread = "sippy" if any("sippy/" in f for f in frames) else frames[0]
        threads[re.sub(r"\s*\(0x[0-9a-f]+\)", "", thread)] += int(count)
        own[frames[-1]] += int(count)
    busy = sum(own.values()) or 1
    return {
        "samples_busy": busy,
        "own_time": [{"function": n, "share": round(c / busy, 3)} for n, c in own.most_common(15)],
        "threads": {n: round(c / busy, 3) for n, c in threads.most_common(6)},
    }


# --- the figures ------------------------------------------------------------------------------


def ms(value: Any) -> str:
    return "∞" if value is None else f"{value:g}"


def print_cpu(cpu: dict[str, Any]) -> None:
    """Cores used per part; "rtpengine/<thread>" parts are summed under rtpengine."""
    totals: dict[str, float] = {}
    inner: dict[str, list[str]] = {}
    for name, share in cpu["cores_used"].items():
        parent, _, thread = name.partition("/")
        totals[parent] = totals.get(parent, 0.0) + share
        if thread and share >= 0.01:
            inner.setdefault(parent, []).append(f"{thread} {share:.2f}")
    parts = ", ".join(
        f"{name} {share:.2f}" + (f" ({', '.join(inner[name])})" if name in inner else "")
        for name, share in totals.items()
    )
    print(
        f"    CPU, cores used over {cpu['wall_s']:g} s: {parts}; whole machine {cpu['machine']:.2f}"
    )


def print_latency(run: dict[str, Any]) -> None:
    latency, wire = run["invite_to_200_ms"], run["invite_to_200_on_wire_ms"]
    line = (
        f"    INVITE → 200 OK, sipp (4 ms clock), ms: p50 {ms(latency['p50'])}  "
        f"p90 {ms(latency['p90'])}  p99 {ms(latency['p99'])}  max {ms(latency['max'])}"
    )
    if wire is not None:
        line += (
            f"; on the wire: p50 {ms(wire['p50'])}  p90 {ms(wire['p90'])}  "
            f"p99 {ms(wire['p99'])}  max {ms(wire['max'])}"
        )
    print(line)


def print_inside(inside: dict[str, Any]) -> None:
    late = inside["event_loop_late_ms"]
    ng = "  ".join(
        f"{name} {ms(d['p50'])}/{ms(d['p99'])}"
        for name, d in inside["ng_round_trip_ms"].items()
        if name in ("offer", "answer", "play media", "stop media", "delete")
    )
    print(
        f"    Frontdesk's event loop late by p50 {ms(late['p50'])} / p99 {ms(late['p99'])} / "
        f"max {ms(late['max'])} ms; ng round trips p50/p99 ms: {ng}"
    )
    lock = inside["desk_lock"]
    if lock is not None:
        print(
            f"    the tenant desk's lock: held {lock['held_share']:.0%} of the time "
            f"({lock['held_ms_per_call']:g} ms per call, {lock['changes']} changes); "
            f"waits p50 {ms(lock['wait_ms']['p50'])} / p99 {ms(lock['wait_ms']['p99'])} ms"
        )
    per_call = ", ".join(f"{n} {c:g}" for n, c in inside["ng_commands_per_call"].items())
    print(f"    ng commands per call: {per_call}")
    pauses = "; ".join(
        f"generation {g}: {p['count']}, longest {p['max']:g} ms, {p['total']:g} ms in all"
        for g, p in inside["gc_pauses_ms"].items()
    )
    print(f"    garbage collections, service's process (all its threads stop): {pauses or 'none'}")
    for record, count in inside["log_records"].items():
        print(f"    log: {count} × {record[:140]}")


def print_setup(run: dict[str, Any]) -> None:
    sipp, failures = run["sipp"], run["failures"]
    wait = run["menu_answer_to_agent_connected_ms"]
    print(
        f"  {run['rate_asked']:g} calls/s asked, {run['calls']} calls (sent at "
        f"{ms(run['sent_rate'])}/s, contacts created at {ms(run['arrival_rate'])}/s): "
        f"sipp {sipp['successful']} ok, {sipp['failed']} failed, "
        f"{sipp['retransmissions']} retransmissions; Frontdesk {run['contacts']} contacts "
        f"{run['states']}, {run['bridged']} bridged to an agent, phones answered "
        f"{run['phones_answered']} — {'CLEAN' if run['clean'] else 'FAILURES'}"
    )
    if not run["clean"]:
        print(f"    failures: {failures}; left over: {run['left_over']}")
        for line in sipp["errors"]:
            print(f"    sipp: {line}")
        for line in run["not_bridged_timelines_ms"]:
            print(f"    not bridged, events (ms after arrival): {line[:300]}")
    print_latency(run)
    print(
        f"    menu answered → agent connected, ms: p50 {ms(wait['p50'])}  "
        f"p99 {ms(wait['p99'])}; every call ended and every agent ready "
        f"{run['drain_s']:g} s after the last call"
    )
    print_cpu(run["cpu"])
    print_inside(run["inside_frontdesk"])
    profile = run.get("profile")
    if profile and "own_time" in profile:
        print(f"    py-spy, busy samples by thread: {profile['threads']}")
        for entry in profile["own_time"][:10]:
            print(f"      {entry['share']:6.1%}  {entry['function']}")


def print_hold(run: dict[str, Any]) -> None:
    sipp, music, back = run["sipp"], run["music_to_caller_pps"], run["caller_back_pps_rtpengine"]
    print(
        f"  {run['held_asked']} callers held {run['hold_seconds']:g} s (sent at "
        f"{ms(run['sent_rate'])}/s): waiting with music at the peak "
        f"{run['waiting_with_music_peak']}, all up {run['all_up_after_s']:g} s after the first; "
        f"{run['announcements_rendered_during_run']} announcements rendered during the run"
    )
    if music is not None:
        print(
            f"    music sent to each caller (capture), packets/s: p50 {ms(music['p50'])}  "
            f"min {ms(music['min'])}  ({music['count']} calls)"
        )
    print(
        f"    what each caller sent back, as rtpengine counted it, packets/s: "
        f"p50 {ms(back['p50'])}  min {ms(back['min'])}  ({back['count']} calls); "
        f"rtpengine relays {run['rtpengine_packet_rate']} packets/s"
    )
    print(
        f"    held with media (≥ {MEDIA_MIN_PPS:g} packets/s of music, by "
        f"{run['media_measured_by']}): {run['calls_with_media']}"
    )
    print(
        f"    sipp {sipp['successful']} ok, {sipp['failed']} failed; Frontdesk {run['states']}"
        f" — {'CLEAN' if run['clean'] else 'FAILURES'}"
    )
    if not run["clean"]:
        print(f"    failures: {run['failures']}; left over: {run['left_over']}")
        for line in sipp["errors"]:
            print(f"    sipp: {line}")
    print_latency(run)
    print_cpu(run["cpu"])
    print_inside(run["inside_frontdesk"])


def verdicts(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each target, the figure measured against it, and their ratio."""
    setups = [r for r in runs if r["kind"] == "setup"]
    holds = [r for r in runs if r["kind"] == "hold"]
    # A clean run counts at the rate asked when sipp kept to it (its pacing puts the first
    # and last INVITE of N calls a little more than (N - 1) / rate apart).
    clean_rates = [
        r["rate_asked"]
        if (r["sent_rate"] or r["rate_asked"]) >= 0.95 * r["rate_asked"]
        else r["sent_rate"]
        for r in setups
        if r["clean"]
    ]
    best = max(clean_rates, default=0.0)
    hold = max(holds, key=lambda r: r["calls_with_media"], default=None)
    held = hold["calls_with_media"] if hold is not None else 0
    failed = sum(hold["failures"].values()) if hold is not None else 0
    at_target = [r for r in setups if r["rate_asked"] >= TARGET_RATE] or setups
    p99 = at_target[0]["invite_to_200_ms"]["p99"] if at_target else None
    return {
        "setup_rate": {
            "target": f"≥ {TARGET_RATE:g} calls/s",
            "measured": best,
            "ratio": round(best / TARGET_RATE, 2),
            "verdict": "PASS" if best >= TARGET_RATE else "MISS",
        },
        "held_with_music": {
            "target": f"≥ {TARGET_HELD}",
            "measured": held,
            "failures": failed,
            "ratio": round(held / TARGET_HELD, 2),
            "verdict": "PASS" if held >= TARGET_HELD and not failed else "MISS",
        },
        "invite_to_200_p99_ms": {
            "target": f"≤ {TARGET_P99_MS:g} ms",
            "measured": p99,
            "at_rate": at_target[0]["rate_asked"] if at_target else None,
            "ratio": None if p99 is None else round(p99 / TARGET_P99_MS, 2),
            "verdict": "PASS" if p99 is not None and p99 <= TARGET_P99_MS else "MISS",
        },
    }


def print_verdicts(result: dict[str, Any]) -> None:
    v = result
    print(
        f"  setup rate (IVR + queue + bridge, no failure): {v['setup_rate']['measured']:g} calls/s"
        f" = {v['setup_rate']['ratio']:.2f}× the target {v['setup_rate']['target']}: "
        f"{v['setup_rate']['verdict']}"
    )
    held = v["held_with_music"]
    failed = f", {held['failures']} failures in the run" if held["failures"] else ""
    print(
        f"  held with music (≥ {MEDIA_MIN_PPS:g} packets/s reaching the caller): "
        f"{held['measured']} = {held['ratio']:.2f}× the target {held['target']}{failed}: "
        f"{held['verdict']}"
    )
    lat = v["invite_to_200_p99_ms"]
    ratio = "∞" if lat["ratio"] is None else f"{lat['ratio']:.2f}"
    print(
        f"  INVITE → 200 OK p99 at {ms(lat['at_rate'])} calls/s: {ms(lat['measured'])} ms = "
        f"{ratio}× the target {lat['target']}: {lat['verdict']}"
    )


# --- the command --------------------------------------------------------------------------------


@dataclass
class Options:
    stores: tuple[str, ...]
    rates: list[float]
    seconds: float
    held: int
    hold_seconds: float
    hold_rate: float
    agents: int
    profile: bool
    keep: bool
    quick: bool = False


async def run_on(kind: str, options: Options) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"frontdesk-bench-voice-{kind}-"))
    busy_before = await machine_busy()
    print(
        f"  before starting: the machine's {os.cpu_count()} cores busy {busy_before:.2f} "
        "(other processes; figures below are only comparable on a quiet machine)"
    )
    began = time.monotonic()
    bench = await start_bench(kind, folder, options.agents)
    runs: list[dict[str, Any]] = []
    try:
        print(
            f"  started in {time.monotonic() - began:.1f} s: Kamailio on "
            f":{bench.settings.sip_port}, the B2BUA on :{bench.settings.b2bua_port}, "
            f"rtpengine ports {bench.settings.rtp_min}-{bench.settings.rtp_max}"
        )
        registration = await register_agents(bench)
        print(
            f"  {registration['registered']} agents registered in "
            f"{registration['seconds']:g} s and ready"
        )
        capacity = None
        if not options.quick:
            capacity = await ng_capacity(bench)
            print(
                f"  rtpengine's control path alone (the ng commands of a setup call, 8 calls "
                f"at a time): {capacity['with_music']:g} calls/s; "
                f"{capacity['without_music']:g} calls/s without starting the music"
            )
        warm = await run_setup(bench, 5, 1.0, False)  # the first calls open every path
        if not warm["clean"]:
            print("  warm-up calls failed:")
            print_setup(warm)
        for n, rate in enumerate(options.rates):
            last = n == len(options.rates) - 1
            run = await run_setup(bench, rate, options.seconds, options.profile and last)
            print_setup(run)
            runs.append(run)
        warmed = await warm_announcements(bench, options.held + 5)
        print(
            f"  {warmed['texts']} place-in-line announcements rendered beforehand in "
            f"{warmed['seconds']:g} s ({warmed['cpu_ms_each']:g} ms of espeak-ng + sox CPU each)"
        )
        hold = await run_hold(bench, options.held, options.hold_seconds, options.hold_rate)
        hold["announcements_warmed"] = warmed
        print_hold(hold)
        runs.append(hold)
    finally:
        await stop_bench(bench)
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"  files kept in {folder}")
    result = verdicts(runs)
    if bench.leaked:
        print(
            f"  rtpengine kept {len(bench.leaked)} calls that had ended in Frontdesk "
            "(deleted by this benchmark after each run)"
        )
    return {
        "store": kind,
        "durability": "SQLite, WAL, synchronous=FULL" if kind == "sqlite" else "in memory",
        "machine_busy_before": busy_before,
        "agents": options.agents,
        "registration": registration,
        "rtpengine_ng_calls_per_second": capacity,
        "rtpengine_calls_leaked": sorted(bench.leaked),
        "runs": runs,
        "targets": result,
    }


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--store",
        choices=(*STORES, "both"),
        default=None,
        help="Frontdesk's store (default: both; memory with --quick)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        dest="rates",
        help="calls/s of a setup run (repeat for several; default 10, 25, 50; 50 with --quick)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="seconds of calls per setup run (default 30, 8 with --quick)",
    )
    parser.add_argument("--held", type=int, default=TARGET_HELD, help="calls held at once")
    parser.add_argument(
        "--hold-seconds",
        type=float,
        default=None,
        help="how long each held call waits (default 30, 14 with --quick)",
    )
    parser.add_argument(
        "--hold-rate",
        type=float,
        default=None,
        help=f"calls/s at which held calls start (default {HOLD_RAMP_RATE:g}, 50 with --quick)",
    )
    parser.add_argument(
        "--agents",
        type=int,
        default=None,
        help=f"agents (default {AGENTS_PER_RATE} per call/s of the highest rate)",
    )
    parser.add_argument("--quick", action="store_true", help="a run of under a minute")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample Frontdesk with py-spy during the last setup run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs and sipp files")
    args = parser.parse_args(argv)
    store = args.store or ("memory" if args.quick else "both")
    rates = args.rates or ([TARGET_RATE] if args.quick else list(DEFAULT_RATES))
    seconds = args.seconds or (8.0 if args.quick else 30.0)
    hold_seconds = args.hold_seconds or (14.0 if args.quick else 30.0)
    hold_rate = args.hold_rate or (50.0 if args.quick else HOLD_RAMP_RATE)
    agents = args.agents or max(10, math.ceil(AGENTS_PER_RATE * max(rates)))
    return Options(
        STORES if store == "both" else (store,), rates, seconds, args.held, hold_seconds,
        hold_rate,
        agents, args.profile, args.keep, args.quick,
    )  # fmt: skip


def check_tools() -> None:
    missing = [tool for tool in ("sipp", "kamailio", "rtpengine", "espeak-ng", "sox")
               if shutil.which(tool) is None]  # fmt: skip
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (Debian packages; see the voice docs)")


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def stop_on_signals() -> None:
    """Ctrl-C (also when started in the background, where SIGINT may be ignored) and
    SIGTERM end the run through asyncio's interruption, so every process is stopped."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    stop_on_signals()
    check_tools()
    raise_file_limit()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["bench/voice.py", *(sys.argv[1:] if argv is None else argv)])
    load_before = os.getloadavg()
    stores: dict[str, Any] = {}
    try:
        for kind in options.stores:
            print(
                f"{kind}: {options.agents} agents; setup runs at "
                f"{', '.join(f'{r:g}' for r in options.rates)} calls/s for "
                f"{options.seconds:g} s; {options.held} calls held {options.hold_seconds:g} s"
            )
            stores[kind] = asyncio.run(run_on(kind, options))
            print_verdicts(stores[kind]["targets"])
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    finally:
        kill_children()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": [round(v, 2) for v in load_before],
            "load_after": [round(v, 2) for v in os.getloadavg()],
        },
        "targets": {"setup_rate": TARGET_RATE, "held": TARGET_HELD, "p99_ms": TARGET_P99_MS},
        "stores": stores,
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
