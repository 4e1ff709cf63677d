"""The Referenti and the Amministratore utenze (Messaggio 4461/2023): a change of name or contacts is made by the
party the figure belongs to, sent by PEC to the other party in the same transaction, and kept as a new dated row of
the history (the previous one is closed, never overwritten), which keeps the PEC and so its receipts."""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.models import User
from convenzioni.dati import DatiFigura
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato
from convenzioni.models import Convenzione, FiguraConvenzione, Parte
from convenzioni.selectors import figure_attuali, parti_di
from convenzioni.services._comune import bloccata, chiudi_figura, evento, figura_uguale, genera, nuova_figura
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)
Stato = Convenzione.Stato
Ruolo = FiguraConvenzione.Ruolo


def parte_della_figura(ruolo: str) -> Parte:
    return Parte.INPS if ruolo == Ruolo.REFERENTE_INPS else Parte.COMUNE


@transaction.atomic
def figura_cambia(
    *, chi: User, convenzione_id: int, ruolo: str, dati: DatiFigura, motivo: str = ""
) -> FiguraConvenzione:
    """A new Referente or Amministratore utenze, or new contacts of the same person. On a draft the document is
    generated again (nothing is signed yet, nothing to communicate); on a signed convention the change is
    communicated by PEC to the other party, as article 8 of the schema provides."""
    if ruolo not in Ruolo.values:
        raise ConvenzioneNonAmmessa("Il ruolo indicato non è tra quelli della convenzione.")
    convenzione = bloccata(convenzione_id)
    parte = parte_della_figura(ruolo)
    if parte not in parti_di(chi, convenzione):
        raise NonAutorizzato(f"«{Ruolo(ruolo).label}» lo indica l'altra Parte della convenzione: non può cambiarlo.")
    if convenzione.stato in Convenzione.CHIUSE:
        raise ConvenzioneNonAmmessa(
            f"La convenzione è {convenzione.get_stato_display().lower()}: i suoi nominativi non si cambiano più."
        )
    attuale = figure_attuali(convenzione).get(ruolo)
    if attuale is not None and figura_uguale(attuale, dati):
        raise ConvenzioneNonAmmessa(
            "Il nominativo e i recapiti indicati sono già quelli attuali: non c'è nulla da cambiare."
        )
    if attuale is not None:
        chiudi_figura(attuale)
    figura = nuova_figura(convenzione, ruolo, dati, chi=chi, motivo=(motivo or "").strip())
    if convenzione.stato == Stato.BOZZA:
        genera(convenzione, chi)
        evento(convenzione, Stato.BOZZA, Stato.BOZZA, chi, f"{figura.get_ruolo_display()} cambiato nella bozza")
        return figura
    destinatario = convenzione.comune_pec if parte == Parte.INPS else convenzione.pec_inps
    figura.messaggio_pec = pec_spedisci(
        modello="convenzione_figura",
        destinatari=[destinatario],
        riferimento=convenzione,
        contesto={
            "convenzione": convenzione,
            "figura": figura,
            "precedente": attuale,
            "mittente": "l'INPS" if parte == Parte.INPS else f"il Comune di {convenzione.comune.nome}",
            "motivo": figura.motivo,
        },
    )
    figura.save(update_fields=["messaggio_pec"])
    logger.info(
        "figura della convenzione cambiata",
        extra={"convenzione_id": convenzione.pk, "ruolo": ruolo, "messaggio_id": figura.messaggio_pec.pk},
    )
    return figura
