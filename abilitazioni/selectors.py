"""Where a request for an abilitazione goes: a query on the catalogue and on the Ente's territory."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from abilitazioni.models import IN_CORSO, Abilitazione, RichiestaAbilitazioni, RichiestaInstradata, VoceRichiesta
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, MembroTeam, Provincia, Struttura, Team, User
from accounts.roles import AMBITI, Ruolo
from accounts.selectors.cache_competenza import uffici_competenti
from accounts.selectors.competenza import direzione_regionale_competente, sede_competente
from accounts.selectors.persone import pin_attivo
from inps_portal.sql import da_lista_json, lista_json

UFFICI_CHE_DECIDONO = (
    Ruolo.PERSONALE_SEDE,
    Ruolo.PERSONALE_DIREZIONE_REGIONALE,
    Ruolo.PERSONALE_DIREZIONE_CENTRALE,
)
# Who, inside the receiving office, decides (Circolare 71/2016, par. 4): allegato 3 goes to the Direzione regionale's
# "Area/team Prestazioni a sostegno del reddito, Credito e Welfare", and only its members see and decide it. Every
# other allegato goes to the whole office: the Sede territoriale (2), the Direzione centrale named by the catalogue
# (4 and 5).
TEAM_PER_ALLEGATO: dict[int, str] = {Abilitazione.Allegato.ALLEGATO_3: Team.CREDITO_WELFARE}


@dataclass(frozen=True)
class Destinazione:
    """The office that receives the request: a structure of the portal, or a PEC address."""

    struttura: Struttura | None
    indirizzo_pec: str
    via_pec_dall_ente: bool


def destinazione(abilitazione: Abilitazione, ente: Ente) -> Destinazione:
    C = Abilitazione.Canale
    if abilitazione.canale == C.SEDE_TERRITORIALE:
        return Destinazione(sede_competente(ente.comune), "", via_pec_dall_ente=False)
    if abilitazione.canale == C.DIREZIONE_REGIONALE:
        return Destinazione(direzione_regionale_competente(ente.comune), "", via_pec_dall_ente=False)
    # By PEC: the mailbox is the routing address; the Direzione centrale that reads it reviews in the portal.
    ufficio = abilitazione.ufficio_centrale
    if ufficio is not None and ufficio.tipo != Struttura.Tipo.DIREZIONE_CENTRALE:
        ufficio = None  # the form offers only Direzioni centrali; a Struttura that changed kind decides nothing
    return Destinazione(ufficio, abilitazione.indirizzo_pec, via_pec_dall_ente=abilitazione.canale == C.PEC_DALL_ENTE)


@dataclass(frozen=True)
class Uffici:
    """Where a member of staff decides: the structures they are staff of and, per team, those where they are in it."""

    strutture: list[int]
    nei_team: dict[str, list[int]]


def uffici_che_decidono(user: User) -> Uffici:
    """The Sedi and Direzioni (territorial, regional, central) whose staff the user is, and the teams of them the
    user works in: one query."""
    # The three roles share one object permission on the Struttura.
    tipi = {tipo for ruolo in UFFICI_CHE_DECIDONO for tipo in AMBITI[ruolo].tipi_struttura}
    permesso = AMBITI[Ruolo.PERSONALE_SEDE].permission
    codici = sorted(set(TEAM_PER_ALLEGATO.values()))
    strutture: QuerySet[Struttura] = get_objects_for_user(
        user, permesso, accept_global_perms=False, with_superuser=False, use_groups=False
    )
    membro = {
        f"nel_team_{n}": Exists(MembroTeam.objects.filter(user=user, team__struttura=OuterRef("pk"), team__codice=c))
        for n, c in enumerate(codici)
    }
    righe = list(strutture.filter(tipo__in=tipi).annotate(**membro).values_list("pk", *membro))
    return Uffici(
        strutture=[riga[0] for riga in righe],
        nei_team={c: [riga[0] for riga in righe if riga[n + 1]] for n, c in enumerate(codici)},
    )


def filtro_coda(user: User) -> Q:
    """The one definition of an office's queue (the admin, the decision pages and the services use it): the routed
    requests addressed to the user's Sedi or Direzioni whose signed modulo has arrived, those of a team's allegato
    only to the team's members.

    The offices are read first, so the queue is a plain filter on its own columns, which the (struttura, id) index
    serves whatever the size of the other offices' queues."""
    # A request reaches the office with its signed modulo: before (also if withdrawn before), it was never there.
    return filtro_uffici(user) & Q(modulo_ricevuto_il__isnull=False)


def filtro_uffici(user: User) -> Q:
    """The routed requests addressed to the user's offices (and teams), whatever their state."""
    uffici = uffici_che_decidono(user)
    coda = Q(struttura_id__in=uffici.strutture) & ~Q(allegato__in=list(TEAM_PER_ALLEGATO))
    for allegato, codice in TEAM_PER_ALLEGATO.items():
        coda |= Q(allegato=allegato, struttura_id__in=uffici.nei_team[codice])
    return coda


def in_attesa_del_modulo_per_ufficio(user: User) -> QuerySet[RichiestaInstradata]:
    """The requests of the user's offices still waiting for the Ente's PEC: those a PEC to sort may be filed to."""
    return RichiestaInstradata.objects.filter(filtro_uffici(user), status=RichiestaInstradata.Status.ATTESA_MODULO)


def instradate_per_ufficio(user: User) -> QuerySet[RichiestaInstradata]:
    """The routed requests an office's staff may decide (see ``filtro_coda``): the services' and decision pages'
    scope. Nobody decides outside it, the portal's administrators included: the office decides."""
    return RichiestaInstradata.objects.filter(filtro_coda(user))


def filtro_visibili(user: User) -> Q:
    """What a person reads in the back office: their office's queue; the portal's administrators (superusers) read
    every request that reached an office, to support the offices, but decide none (``instradate_per_ufficio``)."""
    if user.is_superuser:
        return Q(modulo_ricevuto_il__isnull=False)
    return filtro_coda(user)


def instradate_visibili(user: User) -> QuerySet[RichiestaInstradata]:
    return RichiestaInstradata.objects.filter(filtro_visibili(user))


# --- The Area riservata: every Ente of the person, in one query -------------------------------------------------------


@dataclass(frozen=True)
class EnteNellArea:
    """An Ente as the Area riservata shows it: where it is, its competent offices, the abilitazioni of the person's
    active PIN for it (under the catalogue's current name) and how many of their requests for it wait for a
    decision."""

    pk: int
    nome: str
    codice_fiscale: str
    comune: str
    provincia: str  # the sigla
    sede_competente_nome: str | None
    direzione_regionale_nome: str | None
    abilitazioni: list[str]
    in_corso: int


@cache
def _sql_area(vendor: str) -> str:
    """The query of ``enti_nell_area``, written out once per process: the Enti of ``enti_di`` (an operator's role on
    the Ente, or an abilitazione of the active PIN for it; active Enti only, by name), each with its held
    abilitazioni as a JSON array (``inps_portal.sql.lista_json``) and its requests in progress counted. Table and
    column names come from the models; every value is a parameter."""
    q = connection.ops.quote_name

    def t(model: type[Model]) -> str:
        return q(model._meta.db_table)

    nomi = lista_json(vendor, "x.nome", ordina=True)
    stati = ", ".join(["%s"] * len(IN_CORSO))
    return (
        "SELECT e.id, e.nome, e.codice_fiscale, c.nome, p.sigla, p.id, p.regione_id, "  # noqa: S608 - values as parameters
        f"(SELECT COUNT(*) FROM {t(RichiestaInstradata)} ri "
        f"INNER JOIN {t(RichiestaAbilitazioni)} r ON r.id = ri.richiesta_id "
        f"WHERE r.user_id = %s AND r.ente_id = e.id AND ri.status IN ({stati})), "
        f"(SELECT {nomi} FROM (SELECT COALESCE(a.nome, d.nome) AS nome FROM {t(AbilitazioneDetenuta)} d "
        f"LEFT OUTER JOIN {t(Abilitazione)} a ON a.codice = d.codice "
        "WHERE d.pin_id = %s AND d.ente_id = e.id ORDER BY 1) x) "
        f"FROM {t(Ente)} e INNER JOIN {t(Comune)} c ON c.id = e.comune_id "
        f"INNER JOIN {t(Provincia)} p ON p.id = c.provincia_id "
        f"WHERE e.attivo AND (e.id IN (SELECT CAST(g.object_pk AS BIGINT) FROM {t(UserObjectPermission)} g "
        f"INNER JOIN {t(Permission)} ap ON ap.id = g.permission_id "
        "WHERE g.user_id = %s AND g.content_type_id = %s AND ap.codename = %s) "
        f"OR e.id IN (SELECT d.ente_id FROM {t(AbilitazioneDetenuta)} d WHERE d.pin_id = %s)) "
        "ORDER BY e.nome, e.id"
    )


def enti_nell_area(user: User) -> list[EnteNellArea]:
    """The Area riservata's Enti for the person, in one query whatever their number (the page every Ente operator
    opens first; ``enti_di``, ``pin_attivo`` and ``uffici_competenti`` say the same, a test keeps it so)."""
    pin = pin_attivo(user)
    pin_id = pin.pk if pin is not None else None
    permesso = AMBITI[Ruolo.OPERATORE_ENTE].permission.split(".", 1)[1]
    parametri = [user.pk, *IN_CORSO, pin_id, user.pk, ContentType.objects.get_for_model(Ente).pk, permesso, pin_id]
    with connection.cursor() as cursore:
        cursore.execute(_sql_area(connection.vendor), parametri)
        righe = cursore.fetchall()
    uffici = uffici_competenti()
    enti = []
    for pk, nome, codice_fiscale, comune, sigla, provincia_id, regione_id, in_corso, abilitazioni in righe:
        enti.append(
            EnteNellArea(
                pk=pk,
                nome=nome,
                codice_fiscale=codice_fiscale,
                comune=comune,
                provincia=sigla,
                sede_competente_nome=uffici.sede(provincia_id),
                direzione_regionale_nome=uffici.direzione(regione_id),
                abilitazioni=da_lista_json(abilitazioni),
                in_corso=in_corso,
            )
        )
    return enti


# --- What a person holds and has asked, joined to the catalogue by its key (``Abilitazione.codice``) ----------------


def codici_detenuti(pin: PIN | None, ente: Ente) -> set[str]:
    """The keys of the catalogue's entries the PIN holds for the Ente."""
    if pin is None:
        return set()
    return set(AbilitazioneDetenuta.objects.filter(pin=pin, ente=ente).values_list("codice", flat=True))


@dataclass(frozen=True)
class VoceInCorso:
    numero: str  # as the modulo prints it and the PEC quotes it (``RichiestaInstradata.numero``)
    operazione: str


def voci_in_corso(user: User, ente: Ente) -> dict[int, VoceInCorso]:
    """The catalogue's entries (by id) the person has asked for the Ente and nobody has decided yet."""
    righe = VoceRichiesta.objects.filter(
        instradata__richiesta__user=user, instradata__richiesta__ente=ente, instradata__status__in=IN_CORSO
    ).values_list("abilitazione_id", "instradata__richiesta_id", "instradata__allegato", "operazione")
    return {a: VoceInCorso(f"{richiesta}/{allegato}", operazione) for a, richiesta, allegato, operazione in righe}


def richiede_pin_dispositivo(abilitazione: Abilitazione, pin: PIN | None) -> bool:
    """Whether the entry needs a PIN dispositivo the person does not have (allegati 4 and 5 of the circolare): the
    request, to add it or to remove it, is refused (``services.richiesta_crea``)."""
    return abilitazione.prerequisito == Abilitazione.Prerequisito.PIN_DISPOSITIVO and (
        pin is None or pin.tipo != PIN.Tipo.DISPOSITIVO
    )


@dataclass(frozen=True)
class Situazione:
    """Where the person stands, for one Ente, with one entry of the catalogue: what the request page marks and what
    it lets them tick (the service checks the same)."""

    detenuta: bool
    in_corso: VoceInCorso | None
    serve_pin_dispositivo: bool

    @property
    def si_puo_aggiungere(self) -> bool:
        return not (self.detenuta or self.in_corso or self.serve_pin_dispositivo)

    @property
    def si_puo_togliere(self) -> bool:
        return self.detenuta and not (self.in_corso or self.serve_pin_dispositivo)


def situazione_del_catalogo(
    user: User, ente: Ente | None, catalogo: list[Abilitazione], pin: PIN | None
) -> dict[int, Situazione]:
    """Each entry of ``catalogo`` as it stands for the person and the Ente: two queries."""
    detenuti = codici_detenuti(pin, ente) if ente is not None else set()
    in_corso = voci_in_corso(user, ente) if ente is not None else {}
    return {
        a.pk: Situazione(
            detenuta=a.codice in detenuti,
            in_corso=in_corso.get(a.pk),
            serve_pin_dispositivo=richiede_pin_dispositivo(a, pin),
        )
        for a in catalogo
    }
