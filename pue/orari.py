"""The INPS staff of a sportello publish its availability (Messaggio 4461/2023, "Gestione sportelli"): weekly rules
(day, hours, meeting length, operators in parallel, from when and until when) and the days that depart from them
(closures, extra openings). Slots are computed from these (``pue.disponibilita``), never stored.

Only the sportello's own operators (role "Operatore INPS di sportello" on its Struttura) change it. Two rules that
would open the same hour of the same weekday in overlapping periods are refused: the same slot would exist twice. A
rule that ends keeps the meetings already booked after it. A closure of a day cancels that day's bookings and holds,
with the reason, and the Comune's operators receive the cancellation: a Comune must know at once that the citizen
cannot be received.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import Attivita, Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import attivita_registra
from inps_portal import clock
from pue.avvisi import Avviso, avviso_accoda
from pue.disponibilita import mezzanotte
from pue.errori import PrenotazioneNonAmmessa
from pue.models import EccezioneSportello, OrarioSportello, Prenotazione, Sportello
from pue.prenotazioni import evento_registra

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato


class OrarioNonAmmesso(PrenotazioneNonAmmessa):
    """The rule, the exception or the sportello cannot be published as given: the message says why."""


def _sportello_di(chi: User, sportello_id: int) -> Sportello:
    strutture = organizzazioni_di(chi, Ruolo.OPERATORE_SPORTELLO).values("pk")
    sportello = (
        Sportello.objects.select_for_update(of=("self",))
        .select_related("struttura")
        .filter(pk=sportello_id, struttura_id__in=strutture)
        .first()
    )
    if sportello is None:
        raise OrarioNonAmmesso("Sportello non trovato.")
    return sportello


def sportello_apri(*, chi: User, struttura_id: int, nome: str, comune: Comune) -> Sportello:
    """The Struttura's PUE sportello (one per Struttura), where the office is (``comune``: its patron saint's day)."""
    nome = nome.strip()[:200]
    if not nome:
        raise OrarioNonAmmesso("Indichi il nome dello sportello.")
    with transaction.atomic():
        struttura = (
            organizzazioni_di(chi, Ruolo.OPERATORE_SPORTELLO)
            .filter(pk=struttura_id, tipo__in=(Struttura.Tipo.SEDE_TERRITORIALE, Struttura.Tipo.POLO_NAZIONALE))
            .select_for_update()
            .first()
        )
        if struttura is None:
            raise OrarioNonAmmesso("Struttura non trovata.")
        if Sportello.objects.filter(struttura=struttura).exists():
            raise OrarioNonAmmesso(f"{struttura.nome} ha già il suo sportello PUE.")
        sportello = Sportello.objects.create(struttura=struttura, nome=nome, comune=comune)
    logger.info("sportello PUE aperto", extra={"sportello_id": sportello.pk, "operatore_id": chi.pk})
    return sportello


@dataclass(frozen=True)
class DatiOrario:
    giorno: int  # 0 Monday … 6 Sunday
    dalle: dt.time
    alle: dt.time
    durata_minuti: int
    operatori: int
    valido_dal: dt.date
    valido_al: dt.date | None


def _controlla(dati: DatiOrario) -> None:
    if dati.giorno not in range(7):
        raise OrarioNonAmmesso("Scelga il giorno della settimana.")
    if dati.dalle >= dati.alle:
        raise OrarioNonAmmesso("L'orario di inizio deve precedere quello di fine.")
    if not 5 <= dati.durata_minuti <= 240:
        raise OrarioNonAmmesso("La durata di un incontro va da 5 a 240 minuti.")
    inizio, fine = (dt.datetime.combine(dt.date(2000, 1, 3), t) for t in (dati.dalle, dati.alle))
    if (fine - inizio) < dt.timedelta(minutes=dati.durata_minuti):
        raise OrarioNonAmmesso("Nella fascia indicata non entra nemmeno un incontro della durata scelta.")
    if not 1 <= dati.operatori <= 50:
        raise OrarioNonAmmesso("Gli operatori in parallelo vanno da 1 a 50.")
    if dati.valido_al is not None and dati.valido_al < dati.valido_dal:
        raise OrarioNonAmmesso("La data di fine validità precede quella di inizio.")
    if dati.valido_dal < clock.today():
        raise OrarioNonAmmesso("Un nuovo orario vale da oggi in poi: non si cambia il passato.")


def orario_aggiungi(*, chi: User, sportello_id: int, dati: DatiOrario) -> OrarioSportello:
    _controlla(dati)
    with transaction.atomic():
        sportello = _sportello_di(chi, sportello_id)
        periodo = Q(valido_al__isnull=True) | Q(valido_al__gte=dati.valido_dal)
        if dati.valido_al is not None:
            periodo &= Q(valido_dal__lte=dati.valido_al)
        sovrapposto = (
            OrarioSportello.objects.filter(sportello=sportello, giorno=dati.giorno, dalle__lt=dati.alle)
            .filter(alle__gt=dati.dalle)
            .filter(periodo)
            .first()
        )
        if sovrapposto is not None:
            raise OrarioNonAmmesso(
                f"Si sovrappone all'orario {sovrapposto} (valido dal {sovrapposto.valido_dal:%d/%m/%Y}): lo termini "
                "prima, o scelga altre ore."
            )
        orario = OrarioSportello.objects.create(
            sportello=sportello,
            giorno=dati.giorno,
            dalle=dati.dalle,
            alle=dati.alle,
            durata_minuti=dati.durata_minuti,
            operatori=dati.operatori,
            valido_dal=dati.valido_dal,
            valido_al=dati.valido_al,
        )
    logger.info("orario PUE pubblicato", extra={"orario_id": orario.pk, "operatore_id": chi.pk})
    return orario


def orario_termina(*, chi: User, orario_id: int, ultimo_giorno: dt.date) -> OrarioSportello:
    """The rule stops after ``ultimo_giorno`` (today at the earliest): the meetings already booked later stay."""
    with transaction.atomic():
        orario = OrarioSportello.objects.select_related("sportello").filter(pk=orario_id).first()
        if orario is None:
            raise OrarioNonAmmesso("Orario non trovato.")
        _sportello_di(chi, orario.sportello_id)
        if ultimo_giorno < clock.today() - dt.timedelta(days=1):
            raise OrarioNonAmmesso("Un orario si termina da ieri in poi: non si cambia il passato.")
        if orario.valido_al is not None and orario.valido_al <= ultimo_giorno:
            raise OrarioNonAmmesso(f"L'orario termina già il {orario.valido_al:%d/%m/%Y}.")
        if ultimo_giorno < orario.valido_dal:
            orario.delete()  # it never applied: nothing to keep
            return orario
        orario.valido_al = ultimo_giorno
        orario.save(update_fields=["valido_al"])
    return orario


@dataclass(frozen=True)
class DatiEccezione:
    giorno: dt.date
    tipo: str  # EccezioneSportello.Tipo
    motivo: str
    dalle: dt.time | None = None
    alle: dt.time | None = None
    durata_minuti: int | None = None
    operatori: int | None = None


def eccezione_aggiungi(*, chi: User, sportello_id: int, dati: DatiEccezione) -> tuple[EccezioneSportello, int]:
    """A closure or an extra opening of one day; returns it and how many bookings a closure cancelled."""
    if dati.tipo not in EccezioneSportello.Tipo.values:
        raise OrarioNonAmmesso("Scelga chiusura o apertura straordinaria.")
    if dati.giorno <= clock.today():
        raise OrarioNonAmmesso("Chiusure e aperture straordinarie si pubblicano da domani in poi.")
    motivo = dati.motivo.strip()[:200]
    if not motivo:
        raise OrarioNonAmmesso("Indichi il motivo: per una chiusura è comunicato ai Comuni.")
    if dati.tipo == EccezioneSportello.Tipo.APERTURA:
        if dati.dalle is None or dati.alle is None or dati.durata_minuti is None or dati.operatori is None:
            raise OrarioNonAmmesso("Per un'apertura straordinaria indichi orari, durata e operatori.")
        _controlla(DatiOrario(0, dati.dalle, dati.alle, dati.durata_minuti, dati.operatori, dati.giorno, dati.giorno))
    with transaction.atomic():
        sportello = _sportello_di(chi, sportello_id)
        if EccezioneSportello.objects.filter(sportello=sportello, giorno=dati.giorno).exists():
            raise OrarioNonAmmesso(f"Il {dati.giorno:%d/%m/%Y} ha già una chiusura o un'apertura straordinaria.")
        if dati.tipo == EccezioneSportello.Tipo.APERTURA and _vive_del_giorno(sportello, dati.giorno).exists():
            raise OrarioNonAmmesso(
                "Quel giorno ha già incontri prenotati sull'orario settimanale: un'apertura straordinaria lo "
                "sostituirebbe. Ne pubblichi una in un giorno senza prenotazioni."
            )
        eccezione = EccezioneSportello.objects.create(
            sportello=sportello,
            giorno=dati.giorno,
            tipo=dati.tipo,
            motivo=motivo,
            dalle=dati.dalle if dati.tipo == EccezioneSportello.Tipo.APERTURA else None,
            alle=dati.alle if dati.tipo == EccezioneSportello.Tipo.APERTURA else None,
            durata_minuti=dati.durata_minuti if dati.tipo == EccezioneSportello.Tipo.APERTURA else None,
            operatori=dati.operatori if dati.tipo == EccezioneSportello.Tipo.APERTURA else None,
        )
        annullate = (
            _annulla_il_giorno(sportello, dati.giorno, chi, motivo)
            if dati.tipo == EccezioneSportello.Tipo.CHIUSURA
            else 0
        )
    logger.info(
        "eccezione al calendario PUE", extra={"eccezione_id": eccezione.pk, "annullate": annullate, "tipo": dati.tipo}
    )
    return eccezione, annullate


def _vive_del_giorno(sportello: Sportello, giorno: dt.date) -> QuerySet[Prenotazione]:
    """The bookings and holds of ``sportello`` on the Rome day ``giorno``."""
    return Prenotazione.objects.filter(
        sportello=sportello,
        stato__in=(Stato.TRATTENUTA, Stato.CONFERMATA),
        inizio__gte=mezzanotte(giorno),
        inizio__lt=mezzanotte(giorno + dt.timedelta(days=1)),
    )


def _annulla_il_giorno(sportello: Sportello, giorno: dt.date, chi: User, motivo: str) -> int:
    """The day's bookings and holds are cancelled with the closure's reason; the confirmed ones are notified."""
    del_giorno = list(
        _vive_del_giorno(sportello, giorno).select_for_update(of=("self",)).select_related("comune", "operatore")
    )
    adesso = clock.now()
    for prenotazione in del_giorno:
        confermata = prenotazione.stato == Stato.CONFERMATA
        evento_registra(prenotazione, da=prenotazione.stato, a=Stato.ANNULLATA, chi=chi, motivo=f"chiusura: {motivo}")
        prenotazione.stato, prenotazione.annullata_il, prenotazione.annullata_da = Stato.ANNULLATA, adesso, chi
        prenotazione.motivo_annullamento = f"chiusura straordinaria dello sportello: {motivo}"[:300]
        prenotazione.scade_il, prenotazione.sequenza = None, prenotazione.sequenza + 1
        prenotazione.save(
            update_fields=["stato", "annullata_il", "annullata_da", "motivo_annullamento", "scade_il", "sequenza"]
        )
        if confermata:
            avviso_accoda(prenotazione.pk, Avviso.ANNULLAMENTO)
            attivita_registra(
                None, prenotazione.operatore, tipo=Attivita.Tipo.PRENOTAZIONE, comune=prenotazione.comune,
                descrizione=f"Prenotazione {prenotazione.pk} annullata dall'INPS: chiusura dello sportello ({motivo})",
            )  # fmt: skip
    return len(del_giorno)


def eccezione_rimuovi(*, chi: User, eccezione_id: int) -> None:
    """A closure or opening not yet come is withdrawn (a closure's cancelled bookings stay cancelled)."""
    with transaction.atomic():
        eccezione = EccezioneSportello.objects.filter(pk=eccezione_id).first()
        if eccezione is None:
            raise OrarioNonAmmesso("Eccezione non trovata.")
        sportello = _sportello_di(chi, eccezione.sportello_id)
        if eccezione.giorno <= clock.today():
            raise OrarioNonAmmesso("Si ritira solo una chiusura o un'apertura dei giorni a venire.")
        if (
            eccezione.tipo == EccezioneSportello.Tipo.APERTURA
            and _vive_del_giorno(sportello, eccezione.giorno).exists()
        ):
            raise OrarioNonAmmesso(
                "L'apertura straordinaria ha già incontri prenotati: i Comuni li annullino o li spostino prima."
            )
        eccezione.delete()
