"""The garbage collector's settings for a long-running process of Frontdesk."""

from __future__ import annotations

import gc

#: Collections of the middle generation between two full ones (CPython's default: 10).
FULL_COLLECTION_EVERY = 100


def settle_memory() -> None:
    """Keep the garbage collector's full passes short and rare; call it once started.

    A full collection stops every thread of the process for as long as it takes to walk
    every object: the service's event loop (every call's next step) or, in the SIP
    process, the 200 OK of each call arriving meanwhile. Two things make them long and
    frequent:

    - what start-up loaded (the modules, the schema, the compiled scenarios), walked at
      each pass: frozen, those objects are never walked again (they live as long as the
      process anyway);
    - objects that live for seconds, then go: the SIP stack's transactions, kept 32 s for
      retransmissions (RFC 3261 timers), some 150,000 objects at 50 calls/s, or the
      calls and contacts of the in-memory store. The long-lived generation grows by a
      quarter every few seconds, and a full pass (100-150 ms) ran every 5 s. A full pass
      now waits for 100 collections of the middle generation instead of 10 (about every
      45 s at that rate); cyclic garbage that reached the oldest generation lives that
      much longer.
    """
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
