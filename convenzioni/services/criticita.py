"""Criticità (Messaggio 4461/2023: each Referente reports the problems of the collaboration): reported by the
Referente of one party, taken in charge and resolved by the other party, each step an event and a PEC."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato
from convenzioni.models import Convenzione, Criticita, EventoCriticita, Parte
from convenzioni.selectors import parti_di, referente_per
from convenzioni.services._comune import NON_TROVATA, bloccata
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci

Stato = Criticita.Stato


def _pec_della_parte(convenzione: Convenzione, parte: str) -> str:
    return convenzione.pec_inps if parte == Parte.INPS else convenzione.comune_pec


def _notifica(criticita: Criticita, a_parte: str, azione: str) -> None:
    pec_spedisci(
        modello="convenzione_criticita",
        destinatari=[_pec_della_parte(criticita.convenzione, a_parte)],
        riferimento=criticita.convenzione,
        contesto={"criticita": criticita, "convenzione": criticita.convenzione, "azione": azione},
    )


@transaction.atomic
def criticita_segnala(*, chi: User, convenzione_id: int, oggetto: str, descrizione: str) -> Criticita:
    """A Referente reports a problem in the working of an active convention; the other party is told by PEC."""
    convenzione = bloccata(convenzione_id)
    parte = referente_per(chi, convenzione)
    if parte is None:
        raise NonAutorizzato(
            NON_TROVATA if not parti_di(chi, convenzione) else "Le criticità le segnalano i Referenti."
        )
    if convenzione.stato != Convenzione.Stato.ATTIVA:
        raise ConvenzioneNonAmmessa("Le criticità si segnalano sulle convenzioni attive.")
    oggetto, descrizione = (oggetto or "").strip(), (descrizione or "").strip()
    if not oggetto or not descrizione:
        raise ConvenzioneNonAmmessa("Indichi l'oggetto e la descrizione della criticità.")
    criticita = Criticita.objects.create(
        convenzione=convenzione, parte=parte, oggetto=oggetto[:200], descrizione=descrizione, segnalata_da=chi
    )
    EventoCriticita.objects.create(criticita=criticita, da="", a=Stato.APERTA, chi=chi, motivo="segnalata")
    _notifica(criticita, Parte(parte).altra, "segnalata")
    return criticita


def _bloccata(criticita_id: int, chi: User) -> Criticita:
    try:
        criticita = (
            Criticita.objects.select_for_update(of=("self",))
            .select_related("convenzione__comune", "convenzione__direzione")
            .get(pk=criticita_id)
        )
    except Criticita.DoesNotExist as errore:
        raise NonAutorizzato("La criticità indicata non esiste o non è tra quelle che può vedere.") from errore
    parti = parti_di(chi, criticita.convenzione)
    if not parti:
        raise NonAutorizzato("La criticità indicata non esiste o non è tra quelle che può vedere.")
    if criticita.parte_che_gestisce not in parti:
        raise NonAutorizzato("La criticità è gestita dall'altra Parte: chi l'ha segnalata ne segue l'esito.")
    return criticita


@transaction.atomic
def criticita_prendi_in_carico(*, chi: User, criticita_id: int, nota: str = "") -> Criticita:
    criticita = _bloccata(criticita_id, chi)
    if criticita.stato != Stato.APERTA:
        raise ConvenzioneNonAmmessa(f"La criticità è già {criticita.get_stato_display().lower()}.")
    criticita.stato, criticita.presa_in_carico_da = Stato.IN_CARICO, chi
    criticita.save(update_fields=["stato", "presa_in_carico_da"])
    EventoCriticita.objects.create(
        criticita=criticita, da=Stato.APERTA, a=Stato.IN_CARICO, chi=chi, motivo=(nota or "").strip()
    )
    _notifica(criticita, criticita.parte, "presa in carico")
    return criticita


@transaction.atomic
def criticita_risolvi(*, chi: User, criticita_id: int, risoluzione: str) -> Criticita:
    criticita = _bloccata(criticita_id, chi)
    if criticita.stato == Stato.RISOLTA:
        raise ConvenzioneNonAmmessa("La criticità è già risolta.")
    risoluzione = (risoluzione or "").strip()
    if not risoluzione:
        raise ConvenzioneNonAmmessa("Indichi come è stata risolta la criticità.")
    da = criticita.stato
    criticita.stato, criticita.risolta_da, criticita.risolta_il, criticita.risoluzione = (
        Stato.RISOLTA,
        chi,
        clock.now(),
        risoluzione,
    )
    if criticita.presa_in_carico_da_id is None:
        criticita.presa_in_carico_da = chi
    criticita.save(update_fields=["stato", "risolta_da", "risolta_il", "risoluzione", "presa_in_carico_da"])
    EventoCriticita.objects.create(criticita=criticita, da=da, a=Stato.RISOLTA, chi=chi, motivo=risoluzione)
    _notifica(criticita, criticita.parte, "risolta")
    return criticita
