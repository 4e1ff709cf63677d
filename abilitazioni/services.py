"""Requests for abilitazioni (Circolare INPS 71/2016, section 4): one request, split by allegato, each routed to the
office that decides it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
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
from accounts.models import PIN, AbilitazioneDetenuta, Ente, User
from accounts.selectors.persone import enti_di, pin_attivo
from inps_portal import clock, firme
from inps_portal.errori import ErroreDominio
from inps_portal.pec.arrivo import pec_in_arrivo_smista
from inps_portal.pec.models import AllegatoPECInArrivo, PECInArrivo
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)
Status = RichiestaInstradata.Status


class RichiestaNonAmmessa(ErroreDominio):
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
    if not enti_di(user).filter(pk=ente.pk).exists():
        raise RichiestaNonAmmessa("L'Ente indicato non è tra quelli per cui opera.")
    pin = pin_attivo(user)
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
        EventoRichiesta.objects.create(
            instradata=instradata, da="", a=Status.ATTESA_MODULO, chi=user, motivo="richiesta"
        )
    logger.info("richiesta di abilitazioni", extra={"richiesta_id": richiesta.pk, "ente_id": ente.pk})
    return richiesta


@transaction.atomic
def richiesta_ritira(*, instradata_id: int, user: User) -> RichiestaInstradata:
    """The operator withdraws a routed request, while nobody has taken it in charge. A modulo that reached the office
    stays with the request, which the office sees withdrawn."""
    instradata = (
        RichiestaInstradata.objects.select_for_update(of=("self",))
        .select_related("richiesta__user", "richiesta__ente")
        .get(pk=instradata_id, richiesta__user=user)
    )
    if instradata.status not in (Status.ATTESA_MODULO, Status.INVIATA):
        raise RichiestaNonAmmessa("La richiesta è già stata presa in carico dall'ufficio: non si può più ritirare.")
    _cambia(instradata, Status.RITIRATA, user)
    return instradata


# --- The signed modulo: uploaded (allegati 2 and 3), or attached to the Ente's PEC (4 and 5) ----------------------

NUMERO_NELL_OGGETTO = re.compile(r"\bn\.?\s*(\d{1,12})\s*/\s*([2-5])\b", re.IGNORECASE)


def oggetto_della_pec(instradata: RichiestaInstradata) -> str:
    """The subject the Ente writes, with the number the portal files the PEC by."""
    ente = instradata.richiesta.ente
    return f"Richiesta abilitazioni n. {instradata.numero} - {ente.nome} (C.F. {ente.codice_fiscale})"


def _esito_firma(esito: firme.EsitoFirma) -> dict[str, Any]:
    return {
        "firmato": esito.firmato,
        "valida": esito.valida,
        "firmatario": esito.firmatario or "",
        "codice_fiscale": esito.codice_fiscale or "",
        "emittente": esito.emittente or "",
        "numero_serie": esito.numero_serie or "",
        "firmato_il": esito.firmato_il.isoformat() if esito.firmato_il else "",
        "problemi": list(esito.problemi),
    }


def _modulo_arrivato(instradata: RichiestaInstradata, chi: User | None, motivo: str) -> None:
    instradata.modulo_ricevuto_il = clock.now()
    precedente = instradata.status
    instradata.status, instradata.aggiornata_il = Status.INVIATA, instradata.modulo_ricevuto_il
    instradata.save()
    EventoRichiesta.objects.create(instradata=instradata, da=precedente, a=Status.INVIATA, chi=chi, motivo=motivo)


@transaction.atomic
def modulo_carica(*, instradata_id: int, user: User, file: UploadedFile) -> RichiestaInstradata:
    """Allegati 2 and 3: the operator uploads the modulo signed by the Ente's legal representative (a signed PDF or a
    scan); the request then reaches the office. Replaceable until the office takes the request in charge."""
    instradata = RichiestaInstradata.objects.select_for_update().get(pk=instradata_id, richiesta__user=user)
    if instradata.indirizzo_pec:
        raise RichiestaNonAmmessa(
            "Per questo allegato il modulo firmato arriva con la PEC dell'Ente all'indirizzo indicato, non si carica."
        )
    if instradata.status not in (Status.ATTESA_MODULO, Status.INVIATA):
        raise RichiestaNonAmmessa("La richiesta non attende più il modulo: è già presa in carico, decisa o ritirata.")
    file.seek(0)
    contenuto = file.read()
    file.seek(0)
    instradata.firma = _esito_firma(firme.verifica_documento(file.name or "modulo", contenuto))
    instradata.modulo_firmato = file  # type: ignore[assignment]
    if instradata.status == Status.ATTESA_MODULO:
        _modulo_arrivato(instradata, user, "modulo firmato caricato")
    else:
        instradata.modulo_ricevuto_il = clock.now()
        instradata.save()
        EventoRichiesta.objects.create(
            instradata=instradata, da=Status.INVIATA, a=Status.INVIATA, chi=user, motivo="modulo firmato sostituito"
        )
    return instradata


def instradata_dal_numero(oggetto: str) -> RichiestaInstradata | None:
    """The routed request a PEC's subject names ("... n. 123/4 ..."), if any."""
    trovato = NUMERO_NELL_OGGETTO.search(oggetto or "")
    return instradata_per_numero(trovato.group(1), trovato.group(2)) if trovato else None


def instradata_per_numero(richiesta: str | int, allegato: str | int) -> RichiestaInstradata | None:
    """The routed request of a number as the modulo prints it (``RichiestaInstradata.numero``: request/allegato)."""
    return (
        RichiestaInstradata.objects.select_related("richiesta__ente")
        .filter(richiesta_id=int(richiesta), allegato=int(allegato))
        .first()
    )


@transaction.atomic
def modulo_da_pec(*, pec_id: int, instradata_id: int, chi: User | None = None) -> RichiestaInstradata:
    """Allegati 4 and 5: file the Ente's PEC to its request. Automatically (``chi`` None) only when it came certified
    from the Ente's registered PEC address to the request's routing mailbox, with the modulo attached; by hand, a
    member of the central office who has read it decides (the checks that failed are recorded in the history)."""
    pec = PECInArrivo.objects.select_for_update().get(pk=pec_id)
    instradata = (
        RichiestaInstradata.objects.select_for_update(of=("self",))
        .select_related("richiesta__ente")
        .get(pk=instradata_id)
    )
    if pec.status != PECInArrivo.Status.DA_SMISTARE:
        raise RichiestaNonAmmessa("La PEC è già stata smistata.")
    if not instradata.indirizzo_pec:
        raise RichiestaNonAmmessa("Questa richiesta non arriva per PEC: il modulo lo carica l'operatore.")
    if instradata.status != Status.ATTESA_MODULO:
        raise RichiestaNonAmmessa(
            f"La richiesta n. {instradata.numero} non attende il modulo ({instradata.get_status_display().lower()})."
        )
    allegato = AllegatoPECInArrivo.objects.filter(pec=pec).order_by("-firmato", "pk").first()
    if allegato is None:
        raise RichiestaNonAmmessa("La PEC non ha allegati: manca il modulo firmato.")
    difformita = difformita_della_pec(pec, instradata)
    if difformita and chi is None:
        raise RichiestaNonAmmessa(" ".join(difformita))
    instradata.modulo_firmato.save(allegato.nome, ContentFile(bytes(allegato.contenuto)), save=False)
    instradata.pec_in_arrivo = pec
    instradata.firma = {
        "firmato": allegato.firmato,
        "valida": allegato.firma_valida,
        "firmatario": allegato.firmatario,
        "codice_fiscale": allegato.codice_fiscale_firmatario,
        "emittente": allegato.emittente,
        "numero_serie": allegato.numero_serie,
        "firmato_il": allegato.firmato_il.isoformat() if allegato.firmato_il else "",
        "problemi": list(allegato.problemi),
    }
    motivo = (
        "modulo arrivato con la PEC dell'Ente"
        if chi is None
        else "PEC smistata a mano: " + (" ".join(difformita) or "nessuna difformità")
    )
    _modulo_arrivato(instradata, chi, motivo)
    pec_in_arrivo_smista(pec_id=pec.pk, riferimento=instradata, chi=chi)
    return instradata


def difformita_della_pec(pec: PECInArrivo, instradata: RichiestaInstradata) -> list[str]:
    """What does not match between a PEC and the request it names: said in Italian, for the office."""
    ente = instradata.richiesta.ente
    problemi = []
    if not pec.certificata:
        problemi.append("Il messaggio non è arrivato come posta certificata.")
    if pec.mittente.lower() != ente.pec.strip().lower():
        problemi.append(
            f"Il mittente {pec.mittente or '(sconosciuto)'} non è l'indirizzo PEC registrato dell'Ente ({ente.pec})."
        )
    if pec.casella.lower() != instradata.indirizzo_pec.strip().lower():
        problemi.append(f"È arrivata alla casella {pec.casella}, non a {instradata.indirizzo_pec}.")
    return problemi


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
        pin = pin_attivo(richiesta.user)
        if pin is None:
            raise RichiestaNonAmmessa("La persona non ha più un PIN attivo: la richiesta non può essere approvata.")
        for voce in instradata.voci.select_related("abilitazione"):
            if voce.operazione == VoceRichiesta.Operazione.AGGIUNGI:
                AbilitazioneDetenuta.objects.get_or_create(pin=pin, ente=richiesta.ente, nome=voce.abilitazione.nome)
            else:
                AbilitazioneDetenuta.objects.filter(pin=pin, ente=richiesta.ente, nome=voce.abilitazione.nome).delete()
    _cambia(instradata, Status.APPROVATA if approvata else Status.RESPINTA, chi, "" if approvata else motivo.strip())
    if richiesta.user.email:
        pec_spedisci(
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
