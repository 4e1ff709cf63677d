"""Import of the existing credentials from CSV files: ex-Inpdap credentials, PINs, and the abilitazioni they hold.

Files are read as a stream and written in batches, so memory does not grow with the file; every run is idempotent
(what is already there is left as it is); every rejected row is reported with its line and the reason.
Formats (UTF-8, ``;`` as separator, a header line) are documented in the README.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.hashers import codifica_hash_legacy
from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, Ente, User, codice_abilitazione
from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale

COLONNE_EX_INPDAP = ["codice_fiscale", "cognome", "nome", "email", "algoritmo", "hash", "sale", "passweb_dal"]
COLONNE_PIN = ["codice_fiscale", "cognome", "nome", "email", "algoritmo", "hash", "sale", "tipo"]
COLONNE_ABILITAZIONI = ["codice_fiscale", "credenziale", "ente_codice_fiscale", "abilitazione"]


class RigaNonValida(ValueError):
    pass


@dataclass
class Scarto:
    file: str
    riga: int
    codice_fiscale: str
    motivo: str


@dataclass
class EsitoImportazione:
    lette: int = 0
    importate: int = 0
    scarti_totali: int = 0
    scarti: list[Scarto] = field(default_factory=list)
    rapporto: Any = None  # a csv.writer: every rejected row is written there as it is found

    def scarta(self, scarto: Scarto, in_memoria: int = 100) -> None:
        self.scarti_totali += 1
        if self.rapporto is not None:
            self.rapporto.writerow([scarto.file, scarto.riga, scarto.codice_fiscale, scarto.motivo])
        if len(self.scarti) < in_memoria:  # a sample for the summary; the report has them all
            self.scarti.append(scarto)


def _righe(handle: IO[str], colonne: list[str], nome: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle, delimiter=";")
    mancanti = [c for c in colonne if c not in (reader.fieldnames or [])]
    if mancanti:
        raise RigaNonValida(f"{nome}: intestazione senza le colonne {', '.join(mancanti)}")
    for numero, riga in enumerate(reader, start=2):
        yield numero, {k: (v or "").strip() for k, v in riga.items() if k is not None}


def _lotti(righe: Iterable[Any], dimensione: int) -> Iterator[list[Any]]:
    iterator = iter(righe)
    while lotto := list(itertools.islice(iterator, dimensione)):
        yield lotto


def _codice_fiscale(valore: str) -> str:
    codice = normalizza_codice_fiscale(valore)
    try:
        validate_codice_fiscale(codice)
    except ValidationError as exc:
        raise RigaNonValida(exc.messages[0]) from exc
    return codice


def _password_inutilizzabile() -> str:
    """What ``set_unusable_password`` stores (the prefix and 40 random characters), from one call to the system's
    random source: Django's own draws the 40 characters one by one, a quarter of an import's time per new person."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _persone(lotto: list[tuple[int, dict[str, str], str]]) -> dict[str, User]:
    """The people of a batch, created when missing (with no usable password: they log in with their credentials)."""
    codici = {codice for _, _, codice in lotto}
    esistenti = {u.codice_fiscale: u for u in User.objects.filter(codice_fiscale__in=codici)}
    nuove = []
    for _, riga, codice in lotto:
        if codice not in esistenti:
            user = User(
                codice_fiscale=codice,
                nome=riga.get("nome", "")[:100],
                cognome=riga.get("cognome", "")[:100],
                email=riga.get("email", "")[:254],
                password=_password_inutilizzabile(),
            )
            esistenti[codice] = user
            nuove.append(user)
    User.objects.bulk_create(nuove, ignore_conflicts=True)
    return {u.codice_fiscale: u for u in User.objects.filter(codice_fiscale__in=codici)}


def importa_ex_inpdap(
    handle: IO[str], *, nome: str = "ex_inpdap", lotto: int = 1000, rapporto: Any = None
) -> EsitoImportazione:
    esito = EsitoImportazione(rapporto=rapporto)
    for righe in _lotti(_righe(handle, COLONNE_EX_INPDAP, nome), lotto):
        valide = []
        for numero, riga in righe:
            esito.lette += 1
            try:
                codice = _codice_fiscale(riga["codice_fiscale"])
                password_hash = codifica_hash_legacy(riga["algoritmo"], riga["hash"], riga["sale"])
                passweb = dt.date.fromisoformat(riga["passweb_dal"]) if riga["passweb_dal"] else None
            except (RigaNonValida, ValueError) as exc:
                esito.scarta(Scarto(nome, numero, riga.get("codice_fiscale", ""), str(exc)))
                continue
            valide.append((numero, riga, codice, password_hash, passweb))
        with transaction.atomic():
            persone = _persone([(n, r, c) for n, r, c, _, _ in valide])
            # Counted among the codes of the batch, not the whole table: the cost stays the same as the table grows.
            credenziali_del_lotto = CredenzialeExInpdap.objects.filter(
                codice_fiscale__in={c for _, _, c, _, _ in valide}
            )
            prima = credenziali_del_lotto.count()
            CredenzialeExInpdap.objects.bulk_create(
                [
                    CredenzialeExInpdap(codice_fiscale=c, user=persone[c], password_hash=h, passweb_abilitato_dal=p)
                    for _, _, c, h, p in valide
                ],
                ignore_conflicts=True,
            )
            esito.importate += credenziali_del_lotto.count() - prima
    return esito


def importa_pin(handle: IO[str], *, nome: str = "pin", lotto: int = 1000, rapporto: Any = None) -> EsitoImportazione:
    esito = EsitoImportazione(rapporto=rapporto)
    for righe in _lotti(_righe(handle, COLONNE_PIN, nome), lotto):
        valide = []
        for numero, riga in righe:
            esito.lette += 1
            try:
                codice = _codice_fiscale(riga["codice_fiscale"])
                codice_hash = codifica_hash_legacy(riga["algoritmo"], riga["hash"], riga["sale"])
                if riga["tipo"] not in PIN.Tipo.values:
                    raise RigaNonValida(f"tipo di PIN sconosciuto: {riga['tipo']!r} (ammessi: online, dispositivo)")
            except (RigaNonValida, ValueError) as exc:
                esito.scarta(Scarto(nome, numero, riga.get("codice_fiscale", ""), str(exc)))
                continue
            valide.append((numero, riga, codice, codice_hash))
        with transaction.atomic():
            persone = _persone([(n, r, c) for n, r, c, _ in valide])
            con_pin = set(
                PIN.objects.filter(user__in=persone.values(), status=PIN.Status.ATTIVO).values_list(
                    "user_id", flat=True
                )
            )
            nuovi = [
                PIN(user=persone[c], codice_hash=h, tipo=r["tipo"], origine=PIN.Origine.PREESISTENTE)
                for _, r, c, h in valide
                if persone[c].pk not in con_pin
            ]
            PIN.objects.bulk_create(nuovi, ignore_conflicts=True)
            esito.importate += len(nuovi)
    return esito


def _motivo_dello_scarto(riga: dict[str, str], ha_credenziale: bool, ha_pin: bool, ente_noto: bool) -> str:
    """Why a row of held abilitazioni cannot be imported; empty when it can."""
    if riga["credenziale"] not in ("ex_inpdap", "pin"):
        return f"credenziale sconosciuta: {riga['credenziale']!r} (ammesse: ex_inpdap, pin)"
    if not ente_noto:
        return f"Ente {riga['ente_codice_fiscale']!r} non presente nel registro"
    if not riga["abilitazione"] or len(riga["abilitazione"]) > 150:
        return "nome dell'abilitazione vuoto o troppo lungo"
    if not codice_abilitazione(riga["abilitazione"]):
        return "nome dell'abilitazione senza lettere né cifre"
    if riga["credenziale"] == "ex_inpdap" and not ha_credenziale:
        return "nessuna credenziale ex Inpdap per questo codice fiscale"
    if riga["credenziale"] == "pin" and not ha_pin:
        return "nessun PIN attivo per questo codice fiscale"
    return ""


def importa_abilitazioni(
    handle: IO[str], *, nome: str = "abilitazioni", lotto: int = 1000, rapporto: Any = None
) -> EsitoImportazione:
    esito = EsitoImportazione(rapporto=rapporto)
    for righe in _lotti(_righe(handle, COLONNE_ABILITAZIONI, nome), lotto):
        codici = {normalizza_codice_fiscale(r["codice_fiscale"]) for _, r in righe}
        enti = dict(
            Ente.objects.filter(codice_fiscale__in={r["ente_codice_fiscale"] for _, r in righe}).values_list(
                "codice_fiscale", "pk"
            )
        )
        credenziali = dict(
            CredenzialeExInpdap.objects.filter(codice_fiscale__in=codici).values_list("codice_fiscale", "pk")
        )
        pins = dict(
            PIN.objects.filter(user__codice_fiscale__in=codici, status=PIN.Status.ATTIVO).values_list(
                "user__codice_fiscale", "pk"
            )
        )
        nuove = []
        for numero, riga in righe:
            esito.lette += 1
            codice = normalizza_codice_fiscale(riga["codice_fiscale"])
            motivo = _motivo_dello_scarto(
                riga, codice in credenziali, codice in pins, riga["ente_codice_fiscale"] in enti
            )
            if motivo:
                esito.scarta(Scarto(nome, numero, riga["codice_fiscale"], motivo))
                continue
            ente_id = enti[riga["ente_codice_fiscale"]]
            # The file names the abilitazione as the catalogue of the circolare does; the key is that name's.
            voce = {
                "ente_id": ente_id,
                "nome": riga["abilitazione"],
                "codice": codice_abilitazione(riga["abilitazione"]),
            }
            if riga["credenziale"] == "ex_inpdap":
                nuove.append(AbilitazioneDetenuta(credenziale_ex_inpdap_id=credenziali[codice], **voce))
            else:
                nuove.append(AbilitazioneDetenuta(pin_id=pins[codice], **voce))
        with transaction.atomic():
            prima = AbilitazioneDetenuta.objects.count()
            AbilitazioneDetenuta.objects.bulk_create(nuove, ignore_conflicts=True)
            esito.importate += AbilitazioneDetenuta.objects.count() - prima
    return esito


INTESTAZIONE_RAPPORTO = ["file", "riga", "codice_fiscale", "motivo"]
