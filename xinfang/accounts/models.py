"""Staff accounts, their roles (DOMAIN.md §1) and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("登记员")
    BUREAU_LEADER = "bureau_leader", _("信访局领导")
    HANDLER = "handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    SUPERVISOR = "supervisor", _("督查专员")
    HEARING_MEMBER = "hearing_member", _("听证员")
    ADMIN = "admin", _("系统管理员")


BUREAU_ROLES = {Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ADMIN}
LEADER_ROLES = {Role.BUREAU_LEADER, Role.UNIT_LEADER}


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.HANDLER)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_bureau_staff(self) -> bool:
        """Registrars, leaders, supervisors and administrators of a petition bureau."""
        from xinfang.units.models import UnitKind

        return self.role in BUREAU_ROLES and self.unit is not None and self.unit.kind == UnitKind.BUREAU

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API.  Only its hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("令牌摘要"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("最近使用时间"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("到期时间"))

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns the row and the raw token, shown once."""
        raw = "xf_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=hash_token(raw)), raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.objects.select_related("user", "user__unit").filter(token_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        if token.expires_at and token.expires_at < timezone.now():
            return None
        return token.user


class AttemptCounter(models.Model):
    """One rate-limit counter (accounts/ratelimit.py): a fixed window that
    starts at the first attempt and lasts its full length, incremented with an
    atomic UPDATE.  `key` is a hash: no username, phone or address is stored."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_start"], name="accounts_attempt_window")]
