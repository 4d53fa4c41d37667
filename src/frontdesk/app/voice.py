"""The voice channel's settings, read from Frontdesk's own."""

from __future__ import annotations

from pathlib import Path

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.config import Settings, SettingsError


def voice_settings(settings: Settings) -> VoiceSettings:
    """Refused (naming the setting) when ``rtp_ports`` is not a range like 20000-29999."""
    low, _, high = settings.rtp_ports.partition("-")
    try:
        rtp_min, rtp_max = int(low), int(high)
    except ValueError:
        rtp_min = rtp_max = 0
    if not 1024 <= rtp_min < rtp_max <= 65535 or rtp_max - rtp_min < 3:
        raise SettingsError(
            f"rtp_ports must be a range of ports like 20000-29999, got {settings.rtp_ports!r}",
            field="rtp_ports",
        )
    return VoiceSettings(
        work_dir=Path(settings.data_dir).resolve() / "voice",
        host=settings.voice_host,
        sip_port=settings.sip_port,
        b2bua_port=settings.b2bua_port,
        ng_port=settings.rtpengine_ng_port,
        dtmf_port=settings.dtmf_port,
        rtp_min=rtp_min,
        rtp_max=rtp_max,
        realm=settings.sip_realm,
    )
