"""Reads about the territory, INPS structures and roles; competence is always a query on the territory."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import OuterRef, Q, QuerySet, Subquery
from guardian.shortcuts import get_objects_for_user

from accounts.models import PIN, AbilitazioneDetenuta, Comune, CredenzialeExInpdap, Ente, Prestazione, Struttura, User
from accounts.roles import AMBITI, Ruolo, group_name

Tipo = Struttura.Tipo


def strutture_attive() -> QuerySet[Struttura]:
    return Struttura.objects.filter(attiva=True)


def sede_competente(comune: Comune) -> Struttura | None:
    """The Sede territoriale competent for a Comune: the one of its province."""
    return strutture_attive().filter(tipo=Tipo.SEDE_TERRITORIALE, provincia_id=comune.provincia_id).first()


def direzione_regionale_competente(comune: Comune) -> Struttura | None:
    """The Direzione regionale of the Comune's region."""
    return strutture_attive().filter(tipo=Tipo.DIREZIONE_REGIONALE, regione__province__comuni=comune).first()


def direzione_firmataria(comune: Comune) -> Struttura | None:
    """Who signs a PUE convention for INPS (Messaggio 4461/2023, par. 2): the Direzione di coordinamento
    metropolitano where one covers the Comune's province, the Direzione regionale otherwise."""
    metropolitana = (
        strutture_attive().filter(tipo=Tipo.DIREZIONE_METROPOLITANA, provincia_id=comune.provincia_id).first()
    )
    return metropolitana or direzione_regionale_competente(comune)


def poli_competenti(prestazione: Prestazione) -> QuerySet[Struttura]:
    return strutture_attive().filter(tipo=Tipo.POLO_NAZIONALE, prestazioni=prestazione)


def comuni_di_competenza(struttura: Struttura) -> QuerySet[Comune]:
    """The Comuni a structure is territorially competent for (none for central offices and national poles)."""
    comuni = Comune.objects.select_related("provincia__regione")
    if struttura.tipo == Tipo.DIREZIONE_REGIONALE and struttura.regione_id is not None:
        return comuni.filter(provincia__regione_id=struttura.regione_id)
    if struttura.tipo in (Tipo.SEDE_TERRITORIALE, Tipo.DIREZIONE_METROPOLITANA) and struttura.provincia_id is not None:
        return comuni.filter(provincia_id=struttura.provincia_id)
    return comuni.none()


def _competente_per_provincia(tipo: str) -> Subquery:
    return Subquery(
        strutture_attive().filter(tipo=tipo, provincia_id=OuterRef("comune__provincia_id")).values("nome")[:1]
    )


def comuni_con_competenza(comuni: QuerySet[Comune]) -> QuerySet[Comune]:
    """Comuni annotated with the names of their Sede, Direzione regionale and PUE signatory, in one query (the same
    rules as ``sede_competente``, ``direzione_regionale_competente`` and ``direzione_firmataria``)."""

    def per_provincia(tipo: str) -> Subquery:
        return Subquery(strutture_attive().filter(tipo=tipo, provincia_id=OuterRef("provincia_id")).values("nome")[:1])

    direzione = Subquery(
        strutture_attive()
        .filter(tipo=Tipo.DIREZIONE_REGIONALE, regione_id=OuterRef("provincia__regione_id"))
        .values("nome")[:1]
    )
    return comuni.select_related("provincia__regione").annotate(
        sede_nome=per_provincia(Tipo.SEDE_TERRITORIALE),
        direzione_nome=direzione,
        metropolitana_nome=per_provincia(Tipo.DIREZIONE_METROPOLITANA),
    )


def con_competenza(enti: QuerySet[Ente]) -> QuerySet[Ente]:
    """Enti annotated with the names of their competent Sede and Direzione regionale, in one query."""
    direzione = Subquery(
        strutture_attive()
        .filter(tipo=Tipo.DIREZIONE_REGIONALE, regione_id=OuterRef("comune__provincia__regione_id"))
        .values("nome")[:1]
    )
    return enti.select_related("comune__provincia__regione").annotate(
        sede_competente_nome=_competente_per_provincia(Tipo.SEDE_TERRITORIALE),
        direzione_regionale_nome=direzione,
    )


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
    queryset: QuerySet[Any] = get_objects_for_user(
        user, ambito.permission, accept_global_perms=False, with_superuser=False, use_groups=False
    )
    if ambito.tipi_struttura:
        queryset = queryset.filter(tipo__in=ambito.tipi_struttura)
    return queryset


def enti_di(user: User) -> QuerySet[Ente]:
    """The Enti a person acts for: by role, or through the abilitazioni of their active PIN."""
    per_ruolo: QuerySet[Ente] = organizzazioni_di(user, Ruolo.OPERATORE_ENTE)
    per_pin = AbilitazioneDetenuta.objects.filter(pin__user=user, pin__status=PIN.Status.ATTIVO).values("ente_id")
    enti = Ente.objects.filter(Q(pk__in=per_ruolo.values("pk")) | Q(pk__in=per_pin), attivo=True)
    return con_competenza(enti).order_by("nome")


def pin_attivo(user: User) -> PIN | None:
    cached: PIN | bool | None = getattr(user, "_pin_attivo_cache", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    pin = PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).first() if user.is_authenticated else None
    user._pin_attivo_cache = pin  # type: ignore[attr-defined]
    return pin


def abilitazioni_per_ente(user: User) -> dict[int, list[str]]:
    """The abilitazioni of the person's active PIN, by Ente."""
    risultato: dict[int, list[str]] = {}
    righe = AbilitazioneDetenuta.objects.filter(pin__user=user, pin__status=PIN.Status.ATTIVO).order_by("nome")
    for ente_id, nome in righe.values_list("ente_id", "nome"):
        risultato.setdefault(ente_id, []).append(nome)
    return risultato


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


def ruoli_per_organizzazione(user: User, modello: str) -> dict[Any, list[Ruolo]]:
    """The organisations of one kind (``accounts.comune``, ``accounts.struttura``) the user works for, each with
    the roles held there, in name order."""
    risultato: dict[Any, list[Ruolo]] = {}
    for ruolo in sorted(ruoli_di(user), key=lambda r: r.label):
        if AMBITI[ruolo].model != modello:
            continue
        for organizzazione in organizzazioni_di(user, ruolo):
            risultato.setdefault(organizzazione, []).append(ruolo)
    return dict(sorted(risultato.items(), key=lambda item: item[0].nome))
