"""Every write of the PUE's operators: designation by the Amministratore utenze, INPS's decision, revocation, and
their end with the convention. Each change in a transaction, with its event and its notices."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.selectors.competenza import sede_competente
from accounts.services.accessi import sessioni_chiudi
from accounts.services.ruoli import ruolo_assegna, ruolo_revoca
from accounts.validators import normalizza_codice_fiscale
from convenzioni.models import Convenzione, FiguraConvenzione
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci
from pue.errori import DatiDesignazioneNonValidi, DesignazioneNonAmmessa, NonAutorizzato
from pue.models import DesignazioneOperatore, EventoDesignazione
from pue.selectors import amministratore_di, puo_decidere

logger = logging.getLogger(__name__)
Stato = DesignazioneOperatore.Stato
NON_TROVATA = "Designazione non trovata."


@dataclass(frozen=True)
class DatiOperatore:
    codice_fiscale: str
    nome: str
    cognome: str
    email: str
    telefono: str
    atto_autorizzazione: str
    data_atto: dt.date


def _evento(designazione: DesignazioneOperatore, da: str, a: str, chi: User | None, motivo: str = "") -> None:
    EventoDesignazione.objects.create(designazione=designazione, da=da, a=a, chi=chi, motivo=motivo)


def _bloccata(pk: int) -> DesignazioneOperatore:
    designazione = DesignazioneOperatore.objects.select_for_update().select_related("comune").filter(pk=pk).first()
    if designazione is None:
        raise NonAutorizzato(NON_TROVATA)
    return designazione


def _motivo_obbligatorio(motivo: str) -> str:
    motivo = (motivo or "").strip()
    if not motivo:
        raise DesignazioneNonAmmessa("Indichi il motivo: sarà comunicato all'altra parte e resta nella storia.")
    return motivo


def _amministratore_email(convenzione: Convenzione) -> str:
    figura = FiguraConvenzione.objects.filter(
        convenzione=convenzione, ruolo=FiguraConvenzione.Ruolo.AMMINISTRATORE_UTENZE, sostituita_il__isnull=True
    ).first()
    return figura.email if figura else ""


def _notifica(designazione: DesignazioneOperatore, azione: str, *, alla_sede: bool, all_operatore: bool) -> None:
    """The notice of a designation's step to both sides: the Comune's Amministratore utenze, the operator, the Sede
    that decides. Addresses only; no credential ever travels by e-mail."""
    destinatari = [_amministratore_email(designazione.convenzione)]
    if all_operatore:
        destinatari.append(designazione.email)
    sede = sede_competente(designazione.comune)
    if alla_sede and sede is not None and sede.pec:
        destinatari.append(sede.pec)
    if not any(d.strip() for d in destinatari):
        return
    pec_spedisci(
        modello="designazione_operatore",
        destinatari=destinatari,
        riferimento=designazione,
        contesto={"designazione": designazione, "azione": azione, "sede": sede},
    )


def _valida(designazione: DesignazioneOperatore) -> None:
    try:
        designazione.full_clean(exclude=["convenzione", "comune", "designata_da", "user", "decisa_da"])
    except ValidationError as errore:
        raise DatiDesignazioneNonValidi(errore.message_dict) from errore
    if designazione.data_atto > clock.today():
        raise DatiDesignazioneNonValidi({"data_atto": ["La data dell'atto non può essere futura."]})


@transaction.atomic
def operatore_designa(*, chi: User, comune: Comune, dati: DatiOperatore) -> DesignazioneOperatore:
    """The Amministratore utenze named in the Comune's active convention designates an operator (Messaggio
    4461/2023: "gli operatori espressamente indicati dall'Amministratore Utente")."""
    convenzione = amministratore_di(chi, comune)
    if convenzione is None:
        raise NonAutorizzato(
            "Può designare gli operatori solo l'Amministratore utenze indicato nella convenzione attiva del Comune."
        )
    designazione = DesignazioneOperatore(
        convenzione=convenzione,
        comune=comune,
        codice_fiscale=normalizza_codice_fiscale(dati.codice_fiscale),
        nome=dati.nome.strip(),
        cognome=dati.cognome.strip(),
        email=dati.email.strip(),
        telefono=dati.telefono.strip(),
        atto_autorizzazione=dati.atto_autorizzazione.strip(),
        data_atto=dati.data_atto,
        designata_da=chi,
    )
    _valida(designazione)
    if DesignazioneOperatore.objects.filter(
        comune=comune, codice_fiscale=designazione.codice_fiscale, stato__in=DesignazioneOperatore.APERTE
    ).exists():
        raise DatiDesignazioneNonValidi(
            {"codice_fiscale": ["Questa persona è già designata o abilitata come operatore del Comune."]}
        )
    try:
        with transaction.atomic():
            designazione.save()
    except IntegrityError as errore:  # a designation of the same person created at the same moment
        raise DatiDesignazioneNonValidi(
            {"codice_fiscale": ["Questa persona è già designata o abilitata come operatore del Comune."]}
        ) from errore
    _evento(designazione, "", Stato.IN_ATTESA, chi, f"atto: {designazione.atto_autorizzazione}")
    _notifica(designazione, "designata", alla_sede=True, all_operatore=False)
    logger.info("operatore PUE designato", extra={"designazione_id": designazione.pk, "comune_id": comune.pk})
    return designazione


@transaction.atomic
def operatore_abilita(*, chi: User, designazione_id: int) -> DesignazioneOperatore:
    """INPS (the staff of the Sede competent for the Comune) enables the designated operator: their SPID, CIE or CNS
    credentials are profiled "Comune" for the PUE. The portal's account is created here if the person has none."""
    designazione = _bloccata(designazione_id)
    if not puo_decidere(chi, designazione):
        raise NonAutorizzato(NON_TROVATA)
    if designazione.stato != Stato.IN_ATTESA:
        raise DesignazioneNonAmmessa(f"La designazione è {designazione.get_stato_display().lower()}.")
    if designazione.convenzione.stato != Convenzione.Stato.ATTIVA:
        raise DesignazioneNonAmmessa(
            "La convenzione del Comune non è più attiva: la designazione non può essere abilitata."
        )
    user = User.objects.filter(codice_fiscale=designazione.codice_fiscale).first()
    if user is None:
        user = User.objects.create_user(
            designazione.codice_fiscale,
            None,
            nome=designazione.nome,
            cognome=designazione.cognome,
            email=designazione.email,
        )
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=designazione.comune, chi=chi)
    designazione.stato, designazione.user = Stato.ABILITATA, user
    designazione.decisa_da, designazione.decisa_il = chi, clock.now()
    designazione.save(update_fields=["stato", "user", "decisa_da", "decisa_il"])
    _evento(designazione, Stato.IN_ATTESA, Stato.ABILITATA, chi)
    _notifica(designazione, "abilitata", alla_sede=False, all_operatore=True)
    return designazione


@transaction.atomic
def operatore_rifiuta(*, chi: User, designazione_id: int, motivo: str) -> DesignazioneOperatore:
    designazione = _bloccata(designazione_id)
    if not puo_decidere(chi, designazione):
        raise NonAutorizzato(NON_TROVATA)
    if designazione.stato != Stato.IN_ATTESA:
        raise DesignazioneNonAmmessa(f"La designazione è {designazione.get_stato_display().lower()}.")
    motivo = _motivo_obbligatorio(motivo)
    designazione.stato, designazione.motivo = Stato.RIFIUTATA, motivo
    designazione.decisa_da, designazione.decisa_il = chi, clock.now()
    designazione.chiusa_il = designazione.decisa_il
    designazione.save(update_fields=["stato", "motivo", "decisa_da", "decisa_il", "chiusa_il"])
    _evento(designazione, Stato.IN_ATTESA, Stato.RIFIUTATA, chi, motivo)
    _notifica(designazione, "rifiutata", alla_sede=False, all_operatore=True)
    return designazione


@transaction.atomic
def operatore_revoca(*, chi: User, designazione_id: int, motivo: str) -> DesignazioneOperatore:
    """The Amministratore utenze (when the conditions that justified it no longer hold) or INPS revokes a
    designation, pending or enabled; the operator's open sessions end at once."""
    designazione = _bloccata(designazione_id)
    dal_comune = amministratore_di(chi, designazione.comune_id) is not None
    if not dal_comune and not puo_decidere(chi, designazione):
        raise NonAutorizzato(NON_TROVATA)
    if not designazione.aperta:
        raise DesignazioneNonAmmessa(f"La designazione è {designazione.get_stato_display().lower()}.")
    motivo = _motivo_obbligatorio(motivo)
    _chiudi(designazione, Stato.REVOCATA, chi, motivo)
    _notifica(designazione, "revocata", alla_sede=dal_comune, all_operatore=True)
    return designazione


def _chiudi(designazione: DesignazioneOperatore, a: str, chi: User | None, motivo: str) -> None:
    da = designazione.stato
    designazione.stato, designazione.motivo, designazione.chiusa_il = a, motivo, clock.now()
    designazione.save(update_fields=["stato", "motivo", "chiusa_il"])
    _evento(designazione, da, a, chi, motivo)
    if da == Stato.ABILITATA and designazione.user is not None:
        ancora = DesignazioneOperatore.objects.filter(
            user=designazione.user, comune_id=designazione.comune_id, stato=Stato.ABILITATA
        ).exists()
        if not ancora:
            ruolo_revoca(
                user=designazione.user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=designazione.comune, chi=chi
            )
        utente = designazione.user
        transaction.on_commit(lambda: sessioni_chiudi(utente))


@transaction.atomic
def designazioni_chiudi_con_convenzione(convenzione_id: int) -> int:
    """The convention ended (expiry, withdrawal, revocation, replacement): its operators' enablements end with it."""
    chiuse = 0
    for pk in DesignazioneOperatore.objects.filter(
        convenzione_id=convenzione_id, stato__in=DesignazioneOperatore.APERTE
    ).values_list("pk", flat=True):
        designazione = _bloccata(pk)
        if designazione.aperta:
            _chiudi(designazione, Stato.CESSATA, None, "fine della convenzione")
            chiuse += 1
    if chiuse:
        logger.info("operatori PUE cessati con la convenzione", extra={"convenzione_id": convenzione_id, "n": chiuse})
    return chiuse
