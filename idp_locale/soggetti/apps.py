from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class SoggettiConfig(AppConfig):
    name = "idp_locale.soggetti"
    label = "idp_locale_soggetti"
    verbose_name = "Identità demo"

    def ready(self) -> None:
        from idp_locale.soggetti.signals import auth_time_registra

        user_logged_in.connect(auth_time_registra, dispatch_uid="idp_locale_auth_time")
