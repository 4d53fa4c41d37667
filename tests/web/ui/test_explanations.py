"""The routing explanation is read back into its parts: every line the router writes is
known, so the contact page can show it in the reader's language."""

from __future__ import annotations

from frontdesk.domain.agents import AgentState
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.services.intake import Submission
from frontdesk.web.container import Frontdesk
from frontdesk.web.ui.explanations import (
    AgentChosen,
    CallbackDue,
    CallbackOffered,
    Decided,
    RuleLooked,
    Step,
    StepSkipped,
    Text,
    parse,
)
from tests.web.conftest import ACME, CHAT, VOICE

EVERY_KIND = """\
scenario: explained
version: 2
rules:
  - name: "it's blocked"
    when: contact.priority > 50
    reject: blocked
  - name: chats
    when: contact.media == "chat"
    use: chat-rules
  - name: calls
    manager:
      timeout: 20s
      then:
        name: main
        callback_offer: {when: 'estimated_wait("main") >= 0'}
        steps:
          - require: skill(agent, "support") >= 4
            order_by: best_skill
            skill: support
            expire: 30s
          - require: skill(agent, "support") >= 1
procedures:
  chat-rules:
    - queue: main
"""


async def _explained(frontdesk: Frontdesk, submission: Submission) -> tuple[str, ...]:
    live, _ = await frontdesk.dispatcher.submit(ACME, submission)
    await frontdesk.dispatcher.settle()
    async with frontdesk.store.transaction() as tx:
        stored = await tx.contacts.get(ACME, ContactId(live.contact.id))
        events = await tx.events.for_contact(ACME, ContactId(live.contact.id))
    assert stored is not None
    routed = [e.data["explanation"] for e in events if e.type == "contact.routed"]
    assert routed
    assert tuple(routed[0]) == stored.handling.explanation[: len(routed[0])]
    return stored.handling.explanation


async def test_every_line_the_router_writes_is_understood(frontdesk: Frontdesk) -> None:
    config = frontdesk.configuration
    await config.put_agent(ACME, "anna", {"queues": ["main"], "skills": {"support": 5}}, "cli")
    await config.put_agent(
        ACME, "boris", {"queues": ["main"], "capacity": {"call": 1, "chat": 2}}, "cli"
    )
    version = await frontdesk.scenarios.save(ACME, EVERY_KIND, "cli")
    await frontdesk.scenarios.publish(ACME, version.version, "cli")
    desk = frontdesk.dispatcher.desk(ACME)
    await desk.set_agent_state(AgentId("boris"), AgentState.READY)

    chat = parse(await _explained(frontdesk, Submission(access_point=CHAT, sender="web:v-1")))
    call = await _explained(frontdesk, Submission(access_point=VOICE, sender="+79161234567"))
    await desk.set_agent_state(AgentId("anna"), AgentState.READY)  # the call waited for her
    async with frontdesk.store.transaction() as tx:
        offered = [
            e.data["explanation"]
            for e in await tx.events.since(ACME, 0)
            if e.type == "contact.offered" and e.agent == "anna"
        ]

    assert chat == [
        RuleLooked("it's blocked", False, "contact.priority > 50"),
        RuleLooked("chats", True, 'contact.media == "chat"', "rules[1]", 7),
        RuleLooked("rule 1", True, "", "procedures.chat-rules[0]", 24),
        Decided("queue", "main"),
        Step(1, "main", "", "longest_idle", None),
        Step(1, "main", "", "longest_idle", None),
        AgentChosen("boris", "longest_idle"),
    ]
    assert parse(call) == [
        RuleLooked("it's blocked", False, "contact.priority > 50"),
        RuleLooked("chats", False, 'contact.media == "chat"'),
        RuleLooked("calls", True, "", "rules[2]", 10),
        Decided("manager", "main"),
        Step(1, None, "agent.id == (customer.manager)", "longest_idle", 20.0),
        Step(2, "main", 'skill(agent, "support") >= 4', "best_skill", 30.0),
        Step(3, "main", 'skill(agent, "support") >= 1', "longest_idle", None),
        CallbackOffered(),
    ]
    (anna,) = offered
    assert parse(anna)[:2] == [
        Step(2, "main", 'skill(agent, "support") >= 4', "best_skill", 30.0),
        StepSkipped(1),
    ]
    chosen = parse(anna)[2]
    assert isinstance(chosen, AgentChosen)
    assert (chosen.agent, chosen.how) == ("anna", "agent_free")
    assert chosen.waited is not None
    assert chosen.waited >= 0


def test_the_lines_of_the_desk_and_unknown_lines_are_kept() -> None:
    assert parse(["callback 01abc fell due: to queue general", "", "something new"]) == [
        CallbackDue("01abc", "queue", "general"),
        Text("something new"),
    ]
    assert parse(["chose anna: of the agents who qualify, the best by least_occupied"]) == [
        AgentChosen("anna", "least_occupied")
    ]
    assert parse(["action: reject"]) == [Decided("reject", None)]


def test_a_rule_of_a_menu_tells_the_key_pressed() -> None:
    pressed, failed = parse(
        [
            "rule 'main:2' (menus.main.options.2, line 86, column 9) matched (no condition)",
            "rule 'main:fail' (menus.main.on_fail, line 95, column 14) matched (no condition)",
        ]
    )
    assert isinstance(pressed, RuleLooked)
    assert isinstance(failed, RuleLooked)
    assert (pressed.menu, pressed.key) == ("main", "2")
    assert (failed.menu, failed.key) == ("main", None)
    assert RuleLooked("vip", True, "", "procedures.vip[0]", 3).menu is None
