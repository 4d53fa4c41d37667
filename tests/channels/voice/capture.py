"""What a caller heard: a tcpdump capture of the caller's RTP port, turned into audio."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from frontdesk.channels.voice.recordings import pcap_to_wav
from tests.channels.voice.audio import best_match, read_wav


@contextlib.asynccontextmanager
async def capture(port: int, pcap: Path) -> AsyncIterator[Path]:
    """Capture the UDP packets to ``port`` on loopback into ``pcap`` while inside."""
    process = await asyncio.create_subprocess_exec(
        "tcpdump", "-i", "lo", "-n", "-U", "-w", str(pcap), "udp", "and", "dst", "port",
        str(port), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    await process.stderr.readline()  # "listening on lo ...": capturing from now on
    try:
        yield pcap
    finally:
        await asyncio.sleep(0.2)  # the last packets
        process.send_signal(signal.SIGINT)
        await process.wait()


def heard(pcap: Path, sound: Path, *, seconds: float = 1.5) -> float:
    """How well the start of ``sound`` (after its first ``0.2`` s) matches what the
    capture holds: the normalised cross-correlation, 1.0 for the very same audio."""
    wav = pcap.with_suffix(".wav")
    pcap_to_wav(pcap, wav)
    rate, (received, *_) = read_wav(wav)
    _, (reference,) = read_wav(sound)
    start = int(0.2 * rate)
    needle = reference[start : start + int(seconds * rate)]
    if len(received) < len(needle) or not np.any(needle):
        return 0.0
    return best_match(received, needle, rate)[1]
