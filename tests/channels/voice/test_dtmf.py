"""The DTMF listener, fed rtpengine's report format from a plain UDP socket.

(That rtpengine really sends these reports is checked in ``test_ng.py``.)
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from frontdesk.channels.voice.dtmf import DtmfEvent, DtmfListener
from tests.channels.voice.ports import free_port

HOST = "127.0.0.1"


def report(event: object = 1, **fields: object) -> bytes:
    """A report as rtpengine 10.5 writes it, with ``fields`` replaced (``None``: left out)."""
    content: dict[str, object] = {
        "callid": "a84b4c76e66710",
        "source_tag": "1928301774",
        "tags": ["1928301774", "314159"],
        "type": "DTMF",
        "timestamp": 1700000000,
        "source_ip": HOST,
        "event": event,
        "duration": 280,
        "volume": 10,
    }
    content.update(fields)
    return json.dumps({key: value for key, value in content.items() if value is not None}).encode()


@pytest_asyncio.fixture
async def listener() -> AsyncIterator[tuple[DtmfListener, asyncio.Queue[DtmfEvent]]]:
    events: asyncio.Queue[DtmfEvent] = asyncio.Queue()
    listener = DtmfListener(HOST, free_port(), events.put_nowait)
    await listener.start()
    yield listener, events
    listener.close()


@pytest.fixture
def sender() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        yield sock


async def test_each_report_becomes_a_digit(
    listener: tuple[DtmfListener, asyncio.Queue[DtmfEvent]], sender: socket.socket
) -> None:
    dtmf, events = listener
    for event in range(16):
        sender.sendto(report(event, callid=f"call-{event}", duration=40 + event), (HOST, dtmf.port))
    received = [await asyncio.wait_for(events.get(), 2.0) for _ in range(16)]
    assert "".join(event.digit for event in received) == "0123456789*#ABCD"
    assert received[11] == DtmfEvent(
        call_id="call-11", source_tag="1928301774", digit="#", duration_ms=51
    )


async def test_malformed_reports_are_dropped_and_the_listener_goes_on(
    listener: tuple[DtmfListener, asyncio.Queue[DtmfEvent]], sender: socket.socket
) -> None:
    dtmf, events = listener
    for garbage in (
        b"",
        b"\xff\xfe",
        b'{"callid":"a"b","source_tag":"x","event":1,"duration":100}',  # Call-ID not escaped
        b"[1, 2]",
        report(16),  # RFC 4733 flash, not a digit
        report(-1),
        report("1"),
        report(True),
        report(None),
        report(callid=None),
        report(source_tag=7),
        report(duration="long"),
        report(duration=None),
    ):
        sender.sendto(garbage, (HOST, dtmf.port))
    sender.sendto(report(5, callid="after"), (HOST, dtmf.port))
    event = await asyncio.wait_for(events.get(), 2.0)
    assert event == DtmfEvent(call_id="after", source_tag="1928301774", digit="5", duration_ms=280)
    assert events.empty()


async def test_a_failing_handler_does_not_stop_the_listener(sender: socket.socket) -> None:
    digits: asyncio.Queue[str] = asyncio.Queue()

    def handle(event: DtmfEvent) -> None:
        digits.put_nowait(event.digit)
        if event.digit == "1":
            raise RuntimeError("handler bug")

    dtmf = DtmfListener(HOST, free_port(), handle)
    await dtmf.start()
    try:
        sender.sendto(report(1), (HOST, dtmf.port))
        sender.sendto(report(2), (HOST, dtmf.port))
        assert [await asyncio.wait_for(digits.get(), 2.0) for _ in range(2)] == ["1", "2"]
    finally:
        dtmf.close()


async def test_close_frees_the_port() -> None:
    port = free_port()
    dtmf = DtmfListener(HOST, port, lambda event: None)
    await dtmf.start()
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other,
        pytest.raises(OSError, match="Address already in use"),
    ):
        other.bind((HOST, port))
    dtmf.close()
    await asyncio.sleep(0)  # the transport closes its socket on the next loop iteration
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind((HOST, port))
