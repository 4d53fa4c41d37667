"""rtpengine, the media relay of the voice channel, run in userspace as a child process.

Its configuration is generated from :class:`VoiceSettings` into ``<run_dir>/rtpengine.conf``.

Recordings (``start recording``) are pcap files ``<recordings_dir>/pcaps/<call-id>-<16 hex
digits>.pcap``, written as packets come; when the call is deleted, a metadata file
``<recordings_dir>/metadata/rtpengine-meta-<call-id>-<same hex>.txt`` appears, whose first
line is the pcap's path. A pcap holds the RTP packets rtpengine *received* (from either
side, addressed to rtpengine's ports), not the media it played itself (``play media``).
"""

from __future__ import annotations

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.daemon import Daemon
from frontdesk.channels.voice.ng import NgClient

#: syslog level of rtpengine's log: 5 (notice) shows call starts and ends and problems;
#: 6 (info) adds a line per ng command, which costs time under load.
LOG_LEVEL = 5


def rtpengine_config(settings: VoiceSettings) -> str:
    """The text of rtpengine's configuration file (section ``[rtpengine]``) for ``settings``."""
    host = settings.host
    options = {
        # No kernel module in containers: -1 forwards every packet in userspace.
        "table": -1,
        "interface": host,
        "listen-ng": f"{host}:{settings.ng_port}",
        "port-min": settings.rtp_min,
        "port-max": settings.rtp_max,
        # The default (30 s) keeps a deleted call's 4 ports busy; the range may be small.
        "delete-delay": 0,
        "foreground": "true",
        "log-stderr": "true",
        "log-level": LOG_LEVEL,
        "dtmf-log-dest": f"{host}:{settings.dtmf_port}",
        "recording-dir": settings.recordings_dir,
        # The recording daemon ("proc") needs the kernel module; pcap works in userspace.
        "recording-method": "pcap",
        # Both formats work; eth (a fake Ethernet header, link type 1) is what pcap readers
        # expect most and what the lab's pcap-to-WAV conversion was proven with.
        "recording-format": "eth",
    }
    lines = ["[rtpengine]", *(f"{key} = {value}" for key, value in options.items())]
    return "\n".join(lines) + "\n"


class Rtpengine:
    """The rtpengine daemon of ``settings``; ready when it answers an ng ``ping``."""

    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings
        self.config_path = settings.run_dir / "rtpengine.conf"
        self.pid_path = settings.run_dir / "rtpengine.pid"
        self._probe = NgClient(settings.host, settings.ng_port)
        self.daemon = Daemon(
            "rtpengine",
            [
                "rtpengine",
                f"--config-file={self.config_path}",
                f"--pidfile={self.pid_path}",
            ],
            settings.run_dir,
            self._ready,
            pid_file=self.pid_path,
        )

    @property
    def running(self) -> bool:
        return self.daemon.running

    async def start(self) -> None:
        """Write the configuration and start rtpengine; raises ``DaemonError`` on failure."""
        if self.running:
            return
        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        self.settings.recordings_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(rtpengine_config(self.settings), encoding="utf-8")
        await self._probe.start()
        try:
            await self.daemon.start()
        finally:
            self._probe.close()

    async def stop(self) -> None:
        await self.daemon.stop()

    async def restart(self) -> None:
        """Stop and start again; every call rtpengine held is gone."""
        await self.stop()
        await self.start()

    async def _ready(self) -> bool:
        # Short: the daemon supervisor probes again until its own start timeout.
        return await self._probe.ping(timeout=0.25)
