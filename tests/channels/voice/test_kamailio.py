"""Kamailio as the voice channel's registrar and edge proxy, with real SIP on loopback.

One Kamailio on free ports serves the module; baresip phones register to it, sipp plays the
B2BUA (bound to ``b2bua_port``) and trunk callers (any other port).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import wave
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio

from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.errors import DaemonError, VoiceError
from frontdesk.channels.voice.kamailio import (
    PHONE_HEADER,
    Kamailio,
    PhoneDirectory,
    ha1,
    kamailio_config,
    sip_ping,
)
from tests.channels.voice.baresip import Baresip
from tests.channels.voice.ports import free_media_port, free_port
from tests.channels.voice.sipp import (
    Sipp,
    SippResult,
    register,
    uac_call,
    uac_cancelled,
    uac_rejected,
    uas_answer,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

REALM = "frontdesk.test"
PASSWORDS = {
    "2001": "alice-secret",  # registered, answers at once
    "2002": "bob-secret",  # registered, answers by hand
    "2003": "carol-secret",  # never registers
    "2004": "dave-secret",  # registers with sipp in the credential tests
}


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kamailio")


@pytest.fixture(scope="module")
def settings(work_dir: Path) -> VoiceSettings:
    return VoiceSettings(
        work_dir=work_dir / "voice", sip_port=free_port(), b2bua_port=free_port(), realm=REALM
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kamailio(settings: VoiceSettings) -> AsyncIterator[Kamailio]:
    server = Kamailio(settings)
    server.phones.replace_all({user: ha1(user, REALM, pw) for user, pw in PASSWORDS.items()})
    await server.start()
    yield server
    await server.stop()


def phone(
    work_dir: Path, settings: VoiceSettings, user: str, *, password: str = "", auto: bool = False
) -> Baresip:
    return Baresip(
        work_dir / f"phone-{user}-{secrets.token_hex(3)}",
        username=user,
        password=password or PASSWORDS[user],
        domain=REALM,
        registrar=(settings.host, settings.sip_port),
        auto_answer=auto,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice(
    kamailio: Kamailio, settings: VoiceSettings, work_dir: Path
) -> AsyncIterator[Baresip]:
    agent = phone(work_dir, settings, "2001", auto=True)
    assert await agent.start() == 200
    yield agent
    await agent.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bob(
    kamailio: Kamailio, settings: VoiceSettings, work_dir: Path
) -> AsyncIterator[Baresip]:
    agent = phone(work_dir, settings, "2002")
    assert await agent.start() == 200
    yield agent
    await agent.stop()


@pytest.fixture
def sipp(work_dir: Path, settings: VoiceSettings) -> Callable[..., Sipp]:
    """Makes sipp instances that call Kamailio, or (``uas=True``) wait for calls."""

    def make(
        scenario: str,
        *,
        port: int | None = None,
        uas: bool = False,
        media_port: int | None = None,
        rtp_echo: bool = False,
    ) -> Sipp:
        return Sipp(
            scenario,
            work_dir=work_dir / "sipp",
            local_port=port or free_port(),
            remote=None if uas else (settings.host, settings.sip_port),
            media_port=media_port,
            rtp_echo=rtp_echo,
        )

    return make


async def exchange(settings: VoiceSettings, datagram: bytes, timeout: float = 0.5) -> bytes | None:
    """Send one UDP datagram to Kamailio; its first answer, or None."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bytes] = loop.create_future()

    class Client(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: object) -> None:
            if not answer.done():
                answer.set_result(data)

    transport, _ = await loop.create_datagram_endpoint(
        Client, remote_addr=(settings.host, settings.sip_port)
    )
    try:
        transport.sendto(datagram)
        return await asyncio.wait_for(answer, timeout)
    except TimeoutError:
        return None
    finally:
        transport.close()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 3.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


# --- configuration and start ---------------------------------------------------------------


async def test_kamailio_accepts_the_generated_configuration(settings: VoiceSettings) -> None:
    checked = replace(settings, work_dir=settings.work_dir.parent / "checked")
    await Kamailio(checked).check()
    await Kamailio(checked, trunk_sources=["192.0.2.7", "198.51.100.0/24", "::1"]).check()
    await Kamailio(checked, trunk_sources=[]).check()


async def test_check_reports_kamailios_complaint(settings: VoiceSettings) -> None:
    broken = Kamailio(replace(settings, work_dir=settings.work_dir.parent / "broken"))
    broken.config = broken.config.replace('"auth_db.so"', '"no_such_module.so"')
    with pytest.raises(DaemonError, match="no_such_module") as error:
        await broken.check()
    assert error.value.code == "voice.bad_config"


async def test_settings_kamailio_cannot_use_are_refused(settings: VoiceSettings) -> None:
    with pytest.raises(VoiceError, match="IP address") as error:
        kamailio_config(replace(settings, host="localhost"))
    assert error.value.code == "voice.bad_setting"
    with pytest.raises(VoiceError, match="not an address"):
        kamailio_config(settings, trunk_sources=["10.0.0.0/33"])
    with pytest.raises(VoiceError, match="realm"):
        kamailio_config(replace(settings, realm='bad"realm'))


async def test_directory_refuses_what_is_not_a_username_and_an_ha1(tmp_path: Path) -> None:
    directory = PhoneDirectory(tmp_path / "phones.sqlite", REALM)
    with pytest.raises(VoiceError) as error:
        directory.put("2001", "secret")
    assert error.value.code == "voice.bad_ha1"
    with pytest.raises(VoiceError) as error:
        directory.put("20;01", ha1("20;01", REALM, "x"))
    assert error.value.code == "voice.bad_username"
    with pytest.raises(VoiceError):
        directory.replace_all({"2001": ha1("2001", REALM, "x"), "bad user": "0" * 32})
    directory.put("2001", ha1("2001", REALM, "x"))
    assert directory.phones() == {"2001": ha1("2001", REALM, "x")}


async def test_ha1_is_the_digest_of_username_realm_and_password() -> None:
    # RFC 2617 3.5's example credentials.
    assert ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == (
        "939e7578ed9e3c518a452acee763bce9"
    )


async def test_options_is_answered_200(kamailio: Kamailio, settings: VoiceSettings) -> None:
    assert kamailio.running
    assert await sip_ping(settings.host, settings.sip_port) == 200


async def test_kamailio_listens_on_tcp_too(kamailio: Kamailio, settings: VoiceSettings) -> None:
    reader, writer = await asyncio.open_connection(settings.host, settings.sip_port)
    try:
        writer.write(_request("OPTIONS", transport="TCP"))
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n"), 2.0)
    finally:
        writer.close()
    assert answer.startswith(b"SIP/2.0 200 ")


async def test_ping_of_a_closed_port_is_none(settings: VoiceSettings) -> None:
    assert await sip_ping(settings.host, free_port(), timeout=0.3) is None


# --- registration --------------------------------------------------------------------------


async def test_phone_registers_with_its_password(kamailio: Kamailio, alice: Baresip) -> None:
    contacts = await kamailio.contacts("2001")
    assert len(contacts) == 1
    assert contacts[0].endswith(f"@127.0.0.1:{alice.sip_port}")
    assert await kamailio.contacts("2003") == []


async def test_phone_with_a_wrong_password_is_refused(
    kamailio: Kamailio, settings: VoiceSettings, work_dir: Path, alice: Baresip
) -> None:
    intruder = phone(work_dir, settings, "2001", password="guess")
    try:
        assert await intruder.start(expect=403) == 403
    finally:
        await intruder.stop()
    [contact] = await kamailio.contacts("2001")
    assert contact.endswith(f"@127.0.0.1:{alice.sip_port}")


async def test_unknown_phone_is_refused(
    kamailio: Kamailio, settings: VoiceSettings, work_dir: Path
) -> None:
    stranger = Baresip(
        work_dir / "phone-stranger",
        username="6666",
        password="whatever",
        domain=REALM,
        registrar=(settings.host, settings.sip_port),
    )
    try:
        assert await stranger.start(expect=403) == 403
    finally:
        await stranger.stop()
    assert await kamailio.contacts("6666") == []


async def test_credential_changes_apply_without_restart(
    kamailio: Kamailio, sipp: Callable[..., Sipp]
) -> None:
    old, new = PASSWORDS["2004"], "dave-new-secret"

    async def registers(password: str, status: int) -> SippResult:
        return await sipp(register("2004", password, REALM, status=status)).run()

    result = await registers(old, 200)
    assert result.returncode == 0, result.describe()

    kamailio.phones.put("2004", ha1("2004", REALM, new))
    result = await registers(old, 403)
    assert result.returncode == 0, result.describe()
    result = await registers(new, 200)
    assert result.returncode == 0, result.describe()

    kamailio.phones.remove("2004")
    result = await registers(new, 403)
    assert result.returncode == 0, result.describe()

    kamailio.phones.replace_all({u: ha1(u, REALM, p) for u, p in PASSWORDS.items()})
    result = await registers(old, 200)
    assert result.returncode == 0, result.describe()


# --- calls from the B2BUA to phones --------------------------------------------------------


async def test_b2bua_call_rings_the_registered_phone(
    kamailio: Kamailio, settings: VoiceSettings, alice: Baresip, sipp: Callable[..., Sipp]
) -> None:
    alice.forget_events()
    caller = sipp(
        uac_call(f"sip:2001@{REALM}", hold_ms=1000),
        port=settings.b2bua_port,
        media_port=free_media_port(),
        rtp_echo=True,
    )
    result = await caller.run()
    assert result.returncode == 0, result.describe()
    assert result.statuses()[-2:] == [200, 200]  # the INVITE's, then the BYE's

    answer = next(m for m in result.received if m.status == 200)
    assert (answer.header("Record-Route") or "").startswith(
        f"<sip:127.0.0.1:{settings.sip_port};lr"
    )
    assert (answer.header("Contact") or "").endswith(f"@127.0.0.1:{alice.sip_port}>")

    established = await alice.wait_for("CALL_ESTABLISHED")
    assert established.direction == "incoming"
    await alice.wait_for("CALL_CLOSED")
    assert await eventually(lambda: _loud(alice)), "the phone received no audio"


async def _loud(agent: Baresip) -> bool:
    """Whether the last call of ``agent`` brought it audible sound (its own tone, echoed)."""
    files = agent.received_audio()
    if not files:
        return False
    try:
        with wave.open(str(files[-1]), "rb") as recording:
            samples = array("h", recording.readframes(recording.getnframes()))
    except (wave.Error, EOFError):  # baresip has not finished the file yet
        return False
    return bool(samples) and math.sqrt(sum(x * x for x in samples) / len(samples)) > 1000


async def test_b2bua_call_to_a_phone_that_is_not_registered_is_480(
    kamailio: Kamailio, settings: VoiceSettings, sipp: Callable[..., Sipp]
) -> None:
    result = await sipp(uac_rejected(f"sip:2003@{REALM}", 480), port=settings.b2bua_port).run()
    assert result.returncode == 0, result.describe()


async def test_b2bua_call_to_an_unknown_user_is_404(
    kamailio: Kamailio, settings: VoiceSettings, sipp: Callable[..., Sipp]
) -> None:
    result = await sipp(uac_rejected(f"sip:7777@{REALM}", 404), port=settings.b2bua_port).run()
    assert result.returncode == 0, result.describe()


async def test_b2bua_cancel_stops_the_ringing_phone(
    kamailio: Kamailio, settings: VoiceSettings, bob: Baresip, sipp: Callable[..., Sipp]
) -> None:
    bob.forget_events()
    caller = sipp(uac_cancelled(f"sip:2002@{REALM}", ring_ms=300), port=settings.b2bua_port)
    result = await caller.run()
    assert result.returncode == 0, result.describe()
    assert (await bob.wait_for("CALL_INCOMING")).direction == "incoming"
    await bob.wait_for("CALL_CLOSED")
    assert await bob.calls() == []


async def test_phone_answering_by_hand(
    kamailio: Kamailio, settings: VoiceSettings, bob: Baresip, sipp: Callable[..., Sipp]
) -> None:
    bob.forget_events()
    caller = sipp(uac_call(f"sip:2002@{REALM}", hold_ms=300), port=settings.b2bua_port)
    await caller.start()
    try:
        await bob.wait_for("CALL_INCOMING")
        [ringing] = await bob.calls()
        assert ringing.state == "INCOMING"
        await bob.answer()
        result = await caller.wait()
    finally:
        await caller.stop()
    assert result.returncode == 0, result.describe()
    await bob.wait_for("CALL_CLOSED")


# --- calls to the B2BUA --------------------------------------------------------------------


async def test_trunk_call_is_relayed_unchanged_to_the_b2bua(
    kamailio: Kamailio, settings: VoiceSettings, sipp: Callable[..., Sipp]
) -> None:
    b2bua = sipp(uas_answer(), port=settings.b2bua_port, uas=True)
    await b2bua.start()
    try:
        # A trunk cannot pass as a phone by writing the header Kamailio vouches for.
        trunk = sipp(
            uac_call(
                f"sip:5551000@{REALM}",
                from_uri="sip:+4930123@[local_ip]",
                headers=[f"{PHONE_HEADER}: 2001"],
            )
        )
        caller = await trunk.run()
        answered = await b2bua.wait()
    finally:
        await b2bua.stop()
    assert caller.returncode == 0, caller.describe()
    assert answered.returncode == 0, answered.describe()
    kamailio_via = f"SIP/2.0/UDP 127.0.0.1:{settings.sip_port};"
    [invite] = answered.requests("INVITE")
    assert invite.first_line == f"INVITE sip:5551000@{REALM} SIP/2.0"
    assert (invite.header("From") or "").startswith("<sip:+4930123@127.0.0.1>")
    assert (invite.header("Record-Route") or "").startswith(
        f"<sip:127.0.0.1:{settings.sip_port};lr"
    )
    assert (invite.header("Via") or "").startswith(kamailio_via)
    assert invite.header(PHONE_HEADER) is None
    [bye] = answered.requests("BYE")
    assert (bye.header("Via") or "").startswith(kamailio_via)


async def test_phone_call_is_authenticated_then_relayed_to_the_b2bua(
    kamailio: Kamailio, settings: VoiceSettings, alice: Baresip, sipp: Callable[..., Sipp]
) -> None:
    b2bua = sipp(uas_answer(), port=settings.b2bua_port, uas=True, media_port=free_media_port())
    await b2bua.start()
    alice.forget_events()
    try:
        await alice.dial(f"sip:9000@{REALM}")
        established = await alice.wait_for("CALL_ESTABLISHED")
        assert established.direction == "outgoing"
        await alice.hangup()
        answered = await b2bua.wait()
    finally:
        await b2bua.stop()
    assert answered.returncode == 0, answered.describe()
    [invite] = answered.requests("INVITE")
    assert invite.first_line.startswith(f"INVITE sip:9000@{REALM}")
    assert invite.header(PHONE_HEADER) == "2001"
    assert invite.header("Proxy-Authorization") is None
    assert (invite.header("From") or "").startswith(f"<sip:2001@{REALM}>")


async def test_caller_posing_as_a_phone_is_challenged(
    kamailio: Kamailio, sipp: Callable[..., Sipp]
) -> None:
    result = await sipp(uac_rejected("sip:9000@" + REALM, 407, from_uri=f"sip:2001@{REALM}")).run()
    assert result.returncode == 0, result.describe()
    challenge = result.received[-1]
    assert f'realm="{REALM}"' in (challenge.header("Proxy-Authenticate") or "")


async def test_only_trusted_trunks_call_without_credentials(
    settings: VoiceSettings, work_dir: Path
) -> None:
    guarded = replace(
        settings, work_dir=work_dir / "guarded", sip_port=free_port(), b2bua_port=free_port()
    )
    server = Kamailio(guarded, trunk_sources=["192.0.2.0/24", "127.0.0.2"])
    await server.start()
    b2bua = Sipp(
        uas_answer(), work_dir=work_dir / "sipp", local_port=guarded.b2bua_port, host=guarded.host
    )
    await b2bua.start()
    try:
        trusted = Sipp(
            uac_call(f"sip:5551000@{REALM}", hold_ms=100),
            work_dir=work_dir / "sipp",
            local_port=free_port(),
            remote=(guarded.host, guarded.sip_port),
            host="127.0.0.2",
        )
        relayed = await trusted.run()
        answered = await b2bua.wait()
        untrusted = Sipp(
            uac_rejected(f"sip:5551000@{REALM}", 407),
            work_dir=work_dir / "sipp",
            local_port=free_port(),
            remote=(guarded.host, guarded.sip_port),
        )
        challenged = await untrusted.run()
    finally:
        await b2bua.stop()
        await server.stop()
    assert relayed.returncode == 0, relayed.describe()
    assert answered.returncode == 0, answered.describe()
    assert challenged.returncode == 0, challenged.describe()


# --- what is not a call --------------------------------------------------------------------


async def test_other_requests_outside_a_dialog_are_405(
    kamailio: Kamailio, settings: VoiceSettings
) -> None:
    answer = await exchange(settings, _request("MESSAGE"))
    assert answer is not None
    assert answer.startswith(b"SIP/2.0 405 ")
    assert b"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER" in answer


async def test_stray_in_dialog_request_is_404(kamailio: Kamailio, settings: VoiceSettings) -> None:
    answer = await exchange(settings, _request("BYE", to_tag="gone"))
    assert answer is not None
    assert answer.startswith(b"SIP/2.0 404 ")


async def test_malformed_sip_leaves_kamailio_running(
    kamailio: Kamailio, settings: VoiceSettings
) -> None:
    invite = _request("INVITE")
    dropped = (b"\x00\xff garbage \x80" * 50, b"", b"SIP/2.0\r\n\r\n", invite[: len(invite) // 2])
    for datagram in dropped:
        assert await exchange(settings, datagram, timeout=0.2) is None
    refused = (
        invite.replace(b"Content-Length: 0", b"Content-Length: 500"),
        invite.replace(b"CSeq: 1 INVITE", b"CSeq: x INVITE"),
    )
    for datagram in refused:
        answer = await exchange(settings, datagram)
        assert answer is not None
        assert answer.startswith(b"SIP/2.0 400 ")
    options = _request("OPTIONS")
    huge = options.replace(b"Max-Forwards", b"X-Filler: " + b"x" * 60000 + b"\r\nMax-Forwards")
    answer = await exchange(settings, huge)
    assert answer is not None
    assert answer.startswith(b"SIP/2.0 200 ")
    assert kamailio.running
    assert await sip_ping(settings.host, settings.sip_port) == 200


def _request(method: str, *, to_tag: str = "", transport: str = "UDP") -> bytes:
    """A request to sip:2001@<realm> as a trunk would send it (rport: answers come back)."""
    unique = secrets.token_hex(6)
    tag = f";tag={to_tag}" if to_tag else ""
    return (
        f"{method} sip:2001@{REALM} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} 127.0.0.1:9;branch=z9hG4bK{unique};rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:tester@example.org>;tag=t1\r\n"
        f"To: <sip:2001@{REALM}>{tag}\r\n"
        f"Call-ID: {unique}@test\r\n"
        f"CSeq: 1 {method}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
