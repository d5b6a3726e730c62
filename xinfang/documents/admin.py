from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.admin_scope import AreaScopedAdmin, PetitionScopedAdmin

from .kinds import SPECS, VARIABLES
from .models import DocumentSequence, DocumentTemplate, IssuedDocument


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(AreaScopedAdmin):
    """The installation's defaults (one per kind, created by ensure_default_templates)
    and the bureaus' own templates.  A bureau's administrator sees and adds only the
    templates of the bureaus of their area; the defaults are the top bureau's."""

    list_display = ["title", "kind", "bureau", "is_active", "updated_at", "updated_by"]
    list_filter = ["is_active", "kind"]
    readonly_fields = ["updated_at", "updated_by", "legal_basis", "variables"]
    fields = [
        "kind",
        "bureau",
        "title",
        "body",
        "is_active",
        "legal_basis",
        "variables",
        "updated_at",
        "updated_by",
    ]
    unit_path = "bureau"
    area_unit_fields = ("bureau",)
    area_required_fields = ("bureau",)

    def get_readonly_fields(self, request, obj=None):
        # A row's kind and owner are fixed once it exists.
        fixed = ["kind", "bureau"] if obj is not None else []
        return [*fixed, *super().get_readonly_fields(request, obj)]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("依据"))
    def legal_basis(self, obj) -> str:
        return SPECS[obj.kind].basis if obj and obj.kind in SPECS else ""

    @admin.display(description=_("可用变量"))
    def variables(self, obj) -> str:
        required = set(SPECS[obj.kind].required) if obj and obj.kind in SPECS else set()
        return "；".join(f"{k}：{v}{_('（必填）') if k in required else ''}" for k, v in VARIABLES.items())

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(PetitionScopedAdmin):
    """Read-only: issued documents are a register, corrected by issuing a new one."""

    list_display = ["number", "title", "petition", "issuing_unit", "issued_at", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["number", "petition__case_number"]
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(admin.ModelAdmin):
    list_display = ["unit_code", "kind", "year", "last"]
    list_filter = ["kind", "year"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
