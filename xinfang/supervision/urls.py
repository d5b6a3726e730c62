from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.issue, name="issue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    *views.NOTICE_STEPS.urls(),
    *views.PROPOSAL_STEPS.urls("proposals/", "proposal_"),
]
