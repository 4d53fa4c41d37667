"""A helper daemon of the voice channel (Kamailio, rtpengine) run as a child process.

The daemon runs in the foreground with its output in ``<run_dir>/<name>.log``. ``start``
returns when the readiness probe succeeds, or raises :class:`DaemonError` with the tail of
the log when the program is missing, exits, or is not ready in time. ``stop`` asks it to
end (SIGTERM) and kills it if it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from frontdesk.channels.voice.errors import DaemonError

log = logging.getLogger(__name__)
#: How much of the log an error quotes.
LOG_TAIL = 2000


class Daemon:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        run_dir: Path,
        ready: Callable[[], Awaitable[bool]],
        *,
        start_timeout: float = 10.0,
        pid_file: Path | None = None,
    ) -> None:
        self.name = name
        self.pid_file = pid_file
        self.argv = tuple(argv)
        self.run_dir = run_dir
        self.ready = ready
        self.start_timeout = start_timeout
        self.process: asyncio.subprocess.Process | None = None

    @property
    def log_path(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log_tail(self) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-LOG_TAIL:]

    async def start(self) -> None:
        if self.running:
            return
        program = self.argv[0]
        if shutil.which(program) is None:
            raise DaemonError(
                f"{self.name}: {program} is not installed", code="voice.missing", program=program
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.process is not None:  # it died: its children may live on, on its ports
            end_group(self.process.pid)
        await self._end_stale()
        with self.log_path.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C goes to Frontdesk, which stops it
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        while loop.time() < deadline:
            if not self.running:
                raise DaemonError(
                    f"{self.name} exited at start (code {self.process.returncode}):\n"
                    + self.log_tail(),
                    code="voice.daemon_exited",
                )
            if await self.ready():
                log.info("%s ready (pid %s)", self.name, self.process.pid)
                return
            await asyncio.sleep(0.05)
        await self.stop()
        raise DaemonError(
            f"{self.name} was not ready after {self.start_timeout:g} s:\n" + self.log_tail(),
            code="voice.daemon_timeout",
        )

    async def _end_stale(self) -> None:
        """End the daemon a run that was killed left behind (its pid file names it): it
        holds the ports this one needs."""
        if self.pid_file is None:
            return
        try:
            pid = int(self.pid_file.read_text().strip())
            program = Path(f"/proc/{pid}/comm").read_text().strip()
        except (OSError, ValueError):
            return
        if program != Path(self.argv[0]).name[:15]:  # the pid was reused by another program
            return
        log.warning("%s: ending the one a previous run left behind (pid %d)", self.name, pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists():
                return
            await asyncio.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    async def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        end_group(process.pid)


def end_group(pid: int) -> None:
    """Kill what is left of the process group a daemon led (it was started in a session of
    its own): Kamailio's worker processes outlive a main process that was killed."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
