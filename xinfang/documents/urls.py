from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>.pdf", views.document_pdf, name="pdf"),
    path("<int:pk>.docx", views.document_docx, name="docx"),
    path("rights-card/<int:pk>.pdf", views.rights_card, name="rights_card"),
]
