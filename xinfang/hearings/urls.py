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
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("<int:pk>/seats/<int:seat_pk>/recuse/", views.recuse, name="recuse"),
    path("<int:pk>/notify/", views.notify, name="notify"),
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/opinion/", views.opinion, name="opinion"),
    path("<int:pk>/conclude/", views.conclude, name="conclude"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
