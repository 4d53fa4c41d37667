"""Receives the DTMF digits rtpengine reports (its ``dtmf-log-dest``: one JSON object per UDP
datagram, sent when an RFC 4733 event ends), e.g.::

    {"callid":"a84b4c76e66710","source_tag":"1928301774","tags":["1928301774","314159"],
     "type":"DTMF","timestamp":1700000000,"source_ip":"127.0.0.1","event":1,"duration":280,
     "volume":10}

rtpengine writes the Call-ID and tags into the JSON without escaping them, so a report for a
Call-ID holding ``"`` or ``\\`` is not valid JSON; like any other malformed report it is
logged and dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from frontdesk.channels.voice.datagrams import DatagramSocket

log = logging.getLogger(__name__)

#: The digit of each RFC 4733 DTMF event code (0 to 15).
DIGITS = "0123456789*#ABCD"


@dataclass(frozen=True, slots=True)
class DtmfEvent:
    """One key press: on which call, by which participant (SIP tag), for how long."""

    call_id: str
    source_tag: str
    digit: str
    duration_ms: int


class DtmfListener:
    """Listens on ``host``:``port`` and calls ``on_event`` (in the event loop) for each digit.

    Only reports of DTMF events 0 to 15 reach ``on_event``; anything else is logged and
    dropped. An exception from ``on_event`` is logged and does not stop the listener.
    """

    def __init__(self, host: str, port: int, on_event: Callable[[DtmfEvent], None]) -> None:
        self.host = host
        self.port = port
        self.on_event = on_event
        self._socket = DatagramSocket(self._received, "DTMF")

    async def start(self) -> None:
        if not self._socket.open:
            await self._socket.open_to(local=(self.host, self.port))

    def close(self) -> None:
        self._socket.close()

    def _received(self, data: bytes) -> None:
        event = parse_report(data)
        if event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("DTMF: the handler failed on %s", event)


def parse_report(data: bytes) -> DtmfEvent | None:
    """The digit in one rtpengine DTMF report, or ``None`` (logged) if it is not a valid one."""
    try:
        report = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        log.warning("DTMF: dropped a report that is not JSON: %r", data[:120])
        return None
    if not isinstance(report, dict):
        log.warning("DTMF: dropped a report that is not an object: %r", data[:120])
        return None
    call_id = report.get("callid")
    source_tag = report.get("source_tag")
    code = report.get("event")
    duration = report.get("duration")
    if (
        not isinstance(call_id, str)
        or not isinstance(source_tag, str)
        or not _is_int(code)
        or not _is_int(duration)
    ):
        log.warning("DTMF: dropped a report with missing or wrong fields: %r", data[:120])
        return None
    if not 0 <= code < len(DIGITS):
        log.info("DTMF: ignored event %d (not a digit) on call %s", code, call_id)
        return None
    return DtmfEvent(call_id, source_tag, DIGITS[code], duration)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
