"""Identifiers for stored records: sortable by creation time, unique without coordination."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """26 characters: milliseconds since the epoch, then 80 random bits, in Crockford base32.

    Ids made later sort after ids made earlier (to the millisecond), so lists ordered
    by id are in creation order, and the database index grows at its end.
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
