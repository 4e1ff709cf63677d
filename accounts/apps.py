from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_groups(sender: AppConfig, **kwargs: Any) -> None:
    from accounts.services import gruppi_sincronizza

    gruppi_sincronizza()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Persone, organizzazioni e territorio"

    def ready(self) -> None:
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="accounts-sync-groups")
        from accounts import signals  # noqa: F401 - registers the receivers
