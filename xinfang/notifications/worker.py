"""The notification step of the `xinfang worker` loop."""

from __future__ import annotations

from .delivery import deliver_due, release_stale

BATCH = 100


def run_once() -> int:
    """Release stale claims, then send due messages; returns how many were sent."""
    release_stale()
    return deliver_due(BATCH)
