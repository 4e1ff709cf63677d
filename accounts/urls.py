from django.urls import path

from accounts import views

urlpatterns = [
    path("profilo/", views.profilo, name="profilo"),
    path("comune/", views.area_comune, name="area_comune"),
    path("struttura/", views.area_struttura, name="area_struttura"),
    path("sedi/cerca/", views.cerca_sede, name="cerca_sede"),
    path("credenziali/unificazione/", views.unificazione, name="unificazione"),
    path("credenziali/guida/", views.guida_credenziali, name="guida_credenziali"),
    path("credenziali/pin-online/", views.pin_online, name="pin_online"),
    path("credenziali/pin-online/modulo.pdf", views.modulo_conversione, name="modulo_conversione"),
    path("credenziali/pin-dispositivo/richiesta/", views.richiesta_pin, name="richiesta_pin"),
    path("credenziali/pin-dispositivo/ritiro/", views.ritiro_pin, name="ritiro_pin"),
]
