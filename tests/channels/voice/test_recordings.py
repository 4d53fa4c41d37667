"""pcap recordings to stereo WAV: a real rtpengine recording of a call between two phones,
hand-built captures of every supported link type, and broken files."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
import struct
import subprocess
import wave
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from frontdesk.channels.voice.ng import NgClient
from frontdesk.channels.voice.recordings import (
    DECODERS,
    PCMA,
    PCMU,
    Endpoint,
    RecordingError,
    decode,
    pcap_to_wav,
)
from tests.channels.voice.audio import Samples, best_match, read_wav
from tests.channels.voice.ports import free_port, free_range

HOST = "127.0.0.1"
MOH = Path("/usr/share/asterisk/moh")
TELEPHONE_EVENT = 101
RAW, ETHERNET, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 = 101, 1, 113, 228, 229, 276
RATE = 8000
FRAME = 160  # samples in 20 ms

# ---------------------------------------------------------------- building captures


def rtp(
    payload_type: int,
    sequence: int,
    timestamp: int,
    ssrc: int,
    payload: bytes,
    *,
    csrcs: int = 0,
    extension: bytes = b"",
    padding: int = 0,
) -> bytes:
    first = 0x80 | (0x20 if padding else 0) | (0x10 if extension else 0) | csrcs
    header = struct.pack(
        "!BBHII", first, payload_type, sequence & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc
    )
    header += b"\x00\x00\x00\x07" * csrcs
    if extension:
        header += struct.pack("!HH", 0xBEDE, len(extension) // 4) + extension
    tail = bytes(padding - 1) + bytes([padding]) if padding else b""
    return header + payload + tail


def ip_udp(source: Endpoint, destination: Endpoint, payload: bytes, protocol: int = 17) -> bytes:
    udp = struct.pack("!HHHH", source[1], destination[1], 8 + len(payload), 0) + payload
    src, dst = ipaddress.ip_address(source[0]), ipaddress.ip_address(destination[0])
    if src.version == 6:
        return struct.pack("!IHBB", 6 << 28, len(udp), protocol, 64) + src.packed + dst.packed + udp
    return (
        struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, protocol, 0)
        + src.packed
        + dst.packed
        + udp
    )


def frame(link: int, packet: bytes) -> bytes:
    ethertype = b"\x86\xdd" if packet[0] >> 4 == 6 else b"\x08\x00"
    if link == ETHERNET:  # with a VLAN tag, as a switch port capture has
        return bytes(12) + b"\x81\x00\x00\x05" + ethertype + packet
    if link == LINUX_SLL:
        return struct.pack("!HHH", 0, 772, 6) + bytes(8) + ethertype + packet
    if link == LINUX_SLL2:
        return ethertype + bytes(2) + struct.pack("!IHBB", 1, 772, 0, 6) + bytes(8) + packet
    return packet


@dataclass(frozen=True)
class Capture:
    """How a hand-built pcap is written."""

    link: int = RAW
    order: str = "<"
    nanoseconds: bool = False

    def write(self, path: Path, packets: list[tuple[float, bytes]]) -> Path:
        magic = 0xA1B23C4D if self.nanoseconds else 0xA1B2C3D4
        data = struct.pack(self.order + "IHHiIII", magic, 2, 4, 0, 0, 65535, self.link)
        unit = 1_000_000_000 if self.nanoseconds else 1_000_000
        for time, packet in packets:
            framed = frame(self.link, packet)
            seconds = int(time)
            fraction = round((time - seconds) * unit)
            data += struct.pack(self.order + "IIII", seconds, fraction, len(framed), len(framed))
            data += framed
        path.write_bytes(data)
        return path


def level(value: int) -> int:
    """The A-law code whose sample is nearest to ``value``."""
    low, high = DECODERS[PCMA]
    samples = [int.from_bytes(bytes([low[c], high[c]]), "little", signed=True) for c in range(256)]
    return min(range(256), key=lambda code: abs(samples[code] - value))


def sample(code: int, law: int = PCMA) -> int:
    return int.from_bytes(decode(bytes([code]), DECODERS[law]), "little", signed=True)


def channels(path: Path) -> tuple[Samples, Samples]:
    rate, (left, right) = read_wav(path)
    assert rate == RATE
    return left, right


# ---------------------------------------------------------------- decoding


@pytest.mark.parametrize(("law", "encoding"), [(PCMA, "a-law"), (PCMU, "mu-law")])
def test_g711_decoding_matches_sox_for_every_code(tmp_path: Path, law: int, encoding: str) -> None:
    codes = tmp_path / "codes.raw"
    codes.write_bytes(bytes(range(256)))
    command = ["sox", "-t", "raw", "-e", encoding, "-b", "8", "-r", "8000", "-c", "1", str(codes)]
    command += ["-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-"]
    linear = subprocess.run(command, capture_output=True, check=True).stdout
    assert bytes(decode(bytes(range(256)), DECODERS[law])) == linear


# ---------------------------------------------------------------- hand-built captures

CALLER = ("10.0.0.1", 4000)
RTPENGINE_CALLER = ("10.0.0.9", 30000)
AGENT = ("10.0.0.2", 5000)
RTPENGINE_AGENT = ("10.0.0.9", 30002)


def wrap_call(caller: Endpoint, agent: Endpoint, engine: Endpoint) -> list[tuple[float, bytes]]:
    """A caller stream whose sequence number and timestamp wrap, with a lost packet (index
    3), a late one, a duplicate, header extras, DTMF, RTCP and stray datagrams; and an
    agent stream (µ-law) starting 50 ms later."""
    start = 1_700_000_000.0
    ts0 = 2**32 - 2 * FRAME
    packets: list[tuple[float, bytes]] = []

    def caller_packet(index: int, at: float, *, extras: bool = False) -> None:
        payload = bytes([level(1000 * (index + 1))]) * FRAME
        body = rtp(
            PCMA,
            65533 + index,
            ts0 + FRAME * index,
            0xCA11,
            payload,
            csrcs=2 if extras else 0,
            extension=b"\x10\x01\x02\x03" if extras else b"",
            padding=4 if extras else 0,
        )
        packets.append((at, ip_udp(caller, engine, body)))

    caller_packet(0, start)
    caller_packet(1, start + 0.020, extras=True)
    caller_packet(2, start + 0.041)  # sequence 65535
    # index 3 (sequence 0) is lost; index 4 arrives after index 5
    caller_packet(5, start + 0.100)
    caller_packet(4, start + 0.101)
    event = struct.pack("!BBH", 1, 0x8A, 800)
    packets.append(
        (
            start + 0.120,
            ip_udp(caller, engine, rtp(TELEPHONE_EVENT, 65539, ts0 + 960, 0xCA11, event)),
        )
    )
    packets.append((start + 0.121, ip_udp(caller, engine, b"\x81\xc9\x00\x07" + bytes(28))))
    packets.append((start + 0.122, ip_udp(caller, engine, b"OPTIONS sip:x SIP/2.0\r\n\r\n")))
    packets.append((start + 0.123, ip_udp(caller, engine, b"x" * 40, protocol=6)))
    packets.append((start + 0.124, packets[0][1]))  # captured twice: counted once
    for index in range(3):
        payload = bytes([0x80 + index]) * FRAME  # µ-law: large positive samples
        body = rtp(PCMU, 100 + index, 5000 + FRAME * index, 0xA6E7, payload)
        packets.append((start + 0.050 + 0.020 * index, ip_udp(agent, (engine[0], 30002), body)))
    return packets


def check_wrap_call(path: Path, wav: Path) -> None:
    info = pcap_to_wav(path, wav)
    assert info.streams == 2
    assert info.packets == (5, 3)
    assert info.lost == (1, 0)
    assert info.skipped == 1  # the DTMF event; RTCP and non-RTP datagrams are not RTP
    # the caller's last packet (index 5) ends at 960 samples
    assert info.duration == pytest.approx(6 * FRAME / RATE)
    left, right = channels(wav)
    assert len(left) == len(right) == 6 * FRAME
    for index in (0, 1, 2, 4, 5):
        expected = sample(level(1000 * (index + 1)))
        assert set(left[FRAME * index : FRAME * (index + 1)].tolist()) == {expected}, index
    assert not left[3 * FRAME : 4 * FRAME].any()  # the lost packet is silence
    assert not right[:400].any()  # the agent starts 50 ms in
    for index in range(3):
        at = 400 + FRAME * index
        assert set(right[at : at + FRAME].tolist()) == {sample(0x80 + index, PCMU)}
    assert not right[400 + 3 * FRAME :].any()


@pytest.mark.parametrize(
    "capture",
    [
        Capture(RAW),
        Capture(ETHERNET),
        Capture(LINUX_SLL),
        Capture(LINUX_SLL2),
        Capture(IPV4),
        Capture(RAW, order=">"),
        Capture(ETHERNET, nanoseconds=True),
        Capture(LINUX_SLL, order=">", nanoseconds=True),
    ],
    ids=lambda capture: f"link{capture.link}{capture.order}{'ns' if capture.nanoseconds else ''}",
)
def test_sequence_wrap_loss_and_reordering(tmp_path: Path, capture: Capture) -> None:
    path = capture.write(tmp_path / "call.pcap", wrap_call(CALLER, AGENT, RTPENGINE_CALLER))
    check_wrap_call(path, tmp_path / "call.wav")


@pytest.mark.parametrize("link", [RAW, IPV6, LINUX_SLL2])
def test_ipv6(tmp_path: Path, link: int) -> None:
    packets = wrap_call(("2001:db8::1", 4000), ("2001:db8::2", 5000), ("2001:db8::9", 30000))
    check_wrap_call(Capture(link).write(tmp_path / "call.pcap", packets), tmp_path / "call.wav")


def stream(
    source: Endpoint,
    destination: Endpoint,
    ssrc: int,
    start: float,
    codes: list[int],
    *,
    first_timestamp: int = 0,
    first_sequence: int = 0,
    jump_after: int | None = None,
) -> list[tuple[float, bytes]]:
    """One packet per code, 20 ms apart, each holding 160 samples of that code."""
    out = []
    timestamp = first_timestamp
    for index, code in enumerate(codes):
        body = rtp(PCMA, first_sequence + index, timestamp, ssrc, bytes([code]) * FRAME)
        out.append((start + 0.020 * index, ip_udp(source, destination, body)))
        timestamp += 2**30 if index == jump_after else FRAME
    return out


def test_more_streams_of_a_side_are_mixed_into_its_channel(tmp_path: Path) -> None:
    loud = level(30000)
    agent2 = ("10.0.0.3", 6000)
    packets = sorted(
        stream(CALLER, RTPENGINE_CALLER, 1, 100.0, [level(1000), level(1000), loud])
        # the same side with another SSRC (a phone that restarted its stream), overlapping
        + stream(CALLER, RTPENGINE_CALLER, 2, 100.020, [level(2000), loud, loud])
        + stream(AGENT, RTPENGINE_AGENT, 3, 100.0, [level(-500)] * 2)
        # a transfer: a second agent from another address to another rtpengine port
        + stream(agent2, ("10.0.0.9", 30004), 4, 100.060, [level(-700)] * 2)
    )
    path = Capture().write(tmp_path / "call.pcap", packets)
    info = pcap_to_wav(path, tmp_path / "call.wav")
    assert info.streams == 4
    assert info.packets == (6, 4)
    assert info.duration == pytest.approx(0.1)
    left, right = channels(tmp_path / "call.wav")
    one, two = sample(level(1000)), sample(level(2000))
    assert set(left[:160].tolist()) == {one}
    assert set(left[160:320].tolist()) == {one + two}
    assert set(left[320:480].tolist()) == {32767}  # mixed and clipped
    assert set(left[480:640].tolist()) == {sample(loud)}
    assert set(right[:320].tolist()) == {sample(level(-500))}
    assert not right[320:480].any()
    assert set(right[480:800].tolist()) == {sample(level(-700))}

    # The customer named by rtpengine's port facing them: the agent stream was first.
    swapped = pcap_to_wav(path, tmp_path / "swapped.wav", caller=RTPENGINE_AGENT)
    assert swapped.packets == (2, 8)
    left, right = channels(tmp_path / "swapped.wav")
    assert set(left[:320].tolist()) == {sample(level(-500))}
    assert set(right[:160].tolist()) == {one}


def test_a_one_sided_capture_and_a_reply_on_the_same_ports(tmp_path: Path) -> None:
    """A capture of one leg on the wire: what rtpengine sent back is the other side."""
    packets = sorted(
        stream(CALLER, RTPENGINE_CALLER, 1, 5.0, [level(1000)] * 2)
        + stream(RTPENGINE_CALLER, CALLER, 2, 5.0, [level(3000)] * 2)
        + stream(RTPENGINE_CALLER, CALLER, 3, 5.04, [level(4000)])  # rtpengine's player
    )
    info = pcap_to_wav(Capture(ETHERNET).write(tmp_path / "leg.pcap", packets), tmp_path / "o.wav")
    assert info.packets == (2, 3)
    left, right = channels(tmp_path / "o.wav")
    assert set(left[:320].tolist()) == {sample(level(1000))}
    assert set(right[:320].tolist()) == {sample(level(3000))}
    assert set(right[320:].tolist()) == {sample(level(4000))}


def test_a_timestamp_jump_is_placed_by_arrival_time(tmp_path: Path) -> None:
    packets = stream(CALLER, RTPENGINE_CALLER, 1, 7.0, [level(1000)] * 3, jump_after=0)
    info = pcap_to_wav(Capture().write(tmp_path / "jump.pcap", packets), tmp_path / "j.wav")
    assert info.duration == pytest.approx(0.06)
    left, _ = channels(tmp_path / "j.wav")
    assert set(left.tolist()) == {sample(level(1000))}


def test_a_capture_without_audio_gives_an_empty_wav(tmp_path: Path) -> None:
    path = Capture().write(tmp_path / "empty.pcap", [])
    info = pcap_to_wav(path, tmp_path / "empty.wav")
    assert (info.duration, info.streams, info.packets) == (0, 0, (0, 0))
    with wave.open(str(tmp_path / "empty.wav"), "rb") as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getnframes()) == (2, RATE, 0)


@pytest.mark.parametrize("ssrc", [1, 2], ids=["one stream", "two streams"])
def test_a_recording_longer_than_8_hours_is_refused(tmp_path: Path, ssrc: int) -> None:
    """Also within one stream, whose timestamps go on by 20 ms while the packets arrive
    hours apart (without the limit, this would allocate gigabytes)."""
    packets = stream(CALLER, RTPENGINE_CALLER, 1, 0.0, [level(1)])
    packets += stream(
        CALLER,
        RTPENGINE_CALLER,
        ssrc,
        9 * 3600.0,
        [level(1)],
        first_timestamp=160,
        first_sequence=1,
    )
    path = Capture().write(tmp_path / "long.pcap", packets)
    with pytest.raises(
        RecordingError, match="last 32400 s, more than the 28800 s allowed"
    ) as caught:
        pcap_to_wav(path, tmp_path / "long.wav")
    assert caught.value.code == "recording.too_long"
    assert not (tmp_path / "long.wav").exists()


def test_the_length_limit_can_be_chosen(tmp_path: Path) -> None:
    packets = stream(CALLER, RTPENGINE_CALLER, 1, 0.0, [level(1)])
    packets += stream(AGENT, RTPENGINE_AGENT, 2, 3.0, [level(1)])
    path = Capture().write(tmp_path / "long.pcap", packets)
    with pytest.raises(RecordingError) as caught:
        pcap_to_wav(path, tmp_path / "long.wav", max_seconds=2.0)
    assert caught.value.code == "recording.too_long"
    info = pcap_to_wav(path, tmp_path / "long.wav", max_seconds=4.0)
    assert info.duration == pytest.approx(3.02)


def good_pcap(tmp_path: Path) -> bytes:
    path = Capture().write(tmp_path / "good.pcap", wrap_call(CALLER, AGENT, RTPENGINE_CALLER))
    return path.read_bytes()


BROKEN: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda good: b"", "not a pcap file"),
    "garbage": (lambda good: bytes(range(7, 250)) * 5, "not a pcap file"),
    "pcapng": (lambda good: b"\x0a\x0d\x0d\x0a" + good[4:], "pcapng"),
    "cut file header": (lambda good: good[:10], "file header is incomplete"),
    "cut packet header": (lambda good: good[:30], "truncated: a packet header at byte 24"),
    "cut packet": (lambda good: good[:-5], "is cut off"),
    "link type": (lambda good: good[:20] + struct.pack("<I", 147) + good[24:], "link type 147"),
    "huge packet": (
        lambda good: good[:32] + struct.pack("<I", 2**31) + good[36:],
        "corrupt: a packet of 2147483648 bytes at byte 24",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_pcap_is_refused_with_a_reason(tmp_path: Path, case: str) -> None:
    damage, reason = BROKEN[case]
    path = tmp_path / "broken.pcap"
    path.write_bytes(damage(good_pcap(tmp_path)))
    with pytest.raises(RecordingError, match=re.escape(reason)) as caught:
        pcap_to_wav(path, tmp_path / "broken.wav")
    assert caught.value.code == "recording.unreadable"
    assert not (tmp_path / "broken.wav").exists()


def test_a_missing_pcap_or_an_unwritable_wav(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read") as caught:
        pcap_to_wav(tmp_path / "nowhere.pcap", tmp_path / "out.wav")
    assert caught.value.code == "recording.unreadable"
    path = tmp_path / "good.pcap"
    path.write_bytes(good_pcap(tmp_path))
    with pytest.raises(RecordingError, match="cannot write") as caught:
        pcap_to_wav(path, tmp_path / "no such folder" / "out.wav")
    assert caught.value.code == "recording.write_failed"


# ---------------------------------------------------------------- a real rtpengine recording


@dataclass
class Engine:
    ng: NgClient
    recordings: Path
    link: int  # of the pcaps it writes


@pytest_asyncio.fixture(params=["raw", "eth"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Engine]:
    """rtpengine in userspace recording pcaps in ``recording-format`` raw or eth."""
    port = free_port()
    low, high = free_range(20)
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    log = (tmp_path / "rtpengine.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        "rtpengine",
        "--table=-1",
        f"--interface={HOST}",
        f"--listen-ng={HOST}:{port}",
        "--foreground",
        "--log-stderr",
        f"--recording-dir={recordings}",
        "--recording-method=pcap",
        f"--recording-format={request.param}",
        "--delete-delay=0",
        f"--port-min={low}",
        f"--port-max={high}",
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ng = NgClient(HOST, port)
    await ng.start()
    try:
        for _ in range(100):
            if await ng.ping(timeout=0.1):
                break
            assert process.returncode is None, (tmp_path / "rtpengine.log").read_text()
        else:
            pytest.fail(
                "rtpengine did not answer ping:\n" + (tmp_path / "rtpengine.log").read_text()
            )
        yield Engine(ng, recordings, RAW if request.param == "raw" else ETHERNET)
    finally:
        ng.close()
        process.terminate()
        await process.wait()
        log.close()


def sdp(port: int) -> str:
    return (
        f"v=0\r\no=- 1 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
    )


def media_port(reply: dict[str, object]) -> int:
    found = re.search(r"m=audio (\d+)", str(reply["sdp"]))
    assert found is not None
    return int(found.group(1))


def alaw_of(path: Path, seconds: float) -> bytes:
    """The first ``seconds`` of a WAV, A-law encoded by sox."""
    command = ["sox", str(path), "-t", "raw", "-r", "8000", "-c", "1", "-e", "a-law", "-"]
    command += ["trim", "0", str(seconds)]
    return subprocess.run(command, capture_output=True, check=True).stdout


def linear(alaw: bytes) -> Samples:
    return np.frombuffer(bytes(decode(alaw, DECODERS[PCMA])), dtype="<i2").astype(np.int16)


def ssrcs(phone: socket.socket) -> set[int]:
    """The SSRCs of the RTP packets waiting at ``phone``."""
    found = set()
    phone.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        while True:
            found.add(struct.unpack_from("!I", phone.recv(2048), 8)[0])
    return found


async def test_a_real_rtpengine_recording_has_each_side_in_its_channel(
    engine: Engine, tmp_path: Path
) -> None:
    music = sorted(MOH.glob("*.wav"))
    voice_a, voice_b = alaw_of(music[0], 2.0), alaw_of(music[-1], 1.5)
    prompt = tmp_path / "prompt.wav"
    subprocess.run(["sox", str(music[1]), str(prompt), "trim", "0", "1"], check=True)
    phone_a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    phone_b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with phone_a, phone_b:
        phone_a.bind((HOST, 0))
        phone_b.bind((HOST, 0))
        ng = engine.ng
        call = {"call-id": "rec@test", "from-tag": "caller"}
        offer = await ng.command("offer", {**call, "sdp": sdp(phone_a.getsockname()[1])})
        answer = await ng.command(
            "answer", {**call, "to-tag": "agent", "sdp": sdp(phone_b.getsockname()[1])}
        )
        # each phone sends to the port in the SDP rtpengine made for it
        from_a, from_b = media_port(answer), media_port(offer)
        await ng.command("start recording", {"call-id": "rec@test"})
        # rtpengine's own media to the caller: a prompt it plays while both talk
        await ng.command("play media", {**call, "file": str(prompt)})
        loop = asyncio.get_running_loop()
        started = loop.time()
        # phone B starts 0.5 s after phone A; both send 20 ms packets in real time
        b_started = 0.0  # when B's first packet left, after A's: a busy machine delays it
        for tick in range(100):
            chunk = voice_a[FRAME * tick : FRAME * (tick + 1)]
            phone_a.sendto(rtp(8, tick, FRAME * tick, 0xAAAA, chunk), (HOST, from_a))
            if tick == 25:
                b_started = loop.time() - started
            if tick >= 25:
                index = tick - 25
                chunk = voice_b[FRAME * index : FRAME * (index + 1)]
                packet = rtp(8, 7 + index, 999 + FRAME * index, 0xBBBB, chunk)
                phone_b.sendto(packet, (HOST, from_b))
            await asyncio.sleep(max(0.0, started + 0.020 * (tick + 1) - loop.time()))
        await ng.command("delete", {"call-id": "rec@test"})
        heard_by_a = ssrcs(phone_a)
    assert 0xBBBB in heard_by_a
    assert heard_by_a - {0xBBBB}  # the prompt, from rtpengine's player

    # named after the call id (URL-encoded) and a random suffix; complete once the call
    # is deleted, which rtpengine marks by moving the metadata file
    (pcap,) = (engine.recordings / "pcaps").iterdir()
    assert re.fullmatch(r"rec%40test-[0-9a-f]{16}\.pcap", pcap.name)
    assert list((engine.recordings / "metadata").glob("rtpengine-meta-rec%40test-*.txt"))
    assert struct.unpack_from("<I", pcap.read_bytes(), 20)[0] == engine.link
    wav = tmp_path / "call.wav"
    info = pcap_to_wav(pcap, wav)
    assert info.streams == 2  # the prompt is not recorded
    assert info.packets == (100, 75)
    assert info.lost == (0, 0)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    left, right = channels(wav)
    sent_a, sent_b = linear(voice_a), linear(voice_b)
    # one second from the middle of what each phone sent
    offset, ncc = best_match(left, sent_a[4000:12000])
    assert ncc > 0.9
    assert offset == pytest.approx(0.5, abs=0.03)
    offset, ncc = best_match(right, sent_b[2000:10000])
    assert ncc > 0.9
    assert offset == pytest.approx(b_started + 0.25, abs=0.03)  # placed by arrival time
    assert best_match(left, sent_b[2000:10000])[1] < 0.5
    assert best_match(right, sent_a[4000:12000])[1] < 0.5

    # Naming the caller by rtpengine's port facing phone B puts B on channel 1.
    swapped = pcap_to_wav(pcap, tmp_path / "swapped.wav", caller=(HOST, from_b))
    assert swapped.packets == (75, 100)
    left, right = channels(tmp_path / "swapped.wav")
    assert best_match(left, sent_b[2000:10000])[1] > 0.9
    assert best_match(right, sent_a[4000:12000])[1] > 0.9
