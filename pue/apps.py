from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PueConfig(AppConfig):
    name = "pue"
    verbose_name = "Punto Utente Evoluto"

    def ready(self) -> None:
        from convenzioni.segnali import convenzione_chiusa

        convenzione_chiusa.connect(_operatori_cessano, dispatch_uid="pue-operatori-cessano-con-la-convenzione")


def _operatori_cessano(sender: Any, convenzione_id: int, **kwargs: Any) -> None:
    """The end of a convention ends its operators' enablements and cancels its future bookings, with notices."""
    from pue.prenotazioni import prenotazioni_annulla_con_convenzione
    from pue.services import designazioni_chiudi_con_convenzione

    designazioni_chiudi_con_convenzione(convenzione_id)
    prenotazioni_annulla_con_convenzione(convenzione_id)
