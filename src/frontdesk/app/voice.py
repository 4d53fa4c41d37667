"""The voice channel's settings, read from Frontdesk's own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.errors import VoiceError
from frontdesk.channels.voice.prompts import default_music_on_hold
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
    trunk = None
    if settings.voice_trunk:
        host, _, port = settings.voice_trunk.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(
                f"voice_trunk must be host:port, got {settings.voice_trunk!r}",
                field="voice_trunk",
            )
        trunk = (host, int(port))
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
        trunk=trunk,
    )


#: The Debian packages of the voice channel: Kamailio with its SQLite module (the phone
#: logins), rtpengine, espeak-ng and sox for prompts, and the default hold music.
PACKAGES = (
    "kamailio",
    "kamailio-sqlite-modules",
    "rtpengine-daemon",
    "espeak-ng",
    "sox",
    "asterisk-moh-opsound-wav",
)


def install_packages() -> int:
    """Install :data:`PACKAGES` with apt-get when run as root on Debian; otherwise say the
    command to run. Returns the exit status."""
    command = ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print("The voice channel needs these Debian packages; as root, run:")
        print("  apt-get update && " + " ".join(command))
        return 1
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update"], command):
        print("$ " + " ".join(step), flush=True)
        status = subprocess.run(step, env=environment, check=False).returncode
        if status != 0:
            return status
    return 0


#: What the voice channel runs, and the Debian package that brings each.
PROGRAMS = {
    "kamailio": "kamailio",
    "rtpengine": "rtpengine-daemon",
    "espeak-ng": "espeak-ng",
    "sox": "sox",
}
#: Kamailio's module for the phone logins (SQLite), in a package of its own.
KAMAILIO_SQLITE = "kamailio-sqlite-modules"
KAMAILIO_MODULES = ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules")


def voice_checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """What ``check-config`` says of the voice channel: each part it needs, found or not,
    with the package to install."""
    if not settings.voice:
        return [("voice", True, "off (turn it on with voice = true or --voice)")]
    try:
        voice = voice_settings(settings)
    except SettingsError as error:
        return [("voice", False, str(error))]
    results: list[tuple[str, bool, str]] = []
    missing = []
    for program, package in PROGRAMS.items():
        found = shutil.which(program) or (
            shutil.which(program, path="/usr/sbin:/sbin") if program == "kamailio" else None
        )
        if found:
            results.append((f"voice: {program}", True, found))
        else:
            missing.append(package)
            results.append((f"voice: {program}", False, f"missing: apt-get install {package}"))
    modules = [Path(folder, "db_sqlite.so") for folder in KAMAILIO_MODULES]
    if any(module.is_file() for module in modules):
        results.append(("voice: kamailio sqlite module", True, "db_sqlite.so"))
    else:
        results.append(("voice: kamailio sqlite module", False,
                        f"missing: apt-get install {KAMAILIO_SQLITE}"))  # fmt: skip
    try:
        music = default_music_on_hold(voice)
        results.append(("voice: music on hold", True, str(music)))
    except VoiceError as error:
        results.append(("voice: music on hold", False, str(error)))
    results.append(("voice: addresses", True,
                    f"phones and trunks {voice.host}:{voice.sip_port}, B2BUA "
                    f"{voice.host}:{voice.b2bua_port}, media ports "
                    f"{voice.rtp_min}-{voice.rtp_max}"))  # fmt: skip
    return results
