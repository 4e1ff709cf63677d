"""The one record of every reading of personal data by INPS staff: who read what, when, from where; never the data.

Every back-office page that shows a person's credentials, documents or requests calls ``lettura_registra`` with the
object read; the line goes to the ``inps_portal.audit`` logger (JSON in production, with the request id), one shape
for all of them, so that a reader of the logs finds every access to one person's data with one query.
"""

from __future__ import annotations

import logging

from django.db.models import Model
from django.http import HttpRequest

from inps_portal.rete import indirizzo_cliente

logger = logging.getLogger("inps_portal.audit")


def lettura_registra(
    request: HttpRequest, *, cosa: str, oggetto: Model | type[Model], chiave: object = None, **dettagli: object
) -> None:
    """``cosa`` says in Italian what was read ("lettura di credenziali personali"); ``oggetto`` is the row read, or
    its model with ``chiave`` (its model and key are recorded, never its content); ``dettagli`` add keys such as which
    document of a request. A search records the model alone."""
    if chiave is None and isinstance(oggetto, Model):
        chiave = oggetto.pk
    logger.info(
        cosa,
        extra={
            "audit": True,
            "operatore_id": request.user.pk,
            "indirizzo_ip": indirizzo_cliente(request),
            "oggetto": oggetto._meta.label_lower if chiave is None else f"{oggetto._meta.label_lower}:{chiave}",
            **dettagli,
        },
    )
