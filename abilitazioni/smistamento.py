"""The Ente's PEC with the signed modulo (allegati 4 and 5), filed to its request as it arrives.

The request's number is in the subject the portal tells the Ente to use ("Richiesta abilitazioni n. 123/4 - ...").
A PEC is filed automatically only when everything matches (certified, from the Ente's registered address, to the
request's mailbox, with an attachment, for a request waiting for its modulo); otherwise it waits to be sorted, with
the reason, and the central office decides.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from abilitazioni.services import NUMERO_NELL_OGGETTO, RichiestaNonAmmessa, instradata_dal_numero, modulo_da_pec
from inps_portal.pec.arrivo import pec_arrivata, pec_in_arrivo_da_smistare
from inps_portal.pec.models import PECInArrivo


@receiver(pec_arrivata, dispatch_uid="abilitazioni-modulo-dalla-pec")
def smista_modulo(sender: Any, pec: PECInArrivo, **kwargs: Any) -> None:
    instradata = instradata_dal_numero(pec.oggetto)
    if instradata is None:
        if NUMERO_NELL_OGGETTO.search(pec.oggetto):
            pec_in_arrivo_da_smistare(
                pec_id=pec.pk, motivo="Il numero indicato nell'oggetto non corrisponde a nessuna richiesta."
            )
        return
    try:
        modulo_da_pec(pec_id=pec.pk, instradata_id=instradata.pk)
    except RichiestaNonAmmessa as exc:
        pec_in_arrivo_da_smistare(pec_id=pec.pk, motivo=f"Richiesta n. {instradata.numero}: {exc}")
