"""The names a page shows instead of codes: agents, queues, customer categories,
dispositions; and phone numbers as people write them.

Read once per page from the tenant's configuration; a code nobody named (a queue deleted
since, an agent removed) is shown as the code itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from frontdesk.domain.agents import Agent
from frontdesk.domain.ids import TenantId
from frontdesk.web.container import Frontdesk
from frontdesk.web.ui.vocabulary import local_name

COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


@dataclass(frozen=True, slots=True)
class Directory:
    locale: str
    agents: Mapping[str, str]  # agent id -> name
    queues: Mapping[str, str]  # queue id -> name
    categories: Mapping[str, Mapping[str, Any]]  # code -> document
    dispositions: Mapping[str, Mapping[str, Any]]  # code -> document

    def agent(self, agent: str | None) -> str:
        return "" if agent is None else self.agents.get(agent, agent)

    def queue(self, queue: str | None) -> str:
        return "" if queue is None else self.queues.get(queue, queue)

    def category(self, code: str | None) -> str:
        return "" if code is None else local_name(self.categories.get(code), code, self.locale)

    def disposition(self, code: str | None) -> str:
        return "" if code is None else local_name(self.dispositions.get(code), code, self.locale)

    def category_names(self) -> dict[str, str]:
        return {code: self.category(code) for code in self.categories}

    def category_colors(self) -> dict[str, str]:
        """The colours of the categories that have one written as ``#rgb`` or ``#rrggbb``
        (anything else is not put into a page's styles)."""
        return {
            code: str(document["color"])
            for code, document in self.categories.items()
            if COLOR.fullmatch(str(document.get("color") or ""))
        }


async def directory(frontdesk: Frontdesk, tenant: TenantId, locale: str) -> Directory:
    config = frontdesk.configuration
    agents = await config.agents(tenant)
    queues = await config.all(tenant, "queues")
    return Directory(
        locale=locale,
        agents={agent.id: agent.name or agent.id for agent in sorted(agents, key=_by_name)},
        queues={key: str(doc.get("name") or key) for key, doc in queues.items()},
        categories=await config.all(tenant, "categories"),
        dispositions=await config.all(tenant, "dispositions"),
    )


def _by_name(agent: Agent) -> str:
    return str(agent.name or agent.id).casefold()


def phone(number: str) -> str:
    """An E.164 number grouped as it is dialled (``+7 916 123-45-67``); anything else as it is."""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
