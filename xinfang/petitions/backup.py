"""Backup and restore of a whole installation (``xinfang backup DIR`` / ``xinfang restore DIR``).

A backup directory holds:

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  the online backup API, safe while the server runs);
- ``media/`` (attachments, generated documents) and ``triage/`` (the suggestion models and the
  similar-matter index snapshots);
- ``manifest.json``: the row count of every table and a checksum of the event log, taken in the
  same snapshot as the dump (PostgreSQL: ``pg_export_snapshot`` shared with pg_dump), the applied
  migrations, and the sha256 of every file.

``restore`` refuses a database that has any table, checks every file's sha256 before touching
anything, restores, then compares the counts, the event checksum and the migrations with the
manifest.  Personal data stays encrypted under XINFANG_DATA_KEY, which is NOT in the backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
EVENTS_TABLE = "petitions_petitionevent"


class BackupError(Exception):
    pass


# ----- reading a database through a plain DB-API connection (the source or a restore target) -----
def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    return [row[0] for row in cursor.fetchall()]


def _utc_text(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def describe(cursor, vendor: str) -> dict:
    """Counts per table, the event-log checksum and the applied migrations of one database."""
    tables = _tables(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    digest = hashlib.sha256()
    if EVENTS_TABLE in tables:
        cursor.execute(f"SELECT id, petition_id, action, at FROM {EVENTS_TABLE} ORDER BY id")
        while rows := cursor.fetchmany(5000):
            for pk, petition_id, action, at in rows:
                digest.update(f"{pk}|{petition_id}|{action}|{_utc_text(at)}\n".encode())
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return {"counts": counts, "events_sha256": digest.hexdigest(), "migrations": migrations}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): _sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=False)


# ----- backup ---------------------------------------------------------------------------------------
def backup(directory: Path) -> dict:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空目录")
    directory.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    vendor = connection.vendor
    if vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One snapshot for the dump and the manifest: pg_dump joins it.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                args, env = _pg_env(db)
                subprocess.run(
                    ["pg_dump", *args, "--format=custom", f"--snapshot={snapshot}", "--no-owner"]
                    + ["--file", str(directory / "database.dump"), db["NAME"]],
                    check=True,
                    env=env,
                )
                state = describe(cursor, vendor)
    elif vendor == "sqlite":
        target = sqlite3.connect(directory / "database.sqlite3")
        connection.ensure_connection()
        with target:
            connection.connection.backup(target)
        state = describe(target.cursor(), vendor)
        target.close()
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    _copy_tree(Path(settings.MEDIA_ROOT), directory / "media")
    _copy_tree(Path(settings.TRIAGE_MODEL_DIR), directory / "triage")
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        **state,
        "files": _files(directory),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# ----- restore --------------------------------------------------------------------------------------
def _connect(db: dict):
    if db["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(db["NAME"]), "sqlite"
    import psycopg

    conn = psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
    )
    return conn, "postgresql"


def _empty_dir(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


def check_files(directory: Path) -> dict:
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    found = _files(directory)
    if found != manifest["files"]:
        bad = sorted(
            k for k in set(found) | set(manifest["files"]) if found.get(k) != manifest["files"].get(k)
        )
        raise BackupError(f"备份文件与清单不符：{', '.join(bad[:5])}")
    return manifest


def restore(
    directory: Path, *, db: dict | None = None, media_root: Path | None = None, triage_dir: Path | None = None
) -> dict:
    """Restore ``directory`` into the (empty) database ``db`` (default: this installation's);
    returns the comparison with the manifest.  Raises BackupError when anything differs."""
    directory = Path(directory)
    db = db or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    triage_dir = Path(triage_dir or settings.TRIAGE_MODEL_DIR)
    manifest = check_files(directory)
    conn, vendor = _connect(db)
    try:
        if vendor != manifest["vendor"]:
            raise BackupError(f"备份来自 {manifest['vendor']}，目标数据库是 {vendor}")
        if _tables(conn.cursor(), vendor):
            raise BackupError("目标数据库不是空库：恢复只能写入新建的空数据库")
        for path in (media_root, triage_dir):
            if not _empty_dir(path):
                raise BackupError(f"目录 {path} 不是空目录")
        if vendor == "postgresql":
            args, env = _pg_env(db)
            subprocess.run(
                ["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname", db["NAME"]]
                + [str(directory / "database.dump")],
                check=True,
                env=env,
            )
        else:
            source = sqlite3.connect(directory / "database.sqlite3")
            source.backup(conn)
            source.close()
        if (directory / "media").is_dir():
            shutil.copytree(directory / "media", media_root, dirs_exist_ok=True)
        if (directory / "triage").is_dir():
            shutil.copytree(directory / "triage", triage_dir, dirs_exist_ok=True)
        state = describe(conn.cursor(), vendor)
    finally:
        conn.close()
    differences = {
        table: (n, state["counts"].get(table))
        for table, n in manifest["counts"].items()
        if state["counts"].get(table) != n
    }
    if differences:
        raise BackupError(f"恢复后行数与清单不符：{differences}")
    if state["events_sha256"] != manifest["events_sha256"]:
        raise BackupError("恢复后办理记录校验和与清单不符")
    if state["migrations"] != manifest["migrations"]:
        raise BackupError("恢复后数据库迁移状态与清单不符")
    return {"tables": len(state["counts"]), "rows": sum(state["counts"].values()), **state}
