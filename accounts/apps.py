from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_groups(sender: AppConfig, **kwargs: Any) -> None:
    # Groups take permissions of several apps: wait for the last app that gets the signal (those with models),
    # when every permission exists.
    if sender is not [c for c in apps.get_app_configs() if c.models_module is not None][-1]:
        return
    from accounts.services.ruoli import gruppi_sincronizza

    gruppi_sincronizza()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Persone, organizzazioni e territorio"

    @property
    def permessi_dei_ruoli(self) -> dict[str, tuple[str, ...]]:
        from accounts.roles import PERMESSI_DEI_RUOLI

        return PERMESSI_DEI_RUOLI

    def ready(self) -> None:
        post_migrate.connect(_sync_groups, dispatch_uid="accounts-sync-groups")
        from accounts import signals  # noqa: F401 - registers the receivers
