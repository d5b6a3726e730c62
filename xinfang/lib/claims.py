"""Exclusive claims for background jobs that several workers run at once.

``try_lock(name)`` must be called inside ``transaction.atomic()``: it answers True to the one
transaction that holds ``name`` until it commits or rolls back, False to the others, without
waiting.  On PostgreSQL it is a transaction-level advisory lock, so a worker killed -9 releases it
with its connection.  SQLite runs every transaction with ``BEGIN IMMEDIATE`` (settings), so a
transaction already excludes every other writer and the claim is always granted.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_id(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def try_lock(name: str) -> bool:
    if not connection.in_atomic_block:
        raise RuntimeError("try_lock() must be called inside transaction.atomic()")
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(name)])
        return bool(cursor.fetchone()[0])


def lock(name: str) -> None:
    """Wait for ``name`` (same scope as ``try_lock``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(name)])
