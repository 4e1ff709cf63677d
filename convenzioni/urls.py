from django.urls import path

from convenzioni import views

urlpatterns = [
    path("convenzioni/", views.registro, name="convenzioni_registro"),
    path("convenzioni/il-mio-comune/", views.del_mio_comune, name="convenzioni_del_mio_comune"),
    path("convenzioni/nuova/", views.nuova, name="convenzione_nuova"),
    path("convenzioni/<int:pk>/", views.dettaglio, name="convenzione"),
    path("convenzioni/<int:pk>/modifica/", views.modifica, name="convenzione_modifica"),
    path("convenzioni/<int:pk>/referenti/", views.figure, name="convenzione_figure"),
    path("convenzioni/<int:pk>/annulla/", views.annulla, name="convenzione_annulla"),
    path("convenzioni/<int:pk>/cessa/", views.cessa, name="convenzione_cessa"),
    path("convenzioni/<int:pk>/revoca/", views.revoca, name="convenzione_revoca"),
    path("convenzioni/<int:pk>/convenzione.pdf", views.documento, name="convenzione_documento"),
    path(
        "convenzioni/<int:pk>/documenti/<int:documento_id>.pdf",
        views.documento_archiviato,
        name="convenzione_documento_archiviato",
    ),
    path("convenzioni/<int:pk>/firma-comune/", views.firma_comune, name="convenzione_firma_comune"),
    path("convenzioni/<int:pk>/firma-inps/", views.firma_inps, name="convenzione_firma_inps"),
    path("convenzioni/<int:pk>/criticita/", views.criticita_segnala, name="convenzione_criticita_segnala"),
    path("convenzioni/criticita/<int:pk>/", views.criticita_gestisci, name="convenzione_criticita_gestisci"),
]
