"""Why an agent's phone did not take an offered call, in the desk's not-ready reasons."""

from __future__ import annotations

from frontdesk.channels.voice.sip import Ended
from frontdesk.services.desk import NO_ANSWER, REJECTED

#: The agent's phone could not be reached (not registered, gone): a not-ready reason.
UNREACHABLE = "unreachable"
#: SIP answers of a phone that refuses the call (busy, declined) rather than fails.
REFUSALS = frozenset({486, 600, 603})
#: SIP answers of a phone that rang until the far end gave up.
TIMEOUTS = frozenset({408, 480, 487})


def decline_reason(event: Ended) -> str:
    """``rejected`` for a refusal, ``no_answer`` for ringing out, else ``unreachable``."""
    if event.code in REFUSALS:
        return REJECTED
    if event.code in TIMEOUTS and event.reason != "Temporarily Unavailable":
        return NO_ANSWER
    return UNREACHABLE
