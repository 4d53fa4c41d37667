"""Customers and contacts in the browser: finding a customer however they are typed, the
card (edit, notes), a served contact in the customer's timeline and on its own page with
the routing explanation, and the supervisors' contact search."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from frontdesk.app.demo_data import CHAT_WIDGET, SALES_NUMBER
from frontdesk.domain.customers import Customer
from frontdesk.web.ui.directory import phone
from tests.e2e.conftest import Login, shoot
from tests.e2e.live import LiveServer, agent_user


def russian_customer(server: LiveServer, category: str = "regular") -> Customer:
    """A demo customer with a long Russian surname (long enough to mistype)."""
    return next(
        c
        for c in server.data.customers
        if c.category == category
        and not c.blacklisted
        and "ru" in c.languages
        and len(c.name.split()[-1]) >= 7
        and c.phones
    )


def vip_customer(server: LiveServer) -> Customer:
    """A demo VIP customer with a company and a personal manager."""
    return next(c for c in server.data.customers if c.category == "VIP" and c.company and c.manager)


def mistyped(word: str) -> str:
    """The word with one letter in its middle replaced, as a hurried hand types it."""
    middle = len(word) // 2
    return word[:middle] + ("о" if word[middle] != "о" else "а") + word[middle + 1 :]


def eventually(check: Callable[[], Any], seconds: float = 5.0) -> Any:
    """The first true result of ``check``, asked again until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, "the server did not get there in time"
            return result
        time.sleep(0.05)


def serve(api: httpx.Client, sender: str, access_point: str = SALES_NUMBER, **extra: Any) -> str:
    """Submit a contact through the API; its id."""
    answer = api.post("/inbound", json={"access_point": access_point, "sender": sender, **extra})
    assert answer.status_code == 201, answer.text
    contact: str = answer.json()["id"]
    return contact


def offered_to(api: httpx.Client, contact: str) -> str:
    """The agent the contact rings for, once it does."""

    def offered() -> str | None:
        body = api.get(f"/contacts/{contact}").json()
        agent: str | None = body["handling"]["agent"] if body["state"] == "offered" else None
        return agent

    agent: str = eventually(offered)
    return agent


def test_a_customer_is_found_with_a_typo_and_by_part_of_a_number(
    login: Login, server: LiveServer, screenshots: Path
) -> None:
    customer = russian_customer(server)
    surname = customer.name.split()[-1]
    page = login(agent_user(server.data), path="/customers")
    expect(page).to_have_url(re.compile(r"/customers$"))
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type(mistyped(surname))
    expect(page.locator("#results")).to_contain_text(customer.name)

    digits = customer.phones[0][-7:]
    fragment = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    page.fill("#q", fragment)
    first = page.locator("#results tbody tr").first
    expect(first).to_contain_text(customer.name)
    expect(page).to_have_url(re.compile(r"/customers\?q="))

    page.keyboard.press("ArrowDown")
    expect(page.locator("#results a.crm-name").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/customers/{customer.id}$"))
    expect(page.locator("h1")).to_have_text(customer.name)

    company = "Альфа"  # the demo's company with the most customers, some of them VIP
    page.goto("/customers?q=" + company)
    expect(page.locator("#results tbody tr")).not_to_have_count(0)
    expect(page.locator("#results tbody tr").first).to_contain_text("Альфа-Логистик")
    shoot(page, screenshots, "customer-search")


def test_the_card_is_edited_and_gets_a_note(
    login: Login, server: LiveServer, screenshots: Path
) -> None:
    customer = vip_customer(server)
    page = login(agent_user(server.data, 3), path=f"/customers/{customer.id}")
    expect(page.locator("#card-head .badge-vip")).to_be_visible()
    expect(page.locator("#details")).to_contain_text(phone(customer.phones[0]))

    page.keyboard.press("e")
    dialog = page.locator("#edit-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=status]").fill("renewing the contract")
    dialog.locator("textarea[name=phones]").fill("not a number")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".field-error")).to_contain_text("not a number")
    expect(dialog.locator("input[name=status]")).to_have_value("renewing the contract")
    dialog.locator("textarea[name=phones]").fill("\n".join(customer.phones))
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#details")).to_contain_text("renewing the contract")

    page.click("#note-form button[type=submit]")  # an empty note is refused in place
    expect(page.locator("#note-form .form-error, #note-form .field-error").first).to_be_visible()
    page.fill("#note-text", "Asked for the contract to be renewed before the end of the year.")
    page.click("#note-form button[type=submit]")
    expect(page.locator("#notes-list li").first).to_contain_text("renewed before the end")
    expect(page.locator("#note-text")).to_have_value("")
    page.reload()  # stored, not only shown
    expect(page.locator("#details")).to_contain_text("renewing the contract")
    expect(page.locator("#notes-list")).to_contain_text("renewed before the end")


def test_a_served_contact_is_in_the_timeline_with_why_it_went_there(
    login: Login, server: LiveServer, api: httpx.Client, screenshots: Path
) -> None:
    customer = vip_customer(server)
    manager = str(customer.manager)
    ready = api.post(f"/agents/{manager}/state", json={"state": "ready"})
    assert ready.status_code == 200, ready.text
    contact = serve(api, customer.phones[0])
    assert offered_to(api, contact) == manager
    accepted = api.post(f"/contacts/{contact}/accept", json={"agent": manager})
    assert accepted.status_code == 200, accepted.text
    closed = api.post(
        f"/contacts/{contact}/wrap-up",
        json={"agent": manager, "disposition": "sale", "note": "Ordered a second laptop",
              "close": True},
    )  # fmt: skip
    assert closed.status_code == 200, closed.text

    page = login(server.data.supervisors[0][0], path=f"/customers/{customer.id}")
    entry = page.locator("#history li").filter(has_text="Ordered a second laptop")
    expect(entry).to_contain_text("Closed")
    expect(entry).to_contain_text("Sale")
    shoot(page, screenshots, "customer-card")
    entry.get_by_role("link", name="Open the contact").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact}$"))

    why = page.locator("#routing")
    expect(why).to_contain_text("Rules looked at, in order")
    expect(why.locator(".crm-rule-missed")).to_have_count(3)  # blacklist, direct, closed
    expect(why.locator(".crm-rule-matched").last).to_contain_text("vip")
    expect(why).to_contain_text("The personal manager first, then queue VIP")
    expect(why).to_contain_text("the customer's personal manager")
    offered = page.locator("li[data-type='contact.offered']")
    expect(offered).to_contain_text("got the offer")
    expect(page.locator(".crm-timeline")).to_contain_text("Wrapped up")
    expect(page.locator(".crm-timeline")).to_contain_text("Ordered a second laptop")
    page.evaluate("document.querySelector(\"li[data-type='contact.routed']\").scrollIntoView()")
    shoot(page, screenshots, "contact-timeline")


def test_a_supervisor_filters_contacts_by_channel(
    login: Login, server: LiveServer, api: httpx.Client, screenshots: Path
) -> None:
    chat = serve(api, "web:visitor-4242", access_point=CHAT_WIDGET)
    call = serve(api, "+79160000001")
    page = login(server.data.supervisors[0][0], path="/contacts")
    expect(page.locator(".crm-contact-table")).to_contain_text("+7 916 000-00-01")
    shoot(page, screenshots, "contact-search")
    page.select_option("#f-channel", "chat")
    page.click("#contact-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"channel=chat"))
    rows = page.locator(".crm-contact-table tbody tr")
    expect(rows).not_to_have_count(0)
    for cell in rows.locator("td:nth-child(2)").all():
        expect(cell).to_have_text("Chat")
    expect(page.locator(f"a[href='/contacts/{chat}']")).to_have_count(1)
    expect(page.locator(f"a[href='/contacts/{call}']")).to_have_count(0)


def test_a_purchase_is_dated_on_the_companys_clock(
    login: Login, server: LiveServer, api: httpx.Client
) -> None:
    buyer = russian_customer(server)
    page = login(agent_user(server.data), path=f"/customers/{buyer.id}")
    page.locator("summary", has_text="Add a purchase").click()
    form = page.locator("#purchase-form")
    form.locator("[name=amount]").fill("1 299,50")
    form.locator("[name=at]").fill("2026-11-30T14:30")  # Moscow time, whatever the browser's
    form.locator("[name=description]").fill("Чехол для телефона")
    page.click("#purchase-form button[type=submit]")
    expect(page.locator("#purchases-list")).to_contain_text("Чехол для телефона")
    bought = [p for p in api.get(f"/customers/{buyer.id}/card").json()["purchases"]
              if p["description"] == "Чехол для телефона"]  # fmt: skip
    assert [(p["at"], p["amount"]) for p in bought] == [("2026-11-30T11:30:00Z", "1299.50")]
