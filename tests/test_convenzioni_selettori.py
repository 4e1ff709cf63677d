"""Who sees which convention (one definition, used by views, back office and services): INPS staff their territory's,
central staff all, a Comune's people only their Comune's; the registry by region, Comune, state and expiry in a
constant number of queries whatever the number of conventions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Comune, Regione, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import selectors
from convenzioni.models import Convenzione, FiguraConvenzione, VersioneQuadro
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def crea(versione: VersioneQuadro) -> Callable[..., Convenzione]:
    """A convention row as the registry lists it (the documents and signatures are other tests' subject)."""
    from accounts.selectors.competenza import direzione_firmataria

    def _crea(codice_istat: str, stato: str = "attiva", fine: dt.date = dt.date(2028, 12, 31)) -> Convenzione:
        comune = Comune.objects.get(codice_istat=codice_istat)
        direzione = direzione_firmataria(comune)
        assert direzione is not None
        attiva = stato == "attiva"
        convenzione = Convenzione.objects.create(
            comune=comune,
            versione=versione,
            direzione=direzione,
            stato=stato,
            protocollo=f"INPS.X.2026.{codice_istat}{stato}" if attiva else None,
            attivata_il=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if attiva else None,
            motivo_chiusura="" if stato in ("attiva", "bozza", "scaduta") else "motivo",
            comune_codice_fiscale="80000000000",
            comune_pec="protocollo@pec.example.it",
            legale_rappresentante_nome="Giovanni",
            legale_rappresentante_cognome="Ferraro",
            legale_rappresentante_codice_fiscale=codice_fiscale_valido(951),
            pec_inps="direzione@pec-inps.example.it",
            postazione_indirizzo="Municipio",
            postazione_locale="URP",
            postazione_strumentazione="PC",
            costi="spese",
            supporto_telefono="06 0000",
            data_inizio=fine - dt.timedelta(days=3 * 365),
            data_fine=fine,
            testo="testo",
        )
        for ruolo in (FiguraConvenzione.Ruolo.REFERENTE_INPS, FiguraConvenzione.Ruolo.REFERENTE_COMUNE):
            FiguraConvenzione.objects.create(
                convenzione=convenzione,
                ruolo=ruolo,
                nome="Nome",
                cognome="Cognome",
                codice_fiscale=codice_fiscale_valido(952),
                email="referente@example.it",
                telefono="0",
            )
        return convenzione

    return _crea


def persona_del_comune(codice_istat: str, ruolo: Ruolo) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Comune.objects.get(codice_istat=codice_istat))
    return User.objects.get(pk=user.pk)


def visibili(user: User) -> set[str]:
    return set(selectors.convenzioni_visibili(user).values_list("comune__nome", flat=True))


def test_each_person_sees_the_conventions_of_their_territory_only(crea: Callable[..., Convenzione]) -> None:
    crea("078102")  # Rende (CS, Calabria)
    crea("080063")  # Reggio di Calabria (RC, Calabria)
    crea("037006")  # Bologna (BO, Emilia-Romagna)
    crea("058120")  # Fiumicino (RM, Lazio: signed by the Direzione di coordinamento metropolitano di Roma)
    tutti = {"Rende", "Reggio di Calabria", "Bologna", "Fiumicino"}
    assert visibili(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-ORG")) == tutti
    assert visibili(UserFactory.create(is_superuser=True)) == tutti
    assert visibili(personale_inps(Ruolo.DIRETTORE, "DR-18")) == {"Rende", "Reggio di Calabria"}
    assert visibili(personale_inps(Ruolo.REFERENTE_INPS, "DR-08")) == {"Bologna"}
    assert visibili(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")) == {"Rende"}
    assert visibili(personale_inps(Ruolo.OPERATORE_SPORTELLO, "ST-RC")) == {"Reggio di Calabria"}
    assert visibili(personale_inps(Ruolo.DIRETTORE, "DCM-RM")) == {"Fiumicino"}
    assert visibili(personale_inps(Ruolo.DIRETTORE, "DR-12")) == {"Fiumicino"}  # the region sees its metropolis
    assert visibili(personale_inps(Ruolo.OPERATORE_SPORTELLO, "PN-AU")) == set()
    assert visibili(persona_del_comune("078102", Ruolo.REFERENTE_COMUNE)) == {"Rende"}
    assert visibili(persona_del_comune("037006", Ruolo.OPERATORE_COMUNE)) == {"Bologna"}
    assert visibili(persona_del_comune("078045", Ruolo.AMMINISTRATORE_UTENZE)) == set()  # Cosenza: none of its own
    assert visibili(UserFactory.create()) == set()
    inattivo = personale_inps(Ruolo.DIRETTORE, "DR-18")
    inattivo.is_active = False
    assert visibili(inattivo) == set()


def test_the_registry_filters_by_region_comune_state_and_expiry(crea: Callable[..., Convenzione]) -> None:
    rende = crea("078102", fine=dt.date(2026, 12, 31))
    crea("078102", stato="scaduta", fine=dt.date(2025, 12, 31))
    reggio = crea("080063")
    crea("037006")
    centrale = personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-ORG")
    calabria = Regione.objects.get(nome="Calabria")
    assert list(selectors.registro_convenzioni(centrale, regione=calabria, stato="attiva")) == [rende, reggio]
    assert selectors.registro_convenzioni(centrale, comune=rende.comune).count() == 2
    scadono = selectors.registro_convenzioni(
        centrale, scadenza_dal=dt.date(2026, 1, 1), scadenza_al=dt.date(2027, 1, 1)
    )
    assert list(scadono) == [rende]


def _query_del_registro(user: User) -> tuple[int, int]:
    user = User.objects.get(pk=user.pk)  # a fresh request: nothing cached on the person
    with CaptureQueriesContext(connection) as catturate:
        righe = [
            (
                str(c.comune),
                c.comune.provincia.regione.nome,
                c.direzione.nome,
                c.versione.numero,
                [f.nome_completo for f in c.figure_attuali],  # type: ignore[attr-defined]
            )
            for c in selectors.registro_convenzioni(user)
        ]
    assert all(len(riga[4]) == 2 for riga in righe)
    return len(righe), len(catturate)


def test_the_registry_costs_the_same_queries_for_3_or_30_conventions(crea: Callable[..., Convenzione]) -> None:
    calabresi = list(
        Comune.objects.filter(provincia__regione__nome="Calabria")
        .order_by("codice_istat")
        .values_list("codice_istat", flat=True)
    )
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    for codice in calabresi[:3]:
        crea(codice)
    _query_del_registro(direttore)  # the process-wide caches (content types) warm, as in a running portal
    pochi = _query_del_registro(direttore)
    for codice in calabresi[3:30]:
        crea(codice)
    molti = _query_del_registro(direttore)
    assert (pochi[0], molti[0]) == (3, 30)
    assert pochi[1] == molti[1], (pochi, molti)
    assert molti[1] == 3  # the person's roles, the conventions with what they name, their current figures


def test_who_acts_for_which_party(crea: Callable[..., Convenzione]) -> None:
    convenzione = crea("078102")
    assert selectors.parti_di(personale_inps(Ruolo.DIRETTORE, "DR-18"), convenzione) == {"inps"}
    assert selectors.parti_di(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"), convenzione) == set()  # sees, not a party
    assert selectors.parti_di(persona_del_comune("078102", Ruolo.AMMINISTRATORE_UTENZE), convenzione) == {"comune"}
    assert selectors.parti_di(persona_del_comune("078102", Ruolo.OPERATORE_COMUNE), convenzione) == set()
    assert selectors.referente_per(persona_del_comune("078102", Ruolo.REFERENTE_COMUNE), convenzione) == "comune"
    assert selectors.convenzione_attiva(convenzione.comune, dt.date(2026, 6, 1)) == convenzione
    assert selectors.convenzione_attiva(convenzione.comune, dt.date(2029, 1, 1)) is None
