"""Audio checks for the voice tests: read a WAV, find where a known sound is in it."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from frontdesk.channels.voice.recordings import DECODERS, PCMA, PCMU, decode

Samples = NDArray[np.int16]


#: WAV format tags of G.711 audio, and the table that decodes each.
G711 = {6: DECODERS[PCMA], 7: DECODERS[PCMU]}


def wav_format(path: Path) -> tuple[int, int, int]:
    """The WAV's format tag (1 PCM, 6 A-law, 7 µ-law), channel count and frame rate."""
    data = path.read_bytes()
    tag, channels, rate = struct.unpack_from("<HHI", data, data.index(b"fmt ") + 8)
    return tag, channels, rate


def read_wav(path: Path) -> tuple[int, list[Samples]]:
    """The frame rate and the samples of each channel of a 16-bit PCM WAV, or of a mono
    A-law or µ-law one (the prompts' format)."""
    tag, channels, rate = wav_format(path)
    if tag in G711:
        data = path.read_bytes()
        assert channels == 1, f"{path}: {channels} channels of G.711"
        start = data.index(b"data") + 8
        (size,) = struct.unpack_from("<I", data, start - 4)
        pcm = decode(data[start : start + size], G711[tag])
        return rate, [np.frombuffer(bytes(pcm), dtype="<i2").astype(np.int16)]
    with wave.open(str(path), "rb") as audio:
        if audio.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * audio.getsampwidth()}-bit samples, not 16-bit")
        rate = audio.getframerate()
        channels = audio.getnchannels()
        frames = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
    return rate, [frames[index::channels].astype(np.int16) for index in range(channels)]


def as_pcm16(source: Path, target: Path) -> Path:
    """A 16-bit PCM copy of the mono WAV ``source`` (a prompt), for players such as
    baresip's that read no other encoding."""
    rate, (samples,) = read_wav(source)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return target


def best_match(
    haystack: NDArray[np.integer] | NDArray[np.floating],
    needle: NDArray[np.integer] | NDArray[np.floating],
    rate: int = 8000,
) -> tuple[float, float]:
    """Where ``needle`` fits best in ``haystack``: (offset in seconds, normalised
    cross-correlation there, 1.0 for an exact copy at any volume).

    Only offsets where the whole needle lies inside the haystack are tried; stretches of
    the haystack without any signal never match.
    """
    hay = np.asarray(haystack, dtype=np.float64)
    ref = np.asarray(needle, dtype=np.float64)
    if not 0 < len(ref) <= len(hay):
        raise ValueError(f"a needle of {len(ref)} samples in a haystack of {len(hay)}")
    reference_energy = float(np.dot(ref, ref))
    if reference_energy == 0:
        raise ValueError("the needle is silent")
    size = 1 << (len(hay) + len(ref) - 1).bit_length()
    correlation = np.fft.irfft(np.fft.rfft(hay, size) * np.conj(np.fft.rfft(ref, size)), size)
    lags = len(hay) - len(ref) + 1
    squares = np.concatenate(([0.0], np.cumsum(hay * hay)))
    energy = squares[len(ref) : len(ref) + lags] - squares[:lags]
    # rounding in the running sum leaves tiny positive values where the haystack is silent
    floor = reference_energy * 1e-9
    ncc = np.where(
        energy > floor,
        correlation[:lags] / np.sqrt(np.maximum(energy, floor) * reference_energy),
        0,
    )
    lag = int(np.argmax(ncc))
    return lag / rate, float(ncc[lag])
