"""Kamailio as the SIP edge of the voice channel: registrar of the agent phones, nothing more.

Kamailio holds no business logic; the B2BUA owns every call. The generated ``kamailio.cfg``
routes a request by what it is and where it comes from:

* ``REGISTER``: digest authentication (realm = ``settings.domain``) against the
  :class:`PhoneDirectory`, then saved in the in-memory location table. Missing or stale
  credentials get the ``401`` challenge; a wrong password, an unknown user, or an auth user
  that is not the To/From user gets ``403 Forbidden`` (a new challenge would only make the
  phone retry the same credentials).
* initial ``INVITE`` from the B2BUA (source ``host:b2bua_port``): the Request-URI user is
  looked up in the location table and the call relayed to that phone. Not registered: ``480
  Temporarily Unavailable`` when the user is in the directory (RFC 3261 21.4.18: known but
  not logged in, as a PBX answers for an absent extension), ``404 Not Found`` when it is not.
* initial ``INVITE`` whose From is a phone of the directory (``sip:<user>@<domain>``), or that
  comes from a source that is not a trusted trunk: proxy authentication (``407``; ``403`` as
  above), then relayed to the B2BUA with ``X-Frontdesk-Phone: <username>``.
* any other initial ``INVITE`` (trunks, providers): relayed unchanged to the B2BUA.
* ``OPTIONS`` outside a dialog: ``200`` from Kamailio itself (the readiness probe). Other
  requests outside a dialog: ``405``.

``X-Frontdesk-Phone`` is removed from every INVITE that Kamailio did not authenticate, so
the B2BUA can trust it: it is the only mark of a call placed by an agent phone. Relayed
INVITEs are record-routed, so in-dialog requests pass through Kamailio too; Kamailio never
touches the SDP.

Which trunk sources are trusted is the ``trunk_sources`` argument of :func:`kamailio_config`.
By default every source is: anyone who reaches the SIP port can place a call to the B2BUA
(though never as a phone). In-dialog requests are relayed along their Route set without
further checks, as in Kamailio's sample configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import re
import secrets
import shutil
import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.daemon import Daemon
from frontdesk.channels.voice.errors import DaemonError, VoiceError

#: Shared memory in MB: the 64 MB default ran out under load in the lab (tm: out of memory).
SHARED_MEMORY_MB = 256
#: Private memory per Kamailio process in MB.
PRIVATE_MEMORY_MB = 16
#: The header by which Kamailio tells the B2BUA which phone placed a call.
PHONE_HEADER = "X-Frontdesk-Phone"
#: The version of the ``subscriber`` table that Kamailio 5.x's auth_db checks at start.
SUBSCRIBER_TABLE_VERSION = 7

_HA1 = re.compile(r"[0-9a-f]{32}")
# RFC 3261 user characters except ";" and "?", which would start URI parameters or headers.
_USERNAME = re.compile(r"[A-Za-z0-9\-_.!~*'()&=+$,/%]{1,64}")
# A Kamailio cfg string cannot hold these safely.
_UNSAFE_IN_CFG = re.compile(r'["\\\s%]')


def ha1(username: str, realm: str, password: str) -> str:
    """The HA1 of SIP digest authentication: ``md5(username:realm:password)`` in hex."""
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()


def subscribers_path(settings: VoiceSettings) -> Path:
    """The SQLite file of the phones' credentials that Kamailio reads."""
    return settings.run_dir / "kamailio-subscribers.sqlite"


def rpc_socket_path(settings: VoiceSettings) -> Path:
    """Kamailio's JSON-RPC socket (Unix datagram)."""
    return settings.run_dir / "kamailio-rpc.sock"


class PhoneDirectory:
    """The agent phones' SIP credentials, as Kamailio reads them.

    A SQLite file in the schema of Kamailio's ``auth_db`` module: ``subscriber(username,
    domain, ha1, ...)`` plus the ``version`` table it checks at start. Frontdesk owns the
    credentials; this file is a copy it writes. Only HA1s are stored, never passwords
    (``password`` and ``ha1b`` stay empty, so a phone that sends ``user@domain`` as digest
    username is refused). Kamailio opens the file read-only and queries it for every
    authentication, so a change is in force from the next request on, without restart or
    reload. The file keeps a write-ahead log so that Kamailio's reads never wait for a write;
    a reader of such a file writes its ``-shm`` companion, so Kamailio needs write access to
    the folder (it runs as Frontdesk's user).

    Each method is one short transaction on a local file; a caller on an event loop may run
    it in a thread.
    """

    def __init__(self, path: Path, realm: str) -> None:
        self.path = path
        self.realm = realm

    def create(self) -> None:
        """Create the file and its tables if missing (Kamailio does not start without them)."""
        with self._transaction():
            pass

    def put(self, username: str, ha1: str) -> None:
        """Add the phone ``username`` or change its HA1 (see :func:`ha1`)."""
        _check(username, ha1)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO subscriber (username, domain, ha1) VALUES (?, ?, ?)"
                " ON CONFLICT (username, domain) DO UPDATE SET ha1 = excluded.ha1",
                (username, self.realm, ha1),
            )

    def remove(self, username: str) -> None:
        """Remove the phone ``username``; nothing happens if it is not there.

        A registration the phone already holds stays in Kamailio's location table until it
        expires; only its next authentication fails.
        """
        with self._transaction() as db:
            db.execute(
                "DELETE FROM subscriber WHERE username = ? AND domain = ?", (username, self.realm)
            )

    def replace_all(self, phones: Mapping[str, str]) -> None:
        """Make ``phones`` (username → HA1) the whole directory, in one transaction."""
        for username, value in phones.items():
            _check(username, value)
        with self._transaction() as db:
            db.execute("DELETE FROM subscriber")
            db.executemany(
                "INSERT INTO subscriber (username, domain, ha1) VALUES (?, ?, ?)",
                [(username, self.realm, value) for username, value in phones.items()],
            )

    def phones(self) -> dict[str, str]:
        """The directory: username → HA1."""
        with self._transaction() as db:
            rows = db.execute(
                "SELECT username, ha1 FROM subscriber WHERE domain = ? ORDER BY username",
                (self.realm,),
            ).fetchall()
        return {str(username): str(value) for username, value in rows}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            # A property of the file: once set, Kamailio's connections use the WAL too.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    db.execute(statement)
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()


# Kamailio's own schema (share/kamailio/db_sqlite/{standard,auth_db}-create.sql), made
# idempotent.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS version ("
    " id INTEGER PRIMARY KEY NOT NULL,"
    " table_name VARCHAR(32) NOT NULL,"
    " table_version INTEGER DEFAULT 0 NOT NULL,"
    " CONSTRAINT version_table_name_idx UNIQUE (table_name))",
    "INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('version', 1)",
    "CREATE TABLE IF NOT EXISTS subscriber ("
    " id INTEGER PRIMARY KEY NOT NULL,"
    " username VARCHAR(64) DEFAULT '' NOT NULL,"
    " domain VARCHAR(64) DEFAULT '' NOT NULL,"
    " password VARCHAR(64) DEFAULT '' NOT NULL,"
    " ha1 VARCHAR(128) DEFAULT '' NOT NULL,"
    " ha1b VARCHAR(128) DEFAULT '' NOT NULL,"
    " CONSTRAINT subscriber_account_idx UNIQUE (username, domain))",
    "CREATE INDEX IF NOT EXISTS subscriber_username_idx ON subscriber (username)",
    "INSERT OR IGNORE INTO version (table_name, table_version)"
    f" VALUES ('subscriber', {SUBSCRIBER_TABLE_VERSION})",
)


def _check(username: str, value: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise VoiceError(
            f"not a SIP username: {username!r}", code="voice.bad_username", username=username
        )
    if not _HA1.fullmatch(value):
        raise VoiceError(
            f"the HA1 of {username!r} is not 32 lower-case hex digits",
            code="voice.bad_ha1",
            username=username,
        )


def kamailio_config(settings: VoiceSettings, *, trunk_sources: Sequence[str] | None = None) -> str:
    """The whole ``kamailio.cfg`` of the voice channel (its rules: see the module docstring).

    ``trunk_sources`` lists the addresses or networks (``"192.0.2.10"``,
    ``"198.51.100.0/24"``) whose INVITEs reach the B2BUA without authentication: ``None``
    trusts every source, an empty list none (then only phones can place calls). Raises
    :class:`VoiceError` (``voice.bad_setting``) for a host that is not an IP address, a bad
    network, or a realm or folder that a Kamailio string cannot hold.
    """
    try:
        host = ipaddress.ip_address(settings.host)
    except ValueError:
        raise VoiceError(
            f"the voice host must be an IP address, not {settings.host!r}",
            code="voice.bad_setting",
            setting="host",
        ) from None
    for name, value in (("realm", settings.domain), ("work_dir", str(settings.run_dir))):
        if _UNSAFE_IN_CFG.search(value):
            raise VoiceError(
                f"the voice {name} {value!r} cannot be written into kamailio.cfg",
                code="voice.bad_setting",
                setting=name,
            )
    if trunk_sources is None:
        trusted, trust_note = "1 == 1", "every source is a trusted trunk"
    elif not trunk_sources:
        trusted, trust_note = "1 == 0", "no source is a trusted trunk"
    else:
        networks: list[str] = []
        for source in trunk_sources:
            try:
                networks.append(str(ipaddress.ip_network(source, strict=False)))
            except ValueError:
                raise VoiceError(
                    f"not an address or network: {source!r}",
                    code="voice.bad_setting",
                    setting="trunk_sources",
                ) from None
        trusted = f'is_in_subnet("$si", "{",".join(networks)}")'
        trust_note = "trusted trunks: " + ", ".join(networks)
    address = f"[{host}]" if host.version == 6 else str(host)
    return _CONFIG % {
        "address": address,
        "source": str(host),
        "sip_port": settings.sip_port,
        "b2bua": f"sip:{address}:{settings.b2bua_port}",
        "b2bua_port": settings.b2bua_port,
        "realm": settings.domain,
        "run_dir": settings.run_dir,
        "rpc_socket": rpc_socket_path(settings),
        "db_file": subscribers_path(settings),
        "trusted": trusted,
        "trust_note": trust_note,
        "ipops": '\nloadmodule "ipops.so"' if trunk_sources else "",
        "phone_header": PHONE_HEADER,
    }


# A printf-style template: the cfg language uses "{}" and "$" but not "%".
_CONFIG = """\
#!KAMAILIO
# Generated by Frontdesk (frontdesk.channels.voice.kamailio): change the generator, not this.
# The SIP edge and registrar of the voice channel; every call goes to or comes from the B2BUA.

debug=2
log_stderror=yes
children=4
auto_aliases=no
listen=udp:%(address)s:%(sip_port)s
listen=tcp:%(address)s:%(sip_port)s
alias="%(realm)s:%(sip_port)s"
rundir="%(run_dir)s"
server_signature=no
server_header="Server: Frontdesk"
user_agent_header="User-Agent: Frontdesk"

loadmodule "jsonrpcs.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "db_sqlite.so"
loadmodule "auth.so"
loadmodule "auth_db.so"%(ipops)s

modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "%(rpc_socket)s")
modparam("jsonrpcs", "pretty_format", 0)
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
# Frontdesk alone writes the directory.
modparam("db_sqlite", "db_set_readonly", "%(db_file)s")
modparam("auth_db", "db_url", "sqlite://%(db_file)s")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 1)

request_route {
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if (!sanity_check("17895", "7")) {
        xlog("L_NOTICE", "malformed $rm from $si:$sp dropped\\n");
        exit;
    }
    if (is_method("CANCEL")) {
        if (t_check_trans()) {
            route(RELAY);
        }
        exit;
    }
    # tm absorbs the retransmissions of a request it is handling (or repeats its answer).
    if (!is_method("ACK")) {
        if (t_precheck_trans()) {
            t_check_trans();
            exit;
        }
        t_check_trans();
    }
    if (has_totag()) {
        route(WITHINDLG);
    }
    if (is_method("ACK")) {
        # Without a to-tag it belongs to no dialog and no transaction here.
        exit;
    }
    # This proxy decides where a new request goes: preloaded routes are not honoured.
    remove_hf("Route");
    if (is_method("OPTIONS")) {
        sl_send_reply("200", "OK");
        exit;
    }
    if (is_method("REGISTER")) {
        route(AUTH);
        if (!save("location")) {
            sl_reply_error();
        }
        exit;
    }
    if (!is_method("INVITE")) {
        append_to_reply("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER\\r\\n");
        sl_send_reply("405", "Method Not Allowed");
        exit;
    }
    remove_hf("%(phone_header)s");
    record_route();
    if ($si == "%(source)s" && $sp == %(b2bua_port)s) {
        route(TO_PHONE);
    }
    # A call from a phone, or from a source that is not a trusted trunk, must authenticate;
    # %(trust_note)s.
    if (!is_subscriber("$fu", "subscriber", "3") && %(trusted)s) {
        route(TO_B2BUA);
    }
    route(AUTH);
    consume_credentials();
    append_hf("%(phone_header)s: $au\\r\\n");
    route(TO_B2BUA);
}

route[AUTH] {
    if (auth_check("%(realm)s", "subscriber", "1")) {
        return;
    }
    $var(rc) = $rc;
    # -2 wrong password, -3 unknown user, -8 the auth user is not the From/To user.
    if ($var(rc) == -2 || $var(rc) == -3 || $var(rc) == -8) {
        xlog("L_NOTICE", "$rm from $si:$sp: credentials of '$au' refused ($var(rc))\\n");
        sl_send_reply("403", "Forbidden");
        exit;
    }
    auth_challenge("%(realm)s", "1");
    exit;
}

route[TO_PHONE] {
    if (!lookup("location")) {
        $var(rc) = $rc;
        t_newtran();
        if ($var(rc) == -2) {
            send_reply("405", "Method Not Allowed");
        } else if (is_subscriber("$ru", "subscriber", "2")) {
            send_reply("480", "Temporarily Unavailable");
        } else {
            send_reply("404", "Not Found");
        }
        exit;
    }
    route(RELAY);
}

route[TO_B2BUA] {
    $du = "%(b2bua)s";
    route(RELAY);
}

route[WITHINDLG] {
    if (loose_route()) {
        route(RELAY);
    }
    if (is_method("ACK")) {
        # The ACK of a negative final answer goes hop by hop: tm knows its transaction.
        if (t_check_trans()) {
            route(RELAY);
        }
        exit;
    }
    sl_send_reply("404", "Not Here");
    exit;
}

route[RELAY] {
    if (!t_relay()) {
        sl_reply_error();
    }
    exit;
}
"""


async def sip_ping(host: str, port: int, *, timeout: float = 0.5) -> int | None:
    """Send one SIP ``OPTIONS`` over UDP to ``host:port``.

    Returns the status code of the final answer, or ``None`` when none came within
    ``timeout`` seconds (or the port is closed).
    """
    loop = asyncio.get_running_loop()
    call_id = secrets.token_hex(8)
    answer: asyncio.Future[int | None] = loop.create_future()
    try:
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _OptionsAnswer(call_id, answer), remote_addr=(host, port)
        )
    except OSError:
        return None
    try:
        local_host, local_port = transport.get_extra_info("sockname")[:2]
        target = _hostport(host, port)
        transport.sendto(
            (
                f"OPTIONS sip:{target} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {_hostport(local_host, local_port)}"
                f";branch=z9hG4bK{call_id};rport\r\n"
                "Max-Forwards: 70\r\n"
                f"From: <sip:probe@{_hostport(local_host, local_port)}>;tag={call_id}\r\n"
                f"To: <sip:{target}>\r\n"
                f"Call-ID: {call_id}\r\n"
                "CSeq: 1 OPTIONS\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode()
        )
        try:
            return await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            return None
    finally:
        transport.close()


class _OptionsAnswer(asyncio.DatagramProtocol):
    def __init__(self, call_id: str, answer: asyncio.Future[int | None]) -> None:
        self.call_id = call_id
        self.answer = answer

    def datagram_received(self, data: bytes, addr: Any) -> None:
        status = re.match(rb"SIP/2\.0 ([1-6]\d\d) ", data)
        call_id = re.search(rb"^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)", data, re.MULTILINE | re.I)
        if status is None or call_id is None or call_id[1].decode() != self.call_id:
            return
        code = int(status[1])
        if code >= 200 and not self.answer.done():
            self.answer.set_result(code)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_result(None)


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Kamailio:
    """Kamailio run by Frontdesk: its configuration, its phone directory, its process.

    ``start`` writes ``kamailio.cfg`` and the directory file (if missing) into
    ``settings.run_dir`` and returns once Kamailio answers ``OPTIONS`` with ``200``;
    :class:`DaemonError` otherwise. ``phones`` is the :class:`PhoneDirectory` it authenticates
    against; changes to it need no restart.
    """

    def __init__(
        self,
        settings: VoiceSettings,
        *,
        trunk_sources: Sequence[str] | None = None,
        start_timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.config = kamailio_config(settings, trunk_sources=trunk_sources)
        self.config_path = settings.run_dir / "kamailio.cfg"
        self.phones = PhoneDirectory(subscribers_path(settings), settings.domain)
        argv = ["kamailio", "-f", str(self.config_path)]
        argv += ["-m", str(SHARED_MEMORY_MB), "-M", str(PRIVATE_MEMORY_MB)]
        # -DD: no fork, the Daemon supervises the main process; -E: log to its output.
        pid_file = settings.run_dir / "kamailio.pid"
        argv += ["-DD", "-E", "-P", str(pid_file)]
        self.daemon = Daemon(
            "kamailio",
            argv,
            settings.run_dir,
            self._ready,
            start_timeout=start_timeout,
            pid_file=pid_file,
        )

    @property
    def running(self) -> bool:
        return self.daemon.running

    async def check(self) -> None:
        """Write the configuration and have Kamailio check it (``kamailio -c``).

        Raises :class:`DaemonError` (``voice.bad_config``) with Kamailio's complaint, or
        ``voice.missing`` when Kamailio is not installed.
        """
        if shutil.which("kamailio") is None:
            raise DaemonError("kamailio is not installed", code="voice.missing", program="kamailio")
        self._write_files()
        process = await asyncio.create_subprocess_exec(
            "kamailio",
            "-c",
            "-f",
            str(self.config_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise DaemonError(
                "kamailio refused its configuration:\n" + output.decode(errors="replace"),
                code="voice.bad_config",
            )

    async def start(self) -> None:
        self._write_files()
        await self.daemon.start()

    async def stop(self) -> None:
        await self.daemon.stop()

    async def contacts(self, username: str) -> list[str]:
        """The contact URIs under which the phone ``username`` is registered now."""
        try:
            result = await self.rpc("ul.lookup", "location", username)
        except VoiceError as error:
            if error.details.get("rpc_code") == 500 and "not found" in error.message:
                return []
            raise
        return [str(entry["Contact"]["Address"]) for entry in result.get("Contacts", [])]

    async def rpc(self, method: str, *params: str | int, timeout: float = 2.0) -> Any:
        """Call Kamailio's JSON-RPC ``method``; its result, or :class:`VoiceError`
        (``voice.rpc``) with the error Kamailio answered or the reason none came."""
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[bytes] = loop.create_future()
        # An abstract socket name: nothing to clean up, no length limit of the run folder.
        local = f"\0frontdesk-kamailio-rpc-{secrets.token_hex(8)}"
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _RpcReply(reply),
                local_addr=local,
                remote_addr=str(rpc_socket_path(self.settings)),
                family=socket.AF_UNIX,
            )
        except OSError as error:
            raise VoiceError(
                f"kamailio RPC {method}: {error}", code="voice.rpc", method=method
            ) from error
        try:
            request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}
            transport.sendto(json.dumps(request).encode())
            try:
                answer = json.loads(await asyncio.wait_for(reply, timeout))
            except TimeoutError:
                raise VoiceError(
                    f"kamailio RPC {method}: no answer in {timeout:g} s",
                    code="voice.rpc",
                    method=method,
                ) from None
            except OSError as error:
                raise VoiceError(
                    f"kamailio RPC {method}: {error}", code="voice.rpc", method=method
                ) from error
        finally:
            transport.close()
        if "error" in answer:
            failure = answer["error"]
            raise VoiceError(
                f"kamailio RPC {method}: {failure.get('message')}",
                code="voice.rpc",
                method=method,
                rpc_code=failure.get("code"),
            )
        return answer.get("result")

    def _write_files(self) -> None:
        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config, encoding="utf-8")
        self.phones.create()

    async def _ready(self) -> bool:
        return await sip_ping(self.settings.host, self.settings.sip_port, timeout=0.25) == 200


class _RpcReply(asyncio.DatagramProtocol):
    def __init__(self, reply: asyncio.Future[bytes]) -> None:
        self.reply = reply

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)
