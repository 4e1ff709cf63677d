"""The main navigation, by role: each person sees the entries of the work they do, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

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
    voci: list[VoceMenu] = [VoceMenu(reverse("cerca_sede"), gettext("Trova la sede competente"))]
    if user is None or not user.is_authenticated:
        return voci
    ruoli = ruoli_di(user)
    if Ruolo.OPERATORE_ENTE in ruoli or pin_attivo(user) is not None:
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
    if user.is_staff:
        voci.append(VoceMenu(reverse("admin:index"), gettext("Back office")))
    voci.append(VoceMenu(reverse("profilo"), gettext("Il mio profilo")))
    return voci


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"voci_menu": voci_menu(request)}
