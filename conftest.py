"""Project-wide pytest fixtures.  Personas: xinfang/testing.py."""

import os

import pytest

os.environ.setdefault("XINFANG_VAR_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))


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
