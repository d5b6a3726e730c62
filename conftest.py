"""Project-wide pytest fixtures.  Personas: xinfang/testing.py."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("XINFANG_VAR_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file (one per xdist worker), not Django's default shared
    in-memory database.

    The live server of the browser tests answers each request in a thread of its own.  With the
    database in memory, pytest-django gives those threads the test thread's connection whenever the
    database exists before the live server starts (in every `make test` worker, once a database
    test has run): requests running at the same time (the triage panel's while the desk form is
    posted) then shared one transaction, and one's savepoint rollback could undo the other's rows
    (test_city_flow: "FOREIGN KEY constraint failed" at commit).  With a file every thread has its
    own connection and transaction, and SQLite's locks (WAL, BEGIN IMMEDIATE and the busy timeout of
    settings.py) order the writers, as on a server.

    The file is in shared memory where the machine has it: one walk test took 35 s there, 39 s with
    the file on disk (29 s with the database in memory)."""
    from django.conf import settings

    shm = Path("/dev/shm")
    in_memory = shm.is_dir() and os.access(shm, os.W_OK)
    folder = (
        Path(tempfile.mkdtemp(prefix="xinfang-test-", dir=shm))
        if in_memory
        else tmp_path_factory.getbasetemp()
    )
    for alias, db in settings.DATABASES.items():
        if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
            db.setdefault("TEST", {})["NAME"] = str(folder / f"test-{alias}.sqlite3")
        elif db["ENGINE"] == "django.db.backends.postgresql":
            # A test database needs no durability: its commits do not wait for the WAL flush.
            options = db.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    yield
    if in_memory:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def world(db):
    from xinfang.testing import make_world

    return make_world()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFICATION_OUTBOX = tmp_path / "outbox"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.TRIAGE_MODEL_DIR = tmp_path / "triage"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Rolled-back test transactions send no signals: forget cached schedules."""
    from xinfang.calendars.service import invalidate_calendar

    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (checked in accounts tests); tests that
    create dozens of accounts use a fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def freezer_at(monkeypatch):
    """Freeze django.utils.timezone.now (and so localdate) at a given aware datetime."""
    from django.utils import timezone

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture(autouse=True)
def _language_of_the_installation():
    """Each test starts and ends in the installation's language.  A request in English (an
    Accept-Language header, the English session of test_english) leaves its thread's language
    active, since LocaleMiddleware activates and nothing deactivates it; the next test of the same
    worker then ran in English (the demo's printed accounts, role labels with spaces in them)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
