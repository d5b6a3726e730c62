from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("xinfang.api.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("inbox/", include("xinfang.inbox.urls")),
    path("reception/", include("xinfang.reception.urls")),
    path("ownership/", include("xinfang.ownership.urls")),
    path("hearings/", include("xinfang.hearings.urls")),
    path("commitments/", include("xinfang.commitments.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("stats/", include("xinfang.stats.urls")),
    path("alerts/", include("xinfang.alerts.urls")),
    path("triage/", include("xinfang.triage.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("notifications/", include("xinfang.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("xinfang.web.urls")),
]

# Errors outside a view's own handling: JSON under /api/v1/, Django's pages elsewhere.
handler400 = "xinfang.api.urls.bad_request"
handler403 = "xinfang.api.urls.permission_denied"
handler404 = "xinfang.api.urls.page_not_found"
handler500 = "xinfang.api.urls.server_error"
