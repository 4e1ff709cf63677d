"""Every write of the PEC outbox: queue a message, send it once, apply the receipts that come back."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.template import Context
from django.template.loader import get_template, render_to_string

from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pec import ricevute, transport
from inps_portal.pec.models import AllegatoPEC, DestinatarioPEC, EventoPEC, MessaggioPEC, RicevutaPEC

logger = logging.getLogger(__name__)
Status = MessaggioPEC.Status


class TransizioneNonAmmessa(ErroreDominio):
    """A status change the current status does not allow."""


@dataclass(frozen=True)
class Allegato:
    nome: str
    tipo_mime: str
    contenuto: bytes


# --- Queueing -------------------------------------------------------------------------------------------------------


def _testo_semplice(nome: str, contesto: dict[str, Any]) -> str:
    """A plain-text part: rendered without HTML escaping (a name like «Sant'Agata» stays as it is)."""
    return get_template(nome).template.render(Context(contesto, autoescape=False))  # type: ignore[attr-defined, no-any-return]


@transaction.atomic
def pec_spedisci(
    *,
    modello: str,
    destinatari: Sequence[str],
    contesto: dict[str, Any] | None = None,
    mittente: str | None = None,
    riferimento: Model | None = None,
    allegati: Sequence[Allegato] = (),
) -> MessaggioPEC:
    """Queue a PEC in the caller's transaction; it is sent only if and when that transaction commits.

    ``modello`` names a triplet of templates ``pec/<modello>/oggetto.txt``, ``testo.txt`` and ``testo.html``.
    """
    indirizzi = list(dict.fromkeys(a.strip().lower() for a in destinatari if a.strip()))
    if not indirizzi:
        raise ValueError("Una PEC deve avere almeno un destinatario.")
    contesto = {"portale": settings.PORTAL_NAME, **(contesto or {})}
    oggetto = " ".join(_testo_semplice(f"pec/{modello}/oggetto.txt", contesto).split())
    messaggio = MessaggioPEC.objects.create(
        message_id=make_msgid(idstring="portale", domain=settings.PEC_DOMINIO),
        mittente=mittente or settings.PEC_MITTENTE,
        oggetto=oggetto[:250],
        corpo_testo=_testo_semplice(f"pec/{modello}/testo.txt", contesto),
        corpo_html=render_to_string(f"pec/{modello}/testo.html", contesto),
        modello=modello,
        riferimento_tipo=ContentType.objects.get_for_model(riferimento) if riferimento is not None else None,
        riferimento_id=str(riferimento.pk) if riferimento is not None else "",
    )
    DestinatarioPEC.objects.bulk_create([DestinatarioPEC(messaggio=messaggio, indirizzo=a) for a in indirizzi])
    AllegatoPEC.objects.bulk_create(
        [AllegatoPEC(messaggio=messaggio, nome=a.nome, tipo_mime=a.tipo_mime, contenuto=a.contenuto) for a in allegati]
    )
    EventoPEC.objects.create(messaggio=messaggio, da="", a=Status.DA_INVIARE, motivo="messaggio accodato")
    transaction.on_commit(lambda: _accoda(messaggio.pk))
    return messaggio


def _accoda(messaggio_id: int) -> None:
    from inps_portal.pec.tasks import pec_invia

    try:
        pec_invia.delay(messaggio_id)
    except Exception:  # the outbox row is safe; the periodic recovery will enqueue it again
        logger.exception("accodamento della PEC non riuscito", extra={"messaggio_id": messaggio_id})


# --- Sending --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EsitoInvio:
    inviato: bool
    riprova_tra: int | None = None


def _evento(messaggio_id: int, da: str, a: str, motivo: str = "") -> None:
    EventoPEC.objects.create(messaggio_id=messaggio_id, da=da, a=a, motivo=motivo)


def pec_prenota(*, messaggio_id: int) -> bool:
    """Take the message for sending. Exactly one caller wins: the update is conditional and its count checked."""
    adesso = clock.now()
    with transaction.atomic():
        presi = MessaggioPEC.objects.filter(
            pk=messaggio_id, status=Status.DA_INVIARE, prossimo_tentativo__lte=adesso
        ).update(status=Status.IN_INVIO, preso_in_carico_il=adesso, tentativi=F("tentativi") + 1)
        if presi:
            _evento(messaggio_id, Status.DA_INVIARE, Status.IN_INVIO, "preso in carico per l'invio")
    return bool(presi)


def pec_consegna(*, messaggio_id: int) -> EsitoInvio:
    """Send one queued message once: claim it, hand it to the provider, record the outcome."""
    if not pec_prenota(messaggio_id=messaggio_id):
        return EsitoInvio(inviato=False)
    messaggio = MessaggioPEC.objects.prefetch_related("destinatari", "allegati").get(pk=messaggio_id)
    destinatari = [d.indirizzo for d in messaggio.destinatari.all()]
    try:
        transport.consegna(mittente=messaggio.mittente, destinatari=destinatari, dati=componi_email(messaggio))
    except transport.InvioNonRiuscito as exc:
        return _fallimento(messaggio, str(exc))
    adesso = clock.now()
    with transaction.atomic():
        if MessaggioPEC.objects.filter(pk=messaggio_id, status=Status.IN_INVIO).update(
            status=Status.INVIATO, inviato_il=adesso, ultimo_errore=""
        ):
            _evento(messaggio_id, Status.IN_INVIO, Status.INVIATO, "consegnato al gestore PEC del mittente")
        else:
            # A receipt was faster than this update: the status is already further on.
            MessaggioPEC.objects.filter(pk=messaggio_id, inviato_il__isnull=True).update(inviato_il=adesso)
    logger.info("PEC inviata", extra={"messaggio_id": messaggio_id, "message_id": messaggio.message_id})
    return EsitoInvio(inviato=True)


def _fallimento(messaggio: MessaggioPEC, errore: str) -> EsitoInvio:
    if messaggio.tentativi >= settings.PEC_TENTATIVI_MASSIMI:
        with transaction.atomic():
            if MessaggioPEC.objects.filter(pk=messaggio.pk, status=Status.IN_INVIO).update(
                status=Status.FALLITO, ultimo_errore=errore
            ):
                _evento(messaggio.pk, Status.IN_INVIO, Status.FALLITO, f"tentativi esauriti: {errore}")
        logger.error("PEC non inviata dopo tutti i tentativi", extra={"messaggio_id": messaggio.pk, "errore": errore})
        return EsitoInvio(inviato=False)
    attesa = min(settings.PEC_ATTESA_BASE * 2 ** (messaggio.tentativi - 1), settings.PEC_ATTESA_MASSIMA)
    with transaction.atomic():
        if MessaggioPEC.objects.filter(pk=messaggio.pk, status=Status.IN_INVIO).update(
            status=Status.DA_INVIARE,
            ultimo_errore=errore,
            prossimo_tentativo=clock.now() + dt.timedelta(seconds=attesa),
            preso_in_carico_il=None,
        ):
            _evento(messaggio.pk, Status.IN_INVIO, Status.DA_INVIARE, f"nuovo tentativo tra {attesa} s: {errore}")
    logger.warning("PEC non inviata, nuovo tentativo", extra={"messaggio_id": messaggio.pk, "errore": errore})
    return EsitoInvio(inviato=False, riprova_tra=attesa)


def componi_email(messaggio: MessaggioPEC) -> bytes:
    email = EmailMessage()
    email["From"] = messaggio.mittente
    email["To"] = ", ".join(d.indirizzo for d in messaggio.destinatari.all())
    email["Subject"] = messaggio.oggetto
    email["Date"] = format_datetime(messaggio.creato_il)
    email["Message-ID"] = messaggio.message_id
    email.set_content(messaggio.corpo_testo)
    if messaggio.corpo_html:
        email.add_alternative(messaggio.corpo_html, subtype="html")
    for allegato in messaggio.allegati.all():
        maintype, _, subtype = allegato.tipo_mime.partition("/")
        email.add_attachment(bytes(allegato.contenuto), maintype=maintype, subtype=subtype, filename=allegato.nome)
    # CRLF line endings: the bytes go to SMTP as they are.
    return email.as_bytes(policy=email_policy.SMTP)


@transaction.atomic
def pec_rispedisci(*, messaggio_id: int, motivo: str = "nuovo invio richiesto dal back office") -> MessaggioPEC:
    """Put a failed message back in the queue (same Message-ID: its receipts still find it)."""
    messaggio = MessaggioPEC.objects.select_for_update().get(pk=messaggio_id)
    if messaggio.status != Status.FALLITO:
        raise TransizioneNonAmmessa(f"Si può inviare di nuovo solo un messaggio fallito, non «{messaggio.status}».")
    messaggio.status, messaggio.tentativi, messaggio.prossimo_tentativo = Status.DA_INVIARE, 0, clock.now()
    messaggio.save(update_fields=["status", "tentativi", "prossimo_tentativo"])
    _evento(messaggio.pk, Status.FALLITO, Status.DA_INVIARE, motivo)
    transaction.on_commit(lambda: _accoda(messaggio.pk))
    return messaggio


def pec_riprendi(*, presa_scaduta_dopo: int | None = None, coda_persa_dopo: int = 60) -> list[int]:
    """Give back to the queue what a crashed worker or a lost enqueue left in limbo; return the ids re-enqueued."""
    adesso = clock.now()
    lease = presa_scaduta_dopo if presa_scaduta_dopo is not None else settings.PEC_DURATA_PRESA_IN_CARICO
    scaduti = MessaggioPEC.objects.filter(
        status=Status.IN_INVIO, preso_in_carico_il__lt=adesso - dt.timedelta(seconds=lease)
    )
    ripresi = []
    for pk in scaduti.values_list("pk", flat=True):
        with transaction.atomic():
            # Conditional again: the worker may have finished between the read and this update.
            if scaduti.filter(pk=pk).update(
                status=Status.DA_INVIARE, preso_in_carico_il=None, prossimo_tentativo=adesso
            ):
                _evento(pk, Status.IN_INVIO, Status.DA_INVIARE, "presa in carico scaduta: il worker non ha concluso")
                ripresi.append(pk)
    in_coda = MessaggioPEC.objects.filter(
        status=Status.DA_INVIARE, prossimo_tentativo__lt=adesso - dt.timedelta(seconds=coda_persa_dopo)
    ).values_list("pk", flat=True)
    da_accodare = sorted(set(ripresi) | set(in_coda))
    for pk in da_accodare:
        _accoda(pk)
    if da_accodare:
        logger.warning("PEC riaccodate", extra={"quante": len(da_accodare)})
    return da_accodare


# --- Receipts -------------------------------------------------------------------------------------------------------

_FINALI_DESTINATARIO = {DestinatarioPEC.Status.CONSEGNATO, DestinatarioPEC.Status.ERRORE_CONSEGNA}
_IN_VIAGGIO = {Status.IN_INVIO, Status.INVIATO, Status.ACCETTATO}


def ricevuta_registra(*, grezzo: bytes) -> RicevutaPEC | None:
    """Apply one receipt read from the mailbox. The same receipt read twice changes nothing (returns None);
    a malformed receipt, or one for a message the portal never sent, is kept aside and changes nothing."""
    impronta = hashlib.sha256(grezzo).hexdigest()
    if RicevutaPEC.objects.filter(sha256=impronta).exists():
        logger.info("ricevuta già registrata", extra={"sha256": impronta})
        return None
    try:
        dati = ricevute.analizza(grezzo)
    except ricevute.RicevutaNonValida as exc:
        logger.warning("ricevuta non valida, messa da parte", extra={"motivo": str(exc), "sha256": impronta})
        return _scarta(impronta, grezzo, RicevutaPEC.Tipo.ALTRO, str(exc))
    try:
        with transaction.atomic():
            return _applica(impronta, grezzo, dati)
    except IntegrityError:
        # Another reader stored the same receipt at the same moment.
        logger.info("ricevuta già registrata da un altro lettore", extra={"identificativo": dati.identificativo})
        return None


def _scarta(
    impronta: str, grezzo: bytes, tipo: str, motivo: str, dati: ricevute.DatiRicevuta | None = None
) -> RicevutaPEC | None:
    try:
        with transaction.atomic():
            return RicevutaPEC.objects.create(
                tipo=tipo,
                esito=RicevutaPEC.Esito.SCARTATA,
                motivo_scarto=motivo,
                sha256=impronta,
                grezzo=grezzo,
                identificativo=dati.identificativo if dati else "",
                riferimento_message_id=(dati.riferimento_message_id if dati else "")[:250],
                consegna=dati.consegna if dati else "",
            )
    except IntegrityError:
        return None


def _applica(impronta: str, grezzo: bytes, dati: ricevute.DatiRicevuta) -> RicevutaPEC | None:
    if RicevutaPEC.objects.filter(identificativo=dati.identificativo).exists():
        logger.info("ricevuta già registrata", extra={"identificativo": dati.identificativo})
        return None
    messaggio = MessaggioPEC.objects.select_for_update().filter(message_id=dati.riferimento_message_id).first()
    if messaggio is None:
        logger.warning("ricevuta per un messaggio sconosciuto", extra={"msgid": dati.riferimento_message_id})
        return _scarta(impronta, grezzo, dati.tipo, "nessun messaggio del portale con questo Message-ID", dati)
    destinatario = None
    if dati.consegna:
        destinatario = messaggio.destinatari.select_for_update().filter(indirizzo=dati.consegna).first()
        if destinatario is None:
            return _scarta(impronta, grezzo, dati.tipo, f"{dati.consegna} non è un destinatario del messaggio", dati)
    ricevuta = RicevutaPEC.objects.create(
        messaggio=messaggio,
        tipo=dati.tipo,
        esito=RicevutaPEC.Esito.APPLICATA,
        sha256=impronta,
        grezzo=grezzo,
        identificativo=dati.identificativo,
        riferimento_message_id=dati.riferimento_message_id,
        consegna=dati.consegna,
        errore_esteso=dati.errore_esteso,
        gestore=dati.gestore,
        data_evento=dati.data,
    )
    T = RicevutaPEC.Tipo
    if dati.tipo == T.ACCETTAZIONE:
        _porta(messaggio, Status.ACCETTATO, "ricevuta di accettazione", da={Status.IN_INVIO, Status.INVIATO})
    elif dati.tipo == T.NON_ACCETTAZIONE:
        _porta(messaggio, Status.NON_ACCETTATO, f"ricevuta di non accettazione: {dati.errore_esteso}", da=_IN_VIAGGIO)
    elif destinatario is not None and destinatario.status not in _FINALI_DESTINATARIO:
        nuovo = {
            T.AVVENUTA_CONSEGNA: DestinatarioPEC.Status.CONSEGNATO,
            T.ERRORE_CONSEGNA: DestinatarioPEC.Status.ERRORE_CONSEGNA,
            T.PREAVVISO_ERRORE_CONSEGNA: DestinatarioPEC.Status.PREAVVISO_ERRORE,
        }[T(dati.tipo)]
        destinatario.status, destinatario.errore, destinatario.aggiornato_il = nuovo, dati.errore_esteso, clock.now()
        destinatario.save(update_fields=["status", "errore", "aggiornato_il"])
        _chiudi_se_completo(messaggio)
    return ricevuta


def _chiudi_se_completo(messaggio: MessaggioPEC) -> None:
    stati = list(messaggio.destinatari.values_list("status", flat=True))
    if not all(s in _FINALI_DESTINATARIO for s in stati):
        return
    if all(s == DestinatarioPEC.Status.CONSEGNATO for s in stati):
        _porta(messaggio, Status.CONSEGNATO, "consegnato a tutti i destinatari", da=_IN_VIAGGIO)
    else:
        _porta(messaggio, Status.ERRORE_CONSEGNA, "errore di consegna per almeno un destinatario", da=_IN_VIAGGIO)


def _porta(messaggio: MessaggioPEC, a: str, motivo: str, *, da: AbstractSet[str]) -> None:
    if messaggio.status not in da:
        logger.info(
            "ricevuta senza effetto sullo stato",
            extra={"messaggio_id": messaggio.pk, "stato": messaggio.status, "verso": a},
        )
        return
    precedente = messaggio.status
    messaggio.status = a
    messaggio.save(update_fields=["status"])
    _evento(messaggio.pk, precedente, a, motivo)
