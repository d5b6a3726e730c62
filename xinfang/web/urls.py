from django.contrib.auth import views as auth_views
from django.urls import path

from xinfang.accounts.views import LoginView

from . import health
from .views import actions, desk, home, petition

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("desk/", desk.desk, name="desk"),
    path("desk/lookup", desk.lookup, name="desk_lookup"),
    path("petitions/<int:pk>/", petition.petition_page, name="petition"),
    path("petitions/<int:pk>/receipt/", desk.receipt, name="petition_receipt"),
    path("petitions/<int:pk>/opinion/", actions.opinion_page, name="petition_opinion"),
    path("petitions/<int:pk>/act/<slug:name>/", actions.petition_action, name="petition_action"),
    path(
        "petitions/<int:pk>/reveal/<int:petitioner_id>/<slug:field>/", petition.reveal, name="petition_reveal"
    ),
    path(
        "petitions/<int:pk>/attachments/<int:attachment_id>/",
        petition.attachment_download,
        name="petition_attachment",
    ),
]
