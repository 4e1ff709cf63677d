"""Reads about people: their roles, organisations, PINs and the way they log in."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from guardian.models import UserObjectPermission

from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, Ente, User
from accounts.roles import AMBITI, Ruolo, group_name
from accounts.selectors.competenza import con_competenza
from inps_portal.sql import da_lista_json, lista_json


@cache
def _ruoli_per_gruppo() -> dict[str, Ruolo]:
    """Each role by its group's name (the Italian label: data, the same in every process and language)."""
    return {group_name(ruolo): ruolo for ruolo in Ruolo}


def _ruoli_dai_gruppi(nomi: Any) -> set[Ruolo]:
    per_gruppo = _ruoli_per_gruppo()
    return {per_gruppo[nome] for nome in nomi if nome in per_gruppo}


def ruoli_di(user: User) -> set[Ruolo]:
    """The roles a user holds, from their groups (cached on the user object for the request; read with the person
    by ``persona_della_sessione`` for the person of the request)."""
    cached: set[Ruolo] | None = getattr(user, "_ruoli_cache", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return set()
    ruoli = _ruoli_dai_gruppi(Group.objects.filter(user=user).values_list("name", flat=True))
    user._ruoli_cache = ruoli  # type: ignore[attr-defined]
    return ruoli


@cache
def _sql_della_sessione(vendor: str) -> str:
    """The query of ``persona_della_sessione``, written out once per process: the person's row, the names of their
    groups as a JSON array (``inps_portal.sql.lista_json``) and their active PIN's row, its columns prefixed
    ``pin_`` (at most one: the database keeps one active PIN per person). Table and column names come from the
    models; the values are parameters."""
    q = connection.ops.quote_name
    tra = User.groups.through._meta
    persona = ", ".join(f"u.{q(f.column)}" for f in User._meta.concrete_fields)
    pin = ", ".join(f"p.{q(f.column)} AS {q('pin_' + f.attname)}" for f in PIN._meta.concrete_fields)
    gruppi = (
        f"SELECT {lista_json(vendor, 'g.' + q('name'))} FROM {q(Group._meta.db_table)} g "  # noqa: S608 - names from the models
        f"INNER JOIN {q(tra.db_table)} ug ON ug.{q('group_id')} = g.{q('id')} WHERE ug.{q('user_id')} = u.{q('id')}"
    )
    return (
        f"SELECT {persona}, ({gruppi}) AS {q('nomi_dei_gruppi')}, {pin} "  # noqa: S608 - names from the models
        f"FROM {q(User._meta.db_table)} u LEFT OUTER JOIN {q(PIN._meta.db_table)} p "
        f"ON p.{q('user_id')} = u.{q('id')} AND p.{q('status')} = %s WHERE u.{q('id')} = %s"
    )


def _pin_dalla_riga(persona: User) -> PIN | None:
    """The active PIN read with the person (``pin_`` columns), converted as the ORM converts its own columns; the
    columns are taken off the person (the PIN's hash stays on the PIN only)."""
    campi = PIN._meta.concrete_fields
    letti = {campo.attname: getattr(persona, f"pin_{campo.attname}") for campo in campi}
    for campo in campi:
        delattr(persona, f"pin_{campo.attname}")
    if letti[PIN._meta.pk.attname] is None:  # no active PIN: the outer join's columns are all NULL
        return None
    valori = []
    for campo in campi:
        valore, colonna = letti[campo.attname], campo.get_col(PIN._meta.db_table)
        for converti in connection.ops.get_db_converters(colonna) + colonna.get_db_converters(connection):
            valore = converti(valore, colonna, connection)
        valori.append(valore)
    return PIN.from_db(connection.alias, [campo.attname for campo in campi], valori)


def persona_della_sessione(pk: Any) -> User | None:
    """The person of a logged-in request with what nearly every page asks of them, in one query instead of three:
    the names of their groups (``ruoli_di``: the menu, every gate) and their active PIN (``pin_attivo``: the menu,
    the Area riservata). Both are kept on the person for the request, as those functions would keep them.

    A raw query, so that what every page pays is one round trip and no query compilation."""
    if not str(pk).isdigit():
        return None
    righe = list(User.objects.raw(_sql_della_sessione(connection.vendor), [PIN.Status.ATTIVO.value, int(pk)]))
    if not righe:
        return None
    persona = righe[0]
    nomi = da_lista_json(getattr(persona, "nomi_dei_gruppi", None))
    del persona.nomi_dei_gruppi  # type: ignore[attr-defined]
    persona._ruoli_cache = _ruoli_dai_gruppi(nomi)  # type: ignore[attr-defined]
    persona._pin_attivo_cache = _pin_dalla_riga(persona)  # type: ignore[attr-defined]
    return persona


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
