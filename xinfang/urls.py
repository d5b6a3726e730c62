from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("xinfang.api.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("", include("xinfang.web.urls")),
]
