"""A new PIN dispositivo for a person who has none, or has lost it: "online o presso la sede" (Circolare 71/2016).

- Online: the person (with no PIN there is nothing to log in with) sends the signed request form and an identity
  document to a Sede territoriale of their choice; the staff of that Sede approve or reject it. At submission the
  portal shows, once, a collection code that only the person knows; after the approval the person collects the PIN
  with the codice fiscale and that code. The PIN is generated at collection and shown once: it is never stored in
  clear nor sent by e-mail, and the e-mails carry no secret at all.
- At the counter: the staff of any Sede, having checked an identity document, issue the PIN to the person in front of
  them and print it once.

Either way an active PIN the person still had is superseded and its abilitazioni move to the new one; a person whose
ex-Inpdap credentials still wait for the unification is sent there instead (it issues the PIN with the union).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import (
    PIN,
    AbilitazioneDetenuta,
    CredenzialeExInpdap,
    EventoCredenziale,
    EventoRichiestaPin,
    RichiestaPin,
    Struttura,
    User,
)
from accounts.services.unificazione import ALFABETO_PIN, PinRilasciato, genera_codice_pin
from accounts.validators import normalizza_codice_fiscale
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)


Status = RichiestaPin.Status


LUNGHEZZA_CODICE_RITIRO = 12


_FINTO = make_password("ritiro-per-tempi-uguali")


class RilascioNonAmmesso(ErroreDominio):
    """The request, decision or issuance is not possible in the current state; the message says why, in Italian."""


class RitiroNonRiuscito(ErroreDominio):
    """One answer for every failed collection: wrong code, unknown person, request not approved, too many attempts."""


@dataclass(frozen=True)
class RichiestaInviata:
    richiesta: RichiestaPin
    codice_ritiro: str  # shown once to the person, never stored nor sent


def _codice_ritiro() -> str:
    return "".join(secrets.choice(ALFABETO_PIN) for _ in range(LUNGHEZZA_CODICE_RITIRO))


def normalizza_codice_ritiro(digitato: str) -> str:
    return "".join(digitato.split()).replace("-", "").upper()


@transaction.atomic
def richiesta_pin_invia(
    *,
    codice_fiscale: str,
    nome: str,
    cognome: str,
    email: str,
    sede: Struttura,
    modulo_firmato: UploadedFile,
    documento_identita: UploadedFile,
) -> RichiestaInviata:
    codice_fiscale = normalizza_codice_fiscale(codice_fiscale)
    if sede.tipo != Struttura.Tipo.SEDE_TERRITORIALE or not sede.attiva:
        raise RilascioNonAmmesso("Scelga una sede territoriale INPS attiva.")
    if RichiestaPin.objects.select_for_update().filter(codice_fiscale=codice_fiscale, status__in=RichiestaPin.IN_CORSO):
        raise RilascioNonAmmesso(
            "Per questo codice fiscale c'è già una richiesta di PIN in corso: attenda l'esito, oppure si rivolga a "
            "una sede INPS."
        )
    codice = _codice_ritiro()
    richiesta = RichiestaPin.objects.create(
        codice_fiscale=codice_fiscale,
        nome=nome.strip(),
        cognome=cognome.strip(),
        email=email,
        sede=sede,
        modulo_firmato=modulo_firmato,
        documento_identita=documento_identita,
        codice_ritiro_hash=make_password(codice),
    )
    EventoRichiestaPin.objects.create(richiesta=richiesta, da="", a=Status.INVIATA, motivo="richiesta online")
    pec_spedisci(
        modello="richiesta_pin",
        destinatari=[email],
        riferimento=richiesta,
        contesto={"persona": f"{richiesta.nome} {richiesta.cognome}", "numero": richiesta.numero, "sede": sede.nome},
    )
    logger.info("richiesta di PIN dispositivo", extra={"richiesta_id": richiesta.pk, "sede": sede.codice})
    return RichiestaInviata(richiesta=richiesta, codice_ritiro=codice)


@transaction.atomic
def richiesta_pin_decidi(*, richiesta_id: int, chi: User, approvata: bool, motivo: str = "") -> RichiestaPin:
    richiesta = RichiestaPin.objects.select_for_update().select_related("sede").get(pk=richiesta_id)
    if richiesta.status != Status.INVIATA:
        raise RilascioNonAmmesso("La richiesta è già stata decisa.")
    if not approvata and not motivo.strip():
        raise RilascioNonAmmesso("Per respingere la richiesta indichi il motivo.")
    if approvata and CredenzialeExInpdap.objects.filter(
        codice_fiscale=richiesta.codice_fiscale, unificata_il__isnull=True
    ):
        raise RilascioNonAmmesso(
            "La persona ha credenziali ex Inpdap non ancora unificate: il PIN le viene rilasciato dall'unificazione "
            "(al primo accesso o allo sportello). Respinga la richiesta indicandolo."
        )
    precedente = richiesta.status
    richiesta.status = Status.APPROVATA if approvata else Status.RESPINTA
    richiesta.motivo_rifiuto = "" if approvata else motivo.strip()
    richiesta.decisa_il, richiesta.decisa_da = clock.now(), chi
    richiesta.save(update_fields=["status", "motivo_rifiuto", "decisa_il", "decisa_da"])
    EventoRichiestaPin.objects.create(
        richiesta=richiesta, da=precedente, a=richiesta.status, chi=chi, motivo=richiesta.motivo_rifiuto
    )
    pec_spedisci(
        modello="esito_richiesta_pin",
        destinatari=[richiesta.email],
        riferimento=richiesta,
        contesto={
            "persona": f"{richiesta.nome} {richiesta.cognome}",
            "numero": richiesta.numero,
            "approvata": approvata,
            "motivo": richiesta.motivo_rifiuto,
            "sede": richiesta.sede.nome,
        },
    )
    return richiesta


def pin_ritira(*, codice_fiscale: str, codice_ritiro: str, indirizzo_ip: str | None = None) -> PinRilasciato:
    """Collect the PIN of an approved online request: the PIN is generated now and shown once.

    Every failure is the same ``RitiroNonRiuscito`` after the same hashing work; after too many wrong codes the
    request can no longer be collected online (the person goes to a Sede).
    """
    codice_fiscale = normalizza_codice_fiscale(codice_fiscale)
    codice = normalizza_codice_ritiro(codice_ritiro)
    nuovo = genera_codice_pin()
    nuovo_hash = make_password(nuovo)  # before the lock, as in the unification
    with transaction.atomic():
        richiesta = (
            RichiestaPin.objects.select_for_update()
            .filter(codice_fiscale=codice_fiscale, status=Status.APPROVATA)
            .first()
        )
        valido = check_password(codice, richiesta.codice_ritiro_hash if richiesta else _FINTO)
        if richiesta is None or richiesta.tentativi_ritiro >= RichiestaPin.TENTATIVI_RITIRO_MASSIMI or not valido:
            if richiesta is not None:
                richiesta.tentativi_ritiro += 1
                richiesta.save(update_fields=["tentativi_ritiro"])
            esito = None
        else:
            user = _persona(richiesta)
            pin = _pin_nuovo(user=user, codice_hash=nuovo_hash, origine=PIN.Origine.RICHIESTA_ONLINE)
            richiesta.status, richiesta.user, richiesta.pin = Status.RITIRATA, user, pin
            richiesta.ritirata_il = pin.creato_il
            richiesta.save(update_fields=["status", "user", "pin", "ritirata_il"])
            EventoRichiestaPin.objects.create(
                richiesta=richiesta, da=Status.APPROVATA, a=Status.RITIRATA, chi=user, motivo="ritiro online"
            )
            EventoCredenziale.objects.create(
                user=user,
                tipo=EventoCredenziale.Tipo.RILASCIO_ONLINE,
                indirizzo_ip=indirizzo_ip,
                dettagli={"richiesta": richiesta.numero, "pin_id": pin.pk},
            )
            esito = PinRilasciato(pin=pin, codice=nuovo)
    if esito is None:
        logger.info("ritiro del PIN non riuscito", extra={"richiesta_id": richiesta.pk if richiesta else None})
        raise RitiroNonRiuscito
    logger.info("PIN dispositivo ritirato", extra={"user_id": esito.pin.user_id})
    return esito


@transaction.atomic
def pin_rilascia_sportello(
    *,
    codice_fiscale: str,
    nome: str,
    cognome: str,
    email: str,
    chi: User,
    documento: dict[str, str],
    indirizzo_ip: str | None = None,
) -> PinRilasciato:
    """At a Sede's counter: a new PIN dispositivo for the person in front of the staff, identity document checked."""
    if not documento:
        raise RilascioNonAmmesso("Allo sportello va registrato il documento di identità verificato.")
    codice_fiscale = normalizza_codice_fiscale(codice_fiscale)
    if CredenzialeExInpdap.objects.filter(codice_fiscale=codice_fiscale, unificata_il__isnull=True).exists():
        raise RilascioNonAmmesso(
            "La persona ha credenziali ex Inpdap non ancora unificate: esegua l'unificazione allo sportello "
            "(Credenziali ex Inpdap), che rilascia il nuovo PIN con tutte le abilitazioni."
        )
    user = User.objects.filter(codice_fiscale=codice_fiscale).first()
    if user is None:
        user = User.objects.create_user(codice_fiscale, None, nome=nome.strip(), cognome=cognome.strip(), email=email)
    codice = genera_codice_pin()
    pin = _pin_nuovo(user=user, codice_hash=make_password(codice), origine=PIN.Origine.SPORTELLO)
    EventoCredenziale.objects.create(
        user=user,
        tipo=EventoCredenziale.Tipo.RILASCIO_SPORTELLO,
        eseguito_da=chi,
        indirizzo_ip=indirizzo_ip,
        dettagli={"pin_id": pin.pk, "documento": documento},
    )
    if user.email:
        pec_spedisci(
            modello="rilascio_pin",
            destinatari=[user.email],
            riferimento=pin,
            contesto={"persona": user.get_full_name(), "quando": pin.creato_il, "canale": "sportello"},
        )
    return PinRilasciato(pin=pin, codice=codice)


def _persona(richiesta: RichiestaPin) -> User:
    user = User.objects.filter(codice_fiscale=richiesta.codice_fiscale).first()
    if user is None:
        user = User.objects.create_user(
            richiesta.codice_fiscale, None, nome=richiesta.nome, cognome=richiesta.cognome, email=richiesta.email
        )
    return user


def _pin_nuovo(*, user: User, codice_hash: str, origine: str) -> PIN:
    """The new PIN dispositivo; the active one, if any, is superseded and its abilitazioni move to the new one."""
    User.objects.select_for_update().get(pk=user.pk)  # one active PIN per person, also with two counters at once
    adesso = clock.now()
    vecchio = PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).first()
    if vecchio is not None:
        vecchio.status, vecchio.superato_il = PIN.Status.SUPERATO, adesso
        vecchio.save(update_fields=["status", "superato_il"])
    pin = PIN.objects.create(
        user=user, codice_hash=codice_hash, tipo=PIN.Tipo.DISPOSITIVO, origine=origine, creato_il=adesso
    )
    if vecchio is not None:
        AbilitazioneDetenuta.objects.bulk_create(
            [
                AbilitazioneDetenuta(pin=pin, ente_id=a.ente_id, codice=a.codice, nome=a.nome, dal=a.dal)
                for a in AbilitazioneDetenuta.objects.filter(pin=vecchio)
            ]
        )
    return pin
