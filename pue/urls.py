from django.urls import path

from pue.views import comune

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
    # --- The web meeting and its calendar file (pue/views/incontri.py) ---
    # --- The INPS operator's day (pue/views/sportello.py) ---
    # --- Monitoring for the Referenti (pue/views/monitoraggio.py) ---
]
