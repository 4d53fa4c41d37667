"""Prompt files: text rendered with espeak-ng, uploads converted with sox, hold music."""

from __future__ import annotations

import asyncio
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.errors import VoiceError
from frontdesk.channels.voice.prompts import PromptLibrary, Prompts, default_music_on_hold
from frontdesk.domain.errors import FrontdeskError, ValidationError
from tests.channels.voice.audio import best_match, read_wav, wav_format

MOH = Path("/usr/share/asterisk/moh")


#: WAV format tag 6 (A-law), 8 kHz, mono: what rtpengine plays cheapest.
CALL_FORMAT = (6, 8000, 1)


def call_format(path: Path) -> tuple[int, int, int]:
    """The WAV's format tag, frame rate and channel count."""
    tag, channels, rate = wav_format(path)
    return tag, rate, channels


def rms(path: Path) -> float:
    _, (samples,) = read_wav(path)
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def seconds(path: Path) -> float:
    rate, (samples,) = read_wav(path)
    return len(samples) / rate


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Press 1 for sales, 2 for support."),
        ("ru", "Нажмите 1 для отдела продаж, 2 для поддержки."),
    ],
)
def test_render_speaks_the_text_in_the_call_format(
    tmp_path: Path, language: str, text: str
) -> None:
    library = PromptLibrary(tmp_path / "prompts")
    path = library.render("press-1-sales-2-support", text, language)
    assert path.parent == tmp_path / "prompts"
    assert path.name.startswith("press-1-sales-2-support.")
    assert call_format(path) == CALL_FORMAT
    assert 1.5 < seconds(path) < 6
    assert rms(path) > 500  # speech, not silence
    assert library.path("press-1-sales-2-support") == path
    # nothing is left behind by the rendering
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        [path.name, "press-1-sales-2-support.wav"]
    )


def test_the_same_text_is_reused_and_a_new_text_rendered_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = PromptLibrary(tmp_path)
    first = library.render("vip-welcome", "Welcome back.", "en")
    made = first.stat().st_mtime_ns
    other = library.render("vip-welcome", "Welcome back.", "ru")
    assert other != first  # the voice is part of the audio
    with monkeypatch.context() as patched:
        patched.setenv("PATH", str(tmp_path / "no-programs-here"))
        # no espeak-ng and no sox are needed to find an unchanged prompt
        assert library.render("vip-welcome", "  Welcome back.\n", "en") == first
    assert first.stat().st_mtime_ns == made
    assert library.path("vip-welcome") == first

    changed = library.render("vip-welcome", "Welcome back, dear customer.", "en")
    assert changed != first
    assert seconds(changed) > seconds(first)
    assert library.path("vip-welcome") == changed
    assert first.is_file()  # a call that is playing it keeps it
    # another name with the same text is a file of its own
    assert library.render("greeting", "Welcome back.", "en").name.startswith("greeting.")
    assert library.path("vip-welcome") == changed


def test_a_text_that_looks_like_options_is_spoken(tmp_path: Path) -> None:
    path = PromptLibrary(tmp_path).render("dash", "-w nowhere.wav --stdout", "en")
    assert call_format(path) == CALL_FORMAT
    assert rms(path) > 500
    assert not (tmp_path / "nowhere.wav").exists()
    assert not Path("nowhere.wav").exists()


async def test_concurrent_renders_in_worker_threads_agree(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path)
    paths = await asyncio.gather(
        *(asyncio.to_thread(library.render, "hold-on", "Please hold on.", "en") for _ in range(4))
    )
    assert len(set(paths)) == 1
    assert call_format(paths[0]) == CALL_FORMAT
    assert library.path("hold-on") == paths[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [paths[0].name, "hold-on.wav"]


@pytest.mark.parametrize(
    ("name", "text", "language", "code"),
    [
        ("welcome", "Guten Tag", "de", "prompt.unknown_language"),
        ("welcome", " \n ", "en", "prompt.empty_text"),
        ("welcome", "a" * 5001, "en", "prompt.text_too_long"),
        ("../welcome", "Hello", "en", "prompt.invalid_name"),
        ("-welcome", "Hello", "en", "prompt.invalid_name"),
        ("welcome.old", "Hello", "en", "prompt.invalid_name"),
        ("", "Hello", "en", "prompt.invalid_name"),
    ],
)
def test_render_refuses_bad_input(
    tmp_path: Path, name: str, text: str, language: str, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        PromptLibrary(tmp_path).render(name, text, language)
    assert caught.value.code == code
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("missing", ["espeak-ng", "sox"])
def test_a_missing_program_names_its_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in {"espeak-ng", "sox"} - {missing}:
        (bin_dir / program).symlink_to(f"/usr/bin/{program}")
    monkeypatch.setenv("PATH", str(bin_dir))
    library = PromptLibrary(tmp_path / "prompts")
    with pytest.raises(VoiceError) as caught:
        library.render("welcome", "Hello", "en")
    assert caught.value.code == "voice.missing"
    assert f"install the Debian package {missing}" in str(caught.value)
    assert caught.value.details["package"] == missing
    if missing == "sox":
        with pytest.raises(VoiceError, match="install the Debian package sox"):
            library.store_upload("welcome", wav_bytes(tmp_path, 8000, 1, 2, 0.5))


def wav_bytes(tmp_path: Path, rate: int, channels: int, width: int, duration: float) -> bytes:
    """A WAV of a 1 kHz tone (8-bit WAVs are unsigned, 16-bit signed)."""
    t = np.arange(int(rate * duration)) / rate
    tone = np.sin(2 * np.pi * 1000 * t)
    if width == 1:
        data = np.repeat((128 + 100 * tone).astype(np.uint8), channels).tobytes()
    else:
        data = np.repeat((12000 * tone).astype("<i2"), channels).tobytes()
    path = tmp_path / f"tone-{rate}-{channels}-{width}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data)
    return path.read_bytes()


def alaw_wav(tmp_path: Path) -> bytes:
    source = tmp_path / "source.wav"
    source.write_bytes(wav_bytes(tmp_path, 16000, 1, 2, 1.0))
    target = tmp_path / "alaw.wav"
    subprocess.run(["sox", str(source), "-r", "8000", "-e", "a-law", str(target)], check=True)
    return target.read_bytes()


def dominant_frequency(path: Path) -> float:
    rate, (samples,) = read_wav(path)
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize("kind", ["44.1 kHz stereo 16-bit", "22.05 kHz mono 8-bit", "8 kHz A-law"])
def test_an_upload_is_converted_to_the_call_format(tmp_path: Path, kind: str) -> None:
    data = {
        "44.1 kHz stereo 16-bit": lambda: wav_bytes(tmp_path, 44100, 2, 2, 1.0),
        "22.05 kHz mono 8-bit": lambda: wav_bytes(tmp_path, 22050, 1, 1, 1.0),
        "8 kHz A-law": lambda: alaw_wav(tmp_path),
    }[kind]()
    library = PromptLibrary(tmp_path / "prompts")
    path = library.store_upload("vip-welcome", data)
    assert call_format(path) == CALL_FORMAT
    assert seconds(path) == pytest.approx(1.0, abs=0.01)
    assert dominant_frequency(path) == pytest.approx(1000, abs=2)
    assert rms(path) > 3000
    assert library.path("vip-welcome") == path
    assert library.store_upload("vip-welcome", data) == path

    spoken = library.render("vip-welcome", "Welcome", "en")
    assert library.path("vip-welcome") == spoken
    # uploading the old file again points the name back to it
    assert library.store_upload("vip-welcome", data) == path
    assert library.path("vip-welcome") == path


def too_long_wav(tmp_path: Path) -> bytes:
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 8000 * 601)  # 10 minutes and 1 second of silence
    return path.read_bytes()


def empty_wav(tmp_path: Path) -> bytes:
    path = tmp_path / "empty.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [
        ("garbage", "prompt.not_wav", "not a WAV file"),
        ("mp3", "prompt.not_wav", "not a WAV file"),
        ("broken", "prompt.unreadable", "sox could not read the WAV"),
        ("huge", "prompt.too_large", "at most 20 MB"),
        ("long", "prompt.too_long", "lasts 10.0 minutes; a prompt may last at most 10"),
        ("empty", "prompt.empty_audio", "holds no audio"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_problem(
    tmp_path: Path, case: str, code: str, says: str
) -> None:
    data = {
        "garbage": lambda: bytes(range(256)) * 40,
        "mp3": lambda: b"ID3\x04\x00" + bytes(1000),
        "broken": lambda: b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + bytes(200),
        "huge": lambda: b"RIFF\xff\xff\xff\xffWAVE" + bytes(20 * 1024 * 1024),
        "long": lambda: too_long_wav(tmp_path),
        "empty": lambda: empty_wav(tmp_path),
    }[case]()
    prompts = tmp_path / "prompts"
    with pytest.raises(ValidationError) as caught:
        PromptLibrary(prompts).store_upload("welcome", data)
    assert caught.value.code == code
    assert says in str(caught.value)
    assert not prompts.exists() or list(prompts.iterdir()) == []


def test_path_of_an_unknown_prompt_is_none(tmp_path: Path) -> None:
    assert PromptLibrary(tmp_path / "nothing-yet").path("welcome") is None


def test_the_default_hold_music_is_the_first_wav_by_name(tmp_path: Path) -> None:
    path = default_music_on_hold(VoiceSettings(work_dir=tmp_path))
    assert path == sorted(MOH.glob("*.wav"))[0]


def test_the_hold_music_is_played_in_the_call_format_converted_once(tmp_path: Path) -> None:
    source = sorted(MOH.glob("*.wav"))[0]
    prompts = Prompts(tmp_path / "prompts")
    music = prompts.music(source)
    assert call_format(music) == CALL_FORMAT
    assert seconds(music) == pytest.approx(seconds(source), abs=0.01)
    _, (original,) = read_wav(source)
    _, (converted,) = read_wav(music)
    assert best_match(converted, original[8000:24000])[1] > 0.99  # the same music
    made = music.stat().st_mtime_ns
    assert prompts.music(source) == music  # an unchanged file is not converted again
    assert music.stat().st_mtime_ns == made


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_no_hold_music_says_which_package_to_install(tmp_path: Path, folder: str) -> None:
    moh_dir = tmp_path / "moh"
    if folder == "empty":
        moh_dir.mkdir()
        (moh_dir / "readme.txt").write_text("no music here")
    with pytest.raises(FrontdeskError) as caught:
        default_music_on_hold(VoiceSettings(work_dir=tmp_path, moh_dir=moh_dir))
    assert caught.value.code == "voice.moh_missing"
    assert "asterisk-moh-opsound-wav" in str(caught.value)
