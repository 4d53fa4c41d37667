"""Customers calling in: sipp callers with real RTP (G.711 A-law audio, RFC 4733 digits).

A caller is a list of actions, written as a sipp scenario: listen (a pause), press a key
(sipp plays Debian's ``dtmf_2833_<key>.pcap``), talk (``g711a.pcap``). The call then
ends by the caller (``hang_up=True``: BYE) or by the contact center (the caller waits for
its BYE). sipp's exit code is 0 when every message came as the scenario expects.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from tests.channels.voice.sipp import OK_TO_LAST_REQUEST, scenario_xml

PCAPS = Path("/usr/share/sip-tester")
KEY_FILES = {"*": "star", "#": "pound"}


@dataclass(frozen=True, slots=True)
class Listen:
    ms: int


@dataclass(frozen=True, slots=True)
class Press:
    key: str


@dataclass(frozen=True, slots=True)
class Talk:
    """Play sipp's A-law sample (about 8 s) and go on listening for ``ms``."""

    ms: int


Action = Listen | Press | Talk

#: The caller's INVITE (A-law and RFC 4733 events), the answer and the ACK; sipp's
#: response-time timer ``setup`` runs from the INVITE to the 200.
INVITE_AND_ACK = """\
  <send retrans="500" start_rtd="setup">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="global"/>
  <recv response="180" optional="global"/>
  <recv response="183" optional="global"/>
  <recv response="200" rtd="setup" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "Caller" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""

#: The caller hangs up, and the BYE is answered.
BYE = """\
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "Caller" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
"""

_AWAIT_BYE = (
    """\
  <recv request="BYE" timeout="{timeout}"/>
  <label id="bye"/>
"""
    + OK_TO_LAST_REQUEST
)


def scenario(actions: list[Action], *, hang_up: bool = True, wait_ms: int = 30000) -> str:
    """The sipp XML of a caller doing ``actions`` after the answer.

    A caller who does not hang up takes the contact center's BYE at any moment: each of
    its pauses is a wait for that BYE, which goes on with the next action when none came.
    """
    steps = []
    for number, action in enumerate(actions, start=1):
        if isinstance(action, Press):
            name = KEY_FILES.get(action.key, action.key)
            steps.append(play(PCAPS / f"dtmf_2833_{name}.pcap"))
            pause = 300  # the key's packets take about 250 ms
        elif isinstance(action, Talk):
            steps.append(play(PCAPS / "g711a.pcap"))
            pause = action.ms
        else:
            pause = action.ms
        if hang_up:
            steps.append(f'  <pause milliseconds="{pause}"/>\n')
        else:
            steps.append(
                f'  <recv request="BYE" timeout="{pause}" ontimeout="{number}" next="bye"/>\n'
                f'  <label id="{number}"/>\n'
            )
    tail = BYE if hang_up else _AWAIT_BYE.format(timeout=wait_ms)
    return scenario_xml("frontdesk-caller", INVITE_AND_ACK + "".join(steps) + tail)


def play(pcap: Path) -> str:
    """sipp plays the RTP of ``pcap`` to the far end, and goes on at once."""
    return f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'


@dataclass(frozen=True, slots=True)
class CallResult:
    code: int  # sipp's exit code: 0 when the call went as the scenario says
    log: str  # sipp's message trace


async def place_call(
    target: tuple[str, int],
    dnis: str,
    ani: str,
    actions: list[Action],
    folder: Path,
    *,
    sip_port: int,
    media_port: int,
    hang_up: bool = True,
    timeout: float = 60.0,
) -> CallResult:
    """One call from ``ani`` to ``dnis`` at ``target``, as sipp makes it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"caller-{sip_port}"
    xml = folder / f"{name}.xml"
    xml.write_text(scenario(actions, hang_up=hang_up), encoding="utf-8")
    fields = folder / f"{name}.csv"
    fields.write_text(f"SEQUENTIAL\n{ani};\n", encoding="utf-8")
    trace = folder / f"{name}.log"
    process = await asyncio.create_subprocess_exec(
        "sipp", f"{target[0]}:{target[1]}", "-sf", str(xml), "-inf", str(fields),
        "-s", dnis, "-i", "127.0.0.1", "-p", str(sip_port), "-mi", "127.0.0.1",
        "-mp", str(media_port), "-m", "1", "-timeout", str(int(timeout)), "-timeout_error",
        "-trace_msg", "-message_file", str(trace), "-nostdin",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        cwd=folder,
    )  # fmt: skip
    code = await process.wait()
    log = trace.read_text(encoding="utf-8", errors="replace") if trace.exists() else ""
    return CallResult(code, log)
