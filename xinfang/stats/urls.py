from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:unit_id>/", views.unit_dashboard, name="unit"),
    path("export/<slug:chart>.<slug:fmt>", views.export, name="export"),
    path("hotspots/", views.hot_spots, name="hotspots"),
    path("monthly-pick/", views.monthly_pick, name="monthly_pick"),
    path("monthly-pick/choose/", views.monthly_pick_choose, name="monthly_pick_choose"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<slug:kind>.<slug:fmt>", views.report, name="report"),
]
