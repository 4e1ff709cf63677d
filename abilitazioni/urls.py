from django.urls import path

from abilitazioni import views

urlpatterns = [
    path("enti/", views.area_enti, name="area_enti"),
    path("enti/abilitazioni/", views.richieste, name="abilitazioni_richieste"),
    path("enti/abilitazioni/<int:pk>/ritira/", views.ritira, name="abilitazioni_ritira"),
    path("enti/abilitazioni/<int:pk>/modulo.pdf", views.modulo_compilato, name="abilitazioni_modulo"),
    path("enti/abilitazioni/<int:pk>/modulo-firmato/", views.modulo_firmato, name="abilitazioni_modulo_firmato"),
    path("modulistica/", views.modulistica, name="modulistica"),
    path("modulistica/allegato-<int:allegato>.pdf", views.modulo_vuoto, name="modulistica_allegato"),
]
