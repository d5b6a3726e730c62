"""The Django admin reads petitions through the same access rules as every page (issue 13 §9).

Every ModelAdmin of a model linked to a petition derives from ``PetitionScopedAdmin``: its list,
change page, search and actions see only the rows whose petition the admin user may open
(``access.visible_petitions``: recusal, the accused unit and person, scope).  Rows linked to no
petition (a nullable link left empty) stay visible.  A test walks ``admin.site`` and fails when a
petition-linked model is registered without it.

``AreaScopedAdmin`` does the same for the rows of the unit tree (issue 14): a bureau's
administrator works only inside their bureau's area — its staff, units, templates and
tokens; the top bureau's administrators see all.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from xinfang.units import bureaus
from xinfang.units.models import Unit

from .access import visible_petitions
from .models import Petition


class PetitionScopedAdmin(admin.ModelAdmin):
    petition_path = "petition"  # lookup from the model to its Petition
    petition_m2m: str = ""  # a many-to-many of petitions: every one must be visible

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = visible_petitions(request.user).values("pk")
        path = self.petition_path
        qs = qs.filter(Q(**{f"{path}__in": visible}) | Q(**{f"{path}__isnull": True}))
        if self.petition_m2m:
            hidden = Petition.objects.exclude(pk__in=visible).values("pk")
            qs = qs.exclude(**{f"{self.petition_m2m}__in": hidden})
        return qs


def admin_area(user) -> Unit | None:
    """The part of the unit tree a user administers in the Django admin: the area of
    their bureau (its government's subtree), or None for everything — the top
    bureau's administrators (a one-bureau installation's included) and accounts
    attached to no unit (the installation's superuser)."""
    if not getattr(user, "unit_id", None):
        return None
    bureau = bureaus.bureau_for(user.unit)
    if bureau is None or bureaus.covers_everything(bureau):
        return None
    return bureaus.area_root(bureau)


class AreaScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows belong to a unit: a bureau's administrator lists,
    opens, edits and deletes only the rows of their bureau's area, and may pick
    only units (and users) of that area in the row's unit and user fields.

    `unit_path` is the lookup from the model to its Unit ("" for Unit itself)."""

    unit_path = "unit"
    # Foreign keys to Unit / User whose choices stay inside the area.
    area_unit_fields: tuple[str, ...] = ()
    area_user_fields: tuple[str, ...] = ()
    # Of those, the ones a bureau's administrator must fill (an account with no unit
    # would see everything; a template with no bureau is the installation's).
    area_required_fields: tuple[str, ...] = ()

    def area_filter(self, root: Unit) -> Q:
        field = f"{self.unit_path}__path__startswith" if self.unit_path else "path__startswith"
        return Q(**{field: root.path})

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        root = admin_area(request.user)
        return qs if root is None else qs.filter(self.area_filter(root))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        root = admin_area(request.user)
        if root is not None and db_field.name in self.area_unit_fields:
            kwargs["queryset"] = Unit.objects.filter(path__startswith=root.path)
            if db_field.name in self.area_required_fields:
                kwargs["required"] = True
        if root is not None and db_field.name in self.area_user_fields:
            from xinfang.accounts.models import User

            kwargs["queryset"] = User.objects.filter(unit__path__startswith=root.path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
