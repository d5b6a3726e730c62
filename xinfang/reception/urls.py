from django.urls import path

from . import public, views

app_name = "reception"
urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("joint/", views.joint_list, name="joint_list"),
    path("joint/new/", views.joint_new, name="joint_new"),
    path("leader/", views.slots, name="slots"),
    path("booking/", public.booking, name="booking"),
    *views.SESSION_STEPS.urls("sessions/", "session_"),
    *views.JOINT_STEPS.urls("joint/", "joint_"),
    *views.SLOT_STEPS.urls("leader/", "slot_"),
]
