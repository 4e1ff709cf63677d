"""The citizen's request for a PUE web meeting, and the papers signed on it.

"L'utente accede al web meeting su apposita richiesta rivolta al Comune, secondo il modello allegato alla Convenzione
quadro; è previsto anche l'accesso al web meeting per delega del diretto interessato" (Messaggio 4461/2023). The
convention's text names the model but does not give it: the portal fills a sober one from the booking, the citizen
(and the delegate, when there is one) signs it at the Comune's desk, and the operator attaches the signed copy, and
the signed delega, to the booking. Those scans carry personal data: only an enabled operator of the booking's Comune
attaches them, only while the booking keeps its personal data, and every attachment is a line of the Comune's audit.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from accounts.models import Attivita, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import attivita_registra
from inps_portal import clock
from inps_portal.pdf import render_pdf
from pue.disponibilita import ROMA
from pue.documenti import documento_controlla
from pue.errori import PrenotazioneNonAmmessa
from pue.models import Prenotazione

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato

TEMPLATE = "pue/pdf/richiesta.html"
# The bookings whose papers are printed and attached: the citizen's data are there, and the meeting is booked or done.
CON_RICHIESTA = (Stato.CONFERMATA, Stato.SVOLTA)

_Campo = Literal["richiesta_firmata", "delega_documento"]


def richiesta_nome_file(prenotazione: Prenotazione) -> str:
    return f"richiesta-pue-{prenotazione.pk}.pdf"


def richiesta_pdf(prenotazione: Prenotazione) -> bytes:
    """The request filled with the booking's data, to print and have signed. Only for a booking that has its
    citizen's data (confirmed or done, not yet purged): there is nothing to sign otherwise. Who may download it is the
    caller's selector's business."""
    if (
        prenotazione.stato not in CON_RICHIESTA
        or prenotazione.dati_rimossi_il
        or not prenotazione.cittadino_codice_fiscale
    ):
        raise PrenotazioneNonAmmessa(
            "La richiesta si stampa solo per una prenotazione confermata con i dati del cittadino."
        )
    return render_pdf(TEMPLATE, _contesto(prenotazione))


def _contesto(prenotazione: Prenotazione) -> dict[str, Any]:
    inizio, fine = prenotazione.inizio.astimezone(ROMA), prenotazione.fine.astimezone(ROMA)
    dichiarazione = prenotazione.dichiarazione_il.astimezone(ROMA) if prenotazione.dichiarazione_il else None
    delegato = bool(prenotazione.delegato_codice_fiscale)
    return {
        "prenotazione": prenotazione,
        "comune": prenotazione.comune,
        "provincia": prenotazione.comune.provincia,
        "convenzione": prenotazione.convenzione,
        "versione": prenotazione.convenzione.versione,
        "sportello": prenotazione.sportello,
        "struttura": prenotazione.sportello.struttura,
        "prestazione": prenotazione.prestazione.nome if prenotazione.prestazione else "",
        "residenza": prenotazione.titolo == Prenotazione.Titolo.RESIDENZA,
        "domicilio": prenotazione.titolo == Prenotazione.Titolo.DOMICILIO,
        # Already in Europe/Rome as strings: the document says the Italian time whatever the request's time zone.
        "oggi": f"{clock.today():%d/%m/%Y}",
        "orario": f"{inizio:%d/%m/%Y %H:%M} - {fine:%H:%M}",
        "dichiarazione_il": f"{dichiarazione:%d/%m/%Y %H:%M}" if dichiarazione else "",
        "delegato": delegato,
        "generata_il": f"{clock.now().astimezone(ROMA):%d/%m/%Y %H:%M}",
    }


def richiesta_firmata_allega(*, chi: User, prenotazione_id: int, file: UploadedFile) -> Prenotazione:
    """Attaches the request signed by the citizen (a PDF, a scan or a signed .p7m), replacing the one before."""
    return _allega(chi=chi, prenotazione_id=prenotazione_id, file=file, campo="richiesta_firmata")


def delega_allega(*, chi: User, prenotazione_id: int, file: UploadedFile) -> Prenotazione:
    """Attaches the signed delega of a booking made for a delegate, replacing the one before."""
    return _allega(chi=chi, prenotazione_id=prenotazione_id, file=file, campo="delega_documento")


_DESCRIZIONI: dict[_Campo, str] = {
    "richiesta_firmata": "richiesta firmata dal cittadino",
    "delega_documento": "delega firmata",
}
_VERBO = {False: "allegata", True: "sostituita"}


def _allega(*, chi: User, prenotazione_id: int, file: UploadedFile, campo: _Campo) -> Prenotazione:
    documento_controlla(file)  # the content, before any lock: a refused file costs the booking nothing
    nuovo = ""
    try:
        with transaction.atomic():
            prenotazione = _da_allegare(chi, prenotazione_id, campo)
            documento: FieldFile = getattr(prenotazione, campo)
            precedente, storage = documento.name or "", documento.storage
            documento.save(file.name or "documento", file, save=False)
            nuovo = documento.name or ""
            aggiornati: list[str] = [campo]
            if campo == "richiesta_firmata":
                prenotazione.richiesta_firmata_il = clock.now()
                aggiornati.append("richiesta_firmata_il")
            prenotazione.save(update_fields=aggiornati)
            attivita_registra(
                None,
                chi,
                tipo=Attivita.Tipo.PRENOTAZIONE,
                comune=prenotazione.comune,
                descrizione=f"Prenotazione {prenotazione.pk}: {_DESCRIZIONI[campo]} {_VERBO[bool(precedente)]}",
            )
            if precedente and precedente != nuovo:
                # Only once the row points to the new file: a rollback must find the old one still there.
                transaction.on_commit(lambda: storage.delete(precedente))
    except BaseException:
        if nuovo:
            storage.delete(nuovo)  # no row points to it: a personal document that no purge would ever find
        raise
    logger.info("documento PUE allegato", extra={"prenotazione_id": prenotazione.pk, "campo": campo})
    return prenotazione


def _da_allegare(chi: User, prenotazione_id: int, campo: _Campo) -> Prenotazione:
    """The booking, locked, if ``chi`` is an enabled operator of its Comune and it may take the document now."""
    prenotazione = (
        Prenotazione.objects.select_for_update(of=("self",)).select_related("comune").filter(pk=prenotazione_id).first()
    )
    if (
        prenotazione is None
        or not organizzazioni_di(chi, Ruolo.OPERATORE_COMUNE).filter(pk=prenotazione.comune_id).exists()
    ):
        raise PrenotazioneNonAmmessa("Prenotazione non trovata.")
    if prenotazione.dati_rimossi_il is not None:
        raise PrenotazioneNonAmmessa(
            "I dati personali di questa prenotazione sono stati rimossi: non si allegano più documenti."
        )
    if prenotazione.stato not in CON_RICHIESTA:
        raise PrenotazioneNonAmmessa(
            f"La prenotazione è {prenotazione.get_stato_display().lower()}: i documenti si allegano solo a una "
            "prenotazione confermata o a un incontro svolto."
        )
    if campo == "delega_documento" and not prenotazione.delegato_codice_fiscale:
        raise PrenotazioneNonAmmessa("La prenotazione non indica un delegato: non c'è una delega da allegare.")
    return prenotazione
