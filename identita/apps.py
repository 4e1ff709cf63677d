from django.apps import AppConfig


class IdentitaConfig(AppConfig):
    name = "identita"
    verbose_name = "Identità digitale (SPID, CIE, CNS)"
