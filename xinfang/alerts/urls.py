from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("notices/", views.notices, name="notices"),
    path("overdue/", views.overdue, name="overdue"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/<slug:name>/", views.alert_action, name="action"),
]
