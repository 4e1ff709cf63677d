"""Reads and rules of the unification of credentials (Circolare INPS 71/2016, sections 2 and 3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from accounts.models import PIN, CredenzialeExInpdap, Ente, User
from inps_portal import clock

# "abilitato a PassWeb a partire da aprile 2014" (Circolare 71/2016, par. 2).
PASSWEB_DISPOSITIVO_DAL = dt.date(2014, 4, 1)


# The name of the PassWeb abilitazione in the catalogue of the circolare (allegato 4).
PASSWEB = "PassWeb"


def pin_tipo_spettante(*, ha_pin_dispositivo: bool, passweb_abilitato_dal: dt.date | None) -> str:
    """Dispositivo if the person already had a dispositivo PIN or was enabled to PassWeb from April 2014 on."""
    if ha_pin_dispositivo:
        return PIN.Tipo.DISPOSITIVO
    if passweb_abilitato_dal is not None and passweb_abilitato_dal >= PASSWEB_DISPOSITIVO_DAL:
        return PIN.Tipo.DISPOSITIVO
    return PIN.Tipo.ONLINE


def abilitazioni_unite(credenziale: CredenzialeExInpdap, vecchio: PIN | None) -> dict[tuple[int, str], dt.date | None]:
    """The union of case a and case b, by (Ente, abilitazione), with the earliest date each is held from, when known.

    The ex-Inpdap enabling to PassWeb is an abilitazione held too (the circolare names it with its date, which decides
    the PIN type): it goes onto the new PIN for each Ente the ex-Inpdap credential acted for (for each Ente of the
    old PIN when the credential names none).
    """
    unione: dict[tuple[int, str], dt.date | None] = {}

    def unisci(chiave: tuple[int, str], dal: dt.date | None) -> None:
        prima = unione.get(chiave)
        unione[chiave] = min(prima, dal) if prima and dal else (prima or dal)

    ex_inpdap = list(credenziale.abilitazioni.values_list("ente_id", "nome", "dal"))
    del_pin = list(vecchio.abilitazioni.values_list("ente_id", "nome", "dal")) if vecchio is not None else []
    for ente_id, nome, dal in ex_inpdap + del_pin:
        unisci((ente_id, nome), dal)
    if credenziale.passweb_abilitato_dal is not None:
        for ente_id in {riga[0] for riga in ex_inpdap} or {riga[0] for riga in del_pin}:
            unisci((ente_id, PASSWEB), credenziale.passweb_abilitato_dal)
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
    nomi_enti = dict(Ente.objects.filter(pk__in={e for e, _n in unite}).values_list("pk", "nome"))
    unione = sorted((nomi_enti[ente_id], nome, dal) for (ente_id, nome), dal in unite.items())
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
