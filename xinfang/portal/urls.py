from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("lookup/", views.lookup, name="lookup"),
    path("case/", views.case, name="case"),
    path("case/evaluate/", views.evaluate, name="evaluate"),
    path("case/review/", views.review, name="review"),
    path("case/documents/<int:pk>/", views.document, name="document"),
    path("case/leave/", views.leave, name="leave"),
    path("d/<str:token>/", views.delivery_link, name="delivery"),
]
