"""Where the voice channel's parts listen and keep their files; all on one host by default.

The defaults put every part on loopback with the ports the lab used. Tests move each part
to free ports so runs never collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """Addresses, ports and folders of the voice channel.

    ``work_dir`` holds generated configurations, pid files, logs, rendered prompts and
    recordings; it is created when the channel starts.
    """

    work_dir: Path
    host: str = "127.0.0.1"  # every SIP/RTP part binds here
    sip_port: int = 5060  # Kamailio: registrar for phones, entry point for trunks
    b2bua_port: int = 5062  # the B2BUA (call control)
    ng_port: int = 2223  # rtpengine's ng control protocol (UDP)
    dtmf_port: int = 9999  # rtpengine reports DTMF here (JSON over UDP)
    rtp_min: int = 20000  # rtpengine's media ports
    rtp_max: int = 29999
    realm: str = ""  # SIP digest realm and domain of agent phones; "" : the host
    moh_dir: Path = Path("/usr/share/asterisk/moh")  # Debian's asterisk-moh-opsound-wav
    trunk: tuple[str, int] | None = None  # where calls to customers go; None: no outbound
    announce_every: float = 45.0  # seconds between a waiting caller's place announcements

    @property
    def domain(self) -> str:
        return self.realm or self.host

    @property
    def run_dir(self) -> Path:
        return self.work_dir / "run"

    @property
    def prompts_dir(self) -> Path:
        return self.work_dir / "prompts"

    @property
    def recordings_dir(self) -> Path:
        return self.work_dir / "recordings"
