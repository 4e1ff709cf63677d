"""Requests for abilitazioni (Circolare INPS 71/2016, section 4): one request, split by allegato, each routed to the
office that decides it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from django.db import transaction

from abilitazioni.models import (
    IN_CORSO,
    Abilitazione,
    EventoRichiesta,
    RichiestaAbilitazioni,
    RichiestaInstradata,
    VoceRichiesta,
)
from abilitazioni.selectors import destinazione, instradate_per_ufficio
from accounts import selectors as persone
from accounts.models import PIN, AbilitazioneDetenuta, Ente, User
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from inps_portal.pec.services import Allegato, pec_send

logger = logging.getLogger(__name__)
Status = RichiestaInstradata.Status


class RichiestaNonAmmessa(Exception):
    """The request cannot be made; the message says why, in Italian."""


@transaction.atomic
def richiesta_crea(
    *, user: User, ente: Ente, aggiungi: Iterable[Abilitazione] = (), rimuovi: Iterable[Abilitazione] = ()
) -> RichiestaAbilitazioni:
    voci = [(a, VoceRichiesta.Operazione.AGGIUNGI) for a in aggiungi] + [
        (a, VoceRichiesta.Operazione.RIMUOVI) for a in rimuovi
    ]
    if not voci:
        raise RichiestaNonAmmessa("Scelga almeno un'abilitazione da aggiungere o da togliere.")
    if len({a.pk for a, _ in voci}) != len(voci):
        raise RichiestaNonAmmessa("La stessa abilitazione non può essere sia aggiunta sia tolta.")
    User.objects.select_for_update().get(pk=user.pk)  # one request at a time per person: no double pending
    if not persone.enti_di(user).filter(pk=ente.pk).exists():
        raise RichiestaNonAmmessa("L'Ente indicato non è tra quelli per cui opera.")
    pin = persone.pin_attivo(user)
    if pin is None:
        raise RichiestaNonAmmessa("Per chiedere abilitazioni serve un PIN INPS attivo.")
    for abilitazione, _ in voci:
        if abilitazione.prerequisito == Abilitazione.Prerequisito.PIN_DISPOSITIVO and pin.tipo != PIN.Tipo.DISPOSITIVO:
            raise RichiestaNonAmmessa(
                f"«{abilitazione.nome}» (allegato {abilitazione.allegato}) richiede il PIN dispositivo: converta prima "
                "il suo PIN online nella sezione «Il PIN online» o presso una sede INPS."
            )
    detenute = set(AbilitazioneDetenuta.objects.filter(pin=pin, ente=ente).values_list("nome", flat=True))
    in_attesa = set(
        VoceRichiesta.objects.filter(
            instradata__richiesta__user=user, instradata__richiesta__ente=ente, instradata__status__in=IN_CORSO
        ).values_list("abilitazione_id", flat=True)
    )
    for abilitazione, operazione in voci:
        if abilitazione.pk in in_attesa:
            raise RichiestaNonAmmessa(f"Per «{abilitazione.nome}» c'è già una richiesta in corso.")
        if operazione == VoceRichiesta.Operazione.AGGIUNGI and abilitazione.nome in detenute:
            raise RichiestaNonAmmessa(f"Ha già l'abilitazione «{abilitazione.nome}» per questo Ente.")
        if operazione == VoceRichiesta.Operazione.RIMUOVI and abilitazione.nome not in detenute:
            raise RichiestaNonAmmessa(
                f"Non ha l'abilitazione «{abilitazione.nome}» per questo Ente: non c'è da toglierla."
            )
    richiesta = RichiestaAbilitazioni.objects.create(user=user, ente=ente)
    for allegato, gruppo in groupby(
        sorted(voci, key=lambda v: (v[0].allegato, v[0].nome)), key=lambda v: v[0].allegato
    ):
        gruppo_voci = list(gruppo)
        dove = destinazione(gruppo_voci[0][0], ente)
        if dove.struttura is None and not dove.indirizzo_pec:
            raise RichiestaNonAmmessa("Nessun ufficio risulta competente per questo Ente: si rivolga alla sede INPS.")
        instradata = RichiestaInstradata.objects.create(
            richiesta=richiesta, allegato=allegato, struttura=dove.struttura, indirizzo_pec=dove.indirizzo_pec
        )
        VoceRichiesta.objects.bulk_create(
            [VoceRichiesta(instradata=instradata, abilitazione=a, operazione=op) for a, op in gruppo_voci]
        )
        EventoRichiesta.objects.create(instradata=instradata, da="", a=Status.INVIATA, chi=user, motivo="richiesta")
        if instradata.indirizzo_pec:
            _invia_modulo(instradata)
    logger.info("richiesta di abilitazioni", extra={"richiesta_id": richiesta.pk, "ente_id": ente.pk})
    return richiesta


def _pec_dall_ente(
    instradata: RichiestaInstradata, modello: str, allegati: Sequence[Allegato] = (), **contesto: Any
) -> MessaggioPEC:
    """A PEC the Ente sends about a request of allegato 4 or 5: from the Ente's own PEC address to the routing
    address, queued in the caller's transaction; its receipts are tracked by the PEC service (outside production it
    goes to the local gateway whatever the routing address)."""
    richiesta = instradata.richiesta
    return pec_send(
        modello=modello,
        destinatari=[instradata.indirizzo_pec],
        mittente=richiesta.ente.pec,
        riferimento=instradata,
        allegati=allegati,
        contesto={
            "ente": richiesta.ente.nome,
            "ente_cf": richiesta.ente.codice_fiscale,
            "persona": f"{richiesta.user.get_full_name()} ({richiesta.user.codice_fiscale})",
            "allegato": instradata.allegato,
            "numero": instradata.numero,
            **contesto,
        },
    )


def _invia_modulo(instradata: RichiestaInstradata) -> None:
    """Allegati 4 and 5 go by PEC from the Ente, with the filled modulo attached."""
    from abilitazioni.moduli import modulo_compilato_pdf

    modulo = Allegato(instradata.nome_file_modulo, "application/pdf", modulo_compilato_pdf(instradata))
    voci = [str(v) for v in instradata.voci.select_related("abilitazione")]
    instradata.messaggio_pec = _pec_dall_ente(instradata, "richiesta_abilitazioni", [modulo], voci=voci)
    instradata.save(update_fields=["messaggio_pec"])


@transaction.atomic
def richiesta_ritira(*, instradata_id: int, user: User) -> RichiestaInstradata:
    """The operator withdraws a routed request, while nobody has taken it in charge."""
    instradata = (
        RichiestaInstradata.objects.select_for_update(of=("self",))
        .select_related("richiesta__user", "richiesta__ente", "messaggio_pec")
        .get(pk=instradata_id, richiesta__user=user)
    )
    if instradata.status != Status.INVIATA:
        raise RichiestaNonAmmessa("La richiesta è già stata presa in carico dall'ufficio: non si può più ritirare.")
    _cambia(instradata, Status.RITIRATA, user)
    if instradata.messaggio_pec is not None:  # the mailbox has the request already: the Ente withdraws it by PEC too
        _pec_dall_ente(instradata, "ritiro_abilitazioni", message_id=instradata.messaggio_pec.message_id)
    return instradata


def puo_decidere(user: User, instradata: RichiestaInstradata) -> bool:
    """Only the staff of the office that received the request decide it; for allegato 3, only the members of the
    Direzione regionale's team Prestazioni a sostegno del reddito, Credito e Welfare (``selectors.filtro_coda``)."""
    return instradate_per_ufficio(user).filter(pk=instradata.pk).exists()


def _cambia(instradata: RichiestaInstradata, a: str, chi: User, motivo: str = "") -> None:
    precedente = instradata.status
    instradata.status, instradata.motivo, instradata.aggiornata_il = a, motivo, clock.now()
    instradata.save(update_fields=["status", "motivo", "aggiornata_il"])
    EventoRichiesta.objects.create(instradata=instradata, da=precedente, a=a, chi=chi, motivo=motivo)


@transaction.atomic
def instradata_prendi_in_carico(*, instradata_id: int, chi: User) -> RichiestaInstradata:
    instradata = RichiestaInstradata.objects.select_for_update().get(pk=instradata_id)
    if not puo_decidere(chi, instradata):
        raise RichiestaInstradata.DoesNotExist
    if instradata.status != Status.INVIATA:
        raise RichiestaNonAmmessa("La richiesta non è più in attesa: è già stata presa in carico o ritirata.")
    _cambia(instradata, Status.IN_CARICO, chi)
    return instradata


@transaction.atomic
def instradata_decidi(*, instradata_id: int, chi: User, approvata: bool, motivo: str = "") -> RichiestaInstradata:
    """Approve (the abilitazioni land on the person's PIN for that Ente at once) or reject with a reason."""
    instradata = (
        RichiestaInstradata.objects.select_for_update()
        .select_related("richiesta__user", "richiesta__ente")
        .get(pk=instradata_id)
    )
    if not puo_decidere(chi, instradata):
        raise RichiestaInstradata.DoesNotExist
    if instradata.status != Status.IN_CARICO:
        raise RichiestaNonAmmessa("Prima di decidere, la richiesta va presa in carico.")
    if not approvata and not motivo.strip():
        raise RichiestaNonAmmessa("Per respingere la richiesta indichi il motivo.")
    richiesta = instradata.richiesta
    if approvata:
        pin = persone.pin_attivo(richiesta.user)
        if pin is None:
            raise RichiestaNonAmmessa("La persona non ha più un PIN attivo: la richiesta non può essere approvata.")
        for voce in instradata.voci.select_related("abilitazione"):
            if voce.operazione == VoceRichiesta.Operazione.AGGIUNGI:
                AbilitazioneDetenuta.objects.get_or_create(pin=pin, ente=richiesta.ente, nome=voce.abilitazione.nome)
            else:
                AbilitazioneDetenuta.objects.filter(pin=pin, ente=richiesta.ente, nome=voce.abilitazione.nome).delete()
    _cambia(instradata, Status.APPROVATA if approvata else Status.RESPINTA, chi, "" if approvata else motivo.strip())
    if richiesta.user.email:
        pec_send(
            modello="esito_abilitazioni",
            destinatari=[richiesta.user.email],
            riferimento=instradata,
            contesto={
                "persona": richiesta.user.get_full_name(),
                "ente": richiesta.ente.nome,
                "allegato": instradata.allegato,
                "approvata": approvata,
                "motivo": instradata.motivo,
                "voci": [str(v) for v in instradata.voci.select_related("abilitazione")],
            },
        )
    return instradata
