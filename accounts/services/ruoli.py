"""Every write about roles and teams: granted and revoked only here, each change an event."""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model, Q
from guardian.shortcuts import assign_perm, get_objects_for_user, get_user_perms, remove_perm

from accounts.models import EventoRuolo, MembroTeam, Struttura, Team, User
from accounts.roles import AMBITI, Ruolo, group_name
from inps_portal.errori import ErroreDominio

logger = logging.getLogger(__name__)


# The object permission of the staff of a Struttura, whatever its kind (Sede, Direzione regionale, centrale).
PERMESSO_PERSONALE = AMBITI[Ruolo.PERSONALE_SEDE].permission


class RuoloNonApplicabile(ErroreDominio, ValueError):
    """A role given for an organisation it cannot apply to (a Sede role on a Comune, say)."""


def gruppi_sincronizza() -> None:
    """One group per role, with the model permissions of its kind of work that every app declares on its AppConfig
    (``permessi_dei_ruoli``). Safe to run at every migrate."""
    dichiarati = [getattr(config, "permessi_dei_ruoli", {}) for config in apps.get_app_configs()]
    for ruolo in Ruolo:
        group, _ = Group.objects.get_or_create(name=group_name(ruolo))
        wanted = [permesso for permessi in dichiarati for permesso in permessi.get(ruolo.value, ())]
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
    from accounts.selectors.persone import organizzazioni_di

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


def _personale_di(user: User, struttura: Struttura) -> bool:
    strutture: Any = get_objects_for_user(
        user, PERMESSO_PERSONALE, accept_global_perms=False, with_superuser=False, use_groups=False
    )
    return bool(strutture.filter(pk=struttura.pk).exists())


@transaction.atomic
def team_assegna(*, user: User, team: Team, chi: User | None = None) -> MembroTeam:
    """Put ``user`` in ``team`` (idempotent). Only the staff of the team's Struttura can be members: the team
    narrows the staff role (``ruolo_assegna``), it never replaces it."""
    if not _personale_di(user, team.struttura):
        raise RuoloNonApplicabile(
            f"{user} non è personale di «{team.struttura}»: prima gli si assegna il ruolo nella struttura."
        )
    membro, creato = MembroTeam.objects.get_or_create(team=team, user=user, defaults={"assegnato_da": chi})
    if creato:
        logger.info(
            "membro del team assegnato",
            extra={"user_id": user.pk, "team_id": team.pk, "assegnato_da": chi.pk if chi else None},
        )
    return membro


@transaction.atomic
def team_revoca(*, user: User, team: Team, chi: User | None = None) -> None:
    """Take ``user`` out of ``team`` (nothing happens if they were not in it)."""
    tolti, _ = MembroTeam.objects.filter(team=team, user=user).delete()
    if tolti:
        logger.info(
            "membro del team revocato",
            extra={"user_id": user.pk, "team_id": team.pk, "revocato_da": chi.pk if chi else None},
        )
