from django.contrib.auth import views as auth_views
from django.urls import path

from xinfang.accounts.views import LoginView

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
