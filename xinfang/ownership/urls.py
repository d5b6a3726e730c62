from django.urls import path

from . import views

app_name = "ownership"
urlpatterns = [
    path("", views.ownership_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("leader/<int:user_id>/", views.leader_cases, name="leader"),
    path("new/", views.ownership_new, name="new"),
    path("backlog/", views.backlog_list, name="backlog"),
    path("backlog/new/", views.backlog_new, name="backlog_new"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/read/", views.reminders_read, name="reminders_read"),
    *views.OWNERSHIP_STEPS.urls(),
    *views.BACKLOG_STEPS.urls("backlog/", "backlog_"),
]
