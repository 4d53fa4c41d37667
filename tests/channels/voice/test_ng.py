"""The ng client against a real rtpengine (started by :class:`Rtpengine` on free ports), and
against fake servers that lose, garble or never answer requests.

Phones are plain UDP sockets speaking just enough RTP for rtpengine to forward and record.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import socket
import struct
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest
import pytest_asyncio

from frontdesk.channels.voice import bencode
from frontdesk.channels.voice.answering import Answerer
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.dtmf import DtmfEvent, DtmfListener
from frontdesk.channels.voice.errors import DaemonError, MediaError
from frontdesk.channels.voice.ng import NgClient
from frontdesk.channels.voice.rtpengine import Rtpengine, rtpengine_config
from tests.channels.voice.ports import free_port, free_range

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOST = "127.0.0.1"
PCMA = 8
TELEPHONE_EVENT = 101
#: RTP range of the test's rtpengine; each participant of a call takes 2 ports.
RTP_PORTS = 100


class Peer(asyncio.DatagramProtocol):
    """A UDP socket on loopback whose datagrams wait in a queue: a phone or a fake server."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls) -> Peer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(cls, local_addr=(HOST, 0))
        return peer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's datagram transport does not derive from DatagramTransport at run time.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.put_nowait((data, addr))

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port

    def send(self, data: bytes, port: int) -> None:
        assert self.transport is not None
        self.transport.sendto(data, (HOST, port))

    async def receive(self, timeout: float = 2.0) -> tuple[bytes, int]:
        """The next datagram and the port it came from."""
        data, addr = await asyncio.wait_for(self.received.get(), timeout)
        return data, addr[1]

    def close(self) -> None:
        assert self.transport is not None
        self.transport.close()


def offer_sdp(port: int, session: str) -> str:
    return (
        f"v=0\r\no=- {session} 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP {PCMA} {TELEPHONE_EVENT}\r\na=rtpmap:{PCMA} PCMA/8000\r\n"
        f"a=rtpmap:{TELEPHONE_EVENT} telephone-event/8000\r\na=fmtp:{TELEPHONE_EVENT} 0-15\r\n"
        "a=sendrecv\r\n"
    )


def media_port(reply: dict[str, object]) -> int:
    sdp = reply["sdp"]
    assert isinstance(sdp, str)
    found = re.search(r"^m=audio (\d+) ", sdp, re.MULTILINE)
    assert found is not None, sdp
    return int(found.group(1))


def rtp(
    seq: int, payload_type: int = PCMA, payload: bytes = b"\xd5" * 160, *, ssrc: int = 7
) -> bytes:
    return struct.pack("!BBHII", 0x80, payload_type, seq, seq * 160, ssrc) + payload


def telephone_event(seq: int, event: int, duration: int, *, end: bool) -> bytes:
    """An RFC 4733 packet of one key press (the first packet is ``seq`` 0)."""
    marker = 0x80 if seq == 0 else 0
    payload = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
    # rtpengine ignores an event whose RTP timestamp is 0.
    timestamp = 8000
    return struct.pack("!BBHII", 0x80, marker | TELEPHONE_EVENT, seq, timestamp, 9) + payload


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One second of 440 Hz, 8 kHz mono 16 bit."""
    path = tmp_path_factory.mktemp("prompts") / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", "1", "sine", "440"],
        check=True,
    )
    return path


def voice_settings(work_dir: Path, rtp_ports: int = RTP_PORTS) -> VoiceSettings:
    low, high = free_range(rtp_ports)
    return VoiceSettings(
        work_dir=work_dir, ng_port=free_port(), dtmf_port=free_port(), rtp_min=low, rtp_max=high
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rtpengine]:
    engine = Rtpengine(voice_settings(tmp_path_factory.mktemp("voice")))
    await engine.start()
    yield engine
    await engine.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def ng(engine: Rtpengine) -> AsyncIterator[NgClient]:
    client = NgClient(engine.settings.host, engine.settings.ng_port)
    await client.start()
    yield client
    client.close()


@pytest_asyncio.fixture(loop_scope="module")
async def server() -> AsyncIterator[Peer]:
    """A fake rtpengine: the test decides what it answers."""
    peer = await Peer.open()
    yield peer
    peer.close()


@pytest_asyncio.fixture(loop_scope="module")
async def client(server: Peer) -> AsyncIterator[NgClient]:
    client = NgClient(HOST, server.port)
    await client.start()
    yield client
    client.close()


async def phones(count: int) -> list[Peer]:
    return [await Peer.open() for _ in range(count)]


async def answered_call(
    ng: NgClient, call_id: str, caller: Peer, callee: Peer, flags: list[str] | None = None
) -> tuple[int, int]:
    """Sets up ``call_id`` between the two phones; the ports of rtpengine each must send to."""
    params = {"call-id": call_id, "from-tag": "caller", "flags": ["port latching", *(flags or [])]}
    offer = await ng.command("offer", {**params, "sdp": offer_sdp(caller.port, "1")})
    answer = await ng.command(
        "answer", {**params, "to-tag": "callee", "sdp": offer_sdp(callee.port, "2")}
    )
    return media_port(answer), media_port(offer)


def request_params(body: bytes) -> dict[bytes, bencode.Value]:
    params = bencode.decode(body)
    assert isinstance(params, dict)
    return params


# rtpengine itself


async def test_start_writes_the_configuration_and_a_pid_file(engine: Rtpengine) -> None:
    assert engine.running
    assert engine.config_path.read_text() == rtpengine_config(engine.settings)
    assert engine.daemon.process is not None
    assert engine.pid_path.read_text().strip() == str(engine.daemon.process.pid)


async def test_configuration_text(tmp_path: Path) -> None:
    settings = VoiceSettings(
        work_dir=tmp_path, ng_port=3000, dtmf_port=3001, rtp_min=40000, rtp_max=40099
    )
    lines = rtpengine_config(settings).splitlines()
    assert lines[0] == "[rtpengine]"
    for line in [
        "table = -1",
        "interface = 127.0.0.1",
        "listen-ng = 127.0.0.1:3000",
        "port-min = 40000",
        "port-max = 40099",
        "delete-delay = 0",
        "dtmf-log-dest = 127.0.0.1:3001",
        f"recording-dir = {tmp_path / 'recordings'}",
        "recording-method = pcap",
    ]:
        assert line in lines


async def test_a_daemon_that_cannot_open_its_ng_port_fails_to_start(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind((HOST, 0))
        settings = voice_settings(tmp_path, rtp_ports=4)
        engine = Rtpengine(dataclasses.replace(settings, ng_port=taken.getsockname()[1]))
        with pytest.raises(DaemonError, match="Address already in use") as caught:
            await engine.start()
    assert caught.value.code == "voice.daemon_exited"
    assert not engine.running


async def test_restart_forgets_calls_and_clients_keep_working(
    engine: Rtpengine, ng: NgClient
) -> None:
    caller, callee = await phones(2)
    await answered_call(ng, "restart-1", caller, callee)
    await engine.restart()
    assert engine.running
    assert await ng.ping()
    with pytest.raises(MediaError) as caught:
        await ng.command("query", {"call-id": "restart-1"})
    assert caught.value.code == "media.rejected"


# commands


async def test_ping(ng: NgClient) -> None:
    assert await ng.ping()
    assert await ng.command("ping") == {"result": "pong"}


async def test_offer_and_answer_put_rtpengine_in_the_media_path(
    engine: Rtpengine, ng: NgClient
) -> None:
    caller, callee = await phones(2)
    settings = engine.settings
    to_callee_sdp = await ng.command(
        "offer", {"call-id": "oa-1", "from-tag": "caller", "sdp": offer_sdp(caller.port, "1")}
    )
    to_caller_sdp = await ng.command(
        "answer",
        {
            "call-id": "oa-1",
            "from-tag": "caller",
            "to-tag": "callee",
            "sdp": offer_sdp(callee.port, "2"),
        },
    )
    for reply in (to_callee_sdp, to_caller_sdp):
        assert reply["result"] == "ok"
        assert f"c=IN IP4 {settings.host}\r\n" in str(reply["sdp"])
        assert settings.rtp_min <= media_port(reply) <= settings.rtp_max
        assert "telephone-event/8000" in str(reply["sdp"])
    to_caller, to_callee = media_port(to_caller_sdp), media_port(to_callee_sdp)
    assert to_caller != to_callee

    caller.send(rtp(1), to_caller)
    data, source = await callee.receive()
    assert (data, source) == (rtp(1), to_callee)
    callee.send(rtp(1, ssrc=8), to_callee)
    data, source = await caller.receive()
    assert (data, source) == (rtp(1, ssrc=8), to_caller)
    assert await ng.command("delete", {"call-id": "oa-1"}) == {"result": "ok"}


@pytest.mark.parametrize(("flags", "caller_port_kept"), [(["port latching"], True), ([], False)])
async def test_port_latching_keeps_the_callers_port_when_bridged_to_a_new_branch(
    ng: NgClient, flags: list[str], caller_port_kept: bool
) -> None:
    """The caller is answered towards a placeholder (IVR), then bridged to an agent on a new
    branch without a re-INVITE: only with ``port latching`` does its port stay valid."""
    caller, agent = await phones(2)
    call = {"call-id": f"latch-{caller_port_kept}", "from-tag": "caller", "flags": flags}
    caller_sdp = offer_sdp(caller.port, "1")
    await ng.command("offer", {**call, "sdp": caller_sdp})
    held = await ng.command("answer", {**call, "to-tag": "hold", "sdp": offer_sdp(9, "ivr")})
    branch = {**call, "via-branch": "agent-1"}
    to_agent = await ng.command("offer", {**branch, "sdp": caller_sdp})
    bridged = await ng.command(
        "answer", {**branch, "to-tag": "agent", "sdp": offer_sdp(agent.port, "3")}
    )
    assert (media_port(bridged) == media_port(held)) is caller_port_kept
    if caller_port_kept:
        caller.send(rtp(1), media_port(held))
        assert await agent.receive() == (rtp(1), media_port(to_agent))
        agent.send(rtp(1, ssrc=8), media_port(to_agent))
        assert await caller.receive() == (rtp(1, ssrc=8), media_port(held))
    await ng.command("delete", {"call-id": call["call-id"]})


async def test_play_media_plays_a_wav_to_the_participant(ng: NgClient, tone: Path) -> None:
    caller, callee = await phones(2)
    to_caller, _ = await answered_call(ng, "play-1", caller, callee)
    reply = await ng.command(
        "play media", {"call-id": "play-1", "from-tag": "caller", "file": str(tone)}
    )
    assert reply == {"result": "ok", "duration": 1000}
    data, source = await caller.receive()
    assert source == to_caller
    assert data[1] & 0x7F == PCMA
    assert len(data) == 12 + 160  # 20 ms of G.711
    assert await ng.command("stop media", {"call-id": "play-1", "from-tag": "caller"}) == {
        "result": "ok"
    }
    await ng.command("delete", {"call-id": "play-1"})


@pytest.mark.parametrize("inject", [True, False])
async def test_play_dtmf_needs_inject_dtmf_and_media_from_the_presser(
    ng: NgClient, inject: bool
) -> None:
    """``play DTMF`` rides on the media of the participant pressing the key: it is refused
    before that participant sent any, and without the ``inject DTMF`` flag on offer and
    answer it is accepted but nothing is sent."""
    caller, callee = await phones(2)
    call_id = f"inject-{inject}"
    flags = ["inject DTMF"] if inject else []
    to_caller, _ = await answered_call(ng, call_id, caller, callee, flags)
    press = {"call-id": call_id, "from-tag": "caller", "code": "#", "duration": 100}
    if inject:
        with pytest.raises(MediaError, match="No SSRC context present for DTMF injection"):
            await ng.command("play DTMF", press)
    caller.send(rtp(0), to_caller)
    await callee.receive()
    assert await ng.command("play DTMF", press) == {"result": "ok"}
    payload_types = []
    for seq in range(1, 30):
        caller.send(rtp(seq), to_caller)
        data, _ = await callee.receive()
        payload_types.append(data[1] & 0x7F)
        if data[1] & 0x7F == TELEPHONE_EVENT:
            assert data[12] == 11  # '#'
    assert (TELEPHONE_EVENT in payload_types) is inject
    await ng.command("delete", {"call-id": call_id})


async def test_recording_is_a_pcap_per_call(engine: Rtpengine, ng: NgClient) -> None:
    caller, callee = await phones(2)
    to_caller, to_callee = await answered_call(ng, "rec-1", caller, callee)
    assert await ng.command("start recording", {"call-id": "rec-1"}) == {"result": "ok"}
    for seq in range(3):
        caller.send(rtp(seq), to_caller)
        await callee.receive()
        callee.send(rtp(seq, ssrc=8), to_callee)
        await caller.receive()
    await ng.command("delete", {"call-id": "rec-1"})

    recordings = engine.settings.recordings_dir
    (pcap,) = (recordings / "pcaps").glob("rec-1-*.pcap")
    (metadata,) = (recordings / "metadata").glob("rtpengine-meta-rec-1-*.txt")
    assert metadata.read_text().splitlines()[0] == str(pcap)
    content = pcap.read_bytes()
    assert struct.unpack("<I", content[20:24])[0] == 1  # link type Ethernet
    # 6 packets as received: 16-byte record header, 14 Ethernet, 20 IP, 8 UDP, 172 RTP.
    assert len(content) == 24 + 6 * (16 + 14 + 20 + 8 + 172)


async def test_delete_ends_the_call(ng: NgClient) -> None:
    caller, callee = await phones(2)
    await answered_call(ng, "delete-1", caller, callee)
    assert (await ng.command("query", {"call-id": "delete-1"}))["result"] == "ok"
    assert await ng.command("delete", {"call-id": "delete-1"}) == {"result": "ok"}
    with pytest.raises(MediaError):
        await ng.command("query", {"call-id": "delete-1"})


async def test_deleting_an_unknown_call_is_only_a_warning(ng: NgClient) -> None:
    reply = await ng.command("delete", {"call-id": "never-1"})
    assert reply == {"result": "ok", "warning": "Call-ID not found or tags didn't match"}


async def test_a_command_on_an_unknown_call_is_rejected(ng: NgClient, tone: Path) -> None:
    with pytest.raises(MediaError, match="Unknown call-ID") as caught:
        await ng.command("play media", {"call-id": "never-2", "from-tag": "x", "file": str(tone)})
    assert caught.value.code == "media.rejected"
    assert caught.value.details == {"command": "play media", "reason": "Unknown call-ID"}


async def test_many_commands_in_flight_are_all_answered(ng: NgClient) -> None:
    replies = await asyncio.gather(*(ng.command("ping") for _ in range(200)))
    assert replies == [{"result": "pong"}] * 200


async def test_rtpengine_reports_dtmf_it_relays(engine: Rtpengine, ng: NgClient) -> None:
    events: asyncio.Queue[DtmfEvent] = asyncio.Queue()
    listener = DtmfListener(engine.settings.host, engine.settings.dtmf_port, events.put_nowait)
    await listener.start()
    try:
        caller, callee = await phones(2)
        to_caller, _ = await answered_call(ng, "dtmf-1", caller, callee)
        for seq in range(6):
            # 6 packets of 20 ms; the last (end bit) is sent three times, as RFC 4733 says.
            end = seq >= 3
            caller.send(telephone_event(seq, 11, min(seq + 1, 4) * 160, end=end), to_caller)
        event = await asyncio.wait_for(events.get(), 2.0)
    finally:
        listener.close()
    assert event == DtmfEvent(call_id="dtmf-1", source_tag="caller", digit="#", duration_ms=80)
    await ng.command("delete", {"call-id": "dtmf-1"})


# the client against fake servers


async def test_an_unanswered_request_is_resent_unchanged_then_unreachable(
    server: Peer, client: NgClient
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(MediaError, match=r"did not answer 'ping' within 1\.2 s") as caught:
        await client.command("ping", timeout=1.2)
    elapsed = loop.time() - started
    assert caught.value.code == "media.unreachable"
    assert 1.2 <= elapsed < 2.0
    sent = [(await server.receive())[0] for _ in range(4)]  # at 0, 0.25, 0.5 and 1 s
    assert len(set(sent)) == 1
    with pytest.raises(TimeoutError):  # no more once the command failed
        await server.receive(timeout=0.3)
    cookie, _, body = sent[0].partition(b" ")
    assert cookie
    assert request_params(body) == {b"command": b"ping"}


async def test_an_answer_a_busy_loop_reads_late_is_not_asked_for_again() -> None:
    requests: list[bytes] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind((HOST, 0))
        server.settimeout(2.0)

        def answer_at_once() -> None:  # a fast rtpengine, in a thread of its own
            data, address = server.recvfrom(65535)
            requests.append(data)
            server.sendto(data.partition(b" ")[0] + b" " + bencode.encode({"result": "pong"}),
                          address)  # fmt: skip
            server.settimeout(0.6)
            with contextlib.suppress(TimeoutError):
                while True:
                    requests.append(server.recvfrom(65535)[0])

        thread = threading.Thread(target=answer_at_once)
        thread.start()
        client = NgClient(HOST, server.getsockname()[1])
        await client.start()
        try:
            command = asyncio.ensure_future(client.command("ping"))
            await asyncio.sleep(0)  # the request goes out
            time.sleep(0.4)  # the loop is busy: the answer waits, the first resend falls due
            assert await command == {"result": "pong"}
        finally:
            client.close()
            await asyncio.to_thread(thread.join)
    assert len(requests) == 1


async def test_the_answerer_answers_from_its_own_thread_and_stopping_ends_what_waits(
    engine: Rtpengine,
) -> None:
    settings = engine.settings
    answerer = Answerer(settings.host, settings.ng_port, settings.host)
    await asyncio.to_thread(answerer.start)
    answered: list[tuple[str, str]] = []
    caller = await Peer.open()
    try:
        media = answerer.open(
            "answerer-1", "caller", offer_sdp(caller.port, "1"),
            lambda sdp: answered.append((threading.current_thread().name, sdp)),
        )  # fmt: skip
        sdp = await asyncio.wrap_future(media)
        assert answered == [("frontdesk-answerer", sdp)]  # before the future: the 200 OK
    finally:
        caller.close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # never answers
        silent.bind((HOST, 0))
        mute = Answerer(HOST, silent.getsockname()[1], HOST)
        await asyncio.to_thread(mute.start)
        late: list[str] = []
        waiting = mute.open("answerer-2", "caller", offer_sdp(caller.port, "2"), late.append)
        await asyncio.to_thread(mute.stop)
        assert waiting.cancelled()
        assert late == []  # no 200 OK without rtpengine's SDP
    await asyncio.to_thread(answerer.stop)


async def test_nobody_listening_is_unreachable_within_the_timeout() -> None:
    client = NgClient(HOST, free_port())
    await client.start()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(MediaError) as caught:
            await client.command("ping", timeout=0.4)
        assert 0.4 <= loop.time() - started < 1.0
        assert caught.value.code == "media.unreachable"
        assert not await client.ping(timeout=0.1)
    finally:
        client.close()


async def test_a_lost_request_is_answered_after_a_resend(server: Peer, client: NgClient) -> None:
    command = asyncio.create_task(client.command("query", {"call-id": "c"}))
    lost, _ = await server.receive()
    again, port = await server.receive(timeout=0.5)
    assert again == lost
    cookie = lost.partition(b" ")[0]
    server.send(cookie + b" " + bencode.encode({"result": "ok", "created": 5}), port)
    assert await command == {"result": "ok", "created": 5}


async def test_garbled_and_stray_answers_are_dropped(server: Peer, client: NgClient) -> None:
    """The client's socket is connected to rtpengine, so only rtpengine's address can reach
    it: the fake server plays a confused rtpengine."""
    command = asyncio.create_task(client.command("query", {"call-id": "c"}))
    request, port = await server.receive()
    cookie = request.partition(b" ")[0]
    for garbage in (
        b"",
        b"no-space",
        b"other-cookie " + bencode.encode({"result": "ok"}),
        cookie + b" d6:result2:ok",  # truncated
        cookie + b" l2:oke",  # not a dictionary
        cookie + b" \xff\xfe",
    ):
        server.send(garbage, port)
    server.send(cookie + b" " + bencode.encode({"result": "ok", "tags": {"a": [b"\xffb"]}}), port)
    assert await command == {"result": "ok", "tags": {"a": ["\ufffdb"]}}

    later = asyncio.create_task(client.command("ping"))
    request, port = await server.receive()
    server.send(request.partition(b" ")[0] + b" " + bencode.encode({"result": "pong"}), port)
    assert await later == {"result": "pong"}


async def test_answers_find_their_request_whatever_the_order(
    server: Peer, client: NgClient
) -> None:
    commands = [asyncio.create_task(client.command("query", {"call-id": str(n)})) for n in range(3)]
    requests = [await server.receive() for _ in commands]
    for data, port in reversed(requests):
        cookie, _, body = data.partition(b" ")
        call_id = request_params(body)[b"call-id"]
        server.send(cookie + b" " + bencode.encode({"result": "ok", "call-id": call_id}), port)
    replies = await asyncio.gather(*commands)
    assert [reply["call-id"] for reply in replies] == ["0", "1", "2"]


async def test_answers_that_arrive_together_are_taken_in_one_loop_iteration(
    server: Peer, client: NgClient
) -> None:
    """Under load each turn of the event loop is long: answers waiting on the socket must
    not be read one per turn (asyncio's datagram transport does so), or they wait there
    for seconds while rtpengine is idle."""
    commands = [
        asyncio.create_task(client.command("query", {"call-id": str(n)})) for n in range(100)
    ]
    requests = [await server.receive() for _ in commands]
    turns = 0

    async def turning() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(turning())
    for data, port in requests:
        cookie, _, body = data.partition(b" ")
        call_id = request_params(body)[b"call-id"]
        server.send(cookie + b" " + bencode.encode({"result": "ok", "call-id": call_id}), port)
    replies = await asyncio.gather(*commands)
    counter.cancel()
    assert sorted(int(str(reply["call-id"])) for reply in replies) == list(range(100))
    assert turns <= 5


async def test_an_error_answer_raises_with_the_reason(server: Peer, client: NgClient) -> None:
    command = asyncio.create_task(client.command("offer", {"call-id": "c"}))
    request, port = await server.receive()
    reply = {"result": "load limit", "message": "Parallel session limit reached"}
    server.send(request.partition(b" ")[0] + b" " + bencode.encode(reply), port)
    with pytest.raises(MediaError, match="Parallel session limit reached") as caught:
        await command
    assert caught.value.code == "media.rejected"


async def test_closing_fails_the_commands_in_flight(server: Peer, client: NgClient) -> None:
    command = asyncio.create_task(client.command("ping", timeout=5.0))
    await server.receive()
    client.close()
    with pytest.raises(MediaError) as caught:
        await asyncio.wait_for(command, 0.5)
    assert caught.value.code == "media.unreachable"
    with pytest.raises(RuntimeError):
        await client.command("ping")


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_a_daemon_left_behind_by_a_killed_run_is_ended_at_start(tmp_path: Path) -> None:
    first_min, first_max = free_range(40)
    settings = VoiceSettings(
        work_dir=tmp_path, ng_port=free_port(), dtmf_port=free_port(),
        rtp_min=first_min, rtp_max=first_max,
    )  # fmt: skip
    orphan = Rtpengine(settings)
    await orphan.start()
    assert orphan.daemon.process is not None
    stale = orphan.daemon.process.pid
    orphan.daemon.process = None  # as if Frontdesk had been killed: the daemon lives on
    second = Rtpengine(settings)
    try:
        await second.start()
        assert second.running
        assert not alive(stale)  # two would share the ports, and the old one its calls
    finally:
        await second.stop()
