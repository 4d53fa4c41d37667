"""The customer as routing sees it: identity, category and the people responsible."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from frontdesk.domain.ids import AgentId, CustomerId
from frontdesk.domain.phones import PhoneNumber


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """What the enrichment step hands to routing. The full CRM record lives in the CRM."""

    id: CustomerId
    name: str = ""
    category: str | None = None  # the company's own: VIP, regular, difficult, in-repair ...
    vip: bool = False
    status: str | None = None
    manager: AgentId | None = None  # personal manager
    blacklisted: bool = False
    languages: frozenset[str] = frozenset()
    phones: tuple[PhoneNumber, ...] = ()
    emails: tuple[str, ...] = ()
    messenger_ids: Mapping[str, str] = field(default_factory=dict)  # network -> id
    fields: Mapping[str, str] = field(default_factory=dict)  # company-defined attributes
