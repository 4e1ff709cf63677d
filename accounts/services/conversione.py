"""Conversion of an online PIN into a dispositivo PIN ("Il PIN online", Circolare 71/2016, par. 2): the same code,
another type. The person asks online with the signed form and an identity document; the Sede competent for the
Ente decides."""

from __future__ import annotations

import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import (
    PIN,
    Ente,
    EventoConversione,
    EventoCredenziale,
    RichiestaConversione,
    Struttura,
    User,
)
from accounts.selectors.competenza import sede_competente
from accounts.selectors.persone import enti_di
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)
Status = RichiestaConversione.Status


class ConversioneNonAmmessa(ErroreDominio):
    """The request or the decision is not possible in the current state; the message says why, in Italian."""


@transaction.atomic
def conversione_richiedi(
    *,
    user: User,
    modulo_firmato: UploadedFile,
    documento_identita: UploadedFile,
    ente: Ente | None = None,
    sede: Struttura | None = None,
) -> RichiestaConversione:
    """The request goes to the Sede competent for the chosen Ente; a person who acts for no Ente yet chooses the
    Sede territoriale (any Sede may convert a PIN, Circolare 71/2016, par. 2)."""
    pin = PIN.objects.select_for_update().filter(user=user, status=PIN.Status.ATTIVO).first()
    if pin is None or pin.tipo != PIN.Tipo.ONLINE:
        raise ConversioneNonAmmessa("Solo un PIN online attivo può essere convertito in PIN dispositivo.")
    if RichiestaConversione.objects.filter(user=user, status=Status.INVIATA).exists():
        raise ConversioneNonAmmessa("Ha già una richiesta di conversione in attesa della sede.")
    if ente is not None:
        if not enti_di(user).filter(pk=ente.pk).exists():
            raise ConversioneNonAmmessa("L'Ente indicato non è tra quelli per cui opera.")
        sede = sede_competente(ente.comune)
        if sede is None:
            raise ConversioneNonAmmessa("Nessuna sede territoriale risulta competente per l'Ente indicato.")
    elif sede is None or sede.tipo != Struttura.Tipo.SEDE_TERRITORIALE or not sede.attiva:
        raise ConversioneNonAmmessa("Scelga la sede territoriale INPS che esamina la richiesta.")
    richiesta = RichiestaConversione.objects.create(
        user=user, pin=pin, ente=ente, sede=sede, modulo_firmato=modulo_firmato, documento_identita=documento_identita
    )
    EventoConversione.objects.create(richiesta=richiesta, da="", a=Status.INVIATA, chi=user, motivo="richiesta online")
    logger.info("richiesta di conversione del PIN", extra={"richiesta_id": richiesta.pk, "sede": sede.codice})
    return richiesta


@transaction.atomic
def conversione_decidi(*, richiesta_id: int, chi: User, approvata: bool, motivo: str = "") -> RichiestaConversione:
    richiesta = RichiestaConversione.objects.select_for_update().select_related("user", "pin").get(pk=richiesta_id)
    if richiesta.status != Status.INVIATA:
        raise ConversioneNonAmmessa("La richiesta è già stata decisa.")
    if not approvata and not motivo.strip():
        raise ConversioneNonAmmessa("Per respingere la richiesta indichi il motivo.")
    adesso = clock.now()
    if approvata:
        pin = PIN.objects.select_for_update().get(pk=richiesta.pin_id)
        if pin.status != PIN.Status.ATTIVO:
            raise ConversioneNonAmmessa("Il PIN della richiesta non è più attivo.")
        pin.tipo = PIN.Tipo.DISPOSITIVO  # the same code: only the type changes
        pin.save(update_fields=["tipo"])
    precedente = richiesta.status
    richiesta.status = Status.APPROVATA if approvata else Status.RESPINTA
    richiesta.motivo_rifiuto = "" if approvata else motivo.strip()
    richiesta.decisa_il, richiesta.decisa_da = adesso, chi
    richiesta.save(update_fields=["status", "motivo_rifiuto", "decisa_il", "decisa_da"])
    EventoConversione.objects.create(
        richiesta=richiesta, da=precedente, a=richiesta.status, chi=chi, motivo=richiesta.motivo_rifiuto
    )
    if richiesta.user.email:
        pec_spedisci(
            modello="conversione_pin",
            destinatari=[richiesta.user.email],
            riferimento=richiesta,
            contesto={
                "persona": richiesta.user.get_full_name(),
                "approvata": approvata,
                "motivo": richiesta.motivo_rifiuto,
                "sede": richiesta.sede.nome,
            },
        )
    return richiesta


@transaction.atomic
def conversione_sportello(*, pin_id: int, chi: User, documento: dict[str, str], indirizzo_ip: str | None = None) -> PIN:
    """At a Sede's counter: the online PIN of the person in front of the staff becomes dispositivo (same code)."""
    if not documento:
        raise ConversioneNonAmmessa("Allo sportello va registrato il documento di identità verificato.")
    pin = PIN.objects.select_for_update().select_related("user").get(pk=pin_id)
    if pin.status != PIN.Status.ATTIVO or pin.tipo != PIN.Tipo.ONLINE:
        raise ConversioneNonAmmessa("Solo un PIN online attivo può essere convertito in PIN dispositivo.")
    pin.tipo = PIN.Tipo.DISPOSITIVO
    pin.save(update_fields=["tipo"])
    # A request sent online and still pending is settled by the conversion at the counter.
    for richiesta in RichiestaConversione.objects.select_for_update().filter(pin=pin, status=Status.INVIATA):
        richiesta.status, richiesta.decisa_il, richiesta.decisa_da = Status.APPROVATA, clock.now(), chi
        richiesta.save(update_fields=["status", "decisa_il", "decisa_da"])
        EventoConversione.objects.create(
            richiesta=richiesta,
            da=Status.INVIATA,
            a=Status.APPROVATA,
            chi=chi,
            motivo="convertito allo sportello",
        )
    EventoCredenziale.objects.create(
        user=pin.user,
        tipo=EventoCredenziale.Tipo.CONVERSIONE_SPORTELLO,
        eseguito_da=chi,
        indirizzo_ip=indirizzo_ip,
        dettagli={"pin_id": pin.pk, "documento": documento},
    )
    if pin.user.email:
        pec_spedisci(
            modello="conversione_pin",
            destinatari=[pin.user.email],
            riferimento=pin,
            contesto={"persona": pin.user.get_full_name(), "approvata": True, "motivo": "", "sede": "sede INPS"},
        )
    return pin
