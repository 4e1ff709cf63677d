"""Every write about people, roles and the registry."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model, Q
from guardian.shortcuts import assign_perm, get_objects_for_user, get_user_perms, remove_perm

from accounts.models import Comune, EventoRuolo, MembroTeam, Prestazione, Provincia, Regione, Struttura, Team, User
from accounts.roles import AMBITI, GROUP_MODEL_PERMISSIONS, Ruolo, group_name
from inps_portal.errori import ErroreDominio

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "comuni_istat.json"
# The object permission of the staff of a Struttura, whatever its kind (Sede, Direzione regionale, centrale).
PERMESSO_PERSONALE = AMBITI[Ruolo.PERSONALE_SEDE].permission


class RuoloNonApplicabile(ErroreDominio, ValueError):
    """A role given for an organisation it cannot apply to (a Sede role on a Comune, say)."""


# --- Roles ----------------------------------------------------------------------------------------------------------


def gruppi_sincronizza() -> None:
    """One group per role, with the model permissions of its kind of work. Safe to run at every migrate."""
    for ruolo in Ruolo:
        group, _ = Group.objects.get_or_create(name=group_name(ruolo))
        wanted = GROUP_MODEL_PERMISSIONS.get(ruolo, ())
        if wanted:
            condition = Q(pk__in=[])
            for name in wanted:
                app_label, codename = name.split(".", 1)
                condition |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.set(Permission.objects.filter(condition))


def _controlla_ambito(ruolo: Ruolo, organizzazione: Model) -> None:
    ambito = AMBITI[ruolo]
    if organizzazione._meta.label_lower != ambito.model:
        raise RuoloNonApplicabile(f"Il ruolo «{ruolo.label}» non si applica a {organizzazione._meta.verbose_name}.")
    if ambito.tipi_struttura and getattr(organizzazione, "tipo", None) not in ambito.tipi_struttura:
        raise RuoloNonApplicabile(f"Il ruolo «{ruolo.label}» non si applica a «{organizzazione}».")


def _evento_ruolo(user: User, ruolo: Ruolo, organizzazione: Model, azione: str, chi: User | None) -> None:
    EventoRuolo.objects.create(
        user=user,
        ruolo=ruolo.value,
        azione=azione,
        organizzazione=f"{organizzazione._meta.label}:{organizzazione.pk}",
        descrizione=str(organizzazione)[:250],
        chi=chi,
    )


@transaction.atomic
def ruolo_assegna(*, user: User, ruolo: Ruolo, organizzazione: Model, chi: User | None = None) -> None:
    """Give ``user`` the role ``ruolo`` for ``organizzazione`` (idempotent); ``chi`` is who does it (None: the
    system, e.g. the demo or an import). Every role is given here and only here, and leaves an event."""
    _controlla_ambito(ruolo, organizzazione)
    codename = AMBITI[ruolo].permission.split(".", 1)[1]
    gia_assegnato = (
        codename in get_user_perms(user, organizzazione) and user.groups.filter(name=group_name(ruolo)).exists()
    )
    group, _ = Group.objects.get_or_create(name=group_name(ruolo))
    user.groups.add(group)
    assign_perm(AMBITI[ruolo].permission, user, organizzazione)
    if AMBITI[ruolo].back_office and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if not gia_assegnato:
        _evento_ruolo(user, ruolo, organizzazione, EventoRuolo.Azione.ASSEGNATO, chi)
    logger.info(
        "ruolo assegnato",
        extra={
            "user_id": user.pk,
            "ruolo": ruolo.value,
            "organizzazione": f"{organizzazione._meta.label}:{organizzazione.pk}",
        },
    )


@transaction.atomic
def ruolo_revoca(*, user: User, ruolo: Ruolo, organizzazione: Model, chi: User | None = None) -> None:
    """Take the role away for that organisation; the group goes when no organisation is left."""
    from accounts.selectors import organizzazioni_di

    _controlla_ambito(ruolo, organizzazione)
    if AMBITI[ruolo].permission.split(".", 1)[1] not in get_user_perms(user, organizzazione):
        return  # nothing to take away
    remove_perm(AMBITI[ruolo].permission, user, organizzazione)
    if AMBITI[ruolo].permission == PERMESSO_PERSONALE:  # no longer staff there: no longer in its teams either
        MembroTeam.objects.filter(user=user, team__struttura_id=organizzazione.pk).delete()
    if not organizzazioni_di(user, ruolo).exists():
        user.groups.remove(*Group.objects.filter(name=group_name(ruolo)))
    _evento_ruolo(user, ruolo, organizzazione, EventoRuolo.Azione.REVOCATO, chi)
    logger.info(
        "ruolo revocato",
        extra={
            "user_id": user.pk,
            "ruolo": ruolo.value,
            "organizzazione": f"{organizzazione._meta.label}:{organizzazione.pk}",
        },
    )


# --- Teams ----------------------------------------------------------------------------------------------------------


def _personale_di(user: User, struttura: Struttura) -> bool:
    strutture: Any = get_objects_for_user(
        user, PERMESSO_PERSONALE, accept_global_perms=False, with_superuser=False, use_groups=False
    )
    return bool(strutture.filter(pk=struttura.pk).exists())


@transaction.atomic
def team_assegna(*, user: User, team: Team, da: User | None = None) -> MembroTeam:
    """Put ``user`` in ``team`` (idempotent). Only the staff of the team's Struttura can be members: the team
    narrows the staff role (``ruolo_assegna``), it never replaces it."""
    if not _personale_di(user, team.struttura):
        raise RuoloNonApplicabile(
            f"{user} non è personale di «{team.struttura}»: prima gli si assegna il ruolo nella struttura."
        )
    membro, creato = MembroTeam.objects.get_or_create(team=team, user=user, defaults={"assegnato_da": da})
    if creato:
        logger.info(
            "membro del team assegnato",
            extra={"user_id": user.pk, "team_id": team.pk, "assegnato_da": da.pk if da else None},
        )
    return membro


@transaction.atomic
def team_revoca(*, user: User, team: Team, da: User | None = None) -> None:
    """Take ``user`` out of ``team`` (nothing happens if they were not in it)."""
    tolti, _ = MembroTeam.objects.filter(team=team, user=user).delete()
    if tolti:
        logger.info(
            "membro del team revocato",
            extra={"user_id": user.pk, "team_id": team.pk, "revocato_da": da.pk if da else None},
        )


# --- Registry -------------------------------------------------------------------------------------------------------

DIREZIONI_CENTRALI = [
    ("DC-CW", "Direzione centrale Credito e Welfare", "dc.creditowelfare@postacert.inps.gov.it"),
    ("DC-ENT", "Direzione centrale Entrate", ""),
    ("DC-PA", "Direzione centrale Posizione Assicurativa", ""),
    ("DC-SIT", "Direzione centrale Sistemi Informativi e Tecnologici", ""),
    ("DC-ORG", "Direzione centrale Organizzazione", ""),
    ("DC-TII", "Direzione centrale Tecnologia, Informatica e Innovazione", ""),
]
# Circolare 71/2016, par. 4: the requests of allegato 3 go to this team of every Direzione regionale.
TEAM_DELLE_DIREZIONI_REGIONALI = [(Team.CREDITO_WELFARE, "Prestazioni a sostegno del reddito, Credito e Welfare")]
# Messaggio 4461/2023 names the Direzioni di coordinamento metropolitano as signatories for their territory.
DIREZIONI_METROPOLITANE = {"RM": "Roma", "MI": "Milano", "NA": "Napoli"}
# National poles and the benefits they handle. The seeds name the Poli nazionali without listing them: these are the
# initial reference data, to be completed by central staff in the admin.
POLI_NAZIONALI = [
    (
        "PN-CI",
        "Polo nazionale Pensioni in regime internazionale",
        [
            ("pensione-regime-internazionale", "Pensione in regime internazionale"),
        ],
    ),
    (
        "PN-AU",
        "Polo nazionale Assegno unico e universale",
        [
            ("assegno-unico", "Assegno unico e universale per i figli a carico"),
        ],
    ),
    (
        "PN-RR",
        "Polo nazionale Riscatti e ricongiunzioni",
        [
            ("riscatto-laurea", "Riscatto del corso di studi universitari"),
            ("ricongiunzione", "Ricongiunzione dei periodi assicurativi"),
        ],
    ),
    (
        "PN-CR",
        "Polo nazionale Prestazioni creditizie",
        [
            ("piccolo-prestito", "Piccolo prestito"),
            ("prestito-pluriennale", "Prestito pluriennale"),
        ],
    ),
]
PRESTAZIONI_TERRITORIALI = [
    ("naspi", "NASpI - Indennità di disoccupazione"),
    ("pensione-vecchiaia", "Pensione di vecchiaia"),
    ("invalidita-civile", "Invalidità civile"),
    ("estratto-conto", "Estratto conto contributivo"),
]


@dataclass
class EsitoCaricamento:
    regioni: int = 0
    province: int = 0
    comuni: int = 0
    strutture: int = 0
    creati: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def registro_carica(*, path: Path = DATA_FILE, aggiorna: bool = False) -> EsitoCaricamento:
    """Load Regioni, Province, Comuni from the ISTAT file and create the INPS structures.

    Idempotent: rows already there are left as they are (the admin may have corrected them), unless ``aggiorna``
    asks to overwrite the territory with the file's values. Structures are never overwritten.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    esito = EsitoCaricamento()
    before = {m.__name__: m.objects.count() for m in (Regione, Provincia, Comune, Struttura)}

    regioni = {r["codice_regione"]: r["regione"] for r in rows}
    _inserisci(Regione, [Regione(codice_istat=c, nome=n) for c, n in regioni.items()], aggiorna, ["nome"])
    regione_id = dict(Regione.objects.values_list("codice_istat", "id"))

    province = {r["codice_provincia"]: r for r in rows}
    _inserisci(
        Provincia,
        [
            Provincia(codice_istat=c, nome=r["provincia"], sigla=r["sigla"], regione_id=regione_id[r["codice_regione"]])
            for c, r in province.items()
        ],
        aggiorna,
        ["nome", "sigla", "regione"],
    )
    provincia_id = dict(Provincia.objects.values_list("codice_istat", "id"))

    _inserisci(
        Comune,
        [
            Comune(
                codice_istat=r["codice_istat"],
                codice_catastale=r["codice_catastale"],
                nome=r["nome"],
                provincia_id=provincia_id[r["codice_provincia"]],
                popolazione=r.get("popolazione") or 0,
            )
            for r in rows
        ],
        aggiorna,
        ["codice_catastale", "nome", "provincia", "popolazione"],
    )
    _strutture_crea()

    esito.regioni, esito.province = Regione.objects.count(), Provincia.objects.count()
    esito.comuni, esito.strutture = Comune.objects.count(), Struttura.objects.count()
    esito.creati = {
        "regioni": esito.regioni - before["Regione"],
        "province": esito.province - before["Provincia"],
        "comuni": esito.comuni - before["Comune"],
        "strutture": esito.strutture - before["Struttura"],
    }
    logger.info("registro territoriale caricato", extra=esito.creati)
    return esito


def _inserisci(model: type[Model], objs: list[Any], aggiorna: bool, campi: list[str]) -> None:
    """Insert what is missing (by ISTAT code); with ``aggiorna`` also overwrite ``campi`` of what is there."""
    if aggiorna:
        model._default_manager.bulk_create(
            objs, batch_size=1000, update_conflicts=True, unique_fields=["codice_istat"], update_fields=campi
        )
    else:
        model._default_manager.bulk_create(objs, batch_size=1000, ignore_conflicts=True)


def _strutture_crea() -> None:
    T = Struttura.Tipo
    for codice, nome, pec in DIREZIONI_CENTRALI:
        Struttura.objects.get_or_create(
            codice=codice, defaults={"nome": nome, "tipo": T.DIREZIONE_CENTRALE, "pec": pec}
        )
    for regione in Regione.objects.all():
        Struttura.objects.get_or_create(
            codice=f"DR-{regione.codice_istat}",
            defaults={"nome": f"Direzione regionale {regione.nome}", "tipo": T.DIREZIONE_REGIONALE, "regione": regione},
        )
    _team_crea()
    for provincia in Provincia.objects.all():
        Struttura.objects.get_or_create(
            codice=f"ST-{provincia.sigla}",
            defaults={
                "nome": f"Sede territoriale di {provincia.nome}",
                "tipo": T.SEDE_TERRITORIALE,
                "provincia": provincia,
            },
        )
    for sigla, citta in DIREZIONI_METROPOLITANE.items():
        metropoli = Provincia.objects.filter(sigla=sigla).first()
        if metropoli is not None:
            Struttura.objects.get_or_create(
                codice=f"DCM-{sigla}",
                defaults={
                    "nome": f"Direzione di coordinamento metropolitano di {citta}",
                    "tipo": T.DIREZIONE_METROPOLITANA,
                    "provincia": metropoli,
                },
            )
    for codice, nome, prestazioni in POLI_NAZIONALI:
        polo, created = Struttura.objects.get_or_create(
            codice=codice, defaults={"nome": nome, "tipo": T.POLO_NAZIONALE}
        )
        for p_codice, p_nome in prestazioni:
            prestazione, _ = Prestazione.objects.get_or_create(codice=p_codice, defaults={"nome": p_nome})
            if created:
                polo.prestazioni.add(prestazione)
    for p_codice, p_nome in PRESTAZIONI_TERRITORIALI:
        Prestazione.objects.get_or_create(codice=p_codice, defaults={"nome": p_nome})


def _team_crea() -> None:
    """The teams every Direzione regionale has, where missing (idempotent: one insert, conflicts skipped)."""
    direzioni = Struttura.objects.filter(tipo=Struttura.Tipo.DIREZIONE_REGIONALE).values_list("pk", flat=True)
    Team.objects.bulk_create(
        [
            Team(struttura_id=struttura_id, codice=codice, nome=nome)
            for struttura_id in direzioni
            for codice, nome in TEAM_DELLE_DIREZIONI_REGIONALI
        ],
        ignore_conflicts=True,
    )
