"""``frontdesk demo --voice``: a number to call from a softphone, answered by people only.

The demo's simulated traffic is served by robot agents, who have no phones. Real calls
therefore get a line of their own: the softphone number plays a greeting and a menu and
queues the caller in the ``softphone`` queue, whose members are the agents a person logs
in as. Each of them gets a SIP login (user = agent id, password = the demo password).
"""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.app.demo import ACTOR
from frontdesk.channels.voice.kamailio import ha1
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.services.catalog import agent_document
from frontdesk.web.container import Frontdesk

#: The number a softphone dials: ``sip:74951234599@<voice host>:<sip port>``.
SOFTPHONE_NUMBER = "+74951234599"
QUEUE = "softphone"
RULE = """\
  - name: softphone-demo
    when: contact.line == "softphone"
    greeting: demo-welcome
    menu: softphone
"""
MENU = """\
  softphone:
    prompt: demo-menu
    timeout: 5s
    retries: 1
    options:
      "1": {queue: {name: softphone}, tags: [sales]}
      "2": {queue: {name: softphone}, tags: [support]}
    on_fail: {queue: {name: softphone}}
"""
PROMPTS = {
    "demo-welcome": {
        "en": "Welcome to the Frontdesk demo.",
        "ru": "Добро пожаловать в демонстрацию Фронтдеска.",
    },
    "demo-menu": {
        "en": "For sales, press 1. For support, press 2.",
        "ru": "Отдел продаж: нажмите 1. Поддержка: нажмите 2.",
    },
    "sorry-we-cannot-take-your-call": {"en": "Sorry, we cannot take your call."},
    "closed-night": {"en": "We are closed now."},
    "leave-your-number": {"en": "We will call you back."},
}
REASONS = {
    "rejected": {"en": "Rejected an offer", "ru": "Отклонил вызов"},
    "unreachable": {"en": "Phone unreachable", "ru": "Телефон недоступен"},
}


def with_softphone_line(scenario: str) -> str:
    """The demo scenario with the softphone rule first and its menu."""
    if "name: softphone-demo" in scenario:
        return scenario
    text = scenario.replace("rules:\n", "rules:\n" + RULE, 1)
    return text.replace("menus:\n", "menus:\n" + MENU, 1)


async def set_up_softphones(
    frontdesk: Frontdesk, tenant: TenantId, humans: Sequence[AgentId], password: str, realm: str
) -> None:
    """The softphone line, its queue, prompts and the people's SIP logins (idempotent)."""
    config = frontdesk.configuration
    await config.put(tenant, "queues", QUEUE, {"name": "Softphone demo"}, ACTOR)
    await config.put(
        tenant, "access_points", SOFTPHONE_NUMBER, {"channel": "voice", "line": QUEUE}, ACTOR
    )
    for name, texts in PROMPTS.items():
        await config.put(tenant, "prompts", name, {"text": texts}, ACTOR)
    for code, names in REASONS.items():
        await config.put(tenant, "reasons", code, {"name": names}, ACTOR)
    desk = frontdesk.dispatcher.desk(tenant)
    for agent in humans:
        profile = agent_document(desk.agents[agent])
        profile["queues"] = sorted({*profile["queues"], QUEUE})
        await config.put_agent(tenant, agent, profile, ACTOR)
        await config.put(tenant, "phones", agent, {"ha1": ha1(agent, realm, password)}, ACTOR)
    published = await frontdesk.scenarios.published(tenant)
    if published is not None and "name: softphone-demo" not in published.text:
        text = with_softphone_line(published.text)
        version = await frontdesk.scenarios.save(tenant, text, ACTOR, "the softphone line")
        await frontdesk.scenarios.publish(tenant, version.version, ACTOR)
