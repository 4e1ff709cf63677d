from django.urls import path

from pue import views

urlpatterns = [
    path("pue/", views.home, name="pue_home"),
    path("pue/gestione-sportelli/", views.gestione_sportelli, name="pue_gestione_sportelli"),
    path("pue/comune/<str:istat>/operatori/", views.operatori, name="pue_operatori"),
    path("pue/comune/<str:istat>/attivita/", views.attivita, name="pue_attivita"),
    path("pue/operatori/<int:pk>/revoca/", views.revoca, name="pue_revoca"),
    path("pue/designazioni/", views.designazioni, name="pue_designazioni"),
    path("pue/designazioni/<int:pk>/", views.designazione, name="pue_designazione"),
    path("pue/designazioni/<int:pk>/<str:esito>/", views.decidi, name="pue_decidi"),
]
