"""Reads and rules of the unification of credentials (Circolare INPS 71/2016, sections 2 and 3)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.conf import settings

from accounts.models import PIN, CredenzialeExInpdap, Ente, User
from inps_portal import clock

# "abilitato a PassWeb a partire da aprile 2014" (Circolare 71/2016, par. 2).
PASSWEB_DISPOSITIVO_DAL = dt.date(2014, 4, 1)


# The PassWeb abilitazione of the catalogue of the circolare (allegato 4): its key (``Abilitazione.codice``, fixed data
# of the circolare, which this app knows without reading the catalogue) and the name the circolare gives it.
PASSWEB = "passweb"
PASSWEB_NOME = "PassWeb"


class Detenuta(NamedTuple):
    """An abilitazione of the union: the name to show, and the earliest date it is held from, when known."""

    nome: str
    dal: dt.date | None


def pin_tipo_spettante(*, ha_pin_dispositivo: bool, passweb_abilitato_dal: dt.date | None) -> str:
    """Dispositivo if the person already had a dispositivo PIN or was enabled to PassWeb from April 2014 on."""
    if ha_pin_dispositivo:
        return PIN.Tipo.DISPOSITIVO
    if passweb_abilitato_dal is not None and passweb_abilitato_dal >= PASSWEB_DISPOSITIVO_DAL:
        return PIN.Tipo.DISPOSITIVO
    return PIN.Tipo.ONLINE


def abilitazioni_unite(credenziale: CredenzialeExInpdap, vecchio: PIN | None) -> dict[tuple[int, str], Detenuta]:
    """The union of case a and case b, by (Ente, key of the catalogue's entry), with the earliest date each is held
    from, when known.

    The ex-Inpdap enabling to PassWeb is an abilitazione held too (the circolare names it with its date, which decides
    the PIN type): it goes onto the new PIN for each Ente the ex-Inpdap credential acted for (for each Ente of the
    old PIN when the credential names none).
    """
    unione: dict[tuple[int, str], Detenuta] = {}

    def unisci(chiave: tuple[int, str], nome: str, dal: dt.date | None) -> None:
        prima = unione.get(chiave)
        if prima is None:
            unione[chiave] = Detenuta(nome, dal)
        else:
            unione[chiave] = Detenuta(prima.nome, min(prima.dal, dal) if prima.dal and dal else (prima.dal or dal))

    ex_inpdap = list(credenziale.abilitazioni.values_list("ente_id", "codice", "nome", "dal"))
    del_pin = list(vecchio.abilitazioni.values_list("ente_id", "codice", "nome", "dal")) if vecchio is not None else []
    for ente_id, codice, nome, dal in ex_inpdap + del_pin:
        unisci((ente_id, codice), nome, dal)
    if credenziale.passweb_abilitato_dal is not None:
        for ente_id in {riga[0] for riga in ex_inpdap} or {riga[0] for riga in del_pin}:
            unisci((ente_id, PASSWEB), PASSWEB_NOME, credenziale.passweb_abilitato_dal)
    return unione


def unificazione_in_vigore() -> bool:
    return clock.today() >= settings.UNIFICAZIONE_DAL


def unificazione_necessaria(user: User) -> bool:
    return (
        unificazione_in_vigore() and CredenzialeExInpdap.objects.filter(user=user, unificata_il__isnull=True).exists()
    )


def anteprima_unificazione(user: User) -> dict[str, object]:
    """What the unification will give, for the page that asks the person to confirm it."""
    credenziale = CredenzialeExInpdap.objects.get(user=user)
    vecchio = PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).first()
    unite = abilitazioni_unite(credenziale, vecchio)
    nomi_enti = dict(Ente.objects.filter(pk__in={e for e, _c in unite}).values_list("pk", "nome"))
    unione = sorted((nomi_enti[ente_id], detenuta.nome, detenuta.dal) for (ente_id, _c), detenuta in unite.items())
    tipo = pin_tipo_spettante(
        ha_pin_dispositivo=vecchio is not None and vecchio.tipo == PIN.Tipo.DISPOSITIVO,
        passweb_abilitato_dal=credenziale.passweb_abilitato_dal,
    )
    return {
        "caso": "b" if vecchio else "a",
        "abilitazioni": unione,
        "tipo": PIN.Tipo(tipo).label,
        "passweb_abilitato_dal": credenziale.passweb_abilitato_dal,
    }
