"""The agent's desk in a browser: going ready, offers popping up with the card, serving
calls and chats, wrapping up into the customer's history.

Every demo agent is logged out in the harness, so a contact goes to the agent a test
makes ready. After each test every open contact is closed or abandoned and every agent
logged out, so the next test starts from an empty desk.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from frontdesk.app.demo_data import CHAT_WIDGET, SALES_NUMBER
from frontdesk.domain.contacts import IvrStep
from frontdesk.domain.customers import Customer
from frontdesk.domain.ids import TenantId
from frontdesk.services.intake import Submission
from frontdesk.web.container import Frontdesk
from tests.e2e.conftest import Login, shoot
from tests.e2e.live import LiveServer

DEMO = TenantId("demo")
POP_UP_MS = 1000  # the offer, with its card, must show within a second of the submission
OPEN = ("queued", "offered", "connected", "wrap_up", "transferred", "arrived", "enriched")


def agent(server: LiveServer, index: int) -> str:
    return str(server.data.agents[index].id)


def customer(server: LiveServer, category: str, nth: int = 0) -> Customer:
    """The ``nth`` demo customer of ``category`` with a phone and an e-mail."""
    found = [
        c for c in server.data.customers
        if c.category == category and not c.blacklisted and c.phones and c.emails
    ]  # fmt: skip
    return found[nth]


@pytest.fixture(autouse=True)
def empty_desk(api: httpx.Client) -> Iterator[None]:
    """After the test: every open contact closed or abandoned, every agent logged out, the
    desk settings as the demo has them."""
    yield
    api.delete("/settings/desk")
    for contact in api.get("/contacts", params={"state": list(OPEN), "limit": 500}).json():
        holder = contact["handling"]["agent"]
        if contact["state"] in ("connected", "wrap_up") and holder:
            if contact["handling"]["consult"]:
                api.post(f"/contacts/{contact['id']}/consult/end", json={"hand_over": False})
            api.post(f"/contacts/{contact['id']}/wrap-up", json={"agent": holder, "close": True})
        else:
            api.post(f"/contacts/{contact['id']}/abandon")
    for one in api.get("/agents").json():
        if one["state"] != "logged_out":
            api.post(f"/agents/{one['id']}/state", json={"state": "logged_out"})


def go_ready(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/desk$"))  # agents land on the desk
    expect(page.locator("#link-state")).to_have_text("Live")
    page.get_by_role("button", name="Ready", exact=True).click()
    expect(page.locator("#my-state")).to_have_text("Ready")


def call(api: httpx.Client, sender: str, **fields: Any) -> str:
    answer = api.post("/inbound", json={"access_point": SALES_NUMBER, "sender": sender,
                                        "digits": {"main": "1"}, **fields})  # fmt: skip
    answer.raise_for_status()
    contact: str = answer.json()["id"]
    return contact


def chat(api: httpx.Client, sender: str, text: str) -> str:
    answer = api.post("/inbound", json={"access_point": CHAT_WIDGET, "sender": sender,
                                        "channel_data": {"text": text}})  # fmt: skip
    answer.raise_for_status()
    contact: str = answer.json()["id"]
    return contact


def within(started: float, budget_ms: int = POP_UP_MS) -> float:
    """What is left of ``budget_ms`` since ``started`` (time.monotonic()), in ms."""
    return max(1.0, budget_ms - (time.monotonic() - started) * 1000)


def test_a_call_pops_up_with_the_card_and_is_wrapped_up_into_the_history(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    api.put("/settings/desk", json={"wrap_up": "2m"}).raise_for_status()
    page = login(agent(server, 3))  # a sales agent
    go_ready(page)
    known = customer(server, "regular")

    started = time.monotonic()
    contact = call(api, known.phones[0])
    offer = page.locator(f".offer[data-contact='{contact}']")
    expect(offer.locator(".offer-name")).to_have_text(known.name, timeout=within(started))
    expect(offer.locator(".offer-who .badge")).to_have_text("Regular")
    expect(offer).to_contain_text("Sales")  # the queue the menu chose
    expect(offer.locator("time[data-until]")).to_have_text(re.compile(r"^0:[0-2]\d$"))

    offer.get_by_role("button", name="Accept").click()
    pane = page.locator(f".pane[data-contact='{contact}']")
    expect(pane.locator(".pane-title")).to_have_text(known.name)
    expect(page.locator("#my-state")).to_have_text("Busy")
    expect(page.locator(".offer")).to_have_count(0)

    pane.get_by_role("button", name="Callback").click()
    booking = page.locator("#callback-dialog")
    expect(booking.get_by_label("Number to call")).to_have_value(known.phones[0])
    booking.get_by_label("When").fill("2026-12-02T16:00")  # in Moscow, the tenant's zone
    booking.get_by_role("button", name="Schedule").click()
    expect(booking).to_be_hidden()
    [booked] = [c for c in api.get("/callbacks").json() if c["contact"] == contact]
    assert (booked["number"], booked["agent"], booked["customer"]) == (
        known.phones[0], agent(server, 3), known.id,
    )  # fmt: skip
    assert datetime.fromisoformat(booked["due_at"]) == datetime(2026, 12, 2, 13, tzinfo=UTC)

    pane.get_by_label("Disposition").select_option(label="Information given")
    pane.get_by_label("Note").fill("Asked about the delivery of order 42")
    pane.get_by_role("button", name="Wrap up", exact=True).click()
    expect(page.locator("#my-state")).to_have_text("Wrap-up")
    expect(pane.locator(".pane-state")).to_have_text("Wrap-up")
    left = page.locator("#my-wrap-left")  # the automatic end of wrap-up counts down
    expect(left).to_contain_text("closes by itself in")
    expect(left.locator("time")).to_have_text(re.compile(r"^[12]:\d\d$"))
    expect(pane.locator(".pane-status time[data-until]")).to_have_text(re.compile(r"^[12]:\d\d$"))
    pane.get_by_role("button", name="Close the contact").click()
    expect(pane).to_have_count(0)
    expect(page.locator("#my-state")).to_have_text("Ready")
    expect(page.locator("#today-handled")).to_have_text("1")

    history = api.get(f"/customers/{known.id}/history").json()
    assert (history[0]["contact"], history[0]["disposition"], history[0]["summary"]) == (
        contact, "info", "Asked about the delivery of order 42",
    )  # fmt: skip


def test_a_rejected_offer_goes_back_in_line_and_the_agent_is_not_ready(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    page = login(agent(server, 4))
    go_ready(page)
    contact = call(api, customer(server, "regular", 1).phones[0])
    offer = page.locator(f".offer[data-contact='{contact}']")
    offer.get_by_role("button", name="Reject").click()
    expect(offer).to_have_count(0)
    expect(page.locator("#my-state")).to_have_text("Not ready")
    expect(page.locator("#my-reason")).to_have_text("Rejected an offer")
    assert api.get(f"/contacts/{contact}").json()["state"] == "queued"


def test_an_offer_is_accepted_with_the_keyboard(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    page = login(agent(server, 5))
    go_ready(page)
    contact = call(api, customer(server, "regular", 2).phones[0])
    offer = page.locator(f".offer[data-contact='{contact}']")
    expect(offer.get_by_role("button", name="Accept")).to_be_visible()
    search = page.get_by_label("Search customers")
    search.focus()
    page.keyboard.press("a")  # typed into the field, not taken as a key of the desk
    expect(search).to_have_value("a")
    expect(offer).to_be_visible()
    search.fill("")
    search.blur()
    page.keyboard.press("a")
    expect(page.locator(f".pane[data-contact='{contact}']")).to_be_visible()
    expect(offer).to_have_count(0)
    page.keyboard.press("1")  # the first contact: its note
    expect(page.locator(f"#note-{contact}")).to_be_focused()


def test_two_chats_side_by_side_with_messages_both_ways(
    login: Login, server: LiveServer, api: httpx.Client, screenshots: Path
) -> None:
    page = login(agent(server, 6))  # a sales agent with two chats and a call at once
    go_ready(page)
    known = customer(server, "regular", 3)
    token = api.post("/tokens", json={"name": "web chat widget", "role": "agent"}).json()["token"]
    widget = httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {token}"})

    first = chat(api, known.emails[0], "Hello! Where is my order?")
    offer = page.locator(f".offer[data-contact='{first}']")
    expect(offer.locator(".pop-message")).to_have_text("Hello! Where is my order?")
    offer.get_by_role("button", name="Accept").click()
    second = chat(api, "guest-4711", "Do you sell kettles?")
    page.locator(f".offer[data-contact='{second}']").get_by_role("button", name="Accept").click()
    one = page.locator(f".pane[data-contact='{first}']")
    other = page.locator(f".pane[data-contact='{second}']")
    expect(one.locator(".chat-in")).to_contain_text("Hello! Where is my order?")
    expect(other.locator(".chat-in")).to_contain_text("Do you sell kettles?")
    left, right = one.bounding_box(), other.bounding_box()
    assert left is not None
    assert right is not None
    assert left["x"] + left["width"] <= right["x"]  # side by side
    assert abs(left["y"] - right["y"]) < 2

    reply = one.get_by_label("Reply")
    reply.fill("It left our warehouse this morning.")
    reply.press("Enter")
    expect(one.locator(".chat-out")).to_contain_text("It left our warehouse this morning.")
    expect(reply).to_have_value("")
    widget.post(
        f"/contacts/{first}/messages", json={"text": "Great, thank you!"}
    ).raise_for_status()
    expect(one.locator(".chat-in").last).to_contain_text("Great, thank you!")
    other.get_by_label("Reply").fill("Yes: Kitfort KT-6120 is in stock.")
    other.get_by_role("button", name="Send").click()
    expect(other.locator(".chat-out")).to_contain_text("Kitfort KT-6120")
    expect(one.locator(".chat-out")).to_have_count(1)  # each conversation stays in its pane

    messages = api.get(f"/contacts/{first}/messages").json()
    assert [(m["direction"], m["text"]) for m in messages] == [
        ("in", "Hello! Where is my order?"),
        ("out", "It left our warehouse this morning."),
        ("in", "Great, thank you!"),
    ]

    caller = customer(server, "regular", 4)
    third = call(api, caller.phones[0])
    page.locator(f".offer[data-contact='{third}']").get_by_role("button", name="Accept").click()
    voice = page.locator(f".pane[data-contact='{third}']")
    expect(voice.locator(".pane-card-body")).to_contain_text("Last purchases")
    voice.get_by_label("Note").fill("Wants the invoice by e-mail")
    expect(one.locator(".pane-title")).to_have_text(known.name)
    one.locator(".pane-card > summary").click()  # a chat's card opens on demand
    expect(one.locator(".pane-card-body")).to_contain_text(known.emails[0])
    one.locator(".pane-card > summary").click()
    shoot(page, screenshots, "desk-serving")
    widget.close()


def test_a_vip_offer_stands_out_with_its_card_and_script(
    login: Login, server: LiveServer, api: httpx.Client, screenshots: Path
) -> None:
    vip = customer(server, "VIP")
    assert vip.manager is not None
    script = {"name": {"en": "VIP greeting", "ru": "Приветствие VIP-клиента"},
              "text": {"en": "Greet the customer by name and thank them for staying with us. "
                             "Offer priority delivery at no charge.",
                       "ru": "Поприветствуйте клиента по имени и поблагодарите за лояльность. "
                             "Предложите приоритетную доставку бесплатно."}}  # fmt: skip
    api.put("/scripts/vip-script", json=script).raise_for_status()
    page = login(str(vip.manager))  # the personal manager is offered the call first
    go_ready(page)

    async def ring(frontdesk: Frontdesk) -> str:
        live, _ = await frontdesk.dispatcher.submit(DEMO, Submission(
            access_point=SALES_NUMBER, sender=vip.phones[0], digits={"main": "2"},
            ivr_path=(IvrStep("main", "2", "chosen"),
                      IvrStep("order-status", "ORD-2026-00412", "self_service_failed")),
        ))  # fmt: skip
        return live.contact.id

    started = time.monotonic()
    contact = server.call(ring)
    offer = page.locator(f".offer[data-contact='{contact}']")
    expect(offer.locator(".offer-name")).to_have_text(vip.name, timeout=within(started))
    expect(offer).to_have_class(re.compile(r"\bis-vip\b"))
    expect(offer.locator(".badge-vip")).to_have_text("VIP")
    manager = next(a for a in server.data.agents if a.id == vip.manager)
    expect(offer).to_contain_text(manager.name)
    expect(offer.locator(".ivr-failed")).to_contain_text("self-service failed")
    expect(offer.locator(".script-text")).to_contain_text("Greet the customer by name")
    shoot(page, screenshots, "desk-offer")
    offer.get_by_role("button", name="Accept").click()
    expect(page.locator(f".pane[data-contact='{contact}']")).to_have_class(
        re.compile(r"\bis-vip\b")
    )


def test_an_unknown_caller_becomes_a_customer_linked_to_the_contact(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    page = login(agent(server, 7))
    go_ready(page)
    number = "+79990001122"
    contact = call(api, number)
    offer = page.locator(f".offer[data-contact='{contact}']")
    expect(offer.locator(".offer-name")).to_have_text("Unknown customer")
    expect(offer.locator(".offer-who")).to_contain_text(number)
    offer.get_by_role("button", name="Accept").click()
    pane = page.locator(f".pane[data-contact='{contact}']")
    pane.get_by_role("button", name="New customer").click()
    dialog = page.locator("#customer-dialog")
    expect(dialog.get_by_label("Phones")).to_have_value(number)
    dialog.get_by_role("button", name="Create and link").click()
    expect(dialog.locator(".form-error")).to_be_visible()  # no name: refused, nothing lost
    expect(dialog.get_by_label("Phones")).to_have_value(number)
    dialog.get_by_label("Name", exact=True).fill("Алла Борисова")
    dialog.get_by_role("button", name="Create and link").click()
    expect(dialog).to_be_hidden()
    expect(pane.locator(".pane-title")).to_have_text("Алла Борисова")
    linked = api.get(f"/contacts/{contact}").json()["customer"]
    assert linked is not None

    pane.get_by_label("Note").fill("New customer, wants a catalogue")
    pane.get_by_role("button", name="Wrap up and close").click()
    expect(pane).to_have_count(0)
    history = api.get(f"/customers/{linked}/history").json()
    assert [(h["contact"], h["summary"]) for h in history] == [
        (contact, "New customer, wants a catalogue")
    ]


def on_a_call_beside_a_colleague(
    login: Login, server: LiveServer, api: httpx.Client, first: int, second: int, nth: int
) -> tuple[Page, Page, str, Locator]:
    """Demo agent ``first`` serving a call of the ``nth`` regular customer, agent
    ``second`` ready on another desk: both pages, the contact and its pane."""
    page = login(agent(server, first))
    go_ready(page)
    contact = call(api, customer(server, "regular", nth).phones[0])
    page.locator(f".offer[data-contact='{contact}']").get_by_role("button", name="Accept").click()
    other = login(agent(server, second), fresh=True)
    go_ready(other)
    return page, other, contact, page.locator(f".pane[data-contact='{contact}']")


def test_a_call_is_transferred_to_an_agent_seen_free_in_the_directory(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    page, other, contact, pane = on_a_call_beside_a_colleague(login, server, api, 8, 4, 5)
    pane.get_by_role("button", name="Transfer").click()
    dialog = page.locator("#route-dialog")
    colleague = server.data.agents[4].name
    option = dialog.locator(".route-option", has_text=colleague)
    expect(option).to_contain_text("free")
    option.click()
    dialog.get_by_label("Note for whoever takes it").fill("Wants a refund for order 42")
    dialog.get_by_role("button", name="Transfer", exact=True).click()
    expect(pane).to_have_count(0)
    expect(other.locator(f".offer[data-contact='{contact}']")).to_be_visible()


def test_a_consulted_colleague_joins_and_takes_the_call_over(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    page, other, contact, pane = on_a_call_beside_a_colleague(login, server, api, 3, 5, 7)
    pane.get_by_role("button", name="Consult").click()
    dialog = page.locator("#route-dialog")
    dialog.locator(".route-option", has_text=server.data.agents[5].name).click()
    dialog.get_by_role("button", name="Consult", exact=True).click()
    expect(pane.locator(".pane-consult")).to_contain_text("Waiting for an answer")
    expect(pane.get_by_role("button", name="Wrap up", exact=True)).to_be_disabled()

    request = other.locator(f".offer[data-contact='{contact}']")
    expect(request.locator("h2")).to_have_text("Consult request")
    request.get_by_role("button", name="Accept").click()
    joined = other.locator(f".pane[data-contact='{contact}']")
    expect(joined.locator(".pane-consult")).to_contain_text("You joined a consult")
    expect(pane.locator(".pane-consult")).to_contain_text(server.data.agents[5].name)

    pane.get_by_role("button", name="Hand over").click()
    expect(pane).to_have_count(0)
    expect(joined.locator(".pane-consult")).to_be_hidden()
    joined.get_by_role("button", name="Wrap up and close").click()
    expect(joined).to_have_count(0)
