"""A baresip agent phone for the voice tests: real SIP registration, calls and RTP.

:class:`Baresip` writes the phone's configuration folder, starts baresip, waits for the
registrar's answer to its first REGISTER, and drives it through ``ctrl_tcp`` (netstring-framed
JSON): :meth:`Baresip.dial`, :meth:`Baresip.answer`, :meth:`Baresip.hangup`,
:meth:`Baresip.calls`, and call events (``CALL_INCOMING``, ``CALL_RINGING``,
``CALL_ESTABLISHED``, ``CALL_CLOSED`` ...) through :meth:`Baresip.wait_for`.

Traps of baresip 1.0 handled here:

* ``aufile`` hangs up the call when its WAV ends, so the sent audio is padded with silence to
  :data:`AUDIO_SECONDS`;
* without ``net_interface 127.0.0.1`` the SDP offers the host's other address;
* baresip binds TCP on its SIP port and TLS on the next one, so both must be free;
* ``ausine`` works at 48 kHz only, hence a WAV even for a tone.

The ``sndfile`` filter keeps each call's audio in :attr:`Baresip.sound_dir`
(``dump-<time>-dec.wav`` is what the phone received, ``-enc.wav`` what it sent); baresip
writes their WAV headers when the call ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import shutil
import socket
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tests.channels.voice.ports import free_port, free_range

#: Length of the audio a phone sends (baresip 1.0 hangs up when its source WAV ends).
AUDIO_SECONDS = 300
#: The sample rate of the phones' audio (G.711).
SAMPLE_RATE = 8000

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "2001@example.org: {0/UDP/v4} 200 OK () [1 binding]" or "reg: sip:2001@...: 403 Forbidden ()"
_REGISTRATION = re.compile(r"^(?:reg: )?(?:sip:)?(\S+@\S+): (?:\{[^}]*\} )?(\d{3}) ([^(]*)")
_CALL_LINE = re.compile(r"\[line (\d+)\]\s+\S+\s+(\S+)\s+(\S+)")


class BaresipError(Exception):
    """baresip did not start, register, or carry out a command."""


@dataclass(frozen=True, slots=True)
class Event:
    """A ``ctrl_tcp`` event: ``type`` is ``CALL_INCOMING``, ``CALL_ESTABLISHED`` ...

    ``call_id`` is the SIP Call-ID of the call (for an outgoing call it appears once the
    call exists); ``param`` is the peer URI or, for ``CALL_CLOSED``, the reason.
    """

    type: str
    direction: str
    peer: str
    call_id: str
    param: str
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """A line of ``listcalls``: state is ``INCOMING``, ``OUTGOING``, ``ESTABLISHED`` ..."""

    line: int
    state: str
    peer: str


def phone_ports() -> tuple[int, int]:
    """A SIP port whose next port is free too (baresip puts TLS there), and a ctrl_tcp port."""
    while True:
        port, control = free_port(), free_port()
        if control in (port, port + 1):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tls:
            try:
                tls.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port, control


def tone(path: Path, frequency: float, *, seconds: float = 1.0, amplitude: float = 0.3) -> Path:
    """Write a sine tone as a 16-bit mono WAV at :data:`SAMPLE_RATE`."""
    count = int(seconds * SAMPLE_RATE)
    peak = amplitude * 32767
    samples = (
        int(peak * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)) for n in range(count)
    )
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        output.writeframes(b"".join(struct.pack("<h", sample) for sample in samples))
    return path


def padded(source: Path, target: Path, seconds: float = AUDIO_SECONDS) -> Path:
    """Copy a 16-bit mono WAV at :data:`SAMPLE_RATE` to ``target``, padded with silence to
    ``seconds``."""
    with wave.open(str(source), "rb") as original:
        if (
            original.getnchannels() != 1
            or original.getsampwidth() != 2
            or original.getframerate() != SAMPLE_RATE
        ):
            raise BaresipError(f"{source}: not a 16-bit mono WAV at {SAMPLE_RATE} Hz")
        frames = original.readframes(original.getnframes())
    silence = max(0, int(seconds * SAMPLE_RATE) - len(frames) // 2)
    with wave.open(str(target), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        output.writeframes(frames)
        chunk = bytes(2 * SAMPLE_RATE)
        while silence > 0:
            step = min(silence, SAMPLE_RATE)
            output.writeframes(chunk[: 2 * step])
            silence -= step
    return target


class Baresip:
    """One agent phone: a baresip process with one account.

    ``username``/``password`` authenticate at the registrar ``registrar`` (host, port), which
    is also the outbound proxy of every request; the address of record is
    ``sip:<username>@<domain>``. ``audio`` is the WAV the phone sends in calls (16-bit mono,
    8 kHz; a 440 Hz tone by default). ``auto_answer`` makes it answer incoming calls at once.
    """

    def __init__(
        self,
        directory: Path,
        *,
        username: str,
        password: str,
        domain: str,
        registrar: tuple[str, int],
        auto_answer: bool = False,
        audio: Path | None = None,
    ) -> None:
        self.directory = directory
        self.username = username
        self.password = password
        self.domain = domain
        self.registrar = registrar
        self.auto_answer = auto_answer
        self.audio = audio
        self.sip_port, self.ctrl_port = phone_ports()
        self.rtp_ports = free_range(20)
        self.sound_dir = directory / "sound"
        self.log_path = directory / "baresip.log"
        self.events: list[Event] = []
        self._taken: set[int] = set()
        self._event_added = asyncio.Condition()
        self._registrations: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        self._responses: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._command_lock = asyncio.Lock()
        self._process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def aor(self) -> str:
        return f"sip:{self.username}@{self.domain}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, *, expect: int | None = 200, timeout: float = 10.0) -> int:
        """Start the phone and return the status code of the registrar's final answer to its
        first REGISTER; raise :class:`BaresipError` if it is not ``expect`` (``None``: any).
        """
        if shutil.which("baresip") is None:
            raise BaresipError("baresip is not installed (Debian package baresip-core)")
        self._write_config()
        log = self.log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            "baresip",
            "-f",
            str(self.directory),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        self._tasks.append(asyncio.create_task(self._read_output(log)))
        try:
            code, reason = await asyncio.wait_for(self._registrations.get(), timeout)
            if code == 0:
                raise BaresipError(f"{self.aor}: baresip ended before registering:\n{self.log()}")
            await self._connect(timeout)
        except TimeoutError:
            await self.stop()
            raise BaresipError(f"{self.aor} got no answer to REGISTER:\n{self.log()}") from None
        except BaseException:
            await self.stop()
            raise
        if expect is not None and code != expect:
            await self.stop()
            raise BaresipError(f"{self.aor}: REGISTER answered {code} {reason}:\n{self.log()}")
        return code

    async def stop(self, timeout: float = 5.0) -> None:
        """End baresip (SIGTERM: it unregisters first; killed if it does not end)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def log(self) -> str:
        """baresip's output so far."""
        try:
            return _ANSI.sub("", self.log_path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ""

    async def command(self, name: str, params: str = "", *, timeout: float = 5.0) -> str:
        """Run a ctrl_tcp command (``/help`` lists them) and return its text."""
        if self._writer is None:
            raise BaresipError(f"{self.aor} is not running")
        async with self._command_lock:
            body = json.dumps({"command": name, "params": params, "token": name}).encode()
            self._writer.write(b"%d:%s," % (len(body), body))
            await self._writer.drain()
            try:
                response = await asyncio.wait_for(self._responses.get(), timeout)
            except TimeoutError:
                raise BaresipError(f"{self.aor}: no answer to {name}:\n{self.log()}") from None
        data = str(response.get("data", ""))
        if not response.get("ok"):
            raise BaresipError(f"{self.aor}: {name} {params} failed: {data}")
        return data

    async def dial(self, uri: str) -> None:
        await self.command("dial", uri)

    async def answer(self) -> None:
        """Answer the current incoming call."""
        await self.command("accept")

    async def hangup(self) -> None:
        """Hang up (or reject, if ringing) the current call."""
        await self.command("hangup")

    async def calls(self) -> list[Call]:
        text = _ANSI.sub("", await self.command("listcalls"))
        return [
            Call(int(match[1]), match[2], match[3])
            for match in map(_CALL_LINE.search, text.splitlines())
            if match
        ]

    async def wait_for(self, event_type: str, timeout: float = 5.0) -> Event:
        """The earliest event of ``event_type`` that no earlier ``wait_for`` returned, waiting
        up to ``timeout`` seconds for it to come."""

        def first() -> Event | None:
            for index, event in enumerate(self.events):
                if event.type == event_type and index not in self._taken:
                    self._taken.add(index)
                    return event
            return None

        async with self._event_added:
            try:
                found: Event | None = await asyncio.wait_for(
                    self._event_added.wait_for(first), timeout
                )
            except TimeoutError:
                seen = ", ".join(event.type for event in self.events[-10:])
                raise BaresipError(
                    f"{self.aor}: no {event_type} in {timeout:g} s (last events: {seen})"
                ) from None
        assert found is not None  # wait_for returns once first() found one
        return found

    def forget_events(self) -> None:
        """Let :meth:`wait_for` ignore every event received so far."""
        self._taken.update(range(len(self.events)))

    def received_audio(self) -> list[Path]:
        """The WAV files of audio received in finished calls, oldest first."""
        return sorted(self.sound_dir.glob("dump-*-dec.wav"))

    def _write_config(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sound_dir.mkdir(exist_ok=True)
        source = self.audio or tone(self.directory / "tone.wav", 440.0)
        sent = padded(source, self.directory / "sent.wav")
        host, port = self.registrar
        answer_mode = "auto" if self.auto_answer else "manual"
        (self.directory / "accounts").write_text(
            f"<{self.aor};transport=udp>;auth_user={self.username};auth_pass={self.password}"
            f';outbound="sip:{host}:{port};transport=udp";answermode={answer_mode}'
            ";regint=600;audio_codecs=pcmu,pcma;mwi=no;pubint=0\n",
            encoding="utf-8",
        )
        first, last = self.rtp_ports
        (self.directory / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    "net_interface 127.0.0.1",
                    f"sip_listen 127.0.0.1:{self.sip_port}",
                    "call_local_timeout 120",
                    "call_max_calls 4",
                    "audio_player alsa,null",
                    f"audio_source aufile,{sent}",
                    "audio_alert alsa,null",
                    f"ausrc_srate {SAMPLE_RATE}",
                    f"auplay_srate {SAMPLE_RATE}",
                    f"rtp_ports {first}-{last}",
                    "rtcp_mux no",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module alsa.so",
                    "module aufile.so",
                    "module sndfile.so",
                    "module_tmp uuid.so",
                    "module_tmp account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
                    f"snd_path {self.sound_dir}",
                    "",
                ]
            ),
            encoding="utf-8",
        )

    async def _read_output(self, log: BinaryIO) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        stdout = self._process.stdout
        pending = ""
        try:
            # Chunks, not lines: the call status line is redrawn with "\r" and never ends.
            while chunk := await stdout.read(4096):
                log.write(chunk)
                log.flush()
                pending += chunk.decode(errors="replace")
                *lines, pending = re.split(r"[\r\n]", pending)
                for line in lines:
                    match = _REGISTRATION.match(_ANSI.sub("", line).strip())
                    if match and match[1].lower() == self.aor[4:].lower():
                        self._registrations.put_nowait((int(match[2]), match[3].strip()))
                pending = pending[-4096:]
        finally:
            log.close()
            self._registrations.put_nowait((0, "baresip ended"))

    async def _connect(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                reader, self._writer = await asyncio.open_connection("127.0.0.1", self.ctrl_port)
                break
            except OSError:
                if loop.time() > deadline or not self.running:
                    raise BaresipError(f"{self.aor}: no ctrl_tcp:\n{self.log()}") from None
                await asyncio.sleep(0.05)
        self._tasks.append(asyncio.create_task(self._read_control(reader)))

    async def _read_control(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                length = int((await reader.readuntil(b":"))[:-1])
                body = await reader.readexactly(length + 1)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            message: dict[str, Any] = json.loads(body[:-1])
            if message.get("event"):
                async with self._event_added:
                    self.events.append(
                        Event(
                            type=str(message.get("type", "")),
                            direction=str(message.get("direction", "")),
                            peer=str(message.get("peeruri", "")),
                            call_id=str(message.get("id", "")),
                            param=str(message.get("param", "")),
                            raw=message,
                        )
                    )
                    self._event_added.notify_all()
            elif message.get("response"):
                self._responses.put_nowait(message)
