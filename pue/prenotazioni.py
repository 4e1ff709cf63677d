"""Holding a slot of a sportello, never twice (Messaggio 4461/2023, "Gestione sportelli").

The operator picks a slot; the portal holds it for ``PRENOTAZIONE_TRATTENUTA_MINUTI`` while they fill in the
citizen's details. Booking a slot locks the sportello's row (bookings of one sportello are made one at a time),
releases the holds that have expired, checks that the rules still open the slot and that a seat is free, and inserts;
the database's unique index (and, on PostgreSQL, the exclusion constraint) refuses a second live booking of the same
seat whatever happens above. Whoever loses is told the slot is taken and offered the next free ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import Attivita, Comune, Prestazione, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import attivita_registra
from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale
from convenzioni.selectors import convenzione_attiva
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci
from pue.avvisi import Avviso, avviso_accoda
from pue.disponibilita import ROMA, Slot, slot_previsti
from pue.errori import PrenotazioneNonAmmessa, SlotOccupato
from pue.models import EventoPrenotazione, Prenotazione, Sportello
from pue.selectors import sportello_competente

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato


@dataclass(frozen=True)
class Richiesta:
    sportello_id: int
    comune_id: int
    inizio: dt.datetime


def durata_trattenuta_minuti() -> int:
    return int(settings.PRENOTAZIONE_TRATTENUTA_MINUTI)


def _durata_trattenuta() -> dt.timedelta:
    return dt.timedelta(minutes=durata_trattenuta_minuti())


def _ora(prenotazione: Prenotazione) -> str:
    return f"{prenotazione.inizio.astimezone(ROMA):%d/%m/%Y %H:%M}"


def _attivita(chi: User, prenotazione: Prenotazione, descrizione: str) -> None:
    """A line of the Comune's audit table, which its Amministratore utenze reads (Messaggio 4461/2023)."""
    attivita_registra(None, chi, tipo=Attivita.Tipo.PRENOTAZIONE, comune=prenotazione.comune, descrizione=descrizione)


def evento_registra(prenotazione: Prenotazione | int, *, da: str, a: str, chi: User | None, motivo: str = "") -> None:
    """The event row of a change of state (STYLE: every change leaves one); ``chi`` None for the portal's tasks."""
    chiave = prenotazione if isinstance(prenotazione, int) else prenotazione.pk
    EventoPrenotazione.objects.create(prenotazione_id=chiave, da=da, a=a, chi=chi, motivo=motivo[:2000])


def trattenute_scadute_libera(sportello_id: int | None = None) -> int:
    """Holds past their time become ``scaduta``, which frees their slots; returns how many. Each hold is claimed
    once (locked, skipping those another caller holds), so a concurrent run never records it twice."""
    scadute = Prenotazione.objects.filter(stato=Stato.TRATTENUTA, scade_il__lte=clock.now())
    if sportello_id is not None:
        scadute = scadute.filter(sportello_id=sportello_id)
    with transaction.atomic():
        chiavi = list(scadute.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not chiavi:
            return 0
        Prenotazione.objects.filter(pk__in=chiavi).update(stato=Stato.SCADUTA)
        EventoPrenotazione.objects.bulk_create(
            EventoPrenotazione(prenotazione_id=k, da=Stato.TRATTENUTA, a=Stato.SCADUTA, motivo="tempo scaduto")
            for k in chiavi
        )
    return len(chiavi)


def slot_liberi(sportello: Sportello, dal: dt.date, al: dt.date) -> list[Slot]:
    """The slots the rules open, less the live bookings (expired holds do not count)."""
    adesso = clock.now()
    # Only the bookings of the span (a day either side covers the time zone): the query stays small however full the
    # sportello's later weeks are.
    occupati = set(
        Prenotazione.objects.filter(
            sportello=sportello,
            stato__in=Prenotazione.OCCUPANO,
            fine__gt=max(adesso, dt.datetime.combine(dal - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)),
            inizio__lt=dt.datetime.combine(al + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC),
        )
        .exclude(stato=Stato.TRATTENUTA, scade_il__lte=adesso)
        .values_list("inizio", "posto")
    )
    return [s for s in slot_previsti(sportello, dal, al) if s.inizio > adesso and (s.inizio, s.posto) not in occupati]


def primo_slot_libero(sportello: Sportello, *, orizzonte_giorni: int = 120) -> Slot | None:
    """The first free slot of ``sportello`` from now, looked for a week at a time (the waiting time the monitoring
    reports, Messaggio 4461/2023)."""
    dal = clock.today()
    fine = dal + dt.timedelta(days=orizzonte_giorni)
    while dal <= fine:
        al = min(dal + dt.timedelta(days=6), fine)
        liberi = slot_liberi(sportello, dal, al)
        if liberi:
            return min(liberi)
        dal = al + dt.timedelta(days=1)
    return None


def _alternative(sportello: Sportello, dopo: dt.datetime, quante: int = 5) -> list[Slot]:
    giorno = dopo.date()
    liberi = slot_liberi(sportello, giorno, giorno + dt.timedelta(days=14))
    visti: list[Slot] = []
    for slot in liberi:
        if slot.inizio != dopo and all(slot.inizio != v.inizio for v in visti):
            visti.append(slot)
        if len(visti) == quante:
            break
    return visti


def slot_trattieni(*, chi: User, richiesta: Richiesta) -> Prenotazione:
    """Holds the slot starting at ``richiesta.inizio`` on a free seat, for ``chi``, an enabled operator of the Comune
    with an active convention."""
    if not organizzazioni_di(chi, Ruolo.OPERATORE_COMUNE).filter(pk=richiesta.comune_id).exists():
        raise PrenotazioneNonAmmessa("Solo un operatore abilitato del Comune può prenotare.")
    convenzione = convenzione_attiva(richiesta.comune_id)
    if convenzione is None:
        raise PrenotazioneNonAmmessa("Il Comune non ha una convenzione PUE attiva: non si può prenotare.")
    # The first free slot as the operator sees it (the monitoring's waiting time): read before the lock, which it
    # need not hold for.
    visibile = Sportello.objects.select_related("comune__provincia").filter(pk=richiesta.sportello_id).first()
    primo = primo_slot_libero(visibile) if visibile is not None else None
    try:
        with transaction.atomic():
            sportello = (
                Sportello.objects.select_for_update()
                .select_related("comune__provincia")
                .filter(pk=richiesta.sportello_id, attivo=True)
                .first()
            )
            if sportello is None:
                raise PrenotazioneNonAmmessa("Sportello non trovato.")
            if sportello.struttura.tipo != Struttura.Tipo.POLO_NAZIONALE and not sportello_competente(
                sportello, Comune.objects.select_related("provincia").get(pk=richiesta.comune_id), None
            ):
                raise PrenotazioneNonAmmessa(
                    "Lo sportello non è quello della Struttura INPS competente per il Comune: scelga quello indicato."
                )
            trattenute_scadute_libera(sportello.pk)
            giorno = richiesta.inizio.astimezone(dt.UTC).date()
            candidati = [
                s
                for s in slot_liberi(sportello, giorno - dt.timedelta(days=1), giorno + dt.timedelta(days=1))
                if s.inizio == richiesta.inizio
            ]
            if not candidati:
                if not any(s.inizio == richiesta.inizio for s in slot_previsti(sportello, giorno, giorno)):
                    raise PrenotazioneNonAmmessa("L'orario scelto non è tra quelli aperti dallo sportello.")
                raise SlotOccupato([])  # the alternatives are looked for once the lock is released
            slot = candidati[0]
            tenuta = Prenotazione.objects.create(
                sportello=sportello,
                inizio=slot.inizio,
                fine=slot.fine,
                posto=slot.posto,
                comune_id=richiesta.comune_id,
                convenzione=convenzione,
                operatore=chi,
                scade_il=clock.now() + _durata_trattenuta(),
                primo_libero=primo.inizio if primo is not None else slot.inizio,
            )
            evento_registra(tenuta, da="", a=Stato.TRATTENUTA, chi=chi)
            return tenuta
    except (SlotOccupato, IntegrityError) as errore:  # taken, or the database refused a second live booking of it
        sportello = Sportello.objects.select_related("comune__provincia").get(pk=richiesta.sportello_id)
        raise SlotOccupato(_alternative(sportello, richiesta.inizio)) from errore


@dataclass(frozen=True)
class DatiCittadino:
    codice_fiscale: str
    nome: str
    cognome: str
    comune_id: int  # where the citizen declares to live or to be domiciled
    titolo: str  # Prenotazione.Titolo
    prestazione_id: int | None
    argomento: str
    assistenza: bool
    # Access by delegation (M7): who attends for the citizen; the signed delega is attached to the booking.
    delegato_codice_fiscale: str = ""
    delegato_nome: str = ""
    delegato_cognome: str = ""


def prenotazione_conferma(*, chi: User, prenotazione_id: int, dati: DatiCittadino) -> Prenotazione:
    """The operator confirms their hold with the citizen: resident or domiciled in the Comune (the citizen's
    self-declaration, recorded with its time), a valid codice fiscale, a prestazione the sportello answers for."""
    with transaction.atomic():
        prenotazione = (
            Prenotazione.objects.select_for_update(of=("self",))
            .select_related("sportello__struttura", "comune__provincia")
            .filter(pk=prenotazione_id, operatore=chi)
            .first()
        )
        if prenotazione is None:
            raise PrenotazioneNonAmmessa("Prenotazione non trovata.")
        if not prenotazione.trattenuta_viva:
            raise PrenotazioneNonAmmessa(
                "Il tempo per completare la prenotazione è scaduto e l'orario è stato liberato: lo scelga di nuovo."
            )
        codice_fiscale = normalizza_codice_fiscale(dati.codice_fiscale)
        try:
            validate_codice_fiscale(codice_fiscale)
        except ValidationError as errore:
            raise PrenotazioneNonAmmessa(" ".join(errore.messages)) from errore
        if dati.comune_id != prenotazione.comune_id:
            raise PrenotazioneNonAmmessa(
                f"Il PUE del Comune di {prenotazione.comune.nome} prenota per chi vi risiede o vi è domiciliato: il "
                "cittadino si rivolga al Comune in cui risiede o è domiciliato."
            )
        if dati.titolo not in Prenotazione.Titolo.values:
            raise PrenotazioneNonAmmessa("Indichi se il cittadino è residente o domiciliato nel Comune.")
        prestazione = Prestazione.objects.filter(pk=dati.prestazione_id).first() if dati.prestazione_id else None
        if not sportello_competente(prenotazione.sportello, prenotazione.comune, prestazione):
            raise PrenotazioneNonAmmessa(
                "Lo sportello scelto non è competente per questa prestazione: scelga la Struttura territoriale o il "
                "Polo nazionale indicato."
            )
        if prestazione is None and not dati.argomento.strip():
            raise PrenotazioneNonAmmessa("Indichi la prestazione o l'argomento dell'incontro.")
        delegato = _delegato(dati, codice_fiscale)
        adesso = clock.now()
        prenotazione.cittadino_codice_fiscale = codice_fiscale
        prenotazione.cittadino_nome, prenotazione.cittadino_cognome = (
            dati.nome.strip()[:100],
            dati.cognome.strip()[:100],
        )
        prenotazione.titolo, prenotazione.dichiarazione_il = dati.titolo, adesso
        prenotazione.prestazione, prenotazione.argomento = prestazione, dati.argomento.strip()[:300]
        prenotazione.assistenza = dati.assistenza
        (
            prenotazione.delegato_codice_fiscale,
            prenotazione.delegato_nome,
            prenotazione.delegato_cognome,
        ) = delegato
        prenotazione.stato, prenotazione.confermata_il, prenotazione.scade_il = Stato.CONFERMATA, adesso, None
        prenotazione.save()
        evento_registra(prenotazione, da=Stato.TRATTENUTA, a=Stato.CONFERMATA, chi=chi)
        _attivita(
            chi, prenotazione, f"Prenotazione {prenotazione.pk}: {prenotazione.sportello.nome}, {_ora(prenotazione)}"
        )
        avviso_accoda(prenotazione.pk, Avviso.CONFERMA)
    logger.info("prenotazione PUE confermata", extra={"prenotazione_id": prenotazione.pk})
    return prenotazione


def _delegato(dati: DatiCittadino, codice_fiscale_interessato: str) -> tuple[str, str, str]:
    """The delegate who attends for the citizen (M7), checked; empty when the citizen attends in person."""
    if not (dati.delegato_codice_fiscale or dati.delegato_nome or dati.delegato_cognome).strip():
        return "", "", ""
    codice_fiscale = normalizza_codice_fiscale(dati.delegato_codice_fiscale)
    try:
        validate_codice_fiscale(codice_fiscale)
    except ValidationError as errore:
        raise PrenotazioneNonAmmessa("Delegato: " + " ".join(errore.messages)) from errore
    if codice_fiscale == codice_fiscale_interessato:
        raise PrenotazioneNonAmmessa("Il delegato non può essere il cittadino stesso.")
    nome, cognome = dati.delegato_nome.strip()[:100], dati.delegato_cognome.strip()[:100]
    if not nome or not cognome:
        raise PrenotazioneNonAmmessa("Indichi nome e cognome del delegato.")
    return codice_fiscale, nome, cognome


def prenotazioni_annulla_con_convenzione(convenzione_id: int) -> int:
    """The convention ended: its future bookings are cancelled (holds too), and the operators who made them are told,
    one notice each, with the meetings to tell the citizens about. In the caller's transaction."""
    future = list(
        Prenotazione.objects.select_for_update(of=("self",))
        .select_related("operatore", "sportello", "comune")
        .filter(convenzione_id=convenzione_id, stato__in=(Stato.TRATTENUTA, Stato.CONFERMATA), inizio__gt=clock.now())
        .order_by("inizio")
    )
    if not future:
        return 0
    EventoPrenotazione.objects.bulk_create(
        EventoPrenotazione(
            prenotazione=p, da=p.stato, a=Stato.ANNULLATA, motivo="la convenzione PUE del Comune è terminata"
        )
        for p in future
    )
    Prenotazione.objects.filter(pk__in=[p.pk for p in future]).update(
        stato=Stato.ANNULLATA,
        annullata_il=clock.now(),
        motivo_annullamento="la convenzione PUE del Comune è terminata",
        scade_il=None,
        sequenza=F("sequenza") + 1,
    )
    per_operatore: dict[int, list[Prenotazione]] = {}
    for prenotazione in future:
        if prenotazione.stato == Stato.CONFERMATA:
            avviso_accoda(prenotazione.pk, Avviso.ANNULLAMENTO)  # off the operator's calendar too
        per_operatore.setdefault(prenotazione.operatore_id, []).append(prenotazione)
    for elenco in per_operatore.values():
        operatore = elenco[0].operatore
        confermate = [p for p in elenco if p.stato == Stato.CONFERMATA]
        if operatore.email and confermate:
            pec_spedisci(
                modello="prenotazioni_annullate",
                destinatari=[operatore.email],
                riferimento=confermate[0],
                contesto={"comune": elenco[0].comune, "prenotazioni": confermate},
            )
    logger.info(
        "prenotazioni PUE annullate con la convenzione", extra={"convenzione_id": convenzione_id, "n": len(future)}
    )
    return len(future)


def _del_comune(chi: User, prenotazione_id: int) -> Prenotazione:
    """The booking, locked, if ``chi`` is an enabled operator of its Comune (the front desk's colleagues too)."""
    prenotazione = (
        Prenotazione.objects.select_for_update(of=("self",))
        .select_related("sportello__struttura", "comune__provincia", "prestazione")
        .filter(pk=prenotazione_id)
        .first()
    )
    if (
        prenotazione is None
        or not organizzazioni_di(chi, Ruolo.OPERATORE_COMUNE).filter(pk=prenotazione.comune_id).exists()
    ):
        raise PrenotazioneNonAmmessa("Prenotazione non trovata.")
    return prenotazione


def prenotazione_annulla(*, chi: User, prenotazione_id: int, motivo: str) -> Prenotazione:
    """An enabled operator of the Comune cancels a booking (or a hold) that has not started, with the reason."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise PrenotazioneNonAmmessa("Indichi il motivo dell'annullamento.")
    with transaction.atomic():
        prenotazione = _del_comune(chi, prenotazione_id)
        if prenotazione.stato not in (Stato.TRATTENUTA, Stato.CONFERMATA) or prenotazione.inizio <= clock.now():
            raise PrenotazioneNonAmmessa(
                f"La prenotazione è {prenotazione.get_stato_display().lower()} o l'incontro è già iniziato: non si "
                "può annullare."
            )
        era_confermata = prenotazione.stato == Stato.CONFERMATA
        _annulla(prenotazione, chi, motivo[:300])
        _attivita(chi, prenotazione, f"Annullamento della prenotazione {prenotazione.pk}: {motivo}")
        if era_confermata:  # a hold never reached the calendar
            avviso_accoda(prenotazione.pk, Avviso.ANNULLAMENTO)
    return prenotazione


def _annulla(prenotazione: Prenotazione, chi: User, motivo: str, sostituita_da: Prenotazione | None = None) -> None:
    evento_registra(prenotazione, da=prenotazione.stato, a=Stato.ANNULLATA, chi=chi, motivo=motivo)
    prenotazione.stato, prenotazione.annullata_il = Stato.ANNULLATA, clock.now()
    prenotazione.annullata_da, prenotazione.motivo_annullamento = chi, motivo
    prenotazione.sostituita_da, prenotazione.scade_il = sostituita_da, None
    prenotazione.sequenza += 1  # the calendar entry's cancellation must outrank the invitation
    prenotazione.save(
        update_fields=[
            "stato",
            "annullata_il",
            "annullata_da",
            "motivo_annullamento",
            "sostituita_da",
            "scade_il",
            "sequenza",
        ]
    )


_CAMPI_DEL_CITTADINO = (
    "cittadino_codice_fiscale",
    "cittadino_nome",
    "cittadino_cognome",
    "titolo",
    "dichiarazione_il",
    "prestazione",
    "argomento",
    "assistenza",
    "delegato_codice_fiscale",
    "delegato_nome",
    "delegato_cognome",
    "delega_documento",
    "richiesta_firmata",
    "richiesta_firmata_il",
)


def prenotazione_sposta(
    *, chi: User, prenotazione_id: int, nuovo_inizio: dt.datetime, sportello_id: int | None = None
) -> Prenotazione:
    """Moves a confirmed meeting that has not started: a new booking of the new slot, for the same citizen, and the
    old one cancelled and pointing to it, in one transaction (if the new slot is taken, nothing changes)."""
    with transaction.atomic():
        vecchia = _del_comune(chi, prenotazione_id)
        if vecchia.stato != Stato.CONFERMATA or vecchia.inizio <= clock.now():
            raise PrenotazioneNonAmmessa("Si sposta solo un incontro confermato che non è ancora iniziato.")
        nuova = slot_trattieni(
            chi=chi,
            richiesta=Richiesta(
                sportello_id=sportello_id or vecchia.sportello_id, comune_id=vecchia.comune_id, inizio=nuovo_inizio
            ),
        )
        if not sportello_competente(nuova.sportello, vecchia.comune, vecchia.prestazione):
            raise PrenotazioneNonAmmessa("Lo sportello scelto non è competente per questa prestazione.")
        for campo in _CAMPI_DEL_CITTADINO:
            setattr(nuova, campo, getattr(vecchia, campo))
        nuova.stato, nuova.confermata_il, nuova.scade_il = Stato.CONFERMATA, clock.now(), None
        nuova.save()
        evento_registra(
            nuova,
            da=Stato.TRATTENUTA,
            a=Stato.CONFERMATA,
            chi=chi,
            motivo=f"spostamento della prenotazione {vecchia.pk}",
        )
        _annulla(vecchia, chi, "spostata ad altro orario", sostituita_da=nuova)
        # The signed documents now belong to the new booking alone (a purge of the old one must not delete them).
        Prenotazione.objects.filter(pk=vecchia.pk).update(delega_documento="", richiesta_firmata="")
        _attivita(chi, vecchia, f"Spostamento della prenotazione {vecchia.pk} alla {nuova.pk}: {_ora(nuova)}")
        avviso_accoda(vecchia.pk, Avviso.ANNULLAMENTO)
        avviso_accoda(nuova.pk, Avviso.CONFERMA)
    return nuova


def valutazione_registra(*, chi: User, prenotazione_id: int, voto: int, commento: str = "") -> Prenotazione:
    """The citizen rates the meeting at the Comune's workstation (Messaggio 4461/2023, monitoring): once, from the
    meeting's start, unless they did not show up. The Comune's operator hands over the workstation."""
    if voto not in range(1, 6):
        raise PrenotazioneNonAmmessa("Il gradimento va da 1 a 5.")
    with transaction.atomic():
        prenotazione = _del_comune(chi, prenotazione_id)
        if prenotazione.stato not in (Stato.CONFERMATA, Stato.SVOLTA) or prenotazione.inizio > clock.now():
            raise PrenotazioneNonAmmessa("Si valuta un incontro che si è svolto.")
        if prenotazione.valutazione is not None:
            raise PrenotazioneNonAmmessa("L'incontro è già stato valutato.")
        prenotazione.valutazione, prenotazione.valutazione_il = voto, clock.now()
        prenotazione.valutazione_commento = commento.strip()[:500]
        prenotazione.save(update_fields=["valutazione", "valutazione_il", "valutazione_commento"])
    return prenotazione
