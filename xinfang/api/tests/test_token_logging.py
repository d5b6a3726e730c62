"""API tokens never reach the log (issue 13, finding 11)."""

import logging

import pytest
from django.conf import settings as django_settings
from django.test import Client

from xinfang.accounts.models import ApiToken
from xinfang.lib.logredact import RedactSecrets, redact

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(monkeypatch):
    """Every log message as first written, before any handler's filter sees it."""
    messages: list[str] = []
    factory = logging.getLogRecordFactory()

    def recording(*args, **kwargs):
        record = factory(*args, **kwargs)
        messages.append(record.getMessage())
        return record

    monkeypatch.setattr(logging, "_logRecordFactory", recording)
    return messages


@pytest.mark.parametrize("scheme", ["Token", "bearer", "Basic", "xf"])
def test_a_token_sent_with_any_scheme_is_not_logged(world, settings, logged, scheme):
    settings.DEBUG = True  # ninja logged the header in full only with DEBUG on
    _, raw = ApiToken.issue(world.registrar, "测试")
    response = Client().get("/api/v1/petitions", headers={"Authorization": f"{scheme} {raw}"})
    assert response.status_code in {200, 401}
    assert not [m for m in logged if raw[3:] in m]


def test_django_and_root_loggers_write_only_through_the_redacting_handler():
    config = django_settings.LOGGING
    assert config["loggers"]["django"]["handlers"] == ["console"]
    assert config["loggers"]["django"]["propagate"] is False
    assert config["root"]["handlers"] == ["console"]
    ours = [h for h in logging.getLogger("django").handlers if not type(h).__module__.startswith("_pytest")]
    assert ours
    for handler in ours:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


def test_the_console_handler_redacts_bearer_values_and_tokens():
    handler = django_settings.LOGGING["handlers"]["console"]
    assert "redact" in handler["filters"]
    record = logging.LogRecord(
        "django", logging.ERROR, __file__, 1, "Unexpected auth - '%s' from %s", ("Bearer abc.def", "x"), None
    )
    RedactSecrets().filter(record)
    assert "abc.def" not in record.getMessage()
    assert "[已隐去]" in record.getMessage()


@pytest.mark.parametrize(
    "text,secret",
    [
        ("Authorization: Bearer eyJhbGciOi.x.y", "eyJhbGciOi"),
        ("GET /api/v1/petitions?token=s3cr3t-value&page=2", "s3cr3t-value"),
        ("token xf_Qw3rTy1234567890abcdefghijklmnop", "Qw3rTy1234567890"),
        ("{'HTTP_AUTHORIZATION': 'Token 0123456789abcdef'}", "0123456789abcdef"),
    ],
)
def test_redact_blanks_token_like_values(text, secret):
    assert secret not in redact(text)


def test_redact_keeps_ordinary_messages():
    assert redact("token expired for user 3") == "token expired for user 3"
