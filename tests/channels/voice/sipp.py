"""sipp for the voice tests: scenarios written from Python, run as a UAC or a background UAS.

:meth:`Sipp.run` runs a scenario to its end and returns a :class:`SippResult`: sipp's exit
code (0: every call as scripted, 1: some call failed, other codes: sipp could not run), the
messages it sent and received (``-trace_msg``), its final statistics (``-trace_stat``) and its
error log. :meth:`Sipp.start` and :meth:`Sipp.wait` do the same in two steps, for a UAS that
must listen before the call it answers is placed.

Provisional responses are optional in the scenarios below: with several UDP workers a proxy
may deliver a 180 after the 200, and sipp would otherwise fail the call (lab trap).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import itertools
import re
import shutil
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_SEPARATOR = re.compile(r"^-{20,}.*$", re.MULTILINE)
_DIRECTION = re.compile(r"^\w+ message (sent|received)")
_runs = itertools.count(1)


class SippError(Exception):
    """sipp is missing or did not start."""


@dataclass(frozen=True, slots=True)
class Message:
    """A SIP message that sipp sent or received."""

    sent: bool
    text: str

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def status(self) -> int | None:
        """The status code of a response, ``None`` for a request."""
        match = re.match(r"SIP/2\.0 (\d{3})", self.text)
        return int(match[1]) if match else None

    @property
    def method(self) -> str | None:
        """The method of a request, ``None`` for a response."""
        return None if self.status is not None else self.first_line.split(" ", 1)[0]

    def headers(self, name: str) -> list[str]:
        """The values of every header field ``name`` (case-insensitive), in order."""
        head = self.text.split("\n\n", 1)[0]
        wanted = name.lower()
        values: list[str] = []
        for line in head.split("\n")[1:]:
            key, colon, value = line.partition(":")
            if colon and key.strip().lower() == wanted:
                values.append(value.strip())
        return values

    def header(self, name: str) -> str | None:
        """The first value of the header field ``name``, or ``None``."""
        values = self.headers(name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class SippResult:
    returncode: int
    messages: tuple[Message, ...]
    stats: dict[str, str] = field(default_factory=dict)
    errors: str = ""

    @property
    def received(self) -> list[Message]:
        return [message for message in self.messages if not message.sent]

    @property
    def sent(self) -> list[Message]:
        return [message for message in self.messages if message.sent]

    def statuses(self) -> list[int]:
        """The status codes of the responses received, in order."""
        return [m.status for m in self.received if m.status is not None]

    def requests(self, method: str) -> list[Message]:
        """The requests of ``method`` received, in order."""
        return [m for m in self.received if m.method == method]

    def describe(self) -> str:
        """A summary for assertion messages: exit code, message flow and errors."""
        flow = "\n".join(("> " if m.sent else "< ") + m.first_line for m in self.messages)
        return f"sipp exit code {self.returncode}\n{flow}\n{self.errors[-2000:]}"


class Sipp:
    """One sipp process running ``scenario``: XML text, or the path of a scenario file (sipp
    then runs in its folder, where the files it names, such as pcaps, are).

    It binds ``host:local_port`` (UDP); with ``remote`` it is a UAC sending there, without it
    a UAS. ``calls`` is the number of calls after which it ends (``-m``); ``timeout`` ends it
    anyway (a failure). ``media_port`` binds its RTP there, and ``rtp_echo`` sends back what
    it receives. ``service`` fills ``[service]`` in the scenario. Its files go to
    ``work_dir``.
    """

    def __init__(
        self,
        scenario: str | Path,
        *,
        work_dir: Path,
        local_port: int,
        remote: tuple[str, int] | None = None,
        host: str = "127.0.0.1",
        calls: int = 1,
        media_port: int | None = None,
        rtp_echo: bool = False,
        service: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.work_dir = work_dir
        self.local_port = local_port
        self.host = host
        base = work_dir.resolve() / f"sipp-{next(_runs)}-{local_port}"
        self.scenario = scenario
        self.scenario_path = (
            scenario.resolve() if isinstance(scenario, Path) else base.with_suffix(".xml")
        )
        self.messages_path = base.with_suffix(".msg")
        self.stats_path = base.with_suffix(".csv")
        self.errors_path = base.with_suffix(".err")
        self.argv = [
            *([f"{remote[0]}:{remote[1]}"] if remote else []),
            "-sf", str(self.scenario_path),
            "-i", host,
            "-p", str(local_port),
            "-m", str(calls),
            "-nostdin",
            "-timeout", f"{timeout:g}",
            "-timeout_error",
            "-trace_msg", "-message_file", str(self.messages_path),
            "-trace_stat", "-stf", str(self.stats_path),
            "-trace_err", "-error_file", str(self.errors_path),
            *(["-mi", host, "-mp", str(media_port)] if media_port else []),
            *(["-rtp_echo"] if rtp_echo else []),
            *(["-s", service] if service is not None else []),
        ]  # fmt: skip
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start sipp; return once it listens on its port."""
        if shutil.which("sipp") is None:
            raise SippError("sipp is not installed (Debian package sip-tester)")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(self.scenario, str):
            self.scenario_path.write_text(self.scenario, encoding="utf-8")
        self._process = await asyncio.create_subprocess_exec(
            "sipp",
            *self.argv,
            cwd=self.scenario_path.parent,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while not self._bound():
            if self._process.returncode is not None or loop.time() > deadline:
                raise SippError(f"sipp did not start: {self.result().describe()}")
            await asyncio.sleep(0.02)

    async def run(self) -> SippResult:
        """Start sipp and wait for it to end."""
        await self.start()
        try:
            return await self.wait()
        finally:
            await self.stop()

    async def wait(self) -> SippResult:
        """Wait for sipp to end by itself (its own ``timeout`` bounds this)."""
        if self._process is None:
            raise SippError("sipp was not started")
        await self._process.wait()
        return self.result()

    async def stop(self) -> SippResult:
        """End sipp now if it still runs; its result so far."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 5.0)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self._process.kill()
                await self._process.wait()
        return self.result()

    def result(self) -> SippResult:
        returncode = -1 if self._process is None else self._process.returncode
        return SippResult(
            returncode=-1 if returncode is None else returncode,
            messages=tuple(_messages(_read(self.messages_path))),
            stats=_last_stats(_read(self.stats_path)),
            errors=_read(self.errors_path),
        )

    def _bound(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((self.host, self.local_port))
            except OSError:
                return True
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _messages(log: str) -> list[Message]:
    messages: list[Message] = []
    for block in _SEPARATOR.split(log.replace("\r\n", "\n")):
        header, _, text = block.strip("\n").partition("\n")
        direction = _DIRECTION.match(header)
        if direction and text.strip():
            messages.append(Message(direction[1] == "sent", text.strip("\n") + "\n"))
    return messages


def _last_stats(text: str) -> dict[str, str]:
    rows = [row for row in csv.reader(text.splitlines(), delimiter=";") if row]
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1], strict=False))


def _invite(request_uri: str, from_uri: str, headers: Sequence[str]) -> str:
    extra = "".join(f"      {line}\n" for line in headers)
    return f"""\
  <send retrans="500">
    <![CDATA[
      INVITE {request_uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <{from_uri}>;tag=[pid]C[call_number]
      To: <{request_uri}>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
{extra}      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000

    ]]>
  </send>
"""


def _ack_negative(request_uri: str, from_uri: str) -> str:
    # The ACK of a non-2xx answer is part of the INVITE transaction: same Via (branch).
    return f"""\
  <send>
    <![CDATA[
      ACK {request_uri} SIP/2.0
      [last_Via:]
      From: <{from_uri}>;tag=[pid]C[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""


def scenario_xml(name: str, body: str) -> str:
    """A whole sipp scenario file around ``body``."""
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
        f'<scenario name="{name}">\n{body}</scenario>\n'
    )


def uac_call(
    request_uri: str,
    *,
    from_uri: str = "sip:caller@[local_ip]:[local_port]",
    hold_ms: int = 500,
    headers: Sequence[str] = (),
) -> str:
    """INVITE ``request_uri``, expect 200, ACK, talk ``hold_ms``, BYE, expect 200."""
    in_dialog = f"""\
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <{from_uri}>;tag=[pid]C[call_number]
      To: <{request_uri}>[peer_tag_param]
      Call-ID: [call_id]"""
    return scenario_xml(
        "uac-call",
        _invite(request_uri, from_uri, headers)
        + f"""\
  <recv response="100" optional="global"/>
  <recv response="180" optional="global"/>
  <recv response="183" optional="global"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
{in_dialog}
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="{hold_ms}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
{in_dialog}
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
""",
    )


def uac_rejected(
    request_uri: str,
    status: int,
    *,
    from_uri: str = "sip:caller@[local_ip]:[local_port]",
) -> str:
    """INVITE ``request_uri``, expect the final answer ``status`` (not 2xx), ACK it."""
    return scenario_xml(
        f"uac-rejected-{status}",
        _invite(request_uri, from_uri, ())
        + f"""\
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="{status}"/>
"""
        + _ack_negative(request_uri, from_uri),
    )


def uac_cancelled(
    request_uri: str,
    *,
    from_uri: str = "sip:caller@[local_ip]:[local_port]",
    ring_ms: int = 300,
) -> str:
    """INVITE ``request_uri``, expect 180, CANCEL after ``ring_ms``, expect 487 to the
    INVITE, ACK the 487. The 200 to the CANCEL comes from Kamailio and the 487 from the
    phone through another of its processes, so either may come first: a 200 after the
    487 is taken by sipp as a late message of an ended call."""
    # [branch-4]: the CANCEL (5th element) repeats the INVITE's (1st) branch, as RFC 3261
    # 9.1 asks.
    return scenario_xml(
        "uac-cancelled",
        _invite(request_uri, from_uri, ())
        + f"""\
  <recv response="100" optional="true"/>
  <recv response="180"/>
  <pause milliseconds="{ring_ms}"/>
  <send>
    <![CDATA[
      CANCEL {request_uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-4]
      From: <{from_uri}>;tag=[pid]C[call_number]
      To: <{request_uri}>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" optional="true"/>
  <recv response="487"/>
"""
        + _ack_negative(request_uri, from_uri),
    )


def register(
    username: str,
    password: str,
    domain: str,
    *,
    status: int = 200,
    expires: int = 0,
    contact_port: str = "[local_port]",
    authentication: str | None = None,
) -> str:
    """REGISTER ``sip:<username>@<domain>``, answer the 401 challenge with ``password``,
    expect ``status``. ``expires=0`` (the default) leaves no binding behind.
    ``contact_port``: where the binding points (this sipp by default); ``authentication``:
    sipp's line that answers the challenge, instead of the one made of ``password``."""
    answer = authentication or f"[authentication username={username} password={password}]"
    common = f"""\
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{username}@{domain}>;tag=[pid]R[call_number]
      To: <sip:{username}@{domain}>
      Call-ID: [call_id]
      Contact: <sip:{username}@[local_ip]:{contact_port}>
      Expires: {expires}
      Max-Forwards: 70
      Content-Length: 0"""
    return scenario_xml(
        "register",
        f"""\
  <send retrans="500">
    <![CDATA[
      REGISTER sip:{domain} SIP/2.0
{common}
      CSeq: 1 REGISTER

    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:{domain} SIP/2.0
      {answer}
{common}
      CSeq: 2 REGISTER

    ]]>
  </send>
  <recv response="{status}"/>
""",
    )


#: sipp's 200 OK to the request it received last (a BYE, mostly).
OK_TO_LAST_REQUEST = """\
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
"""


#: The audio of :func:`uas_answer`'s SDP: G.711 µ-law only.
PCMU_ONLY = """\
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000"""


def uas_answer(media: str = PCMU_ONLY, name: str = "uas") -> str:
    """Expect an INVITE, answer 200 (no 180, see the module docstring) with ``media`` as
    the SDP's audio lines, expect ACK and BYE, answer the BYE."""
    return scenario_xml(
        f"{name}-answer",
        f"""\
  <recv request="INVITE" crlf="true"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]U[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:{name}@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o={name} 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
{media}

    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
"""
        + OK_TO_LAST_REQUEST,
    )
