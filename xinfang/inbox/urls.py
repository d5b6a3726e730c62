from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("route/", views.bulk_route, name="route"),
    path("export.xlsx", views.export, name="export"),
    path("exports/", views.export_jobs, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("saved/", views.saved_view_create, name="saved_create"),
    path("saved/<int:pk>/delete/", views.saved_view_delete, name="saved_delete"),
]
