"""The media of one call in rtpengine: the caller's stream, anchored from answer to hang-up.

rtpengine sees the caller's call as one "call" (the caller's SIP Call-ID) with the caller
as the offering participant (their From tag). Until an agent answers, the other side is a
placeholder that discards audio, while rtpengine's player sends prompts and music to the
caller. An agent joins on a branch of their own (``via-branch``); with ``port latching``
the caller keeps their rtpengine port through every move (IVR → hold → agent → another
agent), so the caller is never re-INVITEd.
"""

from __future__ import annotations

import logging
from pathlib import Path

from frontdesk.channels.voice.errors import MediaError
from frontdesk.channels.voice.ng import NgClient

log = logging.getLogger(__name__)
#: On every offer and answer: keep the caller's port when the other side changes, and
#: give the SDP rtpengine's own origin and connection lines.
FLAGS: dict[str, object] = {
    "flags": ["port latching"],
    "replace": ["origin", "session-connection"],
}
#: How often hold music starts over (rtpengine needs a count; ~4-minute files).
MUSIC_REPEAT = 100


def placeholder_sdp(host: str) -> str:
    """The far side while the caller talks to the system: discard port 9 on ``host``."""
    return (
        "v=0\r\n"
        f"o=- 1 1 IN IP4 {host}\r\n"
        "s=-\r\n"
        f"c=IN IP4 {host}\r\n"
        "t=0 0\r\n"
        "m=audio 9 RTP/AVP 8 0 101\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-15\r\n"
        "a=sendrecv\r\n"
    )


def audio_address(sdp: str) -> tuple[str, int] | None:
    """The address and port of the first audio stream of ``sdp``."""
    host, port = "", 0
    for line in sdp.splitlines():
        if line.startswith("c=IN IP") and not port:
            host = line.split()[-1]
        elif line.startswith("m=audio "):
            port = int(line.split()[1])
            break
    return (host, port) if host and port else None


class CallMedia:
    def __init__(self, ng: NgClient, host: str, call_id: str, caller_tag: str, sdp: str) -> None:
        self.ng = ng
        self.host = host
        self.call_id = call_id
        self.caller_tag = caller_tag
        self.caller_sdp = sdp
        self.playing = False
        self.recording = False
        self.opened = False
        self.closed = False
        #: rtpengine's address and port facing the caller (kept by port latching): what
        #: tells the caller's side of a recording.
        self.caller_side: tuple[str, int] | None = None

    def _params(self, **more: object) -> dict[str, object]:
        return {"call-id": self.call_id, "from-tag": self.caller_tag, **more}

    async def open(self) -> str:
        """Anchor the caller's stream against the placeholder; the SDP to answer with."""
        await self.ng.command("offer", self._params(sdp=self.caller_sdp, **FLAGS))
        reply = await self.ng.command(
            "answer",
            self._params(sdp=placeholder_sdp(self.host), **{"to-tag": "system"}, **FLAGS),
        )
        sdp = str(reply["sdp"])
        self.anchored(sdp)
        return sdp

    def anchored(self, sdp: str) -> None:
        """The caller's stream is anchored (by :meth:`open`, here or in the answerer's
        thread); ``sdp`` is rtpengine's side of it, the one the caller was answered with."""
        self.caller_side = audio_address(sdp)
        self.opened = True

    async def play(self, path: Path, *, repeat: int = 1) -> float:
        """Play ``path`` to the caller (instead of what plays now); its length in seconds."""
        if self.playing:
            await self.stop()
        reply = await self.ng.command(
            "play media", self._params(file=str(path), **{"repeat-times": repeat})
        )
        self.playing = True
        return float(str(reply.get("duration", 0))) / 1000

    async def stop(self) -> None:
        """Stop what plays to the caller; nothing playing any more is no error."""
        if not self.playing:
            return
        self.playing = False
        try:
            await self.ng.command("stop media", self._params())
        except MediaError as error:
            # The player ends by itself at the end of the file; rtpengine then says so.
            log.debug("stop media on %s: %s", self.call_id, error)

    async def offer_to(self, branch: str) -> str:
        """The SDP to INVITE an agent with: the caller's stream on ``branch``."""
        reply = await self.ng.command(
            "offer", self._params(sdp=self.caller_sdp, **{"via-branch": branch}, **FLAGS)
        )
        return str(reply["sdp"])

    async def connect(self, branch: str, sdp: str, tag: str) -> None:
        """The agent on ``branch`` answered with ``sdp``: caller and agent hear each other."""
        await self.ng.command(
            "answer", self._params(sdp=sdp, **{"to-tag": tag, "via-branch": branch}, **FLAGS)
        )
        await self.stop()

    async def record(self) -> None:
        if self.recording:
            return
        await self.ng.command("start recording", self._params())
        self.recording = True

    async def close(self) -> None:
        """Release the call's ports in rtpengine; safe to call more than once."""
        if self.closed:
            return
        self.closed = True
        try:
            await self.ng.command("delete", {"call-id": self.call_id})
        except MediaError as error:  # rtpengine restarted meanwhile: nothing to release
            log.info("delete of call %s: %s", self.call_id, error)
