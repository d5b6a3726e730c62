"""Production defaults (issue 13, finding 17): DEBUG off, own keys required,
Django's deploy check clean.  Each case imports the settings in a fresh
process, since they are read once, at start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinfang.lib import crypto

ROOT = Path(__file__).resolve().parents[3]
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.PRODUCTION, settings.SESSION_COOKIE_SECURE)"
)
POSTGRES = "postgres://postgres@127.0.0.1:5432/xinfang_not_opened"


def run(tmp_path, code: list[str], **env) -> subprocess.CompletedProcess:
    # A fresh process as a production install starts it: none of our settings, and not the
    # DJANGO_ALLOW_ASYNC_UNSAFE that the browser tests set in this process (the deploy check
    # refuses it, rightly).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XINFANG_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    clean.update(
        PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="xinfang.settings", XINFANG_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def keys() -> dict[str, str]:
    return {"XINFANG_SECRET_KEY": secrets.token_urlsafe(64), "XINFANG_DATA_KEY": secrets.token_urlsafe(48)}


def test_the_demo_runs_with_debug_off_by_default(tmp_path):
    result = run(tmp_path, ["-c", PRINT_SETTINGS])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False"]


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": POSTGRES},
        {"XINFANG_DEBUG": "0"},
        {
            "DATABASE_URL": POSTGRES,
            "XINFANG_SECRET_KEY": "demo-only-insecure-secret-key-change-me-in-production",
        },
        {"DATABASE_URL": POSTGRES, "XINFANG_SECRET_KEY": secrets.token_urlsafe(64)},  # no data key
    ],
    ids=["postgres", "debug-0", "demo-secret", "no-data-key"],
)
def test_production_refuses_to_start_without_its_own_keys(tmp_path, env):
    result = run(tmp_path, ["-c", PRINT_SETTINGS], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "XINFANG_" in result.stderr


def test_production_with_keys_has_debug_off_and_secure_cookies(tmp_path):
    result = run(tmp_path, ["-c", PRINT_SETTINGS], DATABASE_URL=POSTGRES, XINFANG_DEBUG="1", **keys())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {"DATABASE_URL": POSTGRES, "XINFANG_ALLOWED_HOSTS": "xinfang.example.gov.cn", **keys()}
    result = run(tmp_path, ["-m", "xinfang.cli", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_data_key_never_falls_back_to_the_secret_key(settings):
    settings.DATA_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("13812345678")
