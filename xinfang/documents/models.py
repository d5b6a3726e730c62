"""Document templates, 文号 sequences and the register of issued documents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import DocumentKind
from .markup import TemplateBodyError, check_body


class DocumentTemplate(models.Model):
    """The administrator-editable text of one kind of document (see markup.py for the syntax).

    One row per kind is the installation's default (no bureau); a bureau may have
    its own row per kind, used for the documents issued by the units of its area
    (actions.template_for), the default otherwise."""

    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    bureau = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所属信访部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_templates",
        limit_choices_to={"kind": "bureau"},
        help_text=_("留空为全系统默认模板；选择信访部门则仅用于该部门辖区内单位出具的文书"),
    )
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(
        _("正文模板"),
        help_text=_(
            "每行一段；“# ”开头为一级标题，“@ ”开头为顶格的称谓行。"
            "变量写作 {{ petitioner_name }}；可用 {% if 变量 %}…{% endif %} 和 {% for x in 列表 %}…{% endfor %}。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用时使用系统默认文本"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(bureau__isnull=True), name="documents_template_default"
            ),
            models.UniqueConstraint(
                fields=["kind", "bureau"],
                condition=models.Q(bureau__isnull=False),
                name="documents_template_per_bureau",
                violation_error_message=_("该信访部门已有这一种类的文书模板"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.bureau.name}）" if self.bureau_id else self.title

    def clean(self) -> None:
        """Reject bodies that break the markup or print unknown variables (tried on a sample)."""
        from .render import MissingContextError, render_document
        from .samples import sample_context

        if self.bureau_id and self.bureau.kind != "bureau":
            raise ValidationError({"bureau": _("请选择信访部门")})
        errors = check_body(self.body)
        if not errors:
            try:
                render_document(self.kind, sample_context(self.kind), template_body=self.body)
            except (TemplateBodyError, MissingContextError) as exc:
                errors.append(str(exc))
        if errors:
            raise ValidationError({"body": errors})


class DocumentSequence(models.Model):
    """The last 文号 sequence number per kind, issuing unit and year."""

    kind = models.CharField(max_length=32, choices=DocumentKind.choices, verbose_name=_("文书种类"))
    unit_code = models.CharField(max_length=20, verbose_name=_("单位代码"))
    year = models.PositiveIntegerField(verbose_name=_("年度"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("最后序号"))

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [
            models.UniqueConstraint(fields=["kind", "unit_code", "year"], name="documents_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.get_kind_display()} {self.year}: {self.last}"


class IssuedDocumentQuerySet(models.QuerySet):
    def public(self) -> IssuedDocumentQuerySet:
        """What the petitioner sees on the portal."""
        return self.filter(is_public=True)


class IssuedDocument(models.Model):
    """One issued document.  The text is frozen at issue; PDF and DOCX are rendered from
    it on demand, and rendering is deterministic, so `pdf_sha256` verifies a re-render."""

    petition = models.ForeignKey(
        "petitions.Petition", verbose_name=_("信访事项"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=60)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="issued_documents"
    )
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    context = models.JSONField(_("文书数据"), default=dict, help_text=_("出具时使用的全部变量值"))
    body_text = models.TextField(_("正文"))
    is_public = models.BooleanField(_("在网上信访平台公开"), default=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("PDF摘要"))
    # 送达: when the petitioner received it (copied from the first completed Delivery);
    # the warning column is claimed once by the worker with a compare-and-set.
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery_warned_at = models.DateTimeField(_("送达提醒时间"), null=True, blank=True)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        ordering = ["issued_at"]
        indexes = [
            models.Index(fields=["petition", "issued_at"]),
            # The worker's scan for undelivered documents stays on the few undelivered rows.
            models.Index(
                fields=["issued_at"], condition=models.Q(delivered_at__isnull=True), name="doc_undelivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def needs_delivery(self) -> bool:
        from .kinds import spec_for

        return spec_for(self.kind).needs_delivery

    def rendered(self):
        from .render import rendered_from_text

        return rendered_from_text(
            kind=self.kind,
            title=self.title,
            number=self.number,
            body_text=self.body_text,
            issuing_unit=str(self.context.get("issuing_unit", "")),
            issued_date=str(self.context.get("issued_date", "")),
            case_number=str(self.context.get("case_number", "")),
        )

    def pdf(self) -> bytes:
        """The PDF; the first rendering stores its hash, later ones must match it."""
        import hashlib

        from .render import to_pdf

        data = to_pdf(self.rendered())
        if not self.pdf_sha256:
            self.pdf_sha256 = hashlib.sha256(data).hexdigest()
            type(self).objects.filter(pk=self.pk, pdf_sha256="").update(pdf_sha256=self.pdf_sha256)
        return data

    def docx(self) -> bytes:
        from .render import to_docx

        return to_docx(self.rendered())


class DeliveryMethod(models.TextChoices):
    DIRECT = "direct", _("直接送达（签收）")
    POST = "post", _("邮寄送达")
    PORTAL = "portal", _("网上信访平台送达")
    SMS = "sms", _("短信链接送达")


ELECTRONIC_METHODS = {DeliveryMethod.PORTAL, DeliveryMethod.SMS}


class Delivery(models.Model):
    """One attempt to serve an issued document on the petitioner (送达).

    Direct delivery is complete when recorded (with who signed); post when the
    signed receipt comes back; portal and SMS when the petitioner opens it.
    Until `delivered_at` is set the periods counted from receipt do not run.
    """

    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("文书"), on_delete=models.PROTECT, related_name="deliveries"
    )
    petition = models.ForeignKey(
        "petitions.Petition", verbose_name=_("信访事项"), on_delete=models.CASCADE, related_name="deliveries"
    )
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    sent_at = models.DateTimeField(_("交付（寄出、发送）时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("送达（签收、打开）时间"), null=True, blank=True)
    signed_by = models.CharField(_("签收人"), max_length=60, blank=True)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SMS link: only the keyed hash of the token is kept.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document.number} {self.get_method_display()}"
