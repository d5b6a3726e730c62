from django.urls import path

from . import views

app_name = "hearings"
urlpatterns = [
    path("", views.hearing_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("published/", views.published, name="published"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_edit, name="member_new"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("new/<int:petition_pk>/", views.schedule, name="schedule"),
    *views.STEPS.urls(),
]
