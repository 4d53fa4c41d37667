"""The names people read for the service's codes: agent states, contact states, channels.

The same names are in ``static/js/vocabulary.js`` for the scripts; both go through the
catalogues.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from frontdesk.domain.agents import AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.web.ui.templating import N_

AGENT_STATES = MappingProxyType({
    AgentState.READY.value: N_("Ready"),
    AgentState.NOT_READY.value: N_("Not ready"),
    AgentState.RESERVED.value: N_("Ringing"),
    AgentState.BUSY.value: N_("Busy"),
    AgentState.WRAP_UP.value: N_("Wrap-up"),
    AgentState.LOGGED_OUT.value: N_("Logged out"),
})  # fmt: skip

CONTACT_STATES = MappingProxyType({
    ContactState.ARRIVED.value: N_("Arrived"),
    ContactState.ENRICHED.value: N_("Identified"),
    ContactState.QUEUED.value: N_("Waiting"),
    ContactState.OFFERED.value: N_("Ringing"),
    ContactState.CONNECTED.value: N_("In progress"),
    ContactState.WRAP_UP.value: N_("Wrap-up"),
    ContactState.CLOSED.value: N_("Closed"),
    ContactState.REJECTED.value: N_("Rejected"),
    ContactState.ABANDONED.value: N_("Abandoned"),
    ContactState.SELF_SERVED.value: N_("Self-served"),
    ContactState.CALLBACK_SCHEDULED.value: N_("Callback scheduled"),
    ContactState.TRANSFERRED.value: N_("Transferred"),
})  # fmt: skip

CHANNELS = MappingProxyType({
    Channel.VOICE.value: N_("Call"),
    Channel.CALLBACK.value: N_("Web callback"),
    Channel.CHAT.value: N_("Chat"),
    Channel.EMAIL.value: N_("E-mail"),
    Channel.SMS.value: N_("SMS"),
    Channel.MESSENGER.value: N_("Messenger"),
    Channel.SOCIAL.value: N_("Social"),
    Channel.WEBHOOK.value: N_("Webhook"),
})  # fmt: skip


def translated(names: MappingProxyType[str, str], gettext: object) -> dict[str, str]:
    """``names`` in the viewer's language (``gettext`` is the viewer's)."""
    assert callable(gettext)
    return {code: str(gettext(name)) for code, name in names.items()}


def local_name(document: Mapping[str, Any] | None, code: str, locale: str) -> str:
    """A configuration document's name (``{"en": ..., "ru": ...}``) in ``locale``, else in
    English, else any, else its code."""
    names = (document or {}).get("name") or {}
    if not isinstance(names, Mapping):
        return code
    return str(names.get(locale) or names.get("en") or next(iter(names.values()), code))
