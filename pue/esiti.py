"""The INPS operator's day at a sportello (Messaggio 4461/2023, "Gestione sportelli"): the meetings of a day, their
outcome, and the documents the citizen sends or receives during the meeting (M15).

Who: the people holding the ``operatore_sportello`` role on the sportello's Struttura (a Sede territoriale or a Polo
nazionale), by their object permission alone; no superuser bypass, since the outcome is the office's own statement.
What is not theirs does not exist for them (the selectors return None; the views answer 404).

When the outcome may be written (one rule, ``esito_aperto``):
- from the start of the meeting (``inizio``): "svolta" and "non_presentato" alike, since a no-show is known only once
  the citizen fails to connect and a short meeting may end early;
- the first outcome of a confirmed meeting whenever it comes, even days later: a meeting left "confermata" would be a
  hole in the monitoring that nobody could close;
- once recorded, any operator of the same office may correct it until midnight (Europe/Rome) of the day it was
  recorded, which for an outcome written during the meeting is the meeting's day; from the next day it is final, so
  the monitoring of the Referenti does not move under their feet.
Documents follow the same window, for a meeting held (or still under way): never on a no-show nor a cancellation.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from pathlib import PurePosixPath
from typing import Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from inps_portal import clock
from pue.disponibilita import ROMA, mezzanotte
from pue.documenti import documento_controlla
from pue.errori import PrenotazioneNonAmmessa
from pue.models import DocumentoIncontro, Prenotazione, Sportello
from pue.prenotazioni import evento_registra
from pue.selectors import sportelli_dell_operatore

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato

Esito = Literal["svolta", "non_presentato"]
ESITI: tuple[str, ...] = (Stato.SVOLTA, Stato.NON_PRESENTATO)
# The meetings of the day: booked, held, or missed. Holds are not meetings (no citizen yet); cancellations apart.
DEL_GIORNO = (Stato.CONFERMATA, Stato.SVOLTA, Stato.NON_PRESENTATO)
# The bookings an INPS operator may open: those that are or were meetings (a hold has no citizen, nothing to read).
VISIBILI = (*DEL_GIORNO, Stato.ANNULLATA)
# Where documents of the meeting are attached: a meeting held or under way.
CON_DOCUMENTI = (Stato.CONFERMATA, Stato.SVOLTA)
MASSIMO_DOCUMENTI = 20
MASSIMO_NOTE = 2000
MASSIMO_NOME = 120


# --- Selectors ------------------------------------------------------------------------------------------------------


def giorno_locale(istante: dt.datetime) -> dt.date:
    """The Rome date of an instant: a meeting at 00:30 in Rome belongs to that day, not to the UTC one before."""
    return istante.astimezone(ROMA).date()


def _limiti_del_giorno(giorno: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight in Rome, as UTC instants (23 or 25 hours on the days the clock changes)."""
    return mezzanotte(giorno), mezzanotte(giorno + dt.timedelta(days=1))


def _del_giorno(sportello: Sportello, giorno: dt.date) -> QuerySet[Prenotazione]:
    dal, al = _limiti_del_giorno(giorno)
    return (
        Prenotazione.objects.filter(sportello=sportello, inizio__gte=dal, inizio__lt=al)
        .select_related("comune", "prestazione", "esito_da")
        .order_by("inizio", "posto")
    )


def giornata(sportello: Sportello, giorno: dt.date) -> list[Prenotazione]:
    """The meetings of ``sportello`` on ``giorno`` (a Rome day): confirmed, held, missed, in time order, with their
    Comune, prestazione, who recorded the outcome and the documents: two queries whatever their number."""
    documenti = Prefetch("documenti", queryset=DocumentoIncontro.objects.order_by("caricato_il", "pk"))
    return list(_del_giorno(sportello, giorno).filter(stato__in=DEL_GIORNO).prefetch_related(documenti))


def annullate_del_giorno(sportello: Sportello, giorno: dt.date) -> list[Prenotazione]:
    """The meetings of that day that were confirmed and then cancelled (or moved): the office shows them apart, so
    nobody waits for a citizen who is not coming. Holds released before confirmation never were meetings."""
    return list(
        _del_giorno(sportello, giorno)
        .filter(stato=Stato.ANNULLATA, confermata_il__isnull=False)
        .select_related("sostituita_da")
    )


def prenotazioni_dell_operatore(user: User) -> QuerySet[Prenotazione]:
    """The bookings ``user`` may open as an INPS operator: the meetings of their office's sportelli."""
    return Prenotazione.objects.filter(
        sportello__in=sportelli_dell_operatore(user).values("pk"), stato__in=VISIBILI
    ).select_related("sportello__struttura", "comune", "prestazione", "esito_da", "operatore", "sostituita_da")


def prenotazione_per_operatore(user: User, pk: int) -> Prenotazione | None:
    return prenotazioni_dell_operatore(user).filter(pk=pk).first()


def documenti_della_prenotazione(prenotazione: Prenotazione) -> QuerySet[DocumentoIncontro]:
    return prenotazione.documenti.select_related("caricato_da").order_by("caricato_il", "pk")


def documento_per_operatore(user: User, prenotazione_id: int, documento_id: int) -> DocumentoIncontro | None:
    return (
        DocumentoIncontro.objects.filter(
            pk=documento_id,
            prenotazione_id=prenotazione_id,
            prenotazione__in=prenotazioni_dell_operatore(user).values("pk"),
        )
        .select_related("prenotazione")
        .first()
    )


def esito_aperto(prenotazione: Prenotazione, adesso: dt.datetime | None = None) -> bool:
    """Whether the outcome may be written now (the module's docstring): the meeting has started, and either no
    outcome was recorded yet or we are still on the day (in Rome) it was recorded."""
    adesso = adesso or clock.now()
    if prenotazione.stato not in DEL_GIORNO or prenotazione.dati_rimossi_il is not None:
        return False
    if prenotazione.inizio > adesso:
        return False
    if prenotazione.stato == Stato.CONFERMATA:
        return True
    registrato = prenotazione.esito_il or prenotazione.inizio
    return giorno_locale(adesso) == giorno_locale(registrato)


def documenti_aperti(prenotazione: Prenotazione, adesso: dt.datetime | None = None) -> bool:
    """Whether documents of the meeting may be attached now: a meeting held or under way, in the outcome's window."""
    return prenotazione.stato in CON_DOCUMENTI and esito_aperto(prenotazione, adesso)


# --- Services -------------------------------------------------------------------------------------------------------


def _dell_operatore(chi: User, prenotazione_id: int) -> Prenotazione:
    """The booking, locked, if ``chi`` is an operator of its sportello's Struttura; otherwise it does not exist."""
    prenotazione = (
        Prenotazione.objects.select_for_update(of=("self",))
        .select_related("sportello__struttura")
        .filter(pk=prenotazione_id, stato__in=VISIBILI)
        .first()
    )
    if prenotazione is None or not sportelli_dell_operatore(chi).filter(pk=prenotazione.sportello_id).exists():
        raise PrenotazioneNonAmmessa("Prenotazione non trovata.")
    return prenotazione


def _ora(istante: dt.datetime) -> str:
    return f"{istante.astimezone(ROMA):%H:%M}"


def _controlla_finestra(prenotazione: Prenotazione, adesso: dt.datetime, cosa: str) -> None:
    """Refuses, with why, when the outcome's window (``esito_aperto``) is closed; ``cosa`` names what was tried."""
    if prenotazione.dati_rimossi_il is not None:
        raise PrenotazioneNonAmmessa(f"I dati personali di questa prenotazione sono stati rimossi: non si può {cosa}.")
    if prenotazione.stato not in DEL_GIORNO:
        raise PrenotazioneNonAmmessa(
            f"La prenotazione è {prenotazione.get_stato_display().lower()}: non si può {cosa}."
        )
    if prenotazione.inizio > adesso:
        raise PrenotazioneNonAmmessa(
            f"L'incontro non è ancora iniziato (inizia alle {_ora(prenotazione.inizio)} del "
            f"{giorno_locale(prenotazione.inizio):%d/%m/%Y}): si potrà {cosa} da quell'ora."
        )
    if not esito_aperto(prenotazione, adesso):
        raise PrenotazioneNonAmmessa(
            "L'esito dell'incontro è già registrato ed è definitivo: si corregge solo entro il giorno in cui è stato "
            "registrato."
        )


@transaction.atomic
def esito_registra(
    *, chi: User, prenotazione_id: int, esito: Esito, seguito: bool, documenti_scambiati: bool, note: str
) -> Prenotazione:
    """The INPS operator records how the meeting went: held (``svolta``) or the citizen did not come
    (``non_presentato``), whether a follow-up is needed, whether documents were exchanged, notes. A correction
    rewrites the outcome (who and when included) within the window of ``esito_aperto``. Documents attached to the
    booking make ``documenti_scambiati`` true, and rule out a no-show."""
    if esito not in ESITI:
        raise PrenotazioneNonAmmessa("Indichi se l'incontro si è svolto o se il cittadino non si è presentato.")
    note = (note or "").strip()
    if len(note) > MASSIMO_NOTE:
        raise PrenotazioneNonAmmessa(f"Le note superano i {MASSIMO_NOTE} caratteri: le accorci.")
    prenotazione = _dell_operatore(chi, prenotazione_id)
    adesso = clock.now()
    _controlla_finestra(prenotazione, adesso, "registrare l'esito")
    allegati = prenotazione.documenti.exists()
    if esito == "non_presentato" and (documenti_scambiati or allegati):
        raise PrenotazioneNonAmmessa(
            "Se il cittadino non si è presentato non ci sono documenti scambiati"
            + (": alla prenotazione sono allegati documenti dell'incontro." if allegati else ".")
        )
    da = prenotazione.stato
    prenotazione.stato = esito
    prenotazione.esito_il, prenotazione.esito_da = adesso, chi
    prenotazione.seguito, prenotazione.documenti_scambiati = seguito, documenti_scambiati or allegati
    prenotazione.esito_note = note
    prenotazione.save(update_fields=["stato", "esito_il", "esito_da", "seguito", "documenti_scambiati", "esito_note"])
    evento_registra(
        prenotazione, da=da, a=esito, chi=chi, motivo="correzione dell'esito" if da != Stato.CONFERMATA else ""
    )
    logger.info(
        "esito di un incontro PUE registrato",
        extra={"prenotazione_id": prenotazione.pk, "da": da, "a": esito, "operatore_id": chi.pk},
    )
    return prenotazione


def nome_sicuro(nome: str) -> str:
    """The name a document is listed under: the last component of what the browser sent, without control or path
    characters, at most 120 characters with its extension kept."""
    base = PurePosixPath((nome or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    pulito = "".join(c if (c.isalnum() or c in " -_.()") else "_" for c in base).strip(" .") or "documento"
    if len(pulito) <= MASSIMO_NOME:
        return pulito
    radice, punto, estensione = pulito.rpartition(".")
    if punto and 0 < len(estensione) <= 8 and radice:
        return f"{radice[: MASSIMO_NOME - len(estensione) - 1]}.{estensione}"
    return pulito[:MASSIMO_NOME]


def documento_allega(*, chi: User, prenotazione_id: int, verso: str, file: UploadedFile) -> DocumentoIncontro:
    """Attaches a document the citizen sent (``dal_cittadino``) or received (``al_cittadino``) during the meeting:
    checked by size and content (``documento_controlla``), during or after the meeting of a confirmed or held booking,
    within the outcome's window. The booking's ``documenti_scambiati`` becomes true. Nothing half-written: a refusal
    or a failure leaves no row and no file."""
    if verso not in DocumentoIncontro.Verso.values:
        raise PrenotazioneNonAmmessa("Indichi se il documento è stato inviato dal cittadino o consegnato al cittadino.")
    tipo = documento_controlla(file)  # the content, before any lock: a refused file costs the booking nothing
    documento: DocumentoIncontro | None = None
    try:
        with transaction.atomic():
            prenotazione = _dell_operatore(chi, prenotazione_id)
            _controlla_finestra(prenotazione, clock.now(), "allegare documenti")
            if prenotazione.stato not in CON_DOCUMENTI:
                raise PrenotazioneNonAmmessa(
                    "Il cittadino non si è presentato: non ci sono documenti dell'incontro da allegare."
                )
            if prenotazione.documenti.count() >= MASSIMO_DOCUMENTI:
                raise PrenotazioneNonAmmessa(
                    f"All'incontro sono già allegati {MASSIMO_DOCUMENTI} documenti: è il massimo."
                )
            nome = nome_sicuro(file.name or "")
            documento = DocumentoIncontro(
                prenotazione=prenotazione,
                verso=verso,
                nome=nome,
                tipo=tipo,
                dimensione=int(file.size or 0),
                caricato_da=chi,
                caricato_il=clock.now(),
            )
            documento.file.save(nome, file, save=False)
            documento.save()
            if not prenotazione.documenti_scambiati:
                prenotazione.documenti_scambiati = True
                prenotazione.save(update_fields=["documenti_scambiati"])
    except BaseException:
        if documento is not None and documento.file.name:
            # No row points to it: a personal document that no purge would ever find.
            documento.file.storage.delete(documento.file.name)
        raise
    logger.info(
        "documento di un incontro PUE allegato",
        extra={
            "prenotazione_id": prenotazione_id,
            "documento_id": documento.pk,
            "verso": verso,
            "operatore_id": chi.pk,
        },
    )
    return documento
