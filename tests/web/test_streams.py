"""The WebSocket streams: who may open them, what they show, and how they recover."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from frontdesk.domain.agents import AgentState
from frontdesk.domain.callbacks import Callback
from frontdesk.domain.customers import Activity, Customer, Purchase
from frontdesk.domain.ids import CustomerId
from frontdesk.domain.users import Role
from tests.web.streams_support import ANNA, BORIS, TENANT, VOICE, Site, WebSocketTestSession

AGENT = "/api/v1/stream/agent"
SUPERVISOR = "/api/v1/stream/supervisor"
IVAN = CustomerId("ivan")


def refused(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code


def ready(site: Site, agent: str, state: AgentState = AgentState.READY) -> None:
    reason = "break" if state is AgentState.NOT_READY else None
    site.run(site.desk.set_agent_state, agent, state, reason)


def until(ws: WebSocketTestSession, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The next message of ``kind``, and the messages before it."""
    before: list[dict[str, Any]] = []
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message, before
        before.append(message)


def test_the_streams_refuse_callers_without_credentials_or_permission() -> None:
    with Site() as site:
        with site.connect(AGENT) as ws:
            assert refused(ws) == 4401
        with site.connect(f"{SUPERVISOR}?token=fd_not-a-token") as ws:
            assert refused(ws) == 4401
        with site.connect(SUPERVISOR, site.cookie("anna")) as ws:
            assert refused(ws) == 4403  # an agent is no supervisor
        with site.connect(AGENT, site.cookie("olga")) as ws:
            assert refused(ws) == 4403  # an agent role without an agent profile
        with site.connect(f"{AGENT}?token={site.token(Role.SUPERVISOR)}") as ws:
            assert refused(ws) == 4403  # a token works as nobody's agent


def test_the_session_cookie_is_refused_from_a_page_of_another_origin() -> None:
    with Site() as site:
        headers = site.cookie("sofia")
        with site.connect(SUPERVISOR, {**headers, "origin": "https://evil.example"}) as ws:
            assert refused(ws) == 4403
        with site.connect(SUPERVISOR, {**headers, "origin": "http://testserver"}) as ws:
            assert ws.receive_json()["type"] == "snapshot"


def test_an_offer_pops_the_customer_card_and_the_desktop_follows_the_call() -> None:
    with Site() as site:
        crm, now = site.frontdesk.crm, site.frontdesk.clock.now()
        site.run(crm.upsert, Customer(
            id=IVAN, tenant=TENANT, name="Иван Петров", category="VIP", manager=BORIS,
            status="gold", phones=("+79161234567",),
        ))  # fmt: skip
        site.run(crm.add_purchase, TENANT, Purchase(
            id="p1", customer=IVAN, at=now - timedelta(days=3), amount=Decimal("1299.90"),
            description="Water filter",
        ))  # fmt: skip
        site.run(crm.log_activity, TENANT, Activity(
            id="a1", customer=IVAN, at=now - timedelta(days=1), channel="voice",
            summary="asked about delivery", agent=BORIS,
        ))  # fmt: skip

        async def book_callback() -> None:
            async with site.frontdesk.store.transaction() as tx:
                await tx.callbacks.put(Callback(
                    id="cb1", tenant=TENANT, number="+79161234567", created_at=now,
                    due_at=now + timedelta(hours=2), customer=IVAN, agent=ANNA, note="invoice",
                ))  # fmt: skip

        site.run(book_callback)
        ready(site, ANNA)
        with site.connect(AGENT, site.cookie("anna")) as ws:
            snapshot = ws.receive_json()
            assert snapshot["type"] == "snapshot"
            assert (snapshot["view"]["state"], snapshot["view"]["offers"]) == ("ready", [])

            contact = site.submit("8 916 123-45-67")
            offer, before = until(ws, "offer")
            assert before == []  # the contact's arrival and routing are not anna's
            assert offer["event"]["contact"] == contact
            assert [o["contact"] for o in offer["view"]["offers"]] == [contact]
            card = offer["card"]
            assert {k: card[k] for k in ("ani", "channel", "access_point", "line", "queue")} == {
                "ani": "+79161234567", "channel": "voice", "access_point": VOICE,
                "line": "sales", "queue": "main",
            }  # fmt: skip
            assert (card["card"], card["script"], card["waited"]) == (
                "main-card",
                "hello-script",
                0,
            )
            assert (card["crm"], card["notice"]) == ("found", None)
            customer = card["customer"]
            assert (customer["name"], customer["vip"], customer["manager"]) == (
                "Иван Петров", True, "boris",
            )  # fmt: skip
            assert [(p["amount"], p["description"]) for p in customer["purchases"]] == [
                ("1299.90", "Water filter")
            ]
            assert [c["id"] for c in customer["callbacks"]] == ["cb1"]
            assert [c["summary"] for c in customer["contacts"]] == ["asked about delivery"]

            reserved = ws.receive_json()
            assert (reserved["event"]["type"], reserved["view"]["state"]) == (
                "agent.state_changed", "reserved",
            )  # fmt: skip
            site.run(site.desk.accept, ANNA, contact)
            types = [ws.receive_json()["event"]["type"] for _ in range(3)]
            assert types == ["contact.state_changed", "contact.accepted", "agent.state_changed"]
            ws.send_json({"type": "ping"})
            assert ws.receive_json() == {"type": "pong"}
            ws.send_text("hello")
            assert ws.receive_json()["type"] == "error"

            site.run(partial(site.desk.wrap_up, close=True), ANNA, contact)
            message, _ = until(ws, "event")
            while message["event"]["type"] != "agent.state_changed":
                message, _ = until(ws, "event")
            desktop = message["view"]
            assert (desktop["state"], desktop["contacts"]) == ("ready", [])
            assert desktop["today"]["handled"] == 1


def test_when_the_crm_is_down_the_card_says_so() -> None:
    with Site(crm_down=True) as site:
        ready(site, ANNA)
        with site.connect(AGENT, site.cookie("anna")) as ws:
            ws.receive_json()
            site.submit("+79161234567")
            offer, _ = until(ws, "offer")
            card = offer["card"]
            assert (card["crm"], card["notice"], card["customer"]) == (
                "unavailable", "CRM unavailable", None,
            )  # fmt: skip


def test_an_agent_sees_nothing_of_another_agents_calls() -> None:
    with Site() as site:
        ready(site, ANNA)
        with site.connect(AGENT, site.cookie("boris")) as ws:
            assert ws.receive_json()["view"]["state"] == "logged_out"
            contact = site.submit("+79161234567")
            site.run(site.desk.accept, ANNA, contact)
            ready(site, BORIS)
            message = ws.receive_json()  # the first thing boris sees is his own change
            assert (message["event"]["type"], message["event"]["agent"]) == (
                "agent.state_changed", "boris",
            )  # fmt: skip


def test_the_supervisor_sees_every_event_with_the_updated_wallboard() -> None:
    with Site() as site:
        token = site.token(Role.SUPERVISOR)
        with site.connect(f"{SUPERVISOR}?token={token}") as ws:
            snapshot = ws.receive_json()
            [main] = snapshot["view"]["queues"]
            assert (main["queue"], main["waiting"], main["target"]) == (
                "main", 0, {"percent": 80.0, "seconds": 20.0},
            )  # fmt: skip
            site.submit("+79161234567")  # nobody is ready: the call waits
            messages = [ws.receive_json() for _ in range(5)]
            assert [m["event"]["type"] for m in messages] == [
                "contact.arrived", "contact.enriched", "contact.state_changed",
                "contact.routed", "contact.state_changed",
            ]  # fmt: skip
            seqs = [m["event"]["seq"] for m in messages]
            assert seqs == sorted(seqs)
            assert seqs[0] == snapshot["seq"] + 1
            [main] = messages[-1]["view"]["queues"]
            assert (main["waiting"], main["offered"]) == (1, 1)


def test_events_the_snapshot_already_holds_are_not_sent_again() -> None:
    with Site() as site:
        ready(site, ANNA)
        with site.connect(SUPERVISOR, site.cookie("sofia")) as ws:
            snapshot = ws.receive_json()

            async def replay_old() -> None:
                async with site.frontdesk.store.transaction() as tx:
                    old = await tx.events.since(TENANT, 0)
                await site.frontdesk.bus.publish(old)

            site.run(replay_old)
            ready(site, ANNA, AgentState.NOT_READY)
            message = ws.receive_json()
            assert message["event"]["seq"] == snapshot["seq"] + 1
            assert message["view"]["agents_by_state"]["not_ready"] == 1


def test_a_stream_that_falls_behind_starts_again_from_a_fresh_snapshot() -> None:
    with Site(bus_buffer=2) as site, site.connect(AGENT, site.cookie("anna")) as ws:
        ws.receive_json()

        async def burst() -> None:  # no pause for the stream to read in between
            for state in (AgentState.READY, AgentState.NOT_READY) * 3:
                await site.desk.set_agent_state(ANNA, state, "break")

        site.run(burst)
        snapshot, missed = until(ws, "snapshot")
        assert len(missed) < 6
        assert (snapshot["view"]["state"], snapshot["view"]["reason"]) == (
            "not_ready", "break",
        )  # fmt: skip
        ready(site, ANNA)
        message = ws.receive_json()  # and the stream goes on
        assert message["event"]["seq"] == snapshot["seq"] + 1


def test_the_stream_closes_when_the_server_stops() -> None:
    with Site() as site, site.connect(SUPERVISOR, site.cookie("sofia")) as ws:
        ws.receive_json()

        async def stop() -> None:
            site.frontdesk.bus.close()

        site.run(stop)
        assert refused(ws) == 1012


def test_an_event_from_the_bus_becomes_one_message_per_stream() -> None:
    with (
        Site() as site,
        site.connect(SUPERVISOR, site.cookie("sofia")) as first,
        site.connect(SUPERVISOR, site.cookie("sofia")) as second,
    ):
        first.receive_json()
        second.receive_json()
        ready(site, BORIS)
        one, other = first.receive_json(), second.receive_json()
        assert one == other
        assert set(one["event"]) == {"seq", "type", "at", "contact", "agent", "data"}
        assert one["event"]["data"]["new"] == "ready"


def test_a_configuration_change_gives_the_wallboard_a_fresh_snapshot() -> None:
    with Site() as site:
        token = site.token(Role.SUPERVISOR)
        with site.connect(f"{SUPERVISOR}?token={token}") as ws:
            assert [q["queue"] for q in ws.receive_json()["view"]["queues"]] == ["main"]
            site.run(
                site.frontdesk.configuration.put,
                TENANT, "queues", "vip", {"name": "VIP", "service_level": "90/10"}, "admin",
            )  # fmt: skip
            fresh, _ = until(ws, "snapshot")
            queues = {q["queue"]: q["target"] for q in fresh["view"]["queues"]}
            assert queues == {
                "main": {"percent": 80.0, "seconds": 20.0},
                "vip": {"percent": 90.0, "seconds": 10.0},
            }
