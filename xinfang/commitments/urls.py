from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("new/", views.commitment_new, name="new"),
    path("accountability/", views.accountability, name="accountability"),
    path("followups/", views.followup_list, name="followups"),
    path("followup/<str:token>/", views.questionnaire, name="questionnaire"),
    *views.COMMITMENT_STEPS.urls(),
    *views.FOLLOWUP_STEPS.urls("followups/", "followup_"),
]
