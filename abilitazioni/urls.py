from django.urls import path

from abilitazioni import views

urlpatterns = [
    path("enti/abilitazioni/", views.richieste, name="abilitazioni_richieste"),
    path("enti/abilitazioni/<int:pk>/ritira/", views.ritira, name="abilitazioni_ritira"),
]
