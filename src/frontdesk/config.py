"""Settings: defaults < frontdesk.toml < FRONTDESK_* environment < command-line flags.

Every setting is named once, in :class:`Settings`. An unknown key in the file or a value
of the wrong type fails at start-up with the file and key named, never later.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from frontdesk.domain.errors import ValidationError

ENV_PREFIX = "FRONTDESK_"
CONFIG_FILE = "frontdesk.toml"


class SettingsError(ValidationError):
    code = "settings.invalid"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: str = "frontdesk-data"
    database_url: str = ""  # "" : SQLite in data_dir, the embedded default
    host: str = "127.0.0.1"
    port: int = 8080
    tenant: str = "default"
    secure_cookies: bool = False
    auto_migrate: bool = True  # migrate on start (the embedded default); off in production
    log_level: str = "info"
    max_body: int = 1024 * 1024
    # Argon2id cost of password hashes (argon2-cffi's defaults); lower only for load tests.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    # The voice channel (docs/voice.md): off unless asked for; every part on voice_host.
    voice: bool = False
    voice_host: str = "127.0.0.1"
    sip_port: int = 5060  # Kamailio: phones register here, trunks send calls here
    sip_realm: str = ""  # the phones' SIP domain and digest realm; "" : voice_host
    b2bua_port: int = 5062
    rtpengine_ng_port: int = 2223
    dtmf_port: int = 9999
    rtp_ports: str = "20000-29999"
    voice_daemons: bool = True  # start Kamailio and rtpengine; off when run as services
    voice_trunk: str = ""  # host:port of the SIP trunk for calls to customers; "": none

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{Path(self.data_dir).resolve() / 'frontdesk.db'}"

    def redacted_database(self) -> str:
        """The database URL without its password, for messages."""
        url = self.database
        scheme, sep, rest = url.partition("://")
        if "@" in rest and ":" in rest.split("@", 1)[0]:
            user = rest.split("@", 1)[0].split(":", 1)[0]
            return f"{scheme}{sep}{user}:***@{rest.split('@', 1)[1]}"
        return url


def _convert(name: str, kind: type, value: Any, where: str) -> Any:
    if kind is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    elif kind is int and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    elif isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    elif kind is str and not isinstance(value, bool | dict | list):
        return str(value)
    raise SettingsError(
        f"{where}: {name} must be {kind.__name__}, got {value!r}", field=name, source=where
    )


def load_settings(
    config_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    kinds = {f.name: {"str": str, "int": int, "bool": bool}[str(f.type)] for f in fields(Settings)}
    values: dict[str, Any] = {}
    path = Path(config_file) if config_file else Path(CONFIG_FILE)
    if config_file or path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(f"cannot read {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: {error}") from None
        for key, value in data.items():
            if key not in kinds:
                raise SettingsError(
                    f"{path}: unknown setting {key!r} (known: {', '.join(kinds)})", field=key
                )
            values[key] = _convert(key, kinds[key], value, str(path))
    env = os.environ if environ is None else environ
    for key, kind in kinds.items():
        raw = env.get(ENV_PREFIX + key.upper())
        if raw is not None:
            values[key] = _convert(key, kind, raw, f"${ENV_PREFIX}{key.upper()}")
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _convert(key, kinds[key], value, "command line")
    return dataclasses.replace(Settings(), **values)
