from django.apps import AppConfig


class ConvenzioniConfig(AppConfig):
    name = "convenzioni"
    verbose_name = "Convenzioni con i Comuni (Messaggio 4461/2023)"
