from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("analyse", views.analyse, name="analyse"),
    path("petitions/<int:pk>/", views.petition_triage, name="petition"),
    path("petitions/<int:pk>/apply", views.apply, name="apply"),
]
