"""Backup → restore drill on the test database's engine (SQLite, or PostgreSQL with DATABASE_URL):
the restored database has the same row counts and event-log checksum as the source."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from xinfang.petitions import backup as bk
from xinfang.stats import member_sync
from xinfang.testing import advance, make_petition, make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def restore_target(tmp_path):
    """A second, empty database of the same engine."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    name = f"{source['NAME']}_restore"
    admin = {k: source[k] for k in ("HOST", "PORT", "USER", "PASSWORD")}

    def run(sql):
        with psycopg.connect(
            host=admin["HOST"] or "127.0.0.1",
            port=admin["PORT"] or 5432,
            user=admin["USER"] or None,
            password=admin["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    yield {**admin, "ENGINE": source["ENGINE"], "NAME": name}
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fill(settings):
    from xinfang.stats import topics

    world = make_world()
    for n in range(3):
        advance(make_petition(world, title=f"小区物业乱收停车费{n}"), world, to="handling")
    topics.assign_pending()
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "scan.pdf").write_bytes(b"%PDF-1.4 test scan")
    settings.TRIAGE_MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (settings.TRIAGE_MODEL_DIR / "model.joblib").write_bytes(b"model bytes")


def test_backup_restore_drill(settings, tmp_path, restore_target):
    _fill(settings)
    with connection.cursor() as cursor:
        source = bk.describe(cursor, connection.vendor)
    assert source["counts"]["petitions_petition"] == 3

    manifest = bk.backup(tmp_path / "backup")
    assert manifest["counts"] == source["counts"]
    assert manifest["events_sha256"] == source["events_sha256"]
    assert {"media/attachments/scan.pdf", "triage/model.joblib"} <= set(manifest["files"])
    on_disk = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["migrations"] and on_disk["vendor"] == connection.vendor

    # Never over a database in use.
    with pytest.raises(bk.BackupError, match="不是空库"):
        bk.restore(tmp_path / "backup", media_root=tmp_path / "m0", triage_dir=tmp_path / "t0")

    result = bk.restore(
        tmp_path / "backup",
        db=restore_target,
        media_root=tmp_path / "media2",
        triage_dir=tmp_path / "triage2",
    )
    assert result["counts"] == source["counts"]
    assert result["events_sha256"] == source["events_sha256"]
    assert result["migrations"] == source["migrations"]
    assert (tmp_path / "media2" / "attachments" / "scan.pdf").read_bytes() == b"%PDF-1.4 test scan"
    assert (tmp_path / "triage2" / "model.joblib").read_bytes() == b"model bytes"
    # The hot-topic members' copied columns, and the triggers that keep them, come back too.
    members, triggers = _members_and_triggers(restore_target)
    with connection.cursor() as cursor:
        cursor.execute(MEMBERS)
        assert members == [tuple(r) for r in cursor.fetchall()] and len(members) == 3
    assert triggers == set(member_sync.NAMES)


MEMBERS = (
    "SELECT petition_id, unit_id, town_id, is_repeat, place_address FROM stats_hottopicmember ORDER BY 1"
)


def _members_and_triggers(db) -> tuple[list[tuple], set[str]]:
    """The member rows and the copy triggers of the restored database (its own connection)."""
    if connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(db["NAME"]) as conn:
            rows = [(a, b, c, bool(d), e) for a, b, c, d, e in conn.execute(MEMBERS)]
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        return rows, names & set(member_sync.NAMES)
    import psycopg

    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or None, dbname=db["NAME"]
    ) as conn:
        rows = [tuple(r) for r in conn.execute(MEMBERS)]
        names = {r[0] for r in conn.execute("SELECT tgname FROM pg_trigger")}
    return rows, names & set(member_sync.NAMES)


def test_restore_refuses_a_damaged_backup(settings, tmp_path, restore_target):
    _fill(settings)
    bk.backup(tmp_path / "backup")
    (tmp_path / "backup" / "media" / "attachments" / "scan.pdf").write_bytes(b"changed")
    with pytest.raises(bk.BackupError, match="清单不符"):
        bk.restore(
            tmp_path / "backup", db=restore_target, media_root=tmp_path / "m", triage_dir=tmp_path / "t"
        )
