"""Identifiers are positive 64-bit integers chosen by the storage."""

MAX_ID = 2**63 - 1

NO_ID_YET = 0
"""The id of an entity that storage has not given one yet (no row has it)."""


def is_storable_id(value: int) -> bool:
    """True when `value` could name a row; anything else names nothing.

    Checked before a lookup so that 0, negative ids and ids beyond 64 bits are a
    plain "not found" instead of a driver overflow.
    """
    return 0 < value <= MAX_ID
