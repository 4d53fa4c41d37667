"""The messages between the service and its SIP process, cut anywhere by the socket."""

from __future__ import annotations

import pytest

from frontdesk.channels.voice.frames import MAX_MESSAGE, FrameError, Frames, frame
from frontdesk.channels.voice.sip import Answered, Ended


def test_messages_come_out_whole_and_in_order_however_the_bytes_are_cut() -> None:
    sent = [
        ("invite", 1, "call-1@host", "tag", "+79161234567", "+74951234567", "v=0\r\n" * 200,
         ("127.0.0.1", 5060), True),
        ("event", 1, Answered("v=0\r\n", "their-tag")),
        ("event", 1, Ended("bye", None, "remote")),
    ]  # fmt: skip
    data = b"".join(frame(message) for message in sent)
    for size in (1, 3, 7, 64, len(data)):
        frames = Frames()
        received = []
        for start in range(0, len(data), size):
            received += frames.feed(data[start : start + size])
        assert received == sent


def test_a_length_beyond_the_limit_is_refused_without_waiting_for_the_bytes() -> None:
    header = (MAX_MESSAGE + 1).to_bytes(4, "big")
    with pytest.raises(FrameError, match="at most"):
        Frames().feed(header)
