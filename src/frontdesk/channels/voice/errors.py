"""Errors of the voice channel, with stable codes."""

from __future__ import annotations

from frontdesk.domain.errors import FrontdeskError


class VoiceError(FrontdeskError):
    """A part of the voice channel failed or refused (the code says which and how)."""

    code = "voice.error"


class MediaError(VoiceError):
    """rtpengine refused a command (``media.rejected``) or did not answer
    (``media.unreachable``)."""

    code = "media.error"


class DaemonError(VoiceError):
    """A helper daemon (Kamailio, rtpengine) is missing, did not start or died."""

    code = "voice.daemon"
