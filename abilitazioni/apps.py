from django.apps import AppConfig


class AbilitazioniConfig(AppConfig):
    name = "abilitazioni"
    verbose_name = "Abilitazioni (Circolare 71/2016)"
