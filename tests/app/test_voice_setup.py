"""The voice channel's setup commands: what check-config says, what install-voice does."""

from __future__ import annotations

import pytest

from frontdesk.app.voice import PACKAGES, install_packages, voice_checks, voice_settings
from frontdesk.config import Settings, SettingsError


def test_check_config_names_each_voice_part_it_found() -> None:
    results = {name: (ok, detail) for name, ok, detail in voice_checks(Settings(voice=True))}
    for part in ("kamailio", "rtpengine", "espeak-ng", "sox"):
        assert results[f"voice: {part}"][0], results
    assert results["voice: kamailio sqlite module"][0]
    assert results["voice: music on hold"][1].endswith(".wav")
    assert "127.0.0.1:5060" in results["voice: addresses"][1]


def test_check_config_says_voice_is_off_and_how_to_turn_it_on() -> None:
    assert voice_checks(Settings()) == [
        ("voice", True, "off (turn it on with voice = true or --voice)")
    ]


def test_a_bad_port_range_or_trunk_is_named() -> None:
    [(name, ok, detail)] = voice_checks(Settings(voice=True, rtp_ports="30000"))
    assert (name, ok) == ("voice", False)
    assert "rtp_ports" in detail
    with pytest.raises(SettingsError, match="voice_trunk"):
        voice_settings(Settings(voice_trunk="gateway.example"))
    assert voice_settings(Settings(voice_trunk="192.0.2.7:5060")).trunk == ("192.0.2.7", 5060)


def test_install_voice_tells_a_user_who_is_not_root_what_to_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert install_packages() == 1
    printed = capsys.readouterr().out
    assert "apt-get install -y --no-install-recommends " + " ".join(PACKAGES) in printed
