"""Requests for abilitazioni (Circolare INPS 71/2016, section 4): one request, split by allegato, each routed to the
office that decides it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from abilitazioni.models import (
    Abilitazione,
    EventoCatalogo,
    EventoRichiesta,
    RichiestaAbilitazioni,
    RichiestaInstradata,
    VoceRichiesta,
)
from abilitazioni.selectors import (
    codici_detenuti,
    destinazione,
    instradate_per_ufficio,
    richiede_pin_dispositivo,
    voci_in_corso,
)
from accounts.models import PIN, AbilitazioneDetenuta, Ente, User, codice_abilitazione
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
    User.objects.select_for_update().get(pk=user.pk)  # one request at a time per person: no double pending
    _controlla_voci(user, ente, voci)
    richiesta = RichiestaAbilitazioni.objects.create(user=user, ente=ente)
    for allegato, gruppo in groupby(
        sorted(voci, key=lambda v: (v[0].allegato, v[0].nome)), key=lambda v: v[0].allegato
    ):
        _instrada(richiesta, allegato, list(gruppo), user)
    logger.info("richiesta di abilitazioni", extra={"richiesta_id": richiesta.pk, "ente_id": ente.pk})
    return richiesta


def _controlla_voci(user: User, ente: Ente, voci: Sequence[tuple[Abilitazione, str]]) -> None:
    """What the circolare and the catalogue allow of a request, each refusal with its Italian reason."""
    if not voci:
        raise RichiestaNonAmmessa("Scelga almeno un'abilitazione da aggiungere o da togliere.")
    if len({a.pk for a, _ in voci}) != len(voci):
        raise RichiestaNonAmmessa("La stessa abilitazione non può essere sia aggiunta sia tolta.")
    if not enti_di(user).filter(pk=ente.pk).exists():
        raise RichiestaNonAmmessa("L'Ente indicato non è tra quelli per cui opera.")
    pin = pin_attivo(user)
    if pin is None:
        raise RichiestaNonAmmessa("Per chiedere abilitazioni serve un PIN INPS attivo.")
    _controlla_pin(voci, pin)
    # Held abilitazioni are joined to the catalogue by its key: a renamed entry is still the one held.
    detenute = codici_detenuti(pin, ente)
    in_attesa = voci_in_corso(user, ente)
    for abilitazione, operazione in voci:
        if abilitazione.pk in in_attesa:
            raise RichiestaNonAmmessa(
                f"Per «{abilitazione.nome}» c'è già una richiesta in corso (n. {in_attesa[abilitazione.pk].numero})."
            )
        if operazione == VoceRichiesta.Operazione.AGGIUNGI and abilitazione.codice in detenute:
            raise RichiestaNonAmmessa(f"Ha già l'abilitazione «{abilitazione.nome}» per questo Ente.")
        if operazione == VoceRichiesta.Operazione.RIMUOVI and abilitazione.codice not in detenute:
            raise RichiestaNonAmmessa(
                f"Non ha l'abilitazione «{abilitazione.nome}» per questo Ente: non c'è da toglierla."
            )


def _controlla_pin(voci: Sequence[tuple[Abilitazione, str]], pin: PIN) -> None:
    for abilitazione, _ in voci:
        if richiede_pin_dispositivo(abilitazione, pin):
            raise RichiestaNonAmmessa(
                f"«{abilitazione.nome}» (allegato {abilitazione.allegato}) richiede il PIN dispositivo: converta prima "
                "il suo PIN online nella sezione «Il PIN online» o presso una sede INPS."
            )


def _instrada(
    richiesta: RichiestaAbilitazioni, allegato: int, voci: Sequence[tuple[Abilitazione, str]], user: User
) -> RichiestaInstradata:
    """The part of a request that one allegato sends to its office (a Struttura, its team, or a PEC address)."""
    dove = destinazione(voci[0][0], richiesta.ente)
    if dove.struttura is None and not dove.indirizzo_pec:
        raise RichiestaNonAmmessa("Nessun ufficio risulta competente per questo Ente: si rivolga alla sede INPS.")
    instradata = RichiestaInstradata.objects.create(
        richiesta=richiesta, allegato=allegato, struttura=dove.struttura, indirizzo_pec=dove.indirizzo_pec
    )
    VoceRichiesta.objects.bulk_create(
        [VoceRichiesta(instradata=instradata, abilitazione=a, operazione=op) for a, op in voci]
    )
    EventoRichiesta.objects.create(instradata=instradata, da="", a=Status.ATTESA_MODULO, chi=user, motivo="richiesta")
    return instradata


@transaction.atomic
def richiesta_ritira(*, instradata_id: int, user: User) -> RichiestaInstradata:
    """The operator withdraws a routed request, while nobody has taken it in charge. A modulo that reached the office
    stays with the request, which the office sees withdrawn."""
    instradata = (
        RichiestaInstradata.objects.select_for_update(of=("self",))
        .select_related("richiesta__user", "richiesta__ente")
        .get(pk=instradata_id, richiesta__user=user)
    )
    if instradata.status == Status.IN_CARICO:
        raise RichiestaNonAmmessa("La richiesta è già stata presa in carico dall'ufficio: non si può più ritirare.")
    if not instradata.ritirabile:
        raise RichiestaNonAmmessa(
            f"La richiesta n. {instradata.numero} è già chiusa ({instradata.get_status_display().lower()}): "
            "non c'è più nulla da ritirare."
        )
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
    instradata.modulo_firmato = file
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
            abilitazione = voce.abilitazione
            if voce.operazione == VoceRichiesta.Operazione.AGGIUNGI:
                AbilitazioneDetenuta.objects.get_or_create(
                    pin=pin, ente=richiesta.ente, codice=abilitazione.codice, defaults={"nome": abilitazione.nome}
                )
            else:
                AbilitazioneDetenuta.objects.filter(pin=pin, ente=richiesta.ente, codice=abilitazione.codice).delete()
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


# --- The catalogue: central staff keep it in the back office; each change changes routing, and leaves an event -----

# The fields of an entry that staff edit, in the order the history shows them. The key (``codice``) is not among them:
# it is chosen when the entry is created and never changes, since the held abilitazioni are joined by it.
CAMPI_DEL_CATALOGO = (
    "nome",
    "allegato",
    "canale",
    "indirizzo_pec",
    "ufficio_centrale",
    "prerequisito",
    "attiva",
)


class ModificaNonAmmessa(ErroreDominio):
    """A change to the catalogue refused; the message says why, in Italian."""


def _valore_storico(abilitazione: Abilitazione, campo: str) -> Any:
    """A field's value as the history keeps it: JSON, readable without the row it pointed to (the Struttura's
    code for the Direzione centrale)."""
    if campo == "ufficio_centrale":
        ufficio = abilitazione.ufficio_centrale
        return ufficio.codice if ufficio is not None else None
    return getattr(abilitazione, campo)


def _valida(abilitazione: Abilitazione) -> None:
    try:
        abilitazione.full_clean()
    except ValidationError as exc:
        raise ModificaNonAmmessa(" ".join(exc.messages)) from exc


@transaction.atomic
def abilitazione_crea(*, chi: User | None, dati: dict[str, Any], motivo: str = "") -> Abilitazione:
    """A new entry of the catalogue, with its key (given, or the slug of its name) and its creation in the history."""
    abilitazione = Abilitazione(
        codice=dati.get("codice") or "", **{c: dati[c] for c in CAMPI_DEL_CATALOGO if c in dati}
    )
    if not abilitazione.codice:
        abilitazione.codice = codice_abilitazione(abilitazione.nome)
    _valida(abilitazione)
    abilitazione.save()
    EventoCatalogo.objects.create(
        abilitazione=abilitazione,
        azione=EventoCatalogo.Azione.CREATA,
        da={},
        a={"codice": abilitazione.codice, **{c: _valore_storico(abilitazione, c) for c in CAMPI_DEL_CATALOGO}},
        chi=chi,
        motivo=motivo.strip(),
        quando=clock.now(),
    )
    logger.info(
        "voce del catalogo creata", extra={"abilitazione_id": abilitazione.pk, "chi_id": getattr(chi, "pk", None)}
    )
    return abilitazione


@transaction.atomic
def abilitazione_modifica(
    *, abilitazione_id: int, chi: User | None, dati: dict[str, Any], motivo: str = ""
) -> Abilitazione:
    """Change an entry of the catalogue: where its requests go, what they need, its name. The key never changes; a
    new name reaches the names stored with the held abilitazioni (accounts shows them without reading the
    catalogue). One event with the changed fields before and after; nothing changed, nothing written."""
    abilitazione = (
        Abilitazione.objects.select_for_update(of=("self",)).select_related("ufficio_centrale").get(pk=abilitazione_id)
    )
    if "codice" in dati and dati["codice"] != abilitazione.codice:
        raise ModificaNonAmmessa(
            "Il codice di una voce del catalogo non si cambia: lega le abilitazioni che le persone già detengono."
        )
    ignoti = set(dati) - {*CAMPI_DEL_CATALOGO, "codice"}
    if ignoti:
        raise ModificaNonAmmessa(f"Campi che il catalogo non ha: {', '.join(sorted(ignoti))}.")
    prima = {c: _valore_storico(abilitazione, c) for c in CAMPI_DEL_CATALOGO}
    for campo in CAMPI_DEL_CATALOGO:
        if campo in dati:
            setattr(abilitazione, campo, dati[campo])
    dopo = {c: _valore_storico(abilitazione, c) for c in CAMPI_DEL_CATALOGO}
    cambiati = [c for c in CAMPI_DEL_CATALOGO if prima[c] != dopo[c]]
    if not cambiati:
        return abilitazione
    _valida(abilitazione)
    abilitazione.save(update_fields=cambiati)
    if "nome" in cambiati:
        AbilitazioneDetenuta.objects.filter(codice=abilitazione.codice).update(nome=abilitazione.nome)
    EventoCatalogo.objects.create(
        abilitazione=abilitazione,
        azione=EventoCatalogo.Azione.MODIFICATA,
        da={c: prima[c] for c in cambiati},
        a={c: dopo[c] for c in cambiati},
        chi=chi,
        motivo=motivo.strip(),
        quando=clock.now(),
    )
    logger.info(
        "voce del catalogo modificata",
        extra={"abilitazione_id": abilitazione.pk, "campi": cambiati, "chi_id": getattr(chi, "pk", None)},
    )
    return abilitazione
