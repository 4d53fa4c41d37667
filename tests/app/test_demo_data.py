"""The demo tenant: realistic, consistent people and a configuration the scenario accepts."""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache

import pytest
import yaml

from frontdesk.app.demo_data import (
    DOCUMENT_KINDS,
    RUSSIAN_FEMALE_NAMES,
    RUSSIAN_MALE_NAMES,
    DemoData,
    generate,
)
from frontdesk.domain.channels import MEDIA_OF, Channel, Media
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import Customer
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import ContactId, QueueId, TenantId
from frontdesk.domain.phones import normalize_phone
from frontdesk.domain.queues import Queue, ServiceLevelTarget
from frontdesk.routing.context import Facts
from frontdesk.routing.engine import Router
from frontdesk.routing.plan import ActionKind
from frontdesk.routing.scenario import Catalog, compile_scenario, parse_duration
from frontdesk.sim.loader import load_site
from frontdesk.sim.model import SiteModel

TENANT = TenantId("demo")
NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)  # a Tuesday, 12:00 in Moscow: support is open
FEMALE = frozenset(RUSSIAN_FEMALE_NAMES)
MALE = frozenset(name for name, _, _ in RUSSIAN_MALE_NAMES)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@cache
def demo(seed: int = 42, customers: int = 300) -> DemoData:
    return generate(seed, TENANT, NOW, customers)


def queues_of(data: DemoData) -> dict[QueueId, Queue]:
    """Queue objects from the "queues" documents, read as their consumers will read them."""
    found = {}
    for key, body in data.documents["queues"].items():
        percent, seconds = body["service_level"].split("/")
        found[QueueId(key)] = Queue(
            id=QueueId(key),
            name=body["name"],
            service_level=ServiceLevelTarget(float(percent), float(seconds)),
            priority=body["priority"],
            max_wait=parse_duration(body["max_wait"]) if body["max_wait"] else None,
            overflow=QueueId(body["overflow"]) if body["overflow"] else None,
            calendar=body["calendar"],
        )
    return found


def as_site(data: DemoData) -> SiteModel:
    """The documents as a simulator site model: they have the shapes of site.yaml."""
    documents = data.documents
    site = {
        "timezone": "Europe/Moscow",
        "calendars": documents["calendars"],
        "lists": {name: body["values"] for name, body in documents["lists"].items()},
        "queues": documents["queues"],
        "access_points": [
            {"address": address, **body} for address, body in documents["access_points"].items()
        ],
        "agents": [
            {"id": a.id, "queues": sorted(a.queues), "skills": dict(a.skills)} for a in data.agents
        ],
        "traffic": [{"access_point": t.access_point, "per_day": 100, "handle": 60}
                    for t in data.traffic],
    }  # fmt: skip
    return load_site(yaml.safe_dump(site, allow_unicode=True))


def russian(customer_or_name: Customer | str) -> bool:
    name = customer_or_name if isinstance(customer_or_name, str) else customer_or_name.name
    return bool(CYRILLIC.search(name))


# --- determinism -------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_tenant() -> None:
    assert generate(7, TENANT, NOW) == generate(7, TENANT, NOW)


def test_another_seed_gives_other_people_and_another_password() -> None:
    first, second = generate(7, TENANT, NOW), generate(8, TENANT, NOW)
    assert [c.name for c in first.customers] != [c.name for c in second.customers]
    assert [a.name for a in first.agents] != [a.name for a in second.agents]
    assert first.password != second.password


def test_bad_arguments_are_refused_with_their_codes() -> None:
    with pytest.raises(ValidationError) as naive:
        generate(1, TENANT, datetime(2025, 3, 4, 12, 0))
    assert naive.value.code == "demo.naive_now"
    with pytest.raises(ValidationError) as few:
        generate(1, TENANT, NOW, customers=5)
    assert few.value.code == "demo.too_few_customers"


# --- customers ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [300, 3000])
def test_ids_phones_emails_and_messenger_ids_are_unique(size: int) -> None:
    data = demo(customers=size)
    assert len(data.customers) == size
    assert len({c.id for c in data.customers}) == size
    identities = [i for c in data.customers for i in c.identities()]
    assert len(identities) == len(set(identities))
    assert all(c.tenant == TENANT for c in data.customers)


def test_every_phone_is_a_valid_e164_number() -> None:
    data = demo()
    phones = [p for c in data.customers for p in c.phones]
    phones += data.documents["lists"]["blacklist"]["values"]
    phones += [a for a, b in data.documents["access_points"].items() if b["channel"] == "voice"]
    for phone in phones:
        assert normalize_phone(phone).e164 == phone
    mobiles = [c.phones[0] for c in data.customers]
    assert all(re.fullmatch(r"\+79\d{9}", p) for p in mobiles)
    assert any(len(c.phones) == 2 for c in data.customers)


def test_about_two_thirds_have_russian_names_and_speak_the_language_of_their_name() -> None:
    data = demo()
    russians = [c for c in data.customers if russian(c)]
    assert 0.6 < len(russians) / len(data.customers) < 0.73
    for customer in data.customers:
        assert customer.languages == frozenset({"ru" if russian(customer) else "en"})


def gender_and_parts(name: str) -> tuple[str, str, str]:
    """(first name, surname, patronymic) of "Имя Фамилия" or "Фамилия Имя Отчество"."""
    words = name.split()
    if len(words) == 3:
        return words[1], words[0], words[2]
    assert len(words) == 2, name
    return words[0], words[1], ""


def test_russian_surnames_and_patronymics_agree_with_the_gender() -> None:
    data = demo(customers=3000)
    names = [c.name for c in data.customers if russian(c)]
    names += [a.name for a in data.agents if russian(a.name)]
    names += [display for _, display in data.supervisors]
    women = men = 0
    for name in names:
        first, surname, patronymic = gender_and_parts(name)
        if first in FEMALE:
            women += 1
            assert surname.endswith(("а", "ая")), name
            assert patronymic == "" or patronymic.endswith("на"), name
        else:
            assert first in MALE, name
            men += 1
            assert not surname.endswith("а"), name
            assert patronymic == "" or patronymic.endswith("ич"), name
    assert women > 100
    assert men > 100
    assert any(gender_and_parts(n)[2] for n in names)


def test_emails_are_lower_case_ascii_at_real_looking_domains() -> None:
    data = demo()
    emails = [e for c in data.customers for e in c.emails]
    assert len(emails) > 0.8 * len(data.customers)
    for email in emails:
        assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}", email), email
    domains = Counter(e.partition("@")[2] for e in emails)
    assert {"mail.ru", "yandex.ru", "gmail.com"} <= set(domains)
    for customer in data.customers:
        if customer.company and russian(customer):
            assert customer.company.startswith(("ООО «", "АО «", "ЗАО «", "ПАО «"))


def test_categories_have_their_shares_and_vips_have_a_manager_who_serves_vips() -> None:
    data = demo()
    agents = {a.id: a for a in data.agents}
    categories = Counter(c.category for c in data.customers)
    assert categories["VIP"] == 24
    assert categories["in-repair"] == 15
    assert categories["difficult"] == 9
    assert categories["regular"] == 300 - 24 - 15 - 9
    assert set(data.documents["categories"]) == set(categories)
    for customer in data.customers:
        if customer.category == "VIP":
            assert customer.vip
            assert customer.manager is not None
            manager = agents[customer.manager]
            assert manager.skills.get("vip", 0) >= 1
            assert customer.languages <= manager.languages
            assert "contract" in customer.fields
        else:
            assert not customer.vip
            assert customer.manager is None
        if customer.category == "in-repair":
            assert customer.fields["repair_ticket"]
            assert customer.fields["device"]
    assert {c.status for c in data.customers} == {"active", "new", "lapsed"}
    assert all(c.fields["city"] for c in data.customers)
    assert re.fullmatch(r"Д-20\d\d-\d{4}", next(iter(
        c.fields["contract"] for c in data.customers if "contract" in c.fields
    )))  # fmt: skip


def test_a_couple_of_blacklisted_customers_are_on_the_blacklist() -> None:
    data = demo()
    blacklisted = [c for c in data.customers if c.blacklisted]
    assert len(blacklisted) == 2
    listed = set(data.documents["lists"]["blacklist"]["values"])
    assert {p for c in blacklisted for p in c.phones} < listed  # and a stranger's number
    others = {p for c in data.customers if not c.blacklisted for p in c.phones}
    assert not listed & others


def test_statuses_agree_with_the_purchase_history() -> None:
    data = demo()
    bought: dict[str, list[datetime]] = {}
    for purchase in data.purchases:
        bought.setdefault(purchase.customer, []).append(purchase.at)
    year_ago = NOW - timedelta(days=365)
    for customer in data.customers:
        times = bought.get(customer.id, [])
        assert customer.created_at is not None
        assert all(customer.created_at <= at for at in times)
        if customer.status == "new":
            assert customer.created_at > NOW - timedelta(days=46)
        elif customer.status == "lapsed":
            assert times
            assert max(times) < year_ago
        else:
            assert max(times) >= year_ago


# --- purchases ---------------------------------------------------------------------------


def test_purchases_are_from_the_last_two_years_in_roubles_with_kopecks() -> None:
    data = demo()
    customers = {c.id: c for c in data.customers}
    per_customer = Counter(p.customer for p in data.purchases)
    assert max(per_customer.values()) <= 6
    assert len(per_customer) < len(data.customers)  # some have bought nothing yet
    for purchase in data.purchases:
        assert NOW - timedelta(days=731) <= purchase.at < NOW
        assert purchase.currency == "RUB"
        assert isinstance(purchase.amount, Decimal)
        assert purchase.amount > 0
        assert purchase.amount.as_tuple().exponent == -2
        customer = customers[purchase.customer]
        assert bool(CYRILLIC.search(purchase.description)) == russian(customer)
    assert any(p.amount % 1 != 0 for p in data.purchases)
    assert len({p.id for p in data.purchases}) == len(data.purchases)
    assert len({p.order_no for p in data.purchases}) == len(data.purchases)


def test_purchases_move_with_now() -> None:
    later = NOW + timedelta(days=400)
    data = generate(42, TENANT, later)
    assert all(later - timedelta(days=731) <= p.at < later for p in data.purchases)
    assert max(p.at for p in data.purchases) > NOW


# --- staff -------------------------------------------------------------------------------


def test_agents_are_a_realistic_team() -> None:
    data = demo()
    assert 14 <= len(data.agents) <= 18
    assert any(not russian(a.name) for a in data.agents)
    groups = Counter(g for a in data.agents for g in a.groups)
    assert set(groups) == {"sales-team", "support-team", "vip-desk"}
    for agent in data.agents:
        assert re.fullmatch(r"[a-z]+\.[a-z]+", agent.id), agent.id
        assert agent.capacity.limits[Media.CALL] == 1
        assert agent.capacity.limits[Media.CHAT] == 2
        assert set(agent.skills) <= {"sales", "support", "vip"}
        assert agent.tenant == TENANT
    blocking = [a for a in data.agents if (Media.CALL, Media.CHAT) in a.capacity.blocks]
    assert 0 < len(blocking) < len(data.agents)


def test_every_queue_and_channel_has_agents_who_can_serve_it() -> None:
    data = demo()
    for queue in data.documents["queues"]:
        assert any(queue in a.queues for a in data.agents), queue
    vip = [a for a in data.agents if QueueId("vip") in a.queues]
    assert any(a.skills.get("vip", 0) >= 4 for a in vip)
    general = [a for a in data.agents if QueueId("general") in a.queues]
    assert any(a.skills.get("support", 0) >= 4 for a in general)
    for source in data.traffic:
        media = MEDIA_OF[source.channel]
        assert any(a.capacity.limits.get(media, 0) > 0 for a in general), source


def test_user_names_are_unique_and_the_password_is_strong_and_printable() -> None:
    data = demo()
    users = [a.id for a in data.agents] + [u for u, _ in data.supervisors + data.admins]
    assert len(users) == len(set(users))
    assert data.supervisors
    assert data.admins
    assert len(data.password) >= 12
    assert all(ch in string.ascii_letters + string.digits + "-" for ch in data.password)


# --- configuration -----------------------------------------------------------------------


def test_the_documents_have_exactly_the_agreed_kinds_and_are_json() -> None:
    data = demo()
    assert set(data.documents) == set(DOCUMENT_KINDS) == {
        "queues", "access_points", "calendars", "lists", "dispositions", "reasons",
        "categories",
    }  # fmt: skip
    assert json.loads(json.dumps(data.documents)) == data.documents
    assert set(data.documents["queues"]) == {"sales", "general", "service", "vip", "reception"}
    assert set(data.documents["dispositions"]) == {
        "sale", "info", "complaint", "callback-requested", "wrong-number", "no-resolution",
    }  # fmt: skip
    assert set(data.documents["reasons"]) == {
        "break", "lunch", "training", "meeting", "no_answer", "after-call-paperwork",
    }  # fmt: skip
    for kind in ("dispositions", "reasons", "categories"):
        for body in data.documents[kind].values():
            assert set(body["name"]) == {"en", "ru"}
            assert CYRILLIC.search(body["name"]["ru"]) or body["name"]["ru"] == "VIP"
    assert data.documents["categories"]["VIP"]["color"] == "#b8860b"


def test_access_points_and_traffic_agree() -> None:
    data = demo()
    points = data.documents["access_points"]
    agents = {a.id for a in data.agents}
    direct = [body for body in points.values() if body["line"] == "direct"]
    assert len(direct) == 1
    assert direct[0]["agent"] in agents
    assert points["web-form"]["channel"] == "webhook"
    assert points["chat-widget"]["channel"] == "chat"
    assert points["+74951234567"] == {
        "channel": "voice", "line": "sales", "agent": None, "calendar": None,
    }  # fmt: skip
    for source in data.traffic:
        assert points[source.access_point]["channel"] == source.channel.value
    assert {s.channel for s in data.traffic} == {Channel.VOICE, Channel.CHAT, Channel.WEBHOOK}
    assert sum(s.weight for s in data.traffic) == pytest.approx(1.0)


def test_the_documents_read_as_a_site_model() -> None:
    site = as_site(demo())
    support = site.calendars["support"]
    assert support.is_open(NOW)
    assert not support.is_open(datetime(2025, 3, 9, 9, 0, tzinfo=UTC))  # a Sunday
    assert site.queues[QueueId("sales")].max_wait == 300
    assert site.queues[QueueId("sales")].overflow == QueueId("general")


def test_the_scenario_compiles_against_the_demo_configuration() -> None:
    data = demo()
    catalog = Catalog(
        queues=queues_of(data),
        calendars=tuple(data.documents["calendars"]),
        lists=tuple(data.documents["lists"]),
        agents=frozenset(a.id for a in data.agents),
    )
    plan = compile_scenario(data.scenario, catalog)
    assert plan.name == "frontdesk-demo"
    assert plan.queues <= set(data.documents["queues"])


def test_demo_customers_reach_every_rule_of_the_scenario() -> None:
    data = demo()
    site = as_site(data)
    known = queues_of(data)
    plan = compile_scenario(data.scenario, Catalog(known, tuple(site.calendars), ("blacklist",)))
    router = Router(plan, known, Facts(calendars=site.calendars, lists=site.lists))
    direct_number, direct = next(
        (a, b) for a, b in data.documents["access_points"].items() if b["line"] == "direct"
    )

    def rule_for(customer: Customer | None, channel: Channel = Channel.VOICE,
                 point: str = "+74951234567", line: str = "sales",
                 data_: dict[str, str] | None = None) -> tuple[str, ActionKind]:  # fmt: skip
        contact = Contact(
            id=ContactId("k1"), tenant=TENANT, channel=channel,
            ani=customer.phones[0] if customer else "+79990000000", access_point=point,
            arrived_at=NOW, line=line, channel_data=data_ or {},
        )  # fmt: skip
        treatment = router.classify(contact, customer.profile() if customer else None, NOW)
        return treatment.rule.name, treatment.kind

    def first(category: str) -> Customer:
        return next(c for c in data.customers if c.category == category and not c.blacklisted)

    blacklisted = next(c for c in data.customers if c.blacklisted)
    assert rule_for(blacklisted) == ("blacklist", ActionKind.REJECT)
    assert rule_for(first("VIP")) == ("vip", ActionKind.QUEUE)
    assert rule_for(first("in-repair")) == ("in-repair", ActionKind.QUEUE)
    assert rule_for(first("difficult")) == ("difficult", ActionKind.QUEUE)
    assert rule_for(first("regular")) == ("everyone-else", ActionKind.MENU)
    assert rule_for(None, Channel.CHAT, "chat-widget", "support") == ("messages", ActionKind.QUEUE)
    assert rule_for(
        first("regular"), point=direct_number, line="direct", data_={"agent": direct["agent"]}
    ) == ("direct-number", ActionKind.QUEUE)
