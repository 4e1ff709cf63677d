"""The roles of the people who use the portal.

A role is a Django group (what kind of work someone does: it opens the navigation and the admin's model
permissions) plus, where the role is scoped to an organisation, a django-guardian object permission on that
organisation (which Ente, Comune or Struttura the work is for). The two are granted and revoked together by the
services in ``accounts.services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Ruolo(models.TextChoices):
    OPERATORE_ENTE = "operatore_ente", _("Operatore di Ente")
    PERSONALE_SEDE = "personale_sede", _("Personale di Sede territoriale")
    PERSONALE_DIREZIONE_REGIONALE = "personale_direzione_regionale", _("Personale di Direzione regionale")
    PERSONALE_DIREZIONE_CENTRALE = "personale_direzione_centrale", _("Personale di Direzione centrale")
    DIRETTORE = "direttore", _("Direttore regionale o di coordinamento metropolitano")
    OPERATORE_SPORTELLO = "operatore_sportello", _("Operatore INPS di sportello")
    REFERENTE_INPS = "referente_inps", _("Referente INPS della convenzione")
    AMMINISTRATORE_UTENZE = "amministratore_utenze", _("Amministratore utenze del Comune")
    OPERATORE_COMUNE = "operatore_comune", _("Operatore del Comune")
    REFERENTE_COMUNE = "referente_comune", _("Referente del Comune")


@dataclass(frozen=True)
class Ambito:
    """Where a role applies: the organisation model, the object permission, the structure types it admits."""

    model: str
    permission: str
    tipi_struttura: tuple[str, ...] = ()
    back_office: bool = False


AMBITI: dict[Ruolo, Ambito] = {
    Ruolo.OPERATORE_ENTE: Ambito("accounts.ente", "accounts.operatore_ente"),
    Ruolo.PERSONALE_SEDE: Ambito(
        "accounts.struttura", "accounts.personale_struttura", ("sede_territoriale",), back_office=True
    ),
    Ruolo.PERSONALE_DIREZIONE_REGIONALE: Ambito(
        "accounts.struttura",
        "accounts.personale_struttura",
        ("direzione_regionale", "direzione_metropolitana"),
        back_office=True,
    ),
    Ruolo.PERSONALE_DIREZIONE_CENTRALE: Ambito(
        "accounts.struttura", "accounts.personale_struttura", ("direzione_centrale",), back_office=True
    ),
    Ruolo.DIRETTORE: Ambito(
        "accounts.struttura",
        "accounts.direttore_struttura",
        ("direzione_regionale", "direzione_metropolitana"),
        back_office=True,
    ),
    Ruolo.OPERATORE_SPORTELLO: Ambito(
        "accounts.struttura", "accounts.operatore_sportello", ("sede_territoriale", "polo_nazionale")
    ),
    Ruolo.REFERENTE_INPS: Ambito(
        "accounts.struttura", "accounts.referente_inps", ("direzione_regionale", "direzione_metropolitana")
    ),
    Ruolo.AMMINISTRATORE_UTENZE: Ambito("accounts.comune", "accounts.amministratore_utenze_comune"),
    Ruolo.OPERATORE_COMUNE: Ambito("accounts.comune", "accounts.operatore_comune"),
    Ruolo.REFERENTE_COMUNE: Ambito("accounts.comune", "accounts.referente_comune"),
}

# The roles a Comune gives (the PUE's people): those scoped to a Comune.
RUOLI_DEL_COMUNE = frozenset(r for r, a in AMBITI.items() if a.model == "accounts.comune")

# Model permissions each back-office group receives from this app: the registry is readable by all INPS staff,
# editable only by central staff. Every app declares its own (``permessi_dei_ruoli`` on its AppConfig, keyed by the
# role's value); ``accounts.services.ruoli.gruppi_sincronizza`` joins them, so no app reads another's models here.
REGISTRY_MODELS = ("regione", "provincia", "comune", "prestazione", "struttura", "ente")
_LETTURA_REGISTRO = tuple(f"accounts.view_{m}" for m in REGISTRY_MODELS)
PERMESSI_DEI_RUOLI: dict[str, tuple[str, ...]] = {
    # Any Sede may unify credentials for the person in front of it (Circolare 71/2016, par. 2).
    Ruolo.PERSONALE_SEDE: (
        *_LETTURA_REGISTRO,
        "accounts.view_credenzialeexinpdap",
        "accounts.view_pin",
        "accounts.view_eventocredenziale",
        "accounts.sportello_credenziali",
        "accounts.view_richiestaconversione",
        "accounts.decidere_conversione",
        "accounts.view_richiestapin",
        "accounts.decidere_richiesta_pin",
    ),
    Ruolo.PERSONALE_DIREZIONE_REGIONALE: _LETTURA_REGISTRO,
    Ruolo.DIRETTORE: _LETTURA_REGISTRO,
    # Central staff correct the registry and set the deadline of online PINs.
    Ruolo.PERSONALE_DIREZIONE_CENTRALE: (
        *(f"accounts.{action}_{m}" for m in REGISTRY_MODELS for action in ("view", "add", "change")),
        "accounts.view_scadenzapinonline",
        "accounts.add_scadenzapinonline",
        "accounts.view_pin",
        "accounts.view_eventocredenziale",
    ),
}


def group_name(ruolo: Ruolo) -> str:
    """The group's name is the Italian label whatever the active language: it is data, not interface text."""
    with translation.override("it"):
        return str(ruolo.label)
