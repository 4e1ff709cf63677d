"""Reads about a person's credentials, for the staff who decide on them."""

from __future__ import annotations

from accounts.models import (
    PIN,
    CredenzialeExInpdap,
)


def situazione_credenziali(codice_fiscale: str) -> str:
    """What the Sede needs to know before deciding: whether the person already has a PIN or ex-Inpdap credentials."""
    pin = PIN.objects.filter(user__codice_fiscale=codice_fiscale, status=PIN.Status.ATTIVO).first()
    ex_inpdap = CredenzialeExInpdap.objects.filter(codice_fiscale=codice_fiscale).first()
    parti = [f"{pin.get_tipo_display()} attivo (sarà sostituito al ritiro)" if pin else "nessun PIN attivo"]
    if ex_inpdap is not None:
        parti.append(
            "credenziali ex Inpdap già unificate" if ex_inpdap.unificata_il else "credenziali ex Inpdap da unificare"
        )
    return "; ".join(parti)
