"""The Django admin reads petitions through the same access rules as every page (issue 13 §9).

Every ModelAdmin of a model linked to a petition derives from ``PetitionScopedAdmin``: its list,
change page, search and actions see only the rows whose petition the admin user may open
(``access.visible_petitions``: recusal, the accused unit and person, scope).  Rows linked to no
petition (a nullable link left empty) stay visible.  A test walks ``admin.site`` and fails when a
petition-linked model is registered without it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

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
