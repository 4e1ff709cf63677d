from django.apps import AppConfig


class PueConfig(AppConfig):
    name = "pue"
    verbose_name = "Punto Utente Evoluto"
