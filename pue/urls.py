from django.urls import path

from pue.views import comune, orari, prenotazioni
from pue.views import incontri as viste_incontri
from pue.views import monitoraggio as viste_monitoraggio
from pue.views import sportello as viste_sportello

urlpatterns = [
    path("pue/", comune.home, name="pue_home"),
    path("pue/comune/<str:istat>/operatori/", comune.operatori, name="pue_operatori"),
    path("pue/comune/<str:istat>/attivita/", comune.attivita, name="pue_attivita"),
    path("pue/operatori/<int:pk>/revoca/", comune.revoca, name="pue_revoca"),
    path("pue/designazioni/", comune.designazioni, name="pue_designazioni"),
    path("pue/designazioni/<int:pk>/", comune.designazione, name="pue_designazione"),
    path("pue/designazioni/<int:pk>/<str:esito>/", comune.decidi, name="pue_decidi"),
    path("pue/gestione-sportelli/", comune.gestione_sportelli, name="pue_gestione_sportelli"),
    # --- Gestione sportelli: the bookings (pue/views/prenotazioni.py) ---
    path("pue/comune/<str:istat>/prenotazioni/", prenotazioni.elenco, name="pue_prenotazioni"),
    path("pue/comune/<str:istat>/prenota/", prenotazioni.nuova, name="pue_prenota"),
    path("pue/comune/<str:istat>/prenota/<int:sportello_id>/", prenotazioni.orari, name="pue_prenota_orari"),
    path("pue/prenotazioni/<int:pk>/dettagli/", prenotazioni.dettagli, name="pue_prenota_dettagli"),
    path("pue/prenotazioni/<int:pk>/richiedente/", prenotazioni.richiedente, name="pue_prenota_richiedente"),
    path("pue/prenotazioni/<int:pk>/riepilogo/", prenotazioni.riepilogo, name="pue_prenota_riepilogo"),
    path("pue/prenotazioni/<int:pk>/", prenotazioni.prenotazione, name="pue_prenotazione"),
    path("pue/prenotazioni/<int:pk>/annulla/", prenotazioni.annulla, name="pue_annulla"),
    path("pue/prenotazioni/<int:pk>/sposta/", prenotazioni.sposta, name="pue_sposta"),
    path("pue/prenotazioni/<int:pk>/richiesta.pdf", prenotazioni.richiesta, name="pue_richiesta"),
    path("pue/prenotazioni/<int:pk>/<str:documento>/carica/", prenotazioni.carica, name="pue_carica"),
    path("pue/prenotazioni/<int:pk>/<str:documento>/scarica/", prenotazioni.scarica, name="pue_scarica"),
    path("pue/prenotazioni/<int:pk>/valutazione/", prenotazioni.valutazione, name="pue_valutazione"),
    # --- The web meeting and its calendar file (pue/views/incontri.py) ---
    path("pue/incontri/<str:stanza>/", viste_incontri.incontro, name="pue_incontro"),
    path("pue/prenotazioni/<int:pk>/calendario.ics", viste_incontri.calendario, name="pue_calendario"),
    # --- The INPS operator's day (pue/views/sportello.py) ---
    path("pue/sportello/orari/", orari.orari, name="pue_orari"),
    path("pue/sportello/strutture/<int:struttura_id>/apri/", orari.apri, name="pue_sportello_apri"),
    path("pue/sportello/<int:pk>/orari/", orari.orario_aggiungi, name="pue_orario_aggiungi"),
    path("pue/sportello/<int:pk>/orari/<int:orario_id>/termina/", orari.orario_termina, name="pue_orario_termina"),
    path("pue/sportello/<int:pk>/eccezioni/", orari.eccezione_aggiungi, name="pue_eccezione_aggiungi"),
    path(
        "pue/sportello/<int:pk>/eccezioni/<int:eccezione_id>/rimuovi/",
        orari.eccezione_rimuovi,
        name="pue_eccezione_rimuovi",
    ),
    path("pue/sportello/", viste_sportello.giornata, name="pue_sportello_giornata"),
    path("pue/sportello/prenotazioni/<int:pk>/", viste_sportello.prenotazione, name="pue_sportello_prenotazione"),
    path("pue/sportello/prenotazioni/<int:pk>/esito/", viste_sportello.esito, name="pue_sportello_esito"),
    path("pue/sportello/prenotazioni/<int:pk>/documenti/", viste_sportello.documento, name="pue_sportello_documento"),
    path(
        "pue/sportello/prenotazioni/<int:pk>/documenti/<int:doc>/",
        viste_sportello.documento_scarica,
        name="pue_sportello_documento_scarica",
    ),
    # --- Monitoring for the Referenti (pue/views/monitoraggio.py) ---
    path("pue/monitoraggio/", viste_monitoraggio.elenco, name="pue_monitoraggio"),
    path("pue/monitoraggio/<int:pk>/", viste_monitoraggio.convenzione, name="pue_monitoraggio_convenzione"),
]
