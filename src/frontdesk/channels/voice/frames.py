"""Messages between the service and its SIP process, over a socket pair.

Each message is a tuple of plain values (and the leg events of
:mod:`frontdesk.channels.voice.sip`), pickled and sent with its length in front. Both
ends are processes of Frontdesk started together (:mod:`frontdesk.channels.voice.sip_process`
is the other one), never a peer on the network, so pickle's trust in its input holds.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any

_LENGTH = struct.Struct("!I")
#: The longest message either end accepts: a SIP message's SDP is a few kilobytes.
MAX_MESSAGE = 1 << 20


class FrameError(Exception):
    """The other end sent something that is not a message (a bug, never a caller's input)."""


def frame(message: tuple[Any, ...]) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


class Frames:
    """Bytes as they arrive, in messages as they complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[Any, ...]]:
        buffer = self._buffer
        buffer += data
        messages: list[tuple[Any, ...]] = []
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer, start)
            if length > MAX_MESSAGE:
                raise FrameError(f"a message of {length} bytes (at most {MAX_MESSAGE})")
            end = start + _LENGTH.size + length
            if len(buffer) < end:
                break
            messages.append(pickle.loads(buffer[start + _LENGTH.size : end]))
            start = end
        del buffer[:start]
        return messages
