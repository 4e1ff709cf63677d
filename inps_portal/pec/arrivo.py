"""Certified mail arriving in INPS's mailboxes: kept raw, attachments' signatures verified, filed by the apps.

The infrastructure knows no app: after keeping a message it sends ``pec_arrivata``; an app that recognises the
message as its own (by the number in the subject, the sender, the mailbox) files it with :func:`pec_in_arrivo_smista`.
What no app claims stays "da smistare", with the reason, for an office to sort by hand. A message read twice (the
same bytes) is kept once and filed once.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.dispatch import Signal

from inps_portal import clock, firme
from inps_portal.errori import ErroreDominio
from inps_portal.pec.busta import MessaggioArrivato, MessaggioIlleggibile, apri, intestazioni
from inps_portal.pec.models import AllegatoPECInArrivo, PECInArrivo

logger = logging.getLogger(__name__)

# Sent in the transaction that keeps a new message: ``pec`` (PECInArrivo) and ``messaggio`` (MessaggioArrivato, or
# None when the bytes could not be read). A receiver that recognises the message calls ``pec_in_arrivo_smista``.
pec_arrivata = Signal()

NESSUNO_LA_RICONOSCE = "Nessuna pratica del portale corrisponde a questo messaggio."

# The back-office pages where an office files a message by hand: (label, admin URL name taking the message's id),
# registered by the apps that file messages.
AZIONI_DI_SMISTAMENTO: list[tuple[str, str]] = []


class SmistamentoNonAmmesso(ErroreDominio):
    """The message cannot be filed there; the message says why, in Italian."""


def pec_in_arrivo_registra(*, grezzo: bytes, casella: str) -> PECInArrivo:
    """Keep what arrived in ``casella`` and let the apps file it; return the row (the existing one when read again)."""
    impronta = hashlib.sha256(grezzo).hexdigest()
    esistente = PECInArrivo.objects.filter(sha256=impronta).first()
    if esistente is not None:
        return esistente
    try:
        with transaction.atomic():
            return _registra(grezzo, impronta, casella.strip().lower())
    except IntegrityError:  # another reader kept it a moment ago
        return PECInArrivo.objects.get(sha256=impronta)


def _registra(grezzo: bytes, impronta: str, casella: str) -> PECInArrivo:
    try:
        messaggio: MessaggioArrivato | None = apri(grezzo)
        oggetto, mittente = (messaggio.oggetto, messaggio.mittente) if messaggio else ("", "")
    except MessaggioIlleggibile as exc:
        messaggio = None
        motivo = str(exc)
        oggetto, mittente = intestazioni(grezzo)
    pec = PECInArrivo.objects.create(
        casella=casella,
        certificata=bool(messaggio and messaggio.certificato),
        mittente=mittente[:254] if "@" in mittente else "",
        oggetto=oggetto[:500],
        message_id=(messaggio.message_id if messaggio else "")[:250],
        identificativo=(messaggio.identificativo if messaggio else "")[:250],
        inviata_il=messaggio.data if messaggio else None,
        sha256=impronta,
        grezzo=grezzo,
        motivo="" if messaggio else f"Messaggio non leggibile: {motivo}",
    )
    if messaggio is not None:
        AllegatoPECInArrivo.objects.bulk_create(
            [_allegato(pec, parte.nome, parte.tipo_mime, parte.contenuto) for parte in messaggio.allegati]
        )
        pec_arrivata.send(sender=PECInArrivo, pec=pec, messaggio=messaggio)
        pec.refresh_from_db()
        if pec.status == PECInArrivo.Status.DA_SMISTARE and not pec.motivo:
            pec.motivo = NESSUNO_LA_RICONOSCE
            pec.save(update_fields=["motivo"])
    logger.info(
        "PEC in arrivo",
        extra={"pec_id": pec.pk, "casella": casella, "status": pec.status, "certificata": pec.certificata},
    )
    return pec


def _allegato(pec: PECInArrivo, nome: str, tipo_mime: str, contenuto: bytes) -> AllegatoPECInArrivo:
    esito = firme.verifica_documento(nome, contenuto)
    return AllegatoPECInArrivo(
        pec=pec,
        nome=nome,
        tipo_mime=tipo_mime[:100],
        contenuto=contenuto,
        sha256=hashlib.sha256(contenuto).hexdigest(),
        firmato=esito.firmato,
        firma_valida=esito.valida,
        firmatario=(esito.firmatario or "")[:250],
        codice_fiscale_firmatario=(esito.codice_fiscale or "")[:16],
        emittente=(esito.emittente or "")[:500],
        numero_serie=(esito.numero_serie or "")[:100],
        firmato_il=esito.firmato_il,
        problemi=list(esito.problemi),
    )


@transaction.atomic
def pec_in_arrivo_smista(*, pec_id: int, riferimento: Model, chi: Any = None) -> PECInArrivo:
    """File a message to the object it concerns; by an app when it recognises it, or by an office by hand."""
    pec = PECInArrivo.objects.select_for_update().get(pk=pec_id)
    if pec.status == PECInArrivo.Status.SMISTATA:
        raise SmistamentoNonAmmesso("Il messaggio è già stato smistato.")
    pec.riferimento = riferimento
    pec.status, pec.motivo = PECInArrivo.Status.SMISTATA, ""
    pec.smistata_il, pec.smistata_da = clock.now(), chi
    pec.save(update_fields=["riferimento_tipo", "riferimento_id", "status", "motivo", "smistata_il", "smistata_da"])
    return pec


def pec_in_arrivo_da_smistare(*, pec_id: int, motivo: str) -> PECInArrivo:
    """An app recognised the message but cannot file it (another sender, a request no longer waiting): say why."""
    pec = PECInArrivo.objects.get(pk=pec_id)
    if pec.status == PECInArrivo.Status.DA_SMISTARE:
        pec.motivo = motivo
        pec.save(update_fields=["motivo"])
    return pec
