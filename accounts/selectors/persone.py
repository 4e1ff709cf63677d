"""Reads about people: their roles, organisations, PINs and the way they log in."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from guardian.models import UserObjectPermission

from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, Ente, User
from accounts.roles import AMBITI, Ruolo, group_name
from accounts.selectors.competenza import con_competenza


def ruoli_di(user: User) -> set[Ruolo]:
    """The roles a user holds, from their groups (cached on the user object for the request)."""
    cached: set[Ruolo] | None = getattr(user, "_ruoli_cache", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return set()
    by_label = {group_name(ruolo): ruolo for ruolo in Ruolo}
    names = Group.objects.filter(user=user).values_list("name", flat=True)
    ruoli = {by_label[name] for name in names if name in by_label}
    user._ruoli_cache = ruoli  # type: ignore[attr-defined]
    return ruoli


def organizzazioni_di(user: User, ruolo: Ruolo) -> QuerySet[Any]:
    """The organisations for which the user holds ``ruolo`` (object permissions only, never global ones)."""
    ambito = AMBITI[ruolo]
    modello = apps.get_model(ambito.model)
    if not user.is_authenticated:
        return modello._default_manager.none()
    queryset: QuerySet[Any] = modello._default_manager.filter(pk__in=_chiavi_per_ruolo(user, ruolo))
    if ambito.tipi_struttura:
        queryset = queryset.filter(tipo__in=ambito.tipi_struttura)
    return queryset


def _chiavi_per_ruolo(user: User, ruolo: Ruolo) -> QuerySet[Any]:
    """The primary keys of the organisations for which the user holds ``ruolo``, as a subquery; whatever the
    organisation's kind (``organizzazioni_di`` filters the kinds of structure)."""
    ambito = AMBITI[ruolo]
    # What guardian's get_objects_for_user(accept_global_perms=False, with_superuser=False, use_groups=False) answers,
    # with the object key cast on guardian's side: the organisation's primary key index is used, not a text scan.
    chiavi: QuerySet[Any] = (
        UserObjectPermission.objects.filter(
            user=user,
            permission__codename=ambito.permission.split(".", 1)[1],
            content_type=ContentType.objects.get_for_model(apps.get_model(ambito.model)),
        )
        .annotate(chiave=Cast("object_pk", BigIntegerField()))
        .values("chiave")
    )
    return chiavi


def enti_di(user: User) -> QuerySet[Ente]:
    """The Enti a person acts for: by role, or through the abilitazioni of their active PIN."""
    if not user.is_authenticated:
        return Ente.objects.none()
    per_ruolo = _chiavi_per_ruolo(user, Ruolo.OPERATORE_ENTE)
    per_pin = AbilitazioneDetenuta.objects.filter(pin__user=user, pin__status=PIN.Status.ATTIVO).values("ente_id")
    enti = Ente.objects.filter(Q(pk__in=per_ruolo) | Q(pk__in=per_pin), attivo=True)
    return con_competenza(enti).order_by("nome")


def pin_attivo(user: User) -> PIN | None:
    cached: PIN | bool | None = getattr(user, "_pin_attivo_cache", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    pin = PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).first() if user.is_authenticated else None
    user._pin_attivo_cache = pin  # type: ignore[attr-defined]
    return pin


def accede_con_pin(user: User) -> bool:
    """A person of the Circolare 71/2016: acts for an Ente, or holds (or held) a PIN or ex-Inpdap credentials.

    For them the PIN is the only key ("esclusivamente con il nuovo PIN"): no portal password exists."""
    return (
        Ruolo.OPERATORE_ENTE in ruoli_di(user)
        or PIN.objects.filter(user=user).exists()
        or CredenzialeExInpdap.objects.filter(user=user).exists()
    )


def ha_password(user: User) -> bool:
    """Whether a portal password exists for the person: INPS staff, and the people of the PUE until they move to
    SPID, CIE or CNS. A member of staff who also acts for an Ente keeps the password for the back office; the Area
    riservata still opens only to a session started with the PIN."""
    return user.is_staff or user.is_superuser or not accede_con_pin(user)


def opera_per_enti(user: User) -> bool:
    return Ruolo.OPERATORE_ENTE in ruoli_di(user) or pin_attivo(user) is not None


def ruoli_per_organizzazione(user: User, modello: str, *, con: tuple[str, ...] = ()) -> dict[Any, list[Ruolo]]:
    """The organisations of one kind (``accounts.comune``, ``accounts.struttura``) the user works for, each with
    the roles held there, in name order; ``con``: the relations to read with them (``select_related``)."""
    risultato: dict[Any, list[Ruolo]] = {}
    for ruolo in sorted(ruoli_di(user), key=lambda r: r.label):
        if AMBITI[ruolo].model != modello:
            continue
        for organizzazione in organizzazioni_di(user, ruolo).select_related(*con):
            risultato.setdefault(organizzazione, []).append(ruolo)
    return dict(sorted(risultato.items(), key=lambda item: item[0].nome))
