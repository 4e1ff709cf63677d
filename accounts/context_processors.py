"""The main navigation, by role: each person sees the entries of the work they do, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, gettext

from accounts.roles import AMBITI, RUOLI_DEL_COMUNE, Ruolo
from accounts.selectors.persone import pin_attivo, ruoli_di

RUOLI_STRUTTURA = {r for r, a in AMBITI.items() if a.model == "accounts.struttura"}


@dataclass(frozen=True)
class VoceMenu:
    url: str
    etichetta: str


def voci_menu(request: HttpRequest) -> list[VoceMenu]:
    # Error pages (a disallowed host, say) may render before the authentication middleware has run.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return list(_voci(None, False, False, get_language(), get_script_prefix()))
    ruoli = frozenset(ruoli_di(user))
    area_enti = Ruolo.OPERATORE_ENTE in ruoli or pin_attivo(user) is not None
    return list(_voci(ruoli, area_enti, user.is_staff, get_language(), get_script_prefix()))


@lru_cache(maxsize=256)
def _voci(
    ruoli: frozenset[Ruolo] | None, area_enti: bool, staff: bool, lingua: str | None, prefisso: str
) -> tuple[VoceMenu, ...]:
    """The entries of an anonymous visitor (``ruoli`` None) or of a combination of roles, made once per process:
    addresses and labels do not change while it runs (the language and the script prefix are part of the key)."""
    voci: list[VoceMenu] = [VoceMenu(reverse("cerca_sede"), gettext("Trova la sede competente"))]
    if ruoli is None:
        return tuple(voci)
    if area_enti:
        voci.append(VoceMenu(reverse("area_enti"), gettext("Area riservata Amministrazioni ed Enti")))
    if ruoli & RUOLI_DEL_COMUNE:
        voci.append(VoceMenu(reverse("area_comune"), gettext("Il mio Comune")))
        # The PUE's own pages (they ask for SPID, CIE or CNS): "Inps e i Comuni" (Messaggio 4461/2023).
        voci.append(VoceMenu(reverse("pue_home"), gettext("Inps e i Comuni")))
    if ruoli & RUOLI_STRUTTURA:
        voci.append(VoceMenu(reverse("area_struttura"), gettext("La mia struttura")))
    if Ruolo.OPERATORE_SPORTELLO in ruoli:
        # The INPS side of Gestione sportelli: the day's web meetings and the sportello's timetable.
        voci.append(VoceMenu(reverse("pue_sportello_giornata"), gettext("Sportello PUE")))
    if ruoli & {Ruolo.REFERENTE_INPS, Ruolo.REFERENTE_COMUNE}:  # both parties' Referenti follow the convention
        voci.append(VoceMenu(reverse("pue_monitoraggio"), gettext("Monitoraggio PUE")))
    if Ruolo.PERSONALE_SEDE in ruoli:
        # The Sede enables the operators the Comuni of its province designate.
        voci.append(VoceMenu(reverse("pue_designazioni"), gettext("Operatori PUE")))
    if staff:
        voci.append(VoceMenu(reverse("admin:index"), gettext("Back office")))
    voci.append(VoceMenu(reverse("profilo"), gettext("Il mio profilo")))
    return tuple(voci)


@receiver(setting_changed)
def _dimentica_voci(*, setting: str, **kwargs: object) -> None:
    """A test that changes the addresses or the language gets entries made under its settings."""
    if setting in {"ROOT_URLCONF", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        _voci.cache_clear()


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"voci_menu": voci_menu(request)}
