from django.apps import AppConfig


class InpsPortalConfig(AppConfig):
    name = "inps_portal"
    verbose_name = "Infrastruttura del portale"
