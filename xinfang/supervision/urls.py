from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.issue, name="issue"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    *views.NOTICE_STEPS.urls(),
    *views.PROPOSAL_STEPS.urls("proposals/", "proposal_"),
]
