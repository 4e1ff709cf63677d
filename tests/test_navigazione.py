"""Each role sees its own navigation and its own pages; another role's page is a 404."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, Struttura, User, chiave_di_ricerca
from accounts.roles import Ruolo
from accounts.services.ruoli import RuoloNonApplicabile, ruolo_assegna, ruolo_revoca
from tests.factories import EnteFactory, UserFactory, accesso_forte

pytestmark = pytest.mark.django_db

AREE = {
    "area_enti": "Area riservata Amministrazioni ed Enti",
    "area_comune": "Il mio Comune",
    "area_struttura": "La mia struttura",
    "admin:index": "Back office",
    "pue_home": "Inps e i Comuni",
    "pue_designazioni": "Operatori PUE",
    "pue_sportello_giornata": "Sportello PUE",
    "pue_monitoraggio": "Monitoraggio PUE",
}


def _organizzazione(ruolo: Ruolo) -> Model:
    if ruolo == Ruolo.OPERATORE_ENTE:
        return EnteFactory.create()
    if ruolo in (Ruolo.AMMINISTRATORE_UTENZE, Ruolo.OPERATORE_COMUNE, Ruolo.REFERENTE_COMUNE):
        return Comune.objects.get(codice_istat="078102")
    codice = {
        Ruolo.PERSONALE_SEDE: "ST-CS",
        Ruolo.OPERATORE_SPORTELLO: "ST-CS",
        Ruolo.PERSONALE_DIREZIONE_CENTRALE: "DC-CW",
    }.get(ruolo, "DR-18")
    return Struttura.objects.get(codice=codice)


# What each role finds in the main menu, beyond the public entries.
ATTESE = {
    Ruolo.OPERATORE_ENTE: {"area_enti"},
    Ruolo.PERSONALE_SEDE: {"area_struttura", "admin:index", "pue_designazioni"},
    Ruolo.PERSONALE_DIREZIONE_REGIONALE: {"area_struttura", "admin:index"},
    Ruolo.PERSONALE_DIREZIONE_CENTRALE: {"area_struttura", "admin:index"},
    Ruolo.DIRETTORE: {"area_struttura", "admin:index"},
    Ruolo.OPERATORE_SPORTELLO: {"area_struttura", "pue_sportello_giornata"},
    Ruolo.REFERENTE_INPS: {"area_struttura", "pue_monitoraggio"},
    Ruolo.AMMINISTRATORE_UTENZE: {"area_comune", "pue_home"},
    Ruolo.OPERATORE_COMUNE: {"area_comune", "pue_home"},
    Ruolo.REFERENTE_COMUNE: {"area_comune", "pue_home", "pue_monitoraggio"},
}


def _menu(client: Client) -> set[str]:
    voci = client.get(reverse("home")).context["voci_menu"]
    return {v.url for v in voci}


@pytest.mark.parametrize("ruolo", list(Ruolo))
def test_each_role_sees_only_its_own_navigation(client: Client, registro: None, ruolo: Ruolo) -> None:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=_organizzazione(ruolo))
    client.force_login(user)
    accesso_forte(client)  # the PUE's pages ask for SPID, CIE or CNS
    menu = _menu(client)
    for nome, _ in AREE.items():
        if nome in ATTESE[ruolo]:
            assert reverse(nome) in menu
            assert client.get(reverse(nome)).status_code == 200
        else:
            assert reverse(nome) not in menu
            if nome != "admin:index":
                assert client.get(reverse(nome)).status_code == 404
    assert reverse("profilo") in menu


def test_an_anonymous_visitor_sees_only_public_entries(client: Client) -> None:
    assert _menu(client) == {reverse("cerca_sede")}
    assert client.get(reverse("area_enti")).status_code == 302


def test_an_operator_sees_only_the_enti_they_act_for(client: Client, registro: None) -> None:
    mine, other = EnteFactory.create(nome="Ente mio"), EnteFactory.create(nome="Ente altrui")
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=mine)
    client.force_login(user)
    body = client.get(reverse("area_enti")).content.decode()
    assert "Ente mio" in body
    assert "Ente altrui" not in body
    assert "Sede territoriale di Cosenza" in body
    assert other.pk


def test_the_enti_page_costs_the_same_queries_for_one_or_many_enti(client: Client, registro: None) -> None:
    user = UserFactory.create()
    client.force_login(user)
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=EnteFactory.create())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("area_enti"))  # warm-up: per-process caches (content types) are not the page's cost
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("area_enti"))
    for _ in range(15):
        ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=EnteFactory.create())
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("area_enti"))
    assert len(response.context["enti"]) == 16
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_sede_staff_member_cannot_open_another_structure(client: Client, registro: None) -> None:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=Struttura.objects.get(codice="ST-CS"))
    client.force_login(user)
    other = Struttura.objects.get(codice="ST-CZ")
    assert client.get(reverse("area_struttura"), {"s": other.pk}).status_code == 404
    assert client.get(reverse("area_struttura"), {"s": "abc"}).status_code == 404
    response = client.get(reverse("area_struttura"))
    assert response.context["corrente"].codice == "ST-CS"
    assert response.context["pagina"].paginator.count == Comune.objects.filter(provincia__sigla="CS").count()


def test_staff_roles_open_the_back_office_with_read_access_to_the_registry(client: Client, registro: None) -> None:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=Struttura.objects.get(codice="ST-CS"))
    user = User.objects.get(pk=user.pk)
    assert user.is_staff
    client.force_login(user)
    assert client.get(reverse("admin:accounts_comune_changelist"), {"q": "Rende"}).status_code == 200
    comune = Comune.objects.get(codice_istat="078102")
    assert client.post(reverse("admin:accounts_comune_change", args=[comune.pk]), {"nome": "X"}).status_code == 403


def test_central_staff_can_correct_the_registry(client: Client, registro: None) -> None:
    user = UserFactory.create()
    ruolo_assegna(
        user=user, ruolo=Ruolo.PERSONALE_DIREZIONE_CENTRALE, organizzazione=Struttura.objects.get(codice="DC-CW")
    )
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(reverse("admin:accounts_comune_changelist"), {"provincia__regione__id__exact": "1"})
    assert response.status_code == 200


def test_a_role_cannot_be_given_for_the_wrong_kind_of_organisation(registro: None) -> None:
    user = UserFactory.create()
    with pytest.raises(RuoloNonApplicabile):
        ruolo_assegna(user=user, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=Struttura.objects.get(codice="DR-18"))
    with pytest.raises(RuoloNonApplicabile):
        ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=EnteFactory.create())
    assert not user.groups.exists()


def test_revoking_the_last_organisation_removes_the_role(client: Client, registro: None) -> None:
    user = UserFactory.create()
    rende, cosenza = Comune.objects.get(codice_istat="078102"), Comune.objects.get(codice_istat="078045")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=rende)
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=cosenza)
    ruolo_revoca(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=rende)
    client.force_login(user)
    body = client.get(reverse("area_comune")).content.decode()
    assert "Cosenza (CS)" in body
    assert "Rende" not in body
    ruolo_revoca(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=cosenza)
    assert client.get(reverse("area_comune")).status_code == 404


def test_the_sede_finder_answers_and_refuses_bad_input_in_italian(client: Client, registro: None) -> None:
    response = client.get(reverse("cerca_sede"), {"comune": "rende"})
    assert response.status_code == 200
    assert "Sede territoriale di Cosenza" in response.content.decode()
    assert "Direzione regionale Calabria" in response.content.decode()
    bad = client.get(reverse("cerca_sede"), {"comune": "12"})
    assert bad.status_code == 400
    assert "lettere" in bad.content.decode()
    long = client.get(reverse("cerca_sede"), {"comune": "a" * 500})
    assert long.status_code == 400


def test_a_request_for_an_unknown_host_is_a_400_not_a_500(client: Client) -> None:
    response = client.get("/", HTTP_HOST="attaccante.example.com")
    assert response.status_code == 400
    assert "Richiesta non valida" in response.content.decode()


def test_unknown_pages_get_the_portal_404(client: Client) -> None:
    response = client.get("/pagina-inesistente/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


def test_central_staff_may_edit_the_abilitazioni_catalogue(client: Client, registro: None) -> None:
    user = UserFactory.create()
    ruolo_assegna(
        user=user, ruolo=Ruolo.PERSONALE_DIREZIONE_CENTRALE, organizzazione=Struttura.objects.get(codice="DC-CW")
    )
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("abilitazioni.change_abilitazione")
    assert user.has_perm("inps_portal.view_messaggiopec")
    client.force_login(user)
    assert client.get(reverse("admin:abilitazioni_abilitazione_changelist")).status_code == 200


def test_the_sede_finder_costs_the_same_queries_for_one_or_twenty_comuni(client: Client, registro: None) -> None:
    """The competent offices come with the Comuni, in one query, plus the count: the review counted 82 queries for 20
    results."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as pochi:
        risposta = client.get(reverse("cerca_sede"), {"comune": "Rend"})
    assert 1 <= len(risposta.context["pagina"]) < 5
    with CaptureQueriesContext(connection) as venti:
        risposta = client.get(reverse("cerca_sede"), {"comune": "San"})
    assert len(risposta.context["pagina"]) == 20
    with CaptureQueriesContext(connection) as ultima:
        risposta = client.get(reverse("cerca_sede"), {"comune": "San", "pagina": "ultima"})
    assert len(venti.captured_queries) == len(pochi.captured_queries) == len(ultima.captured_queries) == 2
    # The rules are those of the selectors: Rome's PUE signatory is its Direzione di coordinamento metropolitano.
    body = client.get(reverse("cerca_sede"), {"comune": "Roma"}).content.decode()
    riga_di_roma = next(r for r in body.split("<tr>") if r.startswith('<th scope="row">Roma (RM)'))
    assert "Sede territoriale di Roma" in riga_di_roma
    assert "Direzione regionale Lazio" in riga_di_roma
    assert "Direzione di coordinamento metropolitano" in riga_di_roma
    rende = client.get(reverse("cerca_sede"), {"comune": "Rende"}).content.decode()
    riga_di_rende = next(r for r in rende.split("<tr>") if r.startswith('<th scope="row">Rende (CS)'))
    assert riga_di_rende.count("Direzione regionale Calabria") == 2  # the Direzione regionale, and the signatory


def _comuni_trovati(client: Client, **parametri: str) -> list[str]:
    risposta = client.get(reverse("cerca_sede"), parametri)
    assert risposta.status_code == 200
    return [str(c) for c in risposta.context["pagina"]]


def test_the_sede_finder_ignores_accents_and_apostrophes_and_puts_the_exact_name_first(
    client: Client, registro: None
) -> None:
    assert _comuni_trovati(client, comune="forli") == ["Forlì (FC)", "Forlì del Sannio (IS)", "Forlimpopoli (FC)"]
    assert "Sant'Agata di Militello (ME)" in _comuni_trovati(client, comune="sant agata di")
    assert _comuni_trovati(client, comune="CANTÙ") == ["Cantù (CO)"]
    # Roma itself first, then the names that begin with it, then the others, each group alphabetical.
    roma = _comuni_trovati(client, comune="roma")
    assert roma[0] == "Roma (RM)"
    iniziano = [c for c in roma if c.lower().startswith("roma") and c != "Roma (RM)"]
    assert roma[1 : 1 + len(iniziano)] == sorted(iniziano, key=chiave_di_ricerca)
    assert len(roma) > 1 + len(iniziano)  # "Castel Romano"... come after


def test_the_sede_finder_pages_its_results_instead_of_cutting_them(client: Client, registro: None) -> None:
    from accounts.models import Comune

    totale = Comune.objects.filter(nome_ricerca__contains="san").count()
    assert totale > 40
    prima = client.get(reverse("cerca_sede"), {"comune": "san"})
    assert f"{totale} Comuni trovati" in prima.content.decode()
    assert "pagina=2" in prima.content.decode()
    visti: list[str] = []
    for numero in range(1, (totale + 19) // 20 + 1):
        visti += _comuni_trovati(client, comune="san", pagina=str(numero))
    assert len(visti) == len(set(visti)) == totale
    # A page number out of range or not a number is the last or the first page, never an error.
    assert (
        _comuni_trovati(client, comune="san", pagina="9999")
        == visti[-len(_comuni_trovati(client, comune="san", pagina="9999")) :]
    )
    assert _comuni_trovati(client, comune="san", pagina="x") == visti[:20]
