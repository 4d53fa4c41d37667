"""Prompt audio as files that rtpengine's ``play media`` can open.

Every prompt is stored as an 8 kHz mono A-law WAV, the audio of a G.711 call, and so is
the hold music (:meth:`Prompts.music`). rtpengine starts playing such a file in ~1 ms;
a 16-bit PCM WAV of the same sound took it 7-14 ms of its one control path (measured on
rtpengine 10.5, to A-law and to µ-law callers alike), which under load delays every
other call's setup. A prompt is either rendered from text with ``espeak-ng`` or uploaded
as a WAV; ``sox`` converts both to the call format.

Files are named ``<name>.<hash>.wav``, the hash covering what the audio was made from, so
a changed text or upload makes a new file while a call that is playing the old one keeps
it, and an unchanged one is reused. ``<name>.wav`` is a symbolic link to the file made
last under that name. Both are replaced atomically (a temporary file, then a rename), so
a reader sees the old file or the new one, never half of one.

Rendering and converting are blocking (:func:`subprocess.run`) by design: an asyncio
caller runs them in a worker thread (``await asyncio.to_thread(library.render, ...)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.errors import VoiceError
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import TenantId

#: The espeak-ng voice of each prompt language.
VOICES: dict[str, str] = {"en": "en", "ru": "ru"}
RATE = 8000
#: Part of every hash: a change of the stored format must re-render every prompt.
FORMAT = f"wav/alaw/{RATE}/mono"
#: sox options of the stored format
CALL_FORMAT = ("-t", "wav", "-r", str(RATE), "-c", "1", "-e", "a-law")
MAX_TEXT = 5000  # characters; a prompt, not a book
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_SECONDS = 600
#: How long one espeak-ng or sox run may take before it is given up.
TOOL_TIMEOUT = 120.0
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
#: The Debian package that provides each program.
PACKAGES = {"espeak-ng": "espeak-ng", "sox": "sox"}
MOH_PACKAGE = "asterisk-moh-opsound-wav"
#: The subfolder of a tenant's prompts that holds uploaded recordings.
UPLOADS = "uploads"
#: The folder (beside the tenants') of the hold music in the call format.
MUSIC = "_music"


class PromptLibrary:
    """The prompt files of one folder (created on first use)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def render(self, name: str, text: str, language: str) -> Path:
        """Speak ``text`` in ``language`` ("en", "ru") and return the WAV's path.

        An unchanged (text, language, voice) returns the file made before without running
        anything. Raises :class:`ValidationError` for a bad name, an empty or too long
        text (``prompt.empty_text``, ``prompt.text_too_long``) or a language without a
        voice (``prompt.unknown_language``), and :class:`VoiceError` when espeak-ng or sox
        is missing (``voice.missing``) or fails (``prompt.render_failed``).
        """
        check_name(name)
        voice = VOICES.get(language)
        if voice is None:
            raise ValidationError(
                f"no voice for prompt language {language!r} (known: {', '.join(sorted(VOICES))})",
                code="prompt.unknown_language",
                language=language,
            )
        text = text.strip()
        if not text:
            raise ValidationError(f"prompt {name!r} has no text", code="prompt.empty_text")
        if len(text) > MAX_TEXT:
            raise ValidationError(
                f"prompt {name!r} is longer than {MAX_TEXT} characters",
                code="prompt.text_too_long",
            )
        key = digest(FORMAT, "espeak-ng", text, language, voice)
        target = self.directory / f"{name}.{key}.wav"
        if not target.is_file():
            espeak, sox = require("espeak-ng"), require("sox")
            self.directory.mkdir(parents=True, exist_ok=True)
            with self._scratch() as scratch:
                spoken = scratch / "spoken.wav"
                # the text goes on stdin so that a text starting with "-" is never an option
                run(
                    [espeak, "-v", voice, "-b", "1", "-w", str(spoken), "--stdin"],
                    text.encode("utf-8"),
                    code="prompt.render_failed",
                    what=f"espeak-ng could not speak prompt {name!r}",
                )
                converted = scratch / "converted.wav"
                convert(sox, spoken, converted, code="prompt.render_failed")
                os.replace(converted, target)
        self._point(name, target)
        return target

    def store_upload(self, name: str, data: bytes) -> Path:
        """Store an uploaded WAV as prompt ``name`` in the call format; return its path.

        Any WAV that sox reads is accepted (any rate and channel count; 8-, 16-, 24-bit
        or float PCM, A-law, µ-law ...). Refused with :class:`ValidationError`: a bad
        name, more than 20 MB (``prompt.too_large``), data that is not a WAV
        (``prompt.not_wav``), a WAV that sox cannot read (``prompt.unreadable``), no
        audio (``prompt.empty_audio``), more than 10 minutes (``prompt.too_long``).
        """
        check_name(name)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"the upload is {len(data) / 1024 / 1024:.1f} MB; a prompt may have at most "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB",
                code="prompt.too_large",
                size=len(data),
            )
        if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
            raise ValidationError(
                "the upload is not a WAV file (no RIFF/WAVE header)", code="prompt.not_wav"
            )
        key = digest(FORMAT, "upload", data)
        target = self.directory / f"{name}.{key}.wav"
        if not target.is_file():
            sox = require("sox")
            self.directory.mkdir(parents=True, exist_ok=True)
            with self._scratch() as scratch:
                original = scratch / "upload.wav"
                original.write_bytes(data)
                converted = scratch / "converted.wav"
                convert(sox, original, converted, code="prompt.unreadable", invalid=True)
                seconds = wav_seconds(converted)
                if seconds == 0:
                    raise ValidationError(
                        "the uploaded WAV holds no audio", code="prompt.empty_audio"
                    )
                if seconds > MAX_UPLOAD_SECONDS:
                    raise ValidationError(
                        f"the uploaded WAV lasts {seconds / 60:.1f} minutes; a prompt may "
                        f"last at most {MAX_UPLOAD_SECONDS // 60} minutes",
                        code="prompt.too_long",
                        seconds=round(seconds, 1),
                    )
                os.replace(converted, target)
        self._point(name, target)
        return target

    def store_file(self, name: str, source: Path) -> Path:
        """``source`` (a WAV file on this machine, such as the hold music) in the call
        format, converted once; an unchanged file is not converted again."""
        check_name(name)
        about = source.stat()
        key = digest(FORMAT, "file", str(source.resolve()), str(about.st_size),
                     str(about.st_mtime_ns))  # fmt: skip
        target = self.directory / f"{name}.{key}.wav"
        if not target.is_file():
            sox = require("sox")
            self.directory.mkdir(parents=True, exist_ok=True)
            with self._scratch() as scratch:
                converted = scratch / "converted.wav"
                convert(sox, source, converted, code="prompt.unreadable", invalid=True)
                os.replace(converted, target)
        self._point(name, target)
        return target

    def path(self, name: str) -> Path | None:
        """The file rendered or stored last under ``name``, or None if there is none."""
        check_name(name)
        try:
            target = os.readlink(self.directory / f"{name}.wav")
        except OSError:
            return None
        found = self.directory / target
        return found if found.is_file() else None

    def remove(self, name: str) -> bool:
        """Forget prompt ``name`` (its files stay for calls playing them); False when there
        was nothing under that name."""
        check_name(name)
        link = self.directory / f"{name}.wav"
        try:
            link.unlink()
        except FileNotFoundError:
            return False
        return True

    def _point(self, name: str, target: Path) -> None:
        link = self.directory / f"{name}.wav"
        with contextlib.suppress(OSError):  # no link yet, or not a link
            if os.readlink(link) == target.name:
                return
        with self._scratch() as scratch:
            fresh = scratch / "link"
            fresh.symlink_to(target.name)  # relative: the folder may be moved or restored
            os.replace(fresh, link)

    @contextlib.contextmanager
    def _scratch(self) -> Iterator[Path]:
        # inside the folder, so that the final rename stays on one file system
        with tempfile.TemporaryDirectory(prefix=".tmp-", dir=self.directory) as scratch:
            yield Path(scratch)


def default_music_on_hold(settings: VoiceSettings) -> Path:
    """The default hold music: the first WAV, by name, in ``settings.moh_dir``.

    Raises :class:`VoiceError` (``voice.moh_missing``) when there is none.
    """
    try:
        found = sorted(
            entry
            for entry in settings.moh_dir.iterdir()
            if entry.suffix.lower() == ".wav" and entry.is_file()
        )
    except OSError:
        found = []
    if not found:
        raise VoiceError(
            f"no music on hold in {settings.moh_dir}: install the Debian package "
            f"{MOH_PACKAGE} (apt-get install {MOH_PACKAGE})",
            code="voice.moh_missing",
            package=MOH_PACKAGE,
        )
    return found[0]


def wav_seconds(path: Path) -> float:
    """How long the audio of a WAV file lasts (any encoding: its data chunk's bytes over
    the bytes per second of its format chunk)."""
    data = path.read_bytes()
    per_second, size, offset = 0, 0, 12
    while offset + 8 <= len(data):
        chunk, length = struct.unpack_from("<4sI", data, offset)
        if chunk == b"fmt ":
            (per_second,) = struct.unpack_from("<I", data, offset + 16)
        elif chunk == b"data":
            size = min(length, len(data) - offset - 8)
            break
        offset += 8 + length + (length & 1)
    return size / per_second if per_second else 0.0


def check_name(name: str) -> None:
    if NAME.fullmatch(name) is None:
        raise ValidationError(
            f"{name!r} is not a prompt name: letters, digits, '-' and '_', "
            "starting with a letter or digit, at most 100",
            code="prompt.invalid_name",
            name=name,
        )


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        # the length prefix keeps ("ab", "c") and ("a", "bc") apart
        hasher.update(len(raw).to_bytes(8, "big"))
        hasher.update(raw)
    return hasher.hexdigest()[:16]


def require(program: str) -> str:
    """The path of ``program``; :class:`VoiceError` ``voice.missing`` naming its package."""
    found = shutil.which(program)
    if found is None:
        package = PACKAGES[program]
        raise VoiceError(
            f"{program} is not installed: install the Debian package {package} "
            f"(apt-get install {package})",
            code="voice.missing",
            program=program,
            package=package,
        )
    return found


def convert(sox: str, source: Path, target: Path, *, code: str, invalid: bool = False) -> None:
    """Convert the WAV ``source`` to the call format; ``invalid``: a failure is the input's."""
    run(
        # -G lowers the gain where resampling would clip instead of clipping
        [sox, "-G", "-t", "wav", str(source), *CALL_FORMAT, str(target)],
        None,
        code=code,
        what="sox could not read the WAV" if invalid else "sox could not convert the audio",
        invalid=invalid,
    )


def run(
    argv: list[str], stdin: bytes | None, *, code: str, what: str, invalid: bool = False
) -> None:
    try:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=TOOL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise VoiceError(f"{what}: no result after {TOOL_TIMEOUT:g} s", code=code) from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip()
        message = f"{what}: {reason or f'exit code {done.returncode}'}"
        if invalid:
            raise ValidationError(message, code=code)
        raise VoiceError(message, code=code)


class Prompts:
    """Prompt names of a tenant's scenario → audio files.

    A recording uploaded under the prompt's name plays first. Otherwise a prompt with texts
    (the ``prompts`` documents) is spoken in the contact's language when it has a text in
    it, else in its first; a prompt without either is its name read aloud
    ("press-1-for-sales").
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._libraries: dict[Path, PromptLibrary] = {}

    def library(self, tenant: TenantId, *, uploads: bool = False) -> PromptLibrary:
        """The tenant's spoken prompts, or (``uploads``) its recorded ones."""
        folder = self.root / tenant / UPLOADS if uploads else self.root / tenant
        library = self._libraries.get(folder)
        if library is None:
            library = self._libraries[folder] = PromptLibrary(folder)
        return library

    def music(self, source: Path) -> Path:
        """The hold music ``source`` in the call format (blocking: run it in a thread)."""
        return PromptLibrary(self.root / MUSIC).store_file("music", source)

    async def file(
        self, tenant: TenantId, name: str, texts: Mapping[str, str], language: str | None
    ) -> Path:
        uploaded = self.library(tenant, uploads=True).path(name)
        if uploaded is not None:
            return uploaded
        if not texts:
            texts = {"en": name.replace("-", " ").replace("_", " ")}
        spoken = language if language is not None and language in texts else next(iter(texts))
        return await asyncio.to_thread(self.library(tenant).render, name, texts[spoken], spoken)
