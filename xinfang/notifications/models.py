"""Messages to petitioners (SMS, e-mail) and their delivery state.

The recipient and the full text are stored encrypted: the text of the first
message carries the query code, which opens the case on the portal.  The masked
forms are what staff and logs see.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.lib import crypto


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NotificationQuerySet(models.QuerySet):
    def due(self, now=None) -> NotificationQuerySet:
        """Pending messages whose next attempt time has come."""
        return self.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class Notification(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("信访事项"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The state change this message tells of (None for the document links of documents/delivery.py,
    # queued inside their action's transaction, and for messages queued before the link existed).
    event = models.ForeignKey(
        "petitions.PetitionEvent",
        verbose_name=_("办理记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("方式"), max_length=8, choices=NotificationChannel.choices)
    recipient_enc = models.TextField(verbose_name=_("接收人（加密）"))
    recipient_masked = models.CharField(_("接收人"), max_length=80)
    template = models.CharField(_("模板"), max_length=32)
    body_enc = models.TextField(verbose_name=_("内容（加密）"))
    body_masked = models.TextField(_("内容（已脱敏）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("领取时间"))
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("信访人通知")
        verbose_name_plural = _("信访人通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.recipient_masked} {self.template}"

    @property
    def recipient(self) -> str:
        return crypto.decrypt(self.recipient_enc)

    @property
    def body(self) -> str:
        return crypto.decrypt(self.body_enc)
