"""Every URL of the abilitazioni app and of its admin, for every role: what is not theirs is a 404.

The URLs are read from the resolver (``tests/accesso.py``), not listed by hand: a new URL without an expectation here
fails the test (and ``test_accesso_portale.py`` checks that every URL of the portal is in some walk). A 403 remains
only where the role may not do that kind of thing at all (editing the catalogue for a Sede's staff, adding or deleting
requests that nobody adds or deletes by hand): it says nothing about any organisation's objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.pec.models import PECInArrivo
from tests import accesso
from tests.factories import PDF_MINIMO, EnteFactory, UserFactory, crea_pin, modulo_consegnato, nel_team, personale_inps

pytestmark = pytest.mark.django_db

# The people: (role, structure code) for INPS staff; the owner of the requests and an operator of another Ente.
PROPRIETARIO, ALTRO_ENTE = "operatore dell'Ente", "operatore di un altro Ente"
STAFF = {
    "Sede competente": (Ruolo.PERSONALE_SEDE, "ST-CS"),
    "altra Sede": (Ruolo.PERSONALE_SEDE, "ST-RM"),
    "Direzione regionale competente": (Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"),
    "Direzione regionale di un'altra regione": (Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-12"),
    "Direzione centrale Posizione Assicurativa": (Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"),
    "Direzione centrale Credito e Welfare": (Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"),
    "altra Direzione centrale": (Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-SIT"),
}
RUOLI = [PROPRIETARIO, ALTRO_ENTE, *STAFF]
OPERATORI = {PROPRIETARIO, ALTRO_ENTE}
CENTRALI = {r for r, (ruolo, _) in STAFF.items() if ruolo == Ruolo.PERSONALE_DIREZIONE_CENTRALE}
# Who decides each allegato of a request from an Ente of Rende (CS), Calabria.
COMPETENTE = {
    2: "Sede competente",
    3: "Direzione regionale competente",
    4: "Direzione centrale Posizione Assicurativa",
    5: "Direzione centrale Credito e Welfare",
}

# For each URL: the status a role gets, given the allegato of the routed request in the URL (None for the others).
Atteso = Callable[[str, int | None], int]


def _richiesta_dell_ufficio(ruolo: str, allegato: int | None) -> int:
    return 200 if ruolo == COMPETENTE.get(allegato or 0) else 404


def _solo_staff(codice: int) -> Atteso:
    return lambda ruolo, _: 404 if ruolo in OPERATORI else codice


def _catalogo(per_i_centrali: int, per_gli_altri_uffici: int) -> Atteso:
    """The catalogue is read by every office (it is public on the Modulistica page); central staff edit it."""
    return lambda ruolo, _: (
        404 if ruolo in OPERATORI else (per_i_centrali if ruolo in CENTRALI else per_gli_altri_uffici)
    )


ATTESI: dict[str, Atteso] = {
    # The operator's pages: the Area riservata and the requests.
    "area_enti": lambda ruolo, _: 200 if ruolo in OPERATORI else 404,
    "abilitazioni_richieste": lambda ruolo, _: 200 if ruolo in OPERATORI else 404,
    "abilitazioni_ritira": lambda ruolo, _: 405,  # POST only: see the POST walk below
    "abilitazioni_modulo": lambda ruolo, _: 200 if ruolo == PROPRIETARIO else 404,
    "abilitazioni_modulo_firmato": lambda ruolo, _: 405,  # POST only: see the POST walk below
    # Public.
    "modulistica": lambda ruolo, _: 200,
    "modulistica_allegato": lambda ruolo, _: 200,
    # The queue of routed requests.
    "admin:abilitazioni_richiestainstradata_changelist": _solo_staff(200),
    "admin:abilitazioni_richiestainstradata_add": _solo_staff(403),
    "admin:abilitazioni_richiestainstradata_change": lambda r, a: (
        404 if r in OPERATORI else _richiesta_dell_ufficio(r, a)
    ),
    "admin:abilitazioni_richiestainstradata_history": lambda r, a: (
        404 if r in OPERATORI else _richiesta_dell_ufficio(r, a)
    ),
    "admin:abilitazioni_richiestainstradata_decidi": lambda r, a: (
        404 if r in OPERATORI else _richiesta_dell_ufficio(r, a)
    ),
    "admin:abilitazioni_richiestainstradata_modulo": lambda r, a: (
        404 if r in OPERATORI else _richiesta_dell_ufficio(r, a)
    ),
    "admin:abilitazioni_richiestainstradata_modulo_firmato": lambda r, a: (
        404 if r in OPERATORI else _richiesta_dell_ufficio(r, a)
    ),
    # Filing a PEC by hand: the scene's PECs were filed already, so there is nothing to sort for anyone.
    "admin:abilitazioni_richiestainstradata_smista": lambda r, a: 404,
    "admin:abilitazioni_richiestainstradata_delete": lambda r, a: (
        404 if r in OPERATORI else (403 if _richiesta_dell_ufficio(r, a) == 200 else 404)
    ),
    # The catalogue: central staff edit it (nobody deletes an abilitazione: it is deactivated).
    "admin:abilitazioni_abilitazione_changelist": _catalogo(200, 200),
    "admin:abilitazioni_abilitazione_add": _catalogo(200, 403),
    "admin:abilitazioni_abilitazione_change": _catalogo(200, 200),
    "admin:abilitazioni_abilitazione_history": _catalogo(200, 200),
    "admin:abilitazioni_abilitazione_delete": _catalogo(403, 403),
    "admin:app_list": _solo_staff(200),
}

# The people outside the requests' story: nobody logged in (the Area and the back office send to the login; what is
# POST only is a 405 first), a Direttore regionale (the back office, without the queues' or the catalogue's
# permissions: the stock 403 on the models' pages, a 404 where the object is looked up first), an operator of a
# Comune (no Ente, no back office: 404), the portal's administrators (every queue and the catalogue to read, nothing
# to decide, add or delete). Their status does not depend on the allegato.
ANONIMO, DIRETTORE = "anonimo", "Direttore regionale della Calabria"
COMUNE, AMMINISTRATORE = "operatore del Comune di Rende", "amministratore del portale"
ALTRI_RUOLI = (ANONIMO, DIRETTORE, COMUNE, AMMINISTRATORE)
ATTESI_DEGLI_ALTRI: dict[str, tuple[int, int, int, int]] = {
    "area_enti": (302, 404, 404, 404),
    "abilitazioni_richieste": (302, 404, 404, 404),
    "abilitazioni_ritira": (405, 405, 405, 405),
    "abilitazioni_modulo": (302, 404, 404, 404),
    "abilitazioni_modulo_firmato": (405, 405, 405, 405),
    "modulistica": (200, 200, 200, 200),
    "modulistica_allegato": (200, 200, 200, 200),
    "admin:abilitazioni_richiestainstradata_changelist": (302, 403, 404, 200),
    "admin:abilitazioni_richiestainstradata_add": (302, 403, 404, 403),
    "admin:abilitazioni_richiestainstradata_change": (302, 403, 404, 200),
    "admin:abilitazioni_richiestainstradata_history": (302, 404, 404, 200),
    "admin:abilitazioni_richiestainstradata_decidi": (302, 404, 404, 404),
    "admin:abilitazioni_richiestainstradata_modulo": (302, 404, 404, 200),
    "admin:abilitazioni_richiestainstradata_modulo_firmato": (302, 404, 404, 200),
    "admin:abilitazioni_richiestainstradata_smista": (302, 404, 404, 404),
    "admin:abilitazioni_richiestainstradata_delete": (302, 404, 404, 403),
    "admin:abilitazioni_abilitazione_changelist": (302, 403, 404, 200),
    "admin:abilitazioni_abilitazione_add": (302, 403, 404, 200),
    "admin:abilitazioni_abilitazione_change": (302, 403, 404, 200),
    "admin:abilitazioni_abilitazione_history": (302, 403, 404, 200),
    "admin:abilitazioni_abilitazione_delete": (302, 403, 404, 403),
    "admin:app_list": (302, 404, 404, 200),
}
# A member of a Sede's staff who also acts for an Ente and came in with the password: the Area riservata asks for the
# PIN (403, whatever the request in the address), the back office is their Sede's.
PERSONALE_E_OPERATORE = "personale di un'altra Sede, operatore di un Ente, entrato con la password"
AREA_RISERVATA = {"area_enti", "abilitazioni_richieste", "abilitazioni_modulo"}
TUTTI_I_RUOLI = [*RUOLI, *ALTRI_RUOLI, PERSONALE_E_OPERATORE]
PERCORSO = accesso.Percorso("abilitazioni", frozenset(ATTESI))


def _atteso(nome: str, ruolo: str, allegato: int | None) -> int:
    if ruolo in ALTRI_RUOLI:
        return ATTESI_DEGLI_ALTRI[nome][ALTRI_RUOLI.index(ruolo)]
    if ruolo == PERSONALE_E_OPERATORE:
        return 403 if nome in AREA_RISERVATA else ATTESI[nome]("altra Sede", allegato)
    return ATTESI[nome](ruolo, allegato)


def _url_dell_app() -> list[accesso.Url]:
    """The named URLs of the app's views and of the admin of its models, and the app's index in the admin."""
    return [
        url
        for nome, url in accesso.url_con_nome().items()
        if url.modulo_della_vista == "abilitazioni.views"
        or nome.startswith("admin:abilitazioni_")
        or nome == "admin:app_list"
    ]


def test_every_url_of_the_app_has_an_expectation() -> None:
    nomi = {u.nome for u in _url_dell_app()}
    # The admin's bare "<object_id>/" redirect has no name of its own: it is walked below as the change page's prefix.
    assert nomi == set(ATTESI) == set(ATTESI_DEGLI_ALTRI)


@pytest.fixture
def scena(registro: None) -> dict[str, Any]:
    """One request per allegato from an operator of an Ente of Rende (CS); one from an operator of a Roman Ente."""
    proprietario = UserFactory.create(password="!", email="proprietario@example.it")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_pin(proprietario, [(ente, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    altro = UserFactory.create(password="!")
    ente_romano = EnteFactory.create(comune=Comune.objects.get(codice_istat="058091"))
    crea_pin(altro, [(ente_romano, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    nomi = ["Domanda Valore PA", "PassWeb", "Soggiorni senior", "Visualizzazione note di debito Ente"]
    richiesta = richiesta_crea(user=proprietario, ente=ente, aggiungi=Abilitazione.objects.filter(nome__in=nomi))
    romana = richiesta_crea(
        user=altro, ente=ente_romano, aggiungi=[Abilitazione.objects.get(nome="Visualizzazione note di debito Ente")]
    )
    modulo_consegnato(richiesta)
    modulo_consegnato(romana)
    persone: dict[str, User] = {PROPRIETARIO: proprietario, ALTRO_ENTE: altro}
    persone |= {nome: personale_inps(ruolo, codice) for nome, (ruolo, codice) in STAFF.items()}
    nel_team(persone["Direzione regionale competente"], "DR-18")  # allegato 3 goes to its team
    operatore_comune = UserFactory.create()
    ruolo_assegna(user=operatore_comune, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=ente.comune)
    personale_e_operatore = personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM")
    ruolo_assegna(user=personale_e_operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente_romano)
    persone |= {
        PERSONALE_E_OPERATORE: personale_e_operatore,
        DIRETTORE: personale_inps(Ruolo.DIRETTORE, "DR-18"),
        COMUNE: operatore_comune,
        AMMINISTRATORE: UserFactory.create(is_staff=True, is_superuser=True),
    }
    return {
        "persone": {ANONIMO: None, **persone},
        "instradate": {i.allegato: i for i in richiesta.instradate.all()},
        "romana": romana.instradate.get(),
        "abilitazione": Abilitazione.objects.get(nome="PassWeb"),
    }


def _indirizzi(scena: dict[str, Any]) -> accesso.Scena:
    """Every routed request of the scene's request (one per allegato) and one entry of the catalogue; the app's index;
    the four blank moduli; the PECs of the scene, filed already, so that there is nothing to sort for anyone."""
    instradate = list(scena["instradate"].values())
    return accesso.Scena(
        oggetti={"abilitazioni.richiestainstradata": instradate, "abilitazioni.abilitazione": scena["abilitazione"]},
        valori={
            "pk": instradate,
            "app_label": "abilitazioni",
            "allegato": [2, 3, 4, 5],
            "pec": list(PECInArrivo.objects.filter(status=PECInArrivo.Status.SMISTATA)),
        },
    )


def _allegato(url: accesso.Url, argomenti: dict[str, Any], scena: dict[str, Any]) -> int | None:
    """The allegato of the routed request the address is about; None for the addresses of anything else."""
    if url.modello not in (None, "abilitazioni.richiestainstradata"):
        return None
    allegati = {i.pk: allegato for allegato, i in scena["instradate"].items()}
    return allegati.get(argomenti.get("pk", argomenti.get("object_id")))


@pytest.mark.parametrize("ruolo", TUTTI_I_RUOLI)
def test_each_role_gets_what_is_theirs_and_a_404_for_the_rest(
    client: Client, scena: dict[str, Any], ruolo: str
) -> None:
    accesso.entra(client, scena["persone"][ruolo], con_pin=ruolo in OPERATORI)
    attesi: dict[str, int] = {}
    nude: dict[str, int] = {}
    indirizzi = _indirizzi(scena)
    for url in _url_dell_app():
        for indirizzo, argomenti in accesso.indirizzi(url, indirizzi):
            attesi[indirizzo] = _atteso(url.nome, ruolo, _allegato(url, argomenti, scena))
            if url.nome == "admin:abilitazioni_richiestainstradata_change":
                # The admin's bare "<object_id>/" redirects to the change page: followed, the same answer (for
                # anonymous people, the login page).
                nuda = indirizzo.removesuffix("change/")
                nude[nuda] = 200 if ruolo == ANONIMO else 404 if ruolo in OPERATORI else attesi[indirizzo]
    ottenuti = accesso.stati(client, attesi)
    ottenuti |= {nuda: client.get(nuda, follow=True).status_code for nuda in nude}
    accesso.confronta(ottenuti, attesi | nude)


@pytest.mark.parametrize("ruolo", [r for r in RUOLI if r != PROPRIETARIO])
def test_no_role_changes_a_request_that_is_not_theirs(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    client.force_login(scena["persone"][ruolo])
    for allegato, instradata in scena["instradate"].items():
        competente = ruolo == COMPETENTE[allegato]
        ritira = client.post(reverse("abilitazioni_ritira", args=[instradata.pk]))
        assert ritira.status_code == 404
        carica = client.post(
            reverse("abilitazioni_modulo_firmato", args=[instradata.pk]),
            {"modulo_firmato": SimpleUploadedFile("modulo.pdf", PDF_MINIMO)},
        )
        assert carica.status_code == 404
        decidi = client.post(
            reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk]), {"azione": "prendi"}
        )
        assert decidi.status_code == (302 if competente else 404)
        atteso = RichiestaInstradata.Status.IN_CARICO if competente else RichiestaInstradata.Status.INVIATA
        assert RichiestaInstradata.objects.get(pk=instradata.pk).status == atteso


@pytest.mark.parametrize("ruolo", list(STAFF))
def test_each_queue_holds_only_what_the_office_decides(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    client.force_login(scena["persone"][ruolo])
    risposta = client.get(reverse("admin:abilitazioni_richiestainstradata_changelist"))
    visibili = {i.pk for i in risposta.context["cl"].result_list}
    attese = {i.pk for a, i in scena["instradate"].items() if COMPETENTE[a] == ruolo}
    if ruolo == "altra Sede":
        attese = {scena["romana"].pk}  # the Roman Ente's request goes to the Sede of Rome
    assert visibili == attese


def test_the_queue_costs_the_same_queries_whatever_its_size(
    client: Client, scena: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(scena["persone"]["Sede competente"])
    # Every request, decided ones included: the queue opens on those still to be decided.
    elenco = reverse("admin:abilitazioni_richiestainstradata_changelist") + "?stato=tutte"
    with CaptureQueriesContext(connection) as pochi:
        client.get(elenco)
    proprietario = scena["persone"][PROPRIETARIO]
    ente = scena["instradate"][2].richiesta.ente
    catalogo = list(  # neither held nor pending already
        Abilitazione.objects.filter(allegato=2).exclude(
            nome__in=["Visualizzazione versamenti Ente", "Visualizzazione note di debito Ente"]
        )
    )
    for n in range(60):  # more than a page of the queue
        richiesta = richiesta_crea(user=proprietario, ente=ente, aggiungi=[catalogo[n % len(catalogo)]])
        RichiestaInstradata.objects.filter(richiesta=richiesta).update(
            status=RichiestaInstradata.Status.APPROVATA, modulo_ricevuto_il=richiesta.creata_il
        )
    with CaptureQueriesContext(connection) as molti:
        risposta = client.get(elenco)
    assert risposta.context["cl"].result_count == 61
    assert len(molti.captured_queries) == len(pochi.captured_queries)


def test_the_office_searches_its_queue_and_finds_nothing_of_others(client: Client, scena: dict[str, Any]) -> None:
    elenco = reverse("admin:abilitazioni_richiestainstradata_changelist")
    proprietario = scena["persone"][PROPRIETARIO]
    client.force_login(scena["persone"]["Sede competente"])
    trovate = client.get(elenco, {"q": proprietario.codice_fiscale}).context["cl"].result_list
    assert [i.pk for i in trovate] == [scena["instradate"][2].pk]
    client.force_login(scena["persone"]["altra Sede"])
    assert list(client.get(elenco, {"q": proprietario.codice_fiscale}).context["cl"].result_list) == []


@pytest.mark.parametrize("allegato", [2, 3, 4, 5])
def test_the_office_reads_what_is_asked_and_the_history(client: Client, scena: dict[str, Any], allegato: int) -> None:
    instradata = scena["instradate"][allegato]
    client.force_login(scena["persone"][COMPETENTE[allegato]])
    pagina = client.get(reverse("admin:abilitazioni_richiestainstradata_change", args=[instradata.pk]))
    inline = {f.formset.model._meta.model_name for f in pagina.context["inline_admin_formsets"]}
    assert inline == {"vocerichiesta", "eventorichiesta"}
    testo = pagina.content.decode()
    for voce in instradata.voci.select_related("abilitazione"):
        assert voce.abilitazione.nome in testo
    assert "Modulo ricevuto, in attesa dell&#x27;ufficio" in testo


def test_each_reading_of_a_request_by_the_office_is_logged(
    client: Client, scena: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    instradata = scena["instradate"][2]
    pagine = [
        reverse(f"admin:abilitazioni_richiestainstradata_{nome}", args=[instradata.pk])
        for nome in ("change", "decidi", "modulo")
    ]
    client.force_login(scena["persone"]["altra Sede"])
    with caplog.at_level("INFO", logger="inps_portal.audit"):
        for pagina in pagine:
            assert client.get(pagina).status_code == 404
    assert not [r for r in caplog.records if r.name == "inps_portal.audit"]
    sede = scena["persone"]["Sede competente"]
    client.force_login(sede)
    with caplog.at_level("INFO", logger="inps_portal.audit"):
        for pagina in pagine:
            assert client.get(pagina).status_code == 200
    letture = [r for r in caplog.records if r.name == "inps_portal.audit"]
    assert len(letture) == 3
    atteso = {(f"abilitazioni.richiestainstradata:{instradata.pk}", sede.pk)}
    assert {(r.oggetto, r.operatore_id) for r in letture} == atteso  # type: ignore[attr-defined]
    assert all(scena["persone"][PROPRIETARIO].codice_fiscale not in r.getMessage() for r in letture)


def test_the_portals_administrators_read_every_queue_and_decide_nothing(client: Client, scena: dict[str, Any]) -> None:
    """One policy, written once (abilitazioni.selectors): the same answer to the decision page's GET and POST."""
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    elenco = client.get(reverse("admin:abilitazioni_richiestainstradata_changelist"))
    tutte = {i.pk for i in scena["instradate"].values()} | {scena["romana"].pk}
    assert {i.pk for i in elenco.context["cl"].result_list} == tutte
    for instradata in scena["instradate"].values():
        assert (
            client.get(reverse("admin:abilitazioni_richiestainstradata_change", args=[instradata.pk])).status_code
            == 200
        )
        decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])
        assert client.get(decidi).status_code == 404
        assert client.post(decidi, {"azione": "prendi"}).status_code == 404
        assert RichiestaInstradata.objects.get(pk=instradata.pk).status == RichiestaInstradata.Status.INVIATA
