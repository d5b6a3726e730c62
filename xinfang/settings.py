"""Xinfang settings: one module, configured by environment variables.

With no configuration at all it runs the demo: an SQLite file under ./var/,
DEBUG on, a development secret.  Production sets DATABASE_URL (PostgreSQL),
XINFANG_SECRET_KEY and XINFANG_DATA_KEY (or their *_FILE variants).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("XINFANG_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A string from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("XINFANG_DEBUG", True)
SECRET_KEY = env_str("XINFANG_SECRET_KEY", "demo-only-insecure-secret-key-change-me-in-production")
# Key for personal data at rest (AES-GCM) and keyed lookup hashes; derived from
# SECRET_KEY when not given, which is fine for the demo only.
DATA_KEY = env_str("XINFANG_DATA_KEY", "")
ALLOWED_HOSTS = env_list("XINFANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("XINFANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "xinfang.units",
    "xinfang.accounts",
    "xinfang.calendars",
    "xinfang.audit",
    "xinfang.petitions",
    "xinfang.alerts",
    "xinfang.notifications",
    "xinfang.documents",
    "xinfang.triage",
    "xinfang.portal",
    "xinfang.reception",
    "xinfang.ownership",
    "xinfang.hearings",
    "xinfang.commitments",
    "xinfang.supervision",
    "xinfang.stats",
    "xinfang.demo",
    "xinfang.inbox",
    "xinfang.web",
    "xinfang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.web.context.site",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the demo server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("XINFANG_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("XINFANG_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LOGIN_ATTEMPTS_PER_15_MIN = env_int("XINFANG_LOGIN_ATTEMPTS", 10)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["XINFANG_REDIS_URL"],
    }
    if os.environ.get("XINFANG_REDIS_URL")
    else {
        # The database cache is shared by every process of one installation,
        # which rate limits need; the Redis cache is the production choice.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("XINFANG_MEDIA_ROOT", str(VAR_DIR / "media")))
ATTACHMENT_MAX_BYTES = env_int("XINFANG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_TYPES = env_list(
    "XINFANG_ATTACHMENT_TYPES",
    [
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Case numbers such as 海信〔2026〕00123号: {prefix} is the bureau's short code.
CASE_NUMBER_FORMAT = env_str("XINFANG_CASE_NUMBER_FORMAT", "{prefix}信〔{year}〕{seq:05d}号")
CASE_NUMBER_PREFIX = env_str("XINFANG_CASE_NUMBER_PREFIX", "海")
# Deadline rules counted in working days instead of calendar days (some provinces
# count working days throughout); see xinfang/calendars/rules.py for the names.
DEADLINE_WORKING_DAY_RULES = env_list("XINFANG_WORKING_DAY_RULES", [])
DUE_SOON_DAYS = env_int("XINFANG_DUE_SOON_DAYS", 3)
# A document for the petitioner with no recorded delivery (送达) after this many days is
# an early warning; periods the regulation sets none for, chosen by the bureau.
DELIVERY_WARNING_DAYS = env_int("XINFANG_DELIVERY_WARNING_DAYS", 5)
JURISDICTION_DECISION_DAYS = env_int("XINFANG_JURISDICTION_DECISION_DAYS", 15)  # Art. 24
IMPLEMENTATION_DAYS = env_int("XINFANG_IMPLEMENTATION_DAYS", 30)  # Art. 32, last paragraph

PORTAL_BASE_URL = env_str("XINFANG_PORTAL_BASE_URL", "http://127.0.0.1:8000")
NOTIFICATION_BACKEND = env_str("XINFANG_NOTIFICATION_BACKEND", "xinfang.notifications.backends.FileBackend")
NOTIFICATION_OUTBOX = VAR_DIR / "outbox"
SMS_GATEWAY_URL = env_str("XINFANG_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("XINFANG_SMS_GATEWAY_TOKEN", "")
EMAIL_BACKEND = env_str("XINFANG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("XINFANG_FROM_EMAIL", "xinfang@localhost")

TRIAGE_MODEL_DIR = Path(env_str("XINFANG_TRIAGE_MODEL_DIR", str(VAR_DIR / "triage")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("XINFANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
