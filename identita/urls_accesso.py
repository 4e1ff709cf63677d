from django.urls import include, path

from identita import views

urlpatterns = [
    path("account/conferma-identita/", views.conferma, name="identita_conferma"),
    path("", include("identita.urls_cns")),
]
