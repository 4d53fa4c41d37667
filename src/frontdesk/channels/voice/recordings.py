"""Call recordings: the pcap files of rtpengine turned into stereo WAV.

rtpengine in userspace records a call (``recording-method=pcap``) as one classic pcap
file, ``<recording-dir>/pcaps/<call-id>-<16 hex digits>.pcap``, holding every RTP packet
that rtpengine *received* from the call's parties after ``start recording``: the
customer's and the agent's voice, each addressed from the party to rtpengine's port that
faces it. The media rtpengine plays itself (prompts, music on hold) is not in it. The
packets are written with a raw IP link type by default (``recording-format=raw``) or
with a made-up Ethernet header (``recording-format=eth``). The file is written through
a buffer and is complete only once the call is deleted; then rtpengine moves its
metadata file from ``tmp/`` to ``metadata/``.

:func:`pcap_to_wav` also reads captures made with tcpdump (Ethernet, Linux cooked v1
and v2, raw IPv4 or IPv6).
"""

from __future__ import annotations

import ipaddress
import os
import struct
import sys
import tempfile
import wave
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO, NamedTuple
from urllib.parse import quote

from frontdesk.channels.voice.errors import VoiceError

RATE = 8000
#: A longer result is refused: the call would not fit in memory as samples.
MAX_SECONDS = 8 * 3600
#: A jump of the RTP timestamp that differs from the arrival times by more than this is
#: taken as a sender restarting its clock, not as silence: the packet is placed by its
#: arrival time instead.
MAX_JUMP = 5 * RATE
#: Larger than any snapshot length; a record claiming more is corrupt.
MAX_RECORD = 256 * 1024

Endpoint = tuple[str, int]
"""An IP address (as text) and a UDP port."""

PCMU, PCMA = 0, 8
RTCP_TYPES = range(200, 205)  # SR, RR, SDES, BYE, APP share the port with RTP (RFC 5761)

ETHERNET, RAW, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 = 1, 101, 113, 228, 229, 276
ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_VLAN = 0x0800, 0x86DD, 0x8100
UDP = 17


class RecordingError(VoiceError):
    """A recording that cannot be read (``recording.unreadable``), is too long
    (``recording.too_long``) or whose WAV cannot be written (``recording.write_failed``)."""

    code = "recording.unreadable"


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """What :func:`pcap_to_wav` found; the pairs are (channel 1, channel 2)."""

    duration: float  # seconds of the WAV
    streams: int  # G.711 streams: one per SSRC, source and destination
    packets: tuple[int, int]  # audio packets decoded into each channel
    lost: tuple[int, int]  # packets missing from the sequence numbers of each channel
    skipped: int  # RTP packets that are no G.711 audio: DTMF events, comfort noise ...


def pcap_to_wav(
    pcap: Path,
    wav: Path,
    *,
    caller: Endpoint | None = None,
    max_seconds: float = MAX_SECONDS,
) -> RecordingInfo:
    """Write the G.711 audio of the recording ``pcap`` to ``wav`` as 8 kHz 16-bit stereo.

    Channel 1 is the caller's side, channel 2 everything else. The caller's side is the
    streams sent from ``caller`` or to it (the customer's media address, or rtpengine's
    port that faces the customer); without ``caller``, the streams sent from the source
    of the first audio packet or to its destination. More streams of one side (a new
    SSRC, a second agent after a transfer) are mixed into its channel.

    Samples are placed by RTP timestamp within a stream and by arrival time between
    streams; missing packets and pauses are silence. The WAV is replaced atomically.
    The conversion is blocking (about 1 s of CPU per 10 minutes of call): an asyncio
    caller runs it in a worker thread.
    Raises :class:`RecordingError`: ``recording.unreadable`` for a file that is missing,
    not a pcap, truncated or corrupt; ``recording.too_long`` beyond ``max_seconds``;
    ``recording.write_failed`` when ``wav`` cannot be written.
    """
    streams, skipped = collect(pcap)
    audio = [stream for stream in streams.values() if stream.packets]
    first = min(audio, key=lambda stream: stream.packets[0].order) if audio else None

    def channel(stream: Stream) -> int:
        if caller is not None:
            ours = caller in (stream.source, stream.destination)
        else:
            ours = first is not None and (
                stream.source == first.source or stream.destination == first.destination
            )
        return 0 if ours else 1

    start = min((stream.packets[0].time for stream in audio), default=0.0)
    placed = [(stream, positions(stream, start)) for stream in audio]
    extents = [extent(stream, at) for stream, at in placed]
    low = min((first for first, _ in extents), default=0)
    end = max((last for _, last in extents), default=0)
    # before any audio is decoded: a corrupt capture could ask for gigabytes
    if end - low > max_seconds * RATE:
        raise RecordingError(
            f"{pcap.name}: the recording would last {(end - low) / RATE:.0f} s, "
            f"more than the {max_seconds:g} s allowed",
            code="recording.too_long",
        )
    tracks = [Track(end - low), Track(end - low)]
    for stream, at in placed:
        tracks[channel(stream)].add(min(at) - low, render(stream, at))
    packets = [0, 0]
    lost = [0, 0]
    for stream in streams.values():
        side_index = channel(stream)
        packets[side_index] += len(stream.packets)
        lost[side_index] += stream.lost
    write_stereo(wav, tracks[0].pcm, tracks[1].pcm)
    return RecordingInfo(
        duration=(end - low) / RATE,
        streams=len(audio),
        packets=(packets[0], packets[1]),
        lost=(lost[0], lost[1]),
        skipped=skipped,
    )


class Datagram(NamedTuple):
    time: float  # seconds since the epoch, as captured
    source: Endpoint
    destination: Endpoint
    payload: bytes


class Audio(NamedTuple):
    order: int  # position of the packet in the file
    time: float
    timestamp: int
    payload: bytes
    decode: tuple[bytes, bytes]


@dataclass(slots=True)
class Stream:
    """The RTP packets of one SSRC from one source to one destination."""

    source: Endpoint
    destination: Endpoint
    packets: list[Audio] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # extended sequence numbers
    highest: int | None = None

    def sequence(self, number: int) -> int | None:
        """The extended sequence number of ``number``; None for a duplicate."""
        if self.highest is None:
            extended = number
        else:
            # the nearest number with these low 16 bits: a wrap goes on past 65535
            extended = self.highest + ((number - self.highest + 0x8000) & 0xFFFF) - 0x8000
        if extended in self.seen:
            return None
        self.seen.add(extended)
        self.highest = extended if self.highest is None else max(self.highest, extended)
        return extended

    @property
    def lost(self) -> int:
        if not self.seen:
            return 0
        return max(self.seen) - min(self.seen) + 1 - len(self.seen)


def collect(pcap: Path) -> tuple[dict[tuple[int, Endpoint, Endpoint], Stream], int]:
    """The RTP streams of ``pcap`` in order of appearance, and the count of skipped ones."""
    streams: dict[tuple[int, Endpoint, Endpoint], Stream] = {}
    skipped = 0
    for order, datagram in enumerate(datagrams(pcap)):
        rtp = datagram.payload
        if len(rtp) < 12 or rtp[0] >> 6 != 2 or rtp[1] in RTCP_TYPES:
            continue
        payload_type = rtp[1] & 0x7F
        number, timestamp, ssrc = struct.unpack_from("!HII", rtp, 2)
        header = 12 + 4 * (rtp[0] & 0x0F)
        if rtp[0] & 0x10:  # a header extension: 4 bytes, then its length in words
            if len(rtp) < header + 4:
                continue
            header += 4 + 4 * struct.unpack_from("!H", rtp, header + 2)[0]
        end = len(rtp) - (rtp[-1] if rtp[0] & 0x20 else 0)  # padding counts itself last
        if header > end:
            continue
        key = (ssrc, datagram.source, datagram.destination)
        stream = streams.get(key)
        if stream is None:
            stream = streams[key] = Stream(datagram.source, datagram.destination)
        if stream.sequence(number) is None:
            continue
        table = DECODERS.get(payload_type)
        if table is None:
            skipped += 1
            continue
        stream.packets.append(
            Audio(order, datagram.time, timestamp, rtp[header:end], table),
        )
    return streams, skipped


def positions(stream: Stream, start: float) -> list[int]:
    """Where each packet of the stream starts, in samples from ``start``."""
    found: list[int] = []
    previous: Audio | None = None
    position = 0
    for audio in stream.packets:
        if previous is None:
            position = round((audio.time - start) * RATE)
        else:
            # the signed difference of two 32-bit timestamps survives their wrap
            step = ((audio.timestamp - previous.timestamp + 0x80000000) & 0xFFFFFFFF) - 0x80000000
            elapsed = round((audio.time - previous.time) * RATE)
            position += step if abs(step - elapsed) <= MAX_JUMP else elapsed
        found.append(position)
        previous = audio
    return found


def extent(stream: Stream, at: list[int]) -> tuple[int, int]:
    """The first sample of the stream with its packets at ``at``, and the one after its last."""
    last = max(p + len(audio.payload) for p, audio in zip(at, stream.packets, strict=True))
    return min(at), last


def render(stream: Stream, at: list[int]) -> bytearray:
    """The stream's 16-bit PCM from its first sample on, its packets at ``at``."""
    first, last = extent(stream, at)
    pcm = bytearray(2 * (last - first))
    for position, audio in zip(at, stream.packets, strict=True):
        offset = 2 * (position - first)
        pcm[offset : offset + 2 * len(audio.payload)] = decode(audio.payload, audio.decode)
    return pcm


class Track:
    """One channel of the WAV: streams laid on silence, mixed where they overlap."""

    def __init__(self, samples: int) -> None:
        self.pcm = bytearray(2 * samples)
        self.filled: list[tuple[int, int]] = []

    def add(self, offset: int, pcm: bytearray) -> None:
        end = offset + len(pcm) // 2
        overlaps = [(a, b) for a, b in self.filled if a < end and offset < b]
        self.filled.append((offset, end))
        if not overlaps:
            self.pcm[2 * offset : 2 * end] = pcm
            return
        mixed = samples(self.pcm[2 * offset : 2 * end])
        for index, value in enumerate(samples(pcm)):
            mixed[index] = max(-32768, min(32767, mixed[index] + value))
        if sys.byteorder == "big":
            mixed.byteswap()
        self.pcm[2 * offset : 2 * end] = mixed.tobytes()


def samples(pcm: bytes | bytearray) -> array[int]:
    """Little-endian 16-bit PCM as numbers."""
    values = array("h")
    values.frombytes(pcm)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def write_stereo(path: Path, left: bytearray, right: bytearray) -> None:
    frames = bytearray(2 * len(left))
    for byte in (0, 1):  # little-endian samples interleaved as L0 L1 R0 R1
        frames[byte::4] = left[byte::2]
        frames[2 + byte :: 4] = right[byte::2]
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(descriptor, "wb") as file, wave.open(file, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(frames)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise RecordingError(
            f"cannot write {path}: {exc.strerror or exc}", code="recording.write_failed"
        ) from exc


def datagrams(pcap: Path) -> Iterator[Datagram]:
    """The UDP datagrams of a classic pcap file, in file order."""
    try:
        file = pcap.open("rb")
    except OSError as exc:
        raise RecordingError(f"cannot read {pcap}: {exc.strerror or exc}") from exc
    with file:
        yield from read_pcap(pcap.name, file)


def read_pcap(name: str, file: BinaryIO) -> Iterator[Datagram]:
    header = file.read(24)
    magic = header[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        raise RecordingError(f"{name} is a pcapng file; only classic pcap is read")
    formats = {
        b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
        b"\xa1\xb2\xc3\xd4": (">", 1e-6),
        b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
        b"\xa1\xb2\x3c\x4d": (">", 1e-9),
    }
    if magic not in formats:
        raise RecordingError(f"{name} is not a pcap file")
    if len(header) < 24:
        raise RecordingError(f"{name} is truncated: its file header is incomplete")
    order, unit = formats[magic]
    link = struct.unpack_from(order + "I", header, 20)[0] & 0xFFFF  # high bits: FCS flags
    if link not in (ETHERNET, RAW, LINUX_SLL, IPV4, IPV6, LINUX_SLL2):
        raise RecordingError(f"{name}: link type {link} is not supported")
    record = struct.Struct(order + "IIII")
    offset = 24
    while chunk := file.read(record.size):
        if len(chunk) < record.size:
            raise RecordingError(f"{name} is truncated: a packet header at byte {offset}")
        seconds, fraction, included, _ = record.unpack(chunk)
        if included > MAX_RECORD:
            raise RecordingError(
                f"{name} is corrupt: a packet of {included} bytes at byte {offset}"
            )
        frame = file.read(included)
        if len(frame) < included:
            raise RecordingError(f"{name} is truncated: a packet at byte {offset} is cut off")
        offset += record.size + included
        found = udp(link, frame)
        if found is not None:
            source, destination, payload = found
            yield Datagram(seconds + fraction * unit, source, destination, payload)


def udp(link: int, frame: bytes) -> tuple[Endpoint, Endpoint, bytes] | None:
    """Source, destination and payload of a UDP datagram in one frame; None for others."""
    if link == ETHERNET:
        at = 12
        while frame[at : at + 2] == ETHERTYPE_VLAN.to_bytes(2, "big"):
            at += 4
        ethertype, packet = frame[at : at + 2], frame[at + 2 :]
    elif link == LINUX_SLL:
        ethertype, packet = frame[14:16], frame[16:]
    elif link == LINUX_SLL2:
        ethertype, packet = frame[0:2], frame[20:]
    else:
        ethertype, packet = b"", frame
    if ethertype not in (b"", b"\x08\x00", b"\x86\xdd"):
        return None
    version = packet[0] >> 4 if packet else 0
    if version == 4 and len(packet) >= 20:
        size = 4 * (packet[0] & 0x0F)
        total = int.from_bytes(packet[2:4], "big")
        fragment = int.from_bytes(packet[6:8], "big") & 0x3FFF  # more-fragments or offset
        if packet[9] != UDP or fragment or size < 20:
            return None
        addresses = (packet[12:16], packet[16:20])
        datagram = packet[size:total]
    elif version == 6 and len(packet) >= 40:
        if packet[6] != UDP:  # extension headers are not followed
            return None
        addresses = (packet[8:24], packet[24:40])
        datagram = packet[40 : 40 + int.from_bytes(packet[4:6], "big")]
    else:
        return None
    if len(datagram) < 8:
        return None
    source_port, destination_port, length = struct.unpack_from("!HHH", datagram)
    source = (str(ipaddress.ip_address(addresses[0])), source_port)
    destination = (str(ipaddress.ip_address(addresses[1])), destination_port)
    return source, destination, datagram[8:length]


def alaw(code: int) -> int:
    """ITU-T G.711 A-law to 16-bit linear."""
    code ^= 0x55
    magnitude = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    magnitude += 8 if segment == 0 else 0x108
    if segment > 1:
        magnitude <<= segment - 1
    return magnitude if code & 0x80 else -magnitude


def ulaw(code: int) -> int:
    """ITU-T G.711 µ-law to 16-bit linear."""
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84


def tables(law: list[int]) -> tuple[bytes, bytes]:
    """Low and high bytes of each code's sample, for :meth:`bytes.translate`."""
    return bytes(v & 0xFF for v in law), bytes((v >> 8) & 0xFF for v in law)


DECODERS = {
    PCMA: tables([alaw(code) for code in range(256)]),
    PCMU: tables([ulaw(code) for code in range(256)]),
}


def decode(payload: bytes, table: tuple[bytes, bytes]) -> bytearray:
    """G.711 bytes to little-endian 16-bit PCM, at the speed of two translations."""
    pcm = bytearray(2 * len(payload))
    pcm[0::2] = payload.translate(table[0])
    pcm[1::2] = payload.translate(table[1])
    return pcm


def capture_of(folder: Path, call_id: str) -> Path:
    """rtpengine's pcap of the call ``call_id``, complete once the call was deleted: its
    metadata file (``metadata/rtpengine-meta-<call-id>-<hex>.txt``) names it first."""
    for name in {call_id, quote(call_id, safe="")}:
        for meta in (folder / "metadata").glob(f"rtpengine-meta-{glob_escape(name)}-*.txt"):
            first = meta.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
            if first and Path(first[0]).is_file():
                meta.unlink()
                return Path(first[0])
    raise VoiceError(f"no recording of call {call_id} in {folder}", code="recording.missing")
