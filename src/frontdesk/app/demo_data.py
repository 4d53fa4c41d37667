"""Demo data for ``frontdesk demo``: the people, purchases and configuration of a demo tenant.

:func:`generate` is pure: every choice comes from one ``random.Random(seed)`` and every
time from the ``now`` it is given, so a seed always gives the same tenant. The tenant is
an electronics shop with a service centre in Moscow, the company of the bundled demo
scenario (``demo_scenario.yaml``): queues sales, general, service, vip and reception,
the calendar "support", the list "blacklist", skills sales, support and vip, VIP
customers with personal managers, customers whose device is in repair, and a direct
number of a personal manager.

Customers are about two thirds Russian (surnames agree with the gender: Иванов /
Иванова) and one third English; every phone is a valid E.164 number and no phone,
e-mail or messenger id belongs to two customers. The generated e-mail addresses use
real mail domains: nothing may ever be sent to them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.agents import Agent, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.customers import Customer, Purchase
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import AgentId, CustomerId, QueueId, TenantId
from frontdesk.domain.phones import normalize_phone

__all__ = [
    "DOCUMENT_KINDS",
    "MIN_CUSTOMERS",
    "RUSSIAN_FEMALE_NAMES",
    "RUSSIAN_MALE_NAMES",
    "TRAFFIC",
    "DemoData",
    "TrafficSource",
    "demo_scenario",
    "generate",
]

Document = dict[str, Any]
"""A JSON-ready configuration document (only dicts, lists, str, int, float, bool, None)."""

#: The kinds of :attr:`DemoData.documents`, each a mapping key -> document.
DOCUMENT_KINDS = (
    "queues",
    "access_points",
    "calendars",
    "lists",
    "dispositions",
    "reasons",
    "categories",
)
#: Fewer customers could leave a category of the scenario without anyone in it.
MIN_CUSTOMERS = 20

MOSCOW = ZoneInfo("Europe/Moscow")
SALES_NUMBER = "+74951234567"
SUPPORT_NUMBER = "+74951234500"
DIRECT_NUMBER = "+74951234570"
CHAT_WIDGET = "chat-widget"
WEB_FORM = "web-form"

VIP_SHARE = 0.08
REPAIR_SHARE = 0.05
DIFFICULT_SHARE = 0.03
ENGLISH_SHARE = 1 / 3
BLACKLISTED = 2
PURCHASE_YEARS = 2


@dataclass(frozen=True, slots=True)
class TrafficSource:
    """One stream of demo contacts: its share of the traffic and where it arrives.

    ``known_customer_share`` is the share of its contacts that come from a demo customer
    (by phone, e-mail or chat identity); the rest come from strangers.
    """

    weight: float
    channel: Channel
    access_point: str
    known_customer_share: float

    def __post_init__(self) -> None:
        if self.weight <= 0 or not 0 <= self.known_customer_share <= 1:
            raise ValidationError(
                f"traffic source {self.access_point}: weight must be positive and the "
                f"known customer share within 0..1, got {self.weight} and "
                f"{self.known_customer_share}",
                code="demo.invalid_traffic",
            )


@dataclass(frozen=True, slots=True)
class DemoData:
    """Everything ``frontdesk demo`` loads into a new tenant.

    ``supervisors`` and ``admins`` are ``(username, display name)`` pairs; agents log in
    with their id. All demo users share ``password``. ``documents`` maps each kind of
    :data:`DOCUMENT_KINDS` to its documents by key, ready for the configuration store;
    ``scenario`` is the YAML text of the scenario to publish.
    """

    customers: tuple[Customer, ...]
    purchases: tuple[Purchase, ...]
    agents: tuple[Agent, ...]
    supervisors: tuple[tuple[str, str], ...]
    admins: tuple[tuple[str, str], ...]
    password: str
    documents: dict[str, dict[str, Document]]
    scenario: str
    traffic: tuple[TrafficSource, ...]


# --- names ---------------------------------------------------------------------------

#: Male first names with the patronymics they give a son and a daughter.
RUSSIAN_MALE_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Георгий", "Георгиевич", "Георгиевна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Егор", "Егорович", "Егоровна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"),
    ("Константин", "Константинович", "Константиновна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Матвей", "Матвеевич", "Матвеевна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Степан", "Степанович", "Степановна"),
    ("Тимофей", "Тимофеевич", "Тимофеевна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
)
RUSSIAN_FEMALE_NAMES: tuple[str, ...] = (
    "Александра", "Алёна", "Алина", "Анастасия", "Анна", "Валентина", "Василиса", "Вера",
    "Вероника", "Виктория", "Галина", "Дарья", "Евгения", "Екатерина", "Елена", "Елизавета",
    "Ирина", "Кристина", "Ксения", "Любовь", "Людмила", "Марина", "Мария", "Надежда",
    "Наталья", "Ольга", "Полина", "Светлана", "Софья", "Татьяна", "Ульяна", "Юлия",
)  # fmt: skip
#: Male forms; every one has a regular female form (see :func:`_feminine`).
RUSSIAN_SURNAMES: tuple[str, ...] = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев",
    "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Щербаков", "Назаров", "Калинин",
    "Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин",
    "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов",
    "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников",
    "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Громов",
    "Кириллов", "Малышев", "Панов", "Румянцев", "Бирюков", "Горбунов", "Скворцов",
    "Цветков", "Логинов", "Краснов", "Демидов", "Рыбаков", "Жданов", "Шестаков",
    "Покровский", "Вишневский", "Островский", "Добровольский", "Раевский", "Белецкий",
    "Трубецкой", "Толстой", "Донской", "Луговой",
)  # fmt: skip
ENGLISH_FIRST_NAMES: tuple[str, ...] = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Daniel",
    "Matthew", "Andrew", "Paul", "Mark", "George", "Edward", "Oliver", "Harry", "Jack",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan", "Jessica", "Sarah",
    "Emily", "Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Hannah", "Laura", "Rachel",
    "Kate", "Lucy", "Claire",
)  # fmt: skip
ENGLISH_SURNAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips",
    "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook",
    "Morgan", "Cooper", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Richardson", "Wood",
    "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Fisher", "Ellis", "Palmer",
    "Russell", "Grant", "O'Brien", "O'Connor",
)  # fmt: skip

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


def _latin(text: str) -> str:
    """Lower-case ASCII letters for e-mail addresses and logins: "Фёдоров" -> "fedorov"."""
    letters = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())


def _feminine(surname: str) -> str:
    """The female form of a Russian surname: Иванов -> Иванова, Покровский -> Покровская."""
    if surname.endswith(("ий", "ой", "ый")):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ёв", "ев", "ин", "ын")):
        return surname + "а"
    raise ValidationError(
        f"demo surname {surname!r} has no regular female form", code="demo.surname"
    )


#: (male, female) surname pairs; built at import so a surname without a regular female
#: form fails at once rather than in the middle of a demo.
_SURNAME_PAIRS = tuple((male, _feminine(male)) for male in RUSSIAN_SURNAMES)


@dataclass(frozen=True, slots=True)
class _Person:
    first: str
    last: str
    patronymic: str = ""
    language: str = "ru"

    @property
    def display(self) -> str:
        """Surname first with a patronymic, as Russian records are kept; else first name first."""
        if self.patronymic:
            return f"{self.last} {self.first} {self.patronymic}"
        return f"{self.first} {self.last}"

    def login(self) -> str:
        return f"{_latin(self.first)[:1]}.{_latin(self.last)}"


def _person(rng: random.Random, language: str, patronymic_share: float) -> _Person:
    if language == "en":
        return _Person(rng.choice(ENGLISH_FIRST_NAMES), rng.choice(ENGLISH_SURNAMES), "", "en")
    male, female = rng.choice(_SURNAME_PAIRS)
    _, son, daughter = rng.choice(RUSSIAN_MALE_NAMES)
    with_patronymic = rng.random() < patronymic_share
    if rng.random() < 0.5:
        first = rng.choice(RUSSIAN_FEMALE_NAMES)
        return _Person(first, female, daughter if with_patronymic else "")
    first = rng.choice(RUSSIAN_MALE_NAMES)[0]
    return _Person(first, male, son if with_patronymic else "")


# --- what the shop sells ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Product:
    ru: str
    en: str
    price: Decimal  # list price, RUB
    device: bool = False  # something that can be brought in for repair
    multiple: bool = False  # often bought several at once


_PRODUCTS: tuple[_Product, ...] = (
    _Product("Смартфон Samsung Galaxy A55 8/256 ГБ", "Samsung Galaxy A55 8/256 GB smartphone",
             Decimal("38999.00"), device=True),
    _Product('Ноутбук Lenovo IdeaPad Slim 5 14"', 'Lenovo IdeaPad Slim 5 14" laptop',
             Decimal("74990.00"), device=True),
    _Product("Наушники Sony WH-1000XM5", "Sony WH-1000XM5 headphones", Decimal("32490.00"),
             device=True),
    _Product("Робот-пылесос Xiaomi Robot Vacuum S10", "Xiaomi Robot Vacuum S10",
             Decimal("21990.00"), device=True),
    _Product("Кофемашина De'Longhi Magnifica S", "De'Longhi Magnifica S coffee machine",
             Decimal("44990.00"), device=True),
    _Product('Телевизор LG OLED 55" 4K', 'LG OLED 55" 4K TV', Decimal("119990.00"),
             device=True),
    _Product("Стиральная машина Bosch Serie 6", "Bosch Serie 6 washing machine",
             Decimal("62490.00"), device=True),
    _Product("Холодильник Haier C2F637CWRG", "Haier C2F637CWRG fridge freezer",
             Decimal("58990.00"), device=True),
    _Product('Планшет Apple iPad 10.9" Wi-Fi 64 ГБ', 'Apple iPad 10.9" Wi-Fi 64 GB tablet',
             Decimal("42990.00"), device=True),
    _Product("Умные часы Huawei Watch GT 4", "Huawei Watch GT 4 smartwatch",
             Decimal("19990.00"), device=True),
    _Product("Микроволновая печь Samsung MS23K3513AW", "Samsung MS23K3513AW microwave oven",
             Decimal("9490.00"), device=True),
    _Product("Электрочайник Kitfort KT-6120", "Kitfort KT-6120 kettle", Decimal("2790.00")),
    _Product("Кабель USB-C — USB-C, 2 м", "USB-C to USB-C cable, 2 m", Decimal("890.00"),
             multiple=True),
    _Product("Защитное стекло для смартфона", "Smartphone screen protector", Decimal("990.00"),
             multiple=True),
    _Product("Батарейки AA Duracell, 8 шт.", "Duracell AA batteries, pack of 8",
             Decimal("649.90"), multiple=True),
    _Product("Расширенная гарантия, 2 года", "Extended warranty, 2 years", Decimal("4990.00")),
    _Product("Доставка и подъём на этаж", "Delivery to the door", Decimal("1290.00")),
    _Product("Установка и подключение стиральной машины", "Washing machine installation",
             Decimal("2490.00")),
    _Product("Ремонт: замена экрана смартфона", "Repair: smartphone screen replacement",
             Decimal("8700.00")),
    _Product("Чистка и диагностика ноутбука", "Laptop cleaning and diagnostics",
             Decimal("3500.00")),
)  # fmt: skip
_DEVICES = tuple(p for p in _PRODUCTS if p.device)
_DISCOUNTS = (0, 0, 0, 0, 3, 5, 7, 10, 15)  # percent
_KOPECK = Decimal("0.01")


# --- companies, places, mail -----------------------------------------------------------

_RUSSIAN_COMPANIES = (
    ("ООО «Ромашка»", "romashka.ru"),
    ("АО «Вектор»", "vector-ao.ru"),
    ("ООО «Северный ветер»", "sever-veter.ru"),
    ("ООО «ТехноСервис»", "tehnoservis.ru"),
    ("ООО «Альфа-Логистик»", "alfa-logistic.ru"),
    ("ЗАО «Стройинвест»", "stroyinvest.ru"),
    ("ООО «Ладога»", "ladoga-spb.ru"),
    ("ПАО «Промсвязьмонтаж»", "psmontazh.ru"),
)
_ENGLISH_COMPANIES = (
    ("Northwind Ltd", "northwind.co.uk"),
    ("Contoso LLC", "contoso.com"),
    ("Fabrikam Inc.", "fabrikam.com"),
    ("Tailspin Toys Ltd", "tailspintoys.com"),
)
_RUSSIAN_MAIL = (
    "mail.ru",
    "mail.ru",
    "yandex.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "rambler.ru",
)
_ENGLISH_MAIL = (
    "gmail.com",
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.co.uk",
    "icloud.com",
)
#: (Russian, English) names; Moscow is listed more often because the shop is there.
_CITIES = (
    ("Москва", "Moscow"), ("Москва", "Moscow"), ("Москва", "Moscow"), ("Москва", "Moscow"),
    ("Москва", "Moscow"), ("Санкт-Петербург", "Saint Petersburg"), ("Химки", "Khimki"),
    ("Подольск", "Podolsk"), ("Мытищи", "Mytishchi"), ("Красногорск", "Krasnogorsk"),
    ("Казань", "Kazan"), ("Нижний Новгород", "Nizhny Novgorod"),
    ("Екатеринбург", "Yekaterinburg"),
)  # fmt: skip
_DIFFICULT_NOTES = {
    "ru": ("Отвечать только письменно", "Просит старшего смены", "Часто оспаривает доставку",
           "Перед ответом уточнить номер договора"),
    "en": ("Answer in writing only", "Asks for the shift supervisor",
           "Often disputes deliveries", "Confirm the contract number first"),
}  # fmt: skip
#: Common Russian mobile codes (the rarely seen 94x and 970-976 are left out).
_MOBILE_CODES = (*range(900, 940), *range(950, 970), *range(977, 1000))
_LANDLINE_CODES = (495, 499)


class _Unique:
    """Draws values until one is new: phones, e-mails, messenger ids and logins."""

    def __init__(self, taken: Sequence[str] = ()) -> None:
        self.taken = set(taken)

    def add(self, value: str) -> bool:
        if value in self.taken:
            return False
        self.taken.add(value)
        return True


def _phone(rng: random.Random, codes: Sequence[int], seen: _Unique) -> str:
    while True:
        number = normalize_phone(f"+7{rng.choice(codes)}{rng.randrange(10**7):07d}")
        if number.e164 is not None and seen.add(number.e164):
            return number.e164


def _email(rng: random.Random, person: _Person, domain: str, seen: _Unique) -> str:
    first, last = _latin(person.first), _latin(person.last)
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}.{last}",
            f"{last}.{first}",
            f"{first[0]}.{last}",
            f"{first}{last}",
            f"{last}_{first[0]}",
        )
    )
    if rng.random() < 0.3:
        local += str(rng.randrange(70, 100) if rng.random() < 0.5 else rng.randrange(1, 100))
    while not seen.add(f"{local}@{domain}"):
        local += str(rng.randrange(10))
    return f"{local}@{domain}"


# --- staff -----------------------------------------------------------------------------

_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _password(rng: random.Random) -> str:
    """Four groups of four unambiguous letters and digits: "Kx7m-Pq9r-T4wz-b8Hn"."""
    return "-".join("".join(rng.choices(_PASSWORD_ALPHABET, k=4)) for _ in range(4))


@dataclass(frozen=True, slots=True)
class _Team:
    group: str
    size: int
    queues: tuple[str, ...]


_VIP_DESK = _Team("vip-desk", 3, ("vip", "reception"))
_SALES_TEAM = _Team("sales-team", 6, ("sales", "general"))
_SUPPORT_TEAM = _Team("support-team", 7, ("general", "service"))
_TEAMS = (_VIP_DESK, _SALES_TEAM, _SUPPORT_TEAM)
#: Everyone on the VIP desk can take the vip queue (>= 2); the first two are the "best
#: VIP agents" (>= 4) the scenario tries first.
_VIP_LEVELS = (5, 4, 3)
_SUPPORT_LEVELS = (5, 4, 4, 3, 3, 2, 1)


def _staff_member(rng: random.Random, language: str, logins: _Unique) -> _Person:
    while True:
        person = _person(rng, language, patronymic_share=0.0)
        if logins.add(person.login()):
            return person


def _agents(rng: random.Random, tenant: TenantId, logins: _Unique) -> tuple[Agent, ...]:
    agents: list[Agent] = []
    for team in _TEAMS:
        english = rng.randrange(team.size)  # one English speaker per team
        for n in range(team.size):
            person = _staff_member(rng, "en" if n == english else "ru", logins)
            bilingual = n == english or rng.random() < 0.3 or team is _VIP_DESK
            languages = frozenset({"ru", "en"} if bilingual else {"ru"})
            queues = team.queues
            if team is _VIP_DESK:
                skills = {"vip": _VIP_LEVELS[n], "support": rng.randint(3, 4)}
            elif team is _SALES_TEAM:
                skills = {"sales": rng.randint(2, 5), "support": rng.randint(1, 2)}
            else:
                skills = {"support": _SUPPORT_LEVELS[n]}
                if rng.random() < 0.4:
                    skills["sales"] = 1
                if n < 2:  # two support agents also answer reception
                    queues = (*queues, "reception")
            limits = {Media.CALL: 1, Media.CHAT: 2}
            if team is not _SALES_TEAM:  # web forms arrive as e-mail media
                limits[Media.EMAIL] = 2 if team is _SUPPORT_TEAM else 1
            blocks = frozenset({(Media.CALL, Media.CHAT)}) if rng.random() < 0.5 else frozenset()
            agents.append(
                Agent(
                    id=AgentId(person.login()),
                    name=person.display,
                    tenant=tenant,
                    skills=skills,
                    languages=languages,
                    groups=frozenset({team.group}),
                    queues=frozenset(QueueId(q) for q in queues),
                    capacity=Capacity(limits, blocks),
                )
            )
    return tuple(agents)


# --- customers -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a customer will be, decided before the person is drawn."""

    language: str
    category: str
    status: str
    blacklisted: bool


def _plans(rng: random.Random, count: int) -> list[_Plan]:
    order = list(range(count))
    rng.shuffle(order)
    vip = max(1, round(count * VIP_SHARE))
    repair = max(1, round(count * REPAIR_SHARE))
    difficult = max(1, round(count * DIFFICULT_SHARE))
    categories = ["regular"] * count
    for start, size, category in (
        (0, vip, "VIP"),
        (vip, repair, "in-repair"),
        (vip + repair, difficult, "difficult"),
    ):
        for i in order[start : start + size]:
            categories[i] = category
    # the blacklisted are among the regular and difficult customers
    blacklisted = set(rng.sample(order[vip + repair :], BLACKLISTED))
    english = set(rng.sample(range(count), round(count * ENGLISH_SHARE)))
    plans = []
    for i in range(count):
        if categories[i] in ("VIP", "in-repair"):
            status = "active"
        else:
            status = rng.choices(("active", "new", "lapsed"), (70, 12, 18))[0]
        plans.append(_Plan("en" if i in english else "ru", categories[i], status, i in blacklisted))
    return plans


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A time between ``start`` and ``end`` (UTC) in the shop's hours (09:00-21:00 Moscow)."""
    days = max(0, (end - start).days)
    for _ in range(20):
        day = (start + timedelta(days=rng.randint(0, days))).astimezone(MOSCOW).date()
        local = datetime.combine(day, time(9), MOSCOW) + timedelta(seconds=rng.randrange(43_200))
        at = local.astimezone(UTC)
        if start <= at < end:
            return at
    # a window shorter than a shop day: any second of it
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


@dataclass(frozen=True, slots=True)
class _Sale:
    at: datetime
    product: _Product
    quantity: int
    discount: int


def _sales(rng: random.Random, plan: _Plan, created: datetime, now: datetime) -> list[_Sale]:
    year_ago = now - timedelta(days=365)
    window_start = max(created, now - timedelta(days=365 * PURCHASE_YEARS))
    if plan.status == "new":
        count, start, end = rng.choice((0, 1, 1)), created, now
    elif plan.status == "lapsed":
        count, start, end = rng.randint(1, 3), window_start, min(year_ago, now)
    else:
        low = 3 if plan.category == "VIP" else 1
        count, start, end = rng.randint(low, 6), window_start, now
    if start >= end:
        return []
    sales = []
    for n in range(count):
        product = rng.choice(_DEVICES if plan.category == "in-repair" and n == 0 else _PRODUCTS)
        quantity = rng.randint(1, 3) if product.multiple else 1
        sales.append(_Sale(_moment(rng, start, end), product, quantity, rng.choice(_DISCOUNTS)))
    if plan.status == "active" and all(s.at < year_ago for s in sales):
        # an active customer bought something within the last year
        last = sales[-1]
        sales[-1] = _Sale(
            _moment(rng, max(year_ago, start), end), last.product, last.quantity, last.discount
        )
    return sales


def _amount(sale: _Sale) -> Decimal:
    total = sale.product.price * sale.quantity * (100 - sale.discount) / 100
    return total.quantize(_KOPECK, rounding=ROUND_HALF_UP)


def _description(sale: _Sale, language: str) -> str:
    text = sale.product.ru if language == "ru" else sale.product.en
    return f"{text} × {sale.quantity}" if sale.quantity > 1 else text


class _Registry:
    """Running numbers: contracts by year, repair tickets."""

    def __init__(self) -> None:
        self.contracts: dict[int, int] = {}
        self.tickets = 0

    def contract(self, year: int) -> str:
        self.contracts[year] = self.contracts.get(year, 0) + 1
        return f"Д-{year}-{self.contracts[year]:04d}"

    def ticket(self, year: int) -> str:
        self.tickets += 1
        return f"СЦ-{year}-{self.tickets:05d}"


@dataclass(frozen=True, slots=True)
class _Generated:
    customer: Customer
    sales: list[_Sale]


def _customer(
    rng: random.Random,
    number: int,
    plan: _Plan,
    tenant: TenantId,
    now: datetime,
    managers: Sequence[Agent],
    seen: _Unique,
    registry: _Registry,
) -> _Generated:
    person = _person(rng, plan.language, patronymic_share=0.4)
    if plan.status == "new":
        created = now - timedelta(days=rng.uniform(1, 45))
    else:
        created = now - timedelta(days=rng.uniform(380, 6 * 365))
    company, domain = "", ""
    if rng.random() < (0.5 if plan.category == "VIP" else 0.12):
        company, domain = rng.choice(
            _ENGLISH_COMPANIES if plan.language == "en" else _RUSSIAN_COMPANIES
        )
    phones = [_phone(rng, _MOBILE_CODES, seen)]
    if rng.random() < 0.08:
        phones.append(_phone(rng, _LANDLINE_CODES if company else _MOBILE_CODES, seen))
    mail = _ENGLISH_MAIL if plan.language == "en" else _RUSSIAN_MAIL
    emails = []
    if company:
        emails.append(_email(rng, person, domain, seen))
    if rng.random() < (0.3 if company else 0.85):  # a personal address besides the work one
        emails.append(_email(rng, person, rng.choice(mail), seen))
    messengers = {}
    if rng.random() < 0.15:
        telegram = str(rng.randrange(10**8, 7 * 10**9))
        while not seen.add(f"telegram:{telegram}"):
            telegram = str(rng.randrange(10**8, 7 * 10**9))
        messengers["telegram"] = telegram
    russian_city, english_city = rng.choice(_CITIES)
    fields = {"city": russian_city if plan.language == "ru" else english_city}
    sales = _sales(rng, plan, created, now)
    if company or plan.category == "VIP":
        fields["contract"] = registry.contract(created.year)
    manager = None
    if plan.category == "VIP":
        speakers = [a for a in managers if plan.language in a.languages]
        manager = rng.choice(speakers).id
    if plan.category == "in-repair":
        bought = next((s.product for s in sales if s.product.device), None)
        device = bought or rng.choice(_DEVICES)
        fields["device"] = device.ru if plan.language == "ru" else device.en
        fields["repair_ticket"] = registry.ticket(now.year)
    if plan.category == "difficult":
        fields["note"] = rng.choice(_DIFFICULT_NOTES[plan.language])
    customer = Customer(
        id=CustomerId(f"c-{number:05d}"),
        tenant=tenant,
        name=person.display,
        company=company,
        category=plan.category,
        status=plan.status,
        manager=manager,
        vip=plan.category == "VIP",
        blacklisted=plan.blacklisted,
        languages=frozenset({plan.language}),
        phones=tuple(phones),
        emails=tuple(emails),
        messenger_ids=messengers,
        fields=fields,
        created_at=created,
        updated_at=max([created, *(s.at for s in sales)]),
    )
    return _Generated(customer, sales)


def _purchases(generated: Sequence[_Generated]) -> tuple[Purchase, ...]:
    """Purchases numbered in the order they were made, as a shop's orders are."""
    made = sorted(
        ((sale, g.customer) for g in generated for sale in g.sales),
        key=lambda item: (item[0].at, item[1].id),
    )
    per_year: dict[int, int] = {}
    purchases = []
    for n, (sale, customer) in enumerate(made, start=1):
        per_year[sale.at.year] = per_year.get(sale.at.year, 0) + 1
        language = "en" if "en" in customer.languages else "ru"
        purchases.append(
            Purchase(
                id=f"p-{n:06d}",
                customer=customer.id,
                at=sale.at,
                amount=_amount(sale),
                currency="RUB",
                description=_description(sale, language),
                order_no=f"ORD-{sale.at.year}-{per_year[sale.at.year]:05d}",
            )
        )
    return tuple(purchases)


# --- configuration documents -----------------------------------------------------------


def _names(en: str, ru: str) -> dict[str, str]:
    return {"en": en, "ru": ru}


def _documents(direct_agent: AgentId, blacklist: Sequence[str]) -> dict[str, dict[str, Document]]:
    def queue(
        name: str,
        level: str,
        priority: int = 0,
        max_wait: str | None = None,
        overflow: str | None = None,
        calendar: str | None = "support",
    ) -> Document:
        return {
            "name": name,
            "service_level": level,
            "priority": priority,
            "max_wait": max_wait,
            "overflow": overflow,
            "calendar": calendar,
        }

    def point(channel: Channel, line: str, agent: str | None = None) -> Document:
        # opening hours are the scenario's in_hours("support"), not the access points'
        return {"channel": channel.value, "line": line, "agent": agent, "calendar": None}

    return {
        "queues": {
            "sales": queue("Sales", "80/20", max_wait="5m", overflow="general"),
            "general": queue("General", "80/20"),
            "service": queue("Service centre", "80/30", priority=1),
            "vip": queue("VIP", "90/10", priority=5, calendar=None),
            "reception": queue(
                "Reception", "80/20", max_wait="2m", overflow="general", calendar=None
            ),
        },
        "access_points": {
            SALES_NUMBER: point(Channel.VOICE, "sales"),
            SUPPORT_NUMBER: point(Channel.VOICE, "support"),
            DIRECT_NUMBER: point(Channel.VOICE, "direct", direct_agent),
            WEB_FORM: point(Channel.WEBHOOK, "support"),
            CHAT_WIDGET: point(Channel.CHAT, "support"),
        },
        "calendars": {
            "support": {
                "timezone": "Europe/Moscow",
                "hours": {"mon-fri": "08:00-20:00", "sat": "10:00-16:00"},
                "holidays": "RU",
                "exceptions": {},
            }
        },
        "lists": {
            "blacklist": {
                "values": sorted(blacklist),
                "description": "Numbers whose contacts are rejected: fraud and abuse",
            }
        },
        "dispositions": {
            "sale": {"name": _names("Sale", "Продажа")},
            "info": {"name": _names("Information given", "Консультация")},
            "complaint": {"name": _names("Complaint", "Жалоба")},
            "callback-requested": {"name": _names("Callback requested", "Просит перезвонить")},
            "wrong-number": {"name": _names("Wrong number", "Ошибся номером")},
            "no-resolution": {"name": _names("Not resolved", "Вопрос не решён")},
        },
        "reasons": {
            "break": {"name": _names("Break", "Перерыв")},
            "lunch": {"name": _names("Lunch", "Обед")},
            "training": {"name": _names("Training", "Обучение")},
            "meeting": {"name": _names("Meeting", "Совещание")},
            "no_answer": {"name": _names("Missed an offer", "Не ответил на вызов")},
            "after-call-paperwork": {"name": _names("After-call paperwork", "Оформление")},
        },
        "categories": {
            "VIP": {"name": _names("VIP", "VIP"), "color": "#b8860b"},
            "regular": {"name": _names("Regular", "Обычный"), "color": "#6b7280"},
            "in-repair": {"name": _names("In repair", "В ремонте"), "color": "#1f6fb2"},
            "difficult": {"name": _names("Difficult", "Сложный"), "color": "#b22222"},
        },
    }


TRAFFIC: tuple[TrafficSource, ...] = (
    TrafficSource(0.40, Channel.VOICE, SALES_NUMBER, 0.6),
    TrafficSource(0.22, Channel.VOICE, SUPPORT_NUMBER, 0.7),
    TrafficSource(0.05, Channel.VOICE, DIRECT_NUMBER, 0.8),
    TrafficSource(0.21, Channel.CHAT, CHAT_WIDGET, 0.4),
    TrafficSource(0.12, Channel.WEBHOOK, WEB_FORM, 0.5),
)


def demo_scenario() -> str:
    """The YAML text of the demo scenario bundled with this package."""
    return resources.files("frontdesk.app").joinpath("demo_scenario.yaml").read_text("utf-8")


# --- the whole tenant ------------------------------------------------------------------


def generate(seed: int, tenant: TenantId, now: datetime, customers: int = 300) -> DemoData:
    """The demo tenant for ``seed``: equal seeds give equal data, every time is before ``now``.

    ``now`` must be an aware datetime; times in the result are UTC. ``customers`` must be
    at least :data:`MIN_CUSTOMERS`. Raises ``ValidationError`` (``demo.naive_now``,
    ``demo.too_few_customers``) otherwise.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError(
            f"demo data needs an aware 'now', got {now.isoformat()}", code="demo.naive_now"
        )
    if customers < MIN_CUSTOMERS:
        raise ValidationError(
            f"a demo tenant needs at least {MIN_CUSTOMERS} customers, got {customers}",
            code="demo.too_few_customers",
        )
    now = now.astimezone(UTC)
    rng = random.Random(seed)
    password = _password(rng)
    logins = _Unique(["admin"])
    agents = _agents(rng, tenant, logins)
    supervisors = tuple(
        (person.login(), person.display)
        for person in (_staff_member(rng, "ru", logins) for _ in range(2))
    )
    managers = [a for a in agents if a.skills.get("vip", 0) > 0]
    direct_agent = max(managers, key=lambda a: a.skills["vip"]).id
    seen = _Unique([SALES_NUMBER, SUPPORT_NUMBER, DIRECT_NUMBER])
    registry = _Registry()
    generated = [
        _customer(rng, n, plan, tenant, now, managers, seen, registry)
        for n, plan in enumerate(_plans(rng, customers), start=1)
    ]
    people = tuple(g.customer for g in generated)
    # a known fraud number that is no customer's
    blacklist = [p for c in people if c.blacklisted for p in c.phones]
    blacklist.append(_phone(rng, _MOBILE_CODES, seen))
    return DemoData(
        customers=people,
        purchases=_purchases(generated),
        agents=agents,
        supervisors=supervisors,
        admins=(("admin", "Администратор"),),
        password=password,
        documents=_documents(direct_agent, blacklist),
        scenario=demo_scenario(),
        traffic=TRAFFIC,
    )
