"""Circolare 71/2016 to the letter: the guide of allegato 1 says what the circolare says, it is linked from the home
page, the login page and the footer, and the pages of the Area riservata follow the access path of par. 3."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import EnteFactory, UserFactory

pytestmark = pytest.mark.django_db

GUIDA = "/credenziali/guida/"
PERCORSO = ["Servizi online", "Servizi Gestione Dipendenti Pubblici (ex Inpdap)", "Amministrazioni ed Enti"]
ELEMENTI_VUOTI = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --- A small DOM, enough to ask "which link, inside which element" -------------------------------------------------


@dataclass
class Nodo:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    figli: list[Nodo | str] = field(default_factory=list)

    def testo(self) -> str:
        """The text a screen reader gets: what is hidden with aria-hidden is left out."""
        parti = [f if isinstance(f, str) else f.testo() for f in self.figli if not _nascosto(f)]
        return re.sub(r"\s+", " ", " ".join(parti)).strip()

    def discendenti(self, tag: str, **attrs: str) -> list[Nodo]:
        trovati: list[Nodo] = []
        for figlio in self.figli:
            if isinstance(figlio, str):
                continue
            if figlio.tag == tag and all(figlio.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                trovati.append(figlio)
            trovati.extend(figlio.discendenti(tag, **attrs))
        return trovati

    def unico(self, tag: str, **attrs: str) -> Nodo:
        trovati = self.discendenti(tag, **attrs)
        assert len(trovati) == 1, f"attesi un <{tag} {attrs}>, trovati {len(trovati)}"
        return trovati[0]

    def link(self) -> list[tuple[str | None, str]]:
        return [(a.attrs.get("href"), a.testo()) for a in self.discendenti("a")]


def _nascosto(nodo: Nodo | str) -> bool:
    return isinstance(nodo, Nodo) and nodo.attrs.get("aria-hidden") == "true"


class _Costruttore(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.radice = Nodo("documento")
        self.aperti = [self.radice]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        nodo = Nodo(tag, dict(attrs))
        self.aperti[-1].figli.append(nodo)
        if tag not in ELEMENTI_VUOTI:
            self.aperti.append(nodo)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.aperti) - 1, 0, -1):
            if self.aperti[i].tag == tag:
                del self.aperti[i:]
                return

    def handle_data(self, data: str) -> None:
        self.aperti[-1].figli.append(data)


def pagina(client: Client, url: str) -> Nodo:
    risposta = client.get(url)
    assert risposta.status_code == 200, (url, risposta.status_code)
    costruttore = _Costruttore()
    costruttore.feed(risposta.content.decode())
    costruttore.close()
    return costruttore.radice


def sezione(documento: Nodo, id_titolo: str) -> Nodo:
    """One topic of the guide: what follows the h2 with that id, up to the next h2."""
    raccolti = Nodo("sezione")
    dentro = False
    for figlio in documento.unico("main").figli:
        if isinstance(figlio, Nodo) and figlio.tag == "h2":
            if dentro:
                break
            dentro = figlio.attrs.get("id") == id_titolo
        if dentro:
            raccolti.figli.append(figlio)
    assert raccolti.figli, f"nessun titolo h2 con id {id_titolo!r} nella guida"
    return raccolti


# --- People -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def operatore_ente(client: Client, registro: None) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=EnteFactory.create())
    client.force_login(user)
    return user


# --- The guide (allegato 1) -------------------------------------------------------------------------------------------


def test_the_guide_explains_case_a_and_case_b(client: Client) -> None:
    voci = [li.testo() for li in pagina(client, GUIDA).unico("main").discendenti("li")]
    caso_a = next(v for v in voci if v.startswith("Caso a)"))
    caso_b = next(v for v in voci if v.startswith("Caso b)"))
    assert "credenziali ex Inpdap ma non un PIN" in caso_a
    assert "primo accesso" in caso_a
    assert "stesse abilitazioni della precedente utenza ex Inpdap" in caso_a
    assert "credenziali ex Inpdap e anche un PIN" in caso_b
    assert "una qualsiasi delle due credenziali" in caso_b
    assert "nuovo PIN, con tutte le abilitazioni precedenti, sia INPS sia della precedente utenza ex Inpdap" in caso_b


def test_the_guide_says_that_afterwards_only_the_new_pin_works(client: Client) -> None:
    testo = sezione(pagina(client, GUIDA), "nuovo-pin").testo()
    assert "esclusivamente con il nuovo PIN" in testo
    assert "le credenziali ex Inpdap e il PIN precedente non valgono più" in testo


def test_the_guide_gives_the_rule_of_the_pin_type(client: Client) -> None:
    testo = sezione(pagina(client, GUIDA), "tipo-pin").testo()
    assert (
        "dispositivo se lei aveva già un PIN INPS dispositivo oppure se è stato abilitato a PassWeb "
        "a partire da aprile 2014"
    ) in testo
    assert "In tutti gli altri casi il nuovo PIN è di tipo online" in testo


def test_the_guide_gives_the_deadline_of_the_circolare_and_points_to_the_current_one(client: Client) -> None:
    testo = sezione(pagina(client, GUIDA), "scadenza").testo()
    assert "fino al 1° luglio 2016" in testo
    assert "convertirlo in PIN dispositivo" in testo
    assert "ogni pagina dell'Area riservata le mostra la scadenza in vigore" in testo


def test_the_guide_explains_conversion_online_and_at_any_sede(client: Client) -> None:
    documento = pagina(client, GUIDA)
    conversione = sezione(documento, "conversione")
    assert (reverse("pin_online"), "«Il PIN online»") in conversione.link()
    assert "presso una qualunque sede territoriale INPS" in conversione.testo()
    sede = sezione(documento, "sede")
    assert (
        "L'unificazione delle credenziali e la conversione del PIN in dispositivo si possono fare anche presso "
        "una qualunque sede territoriale dell'INPS"
    ) in sede.testo()
    assert (reverse("cerca_sede"), "Trova la sede competente") in sede.link()


def test_the_guide_gives_the_access_path_of_the_circolare(client: Client) -> None:
    percorso = sezione(pagina(client, GUIDA), "percorso")
    # The circolare's en dash between "Servizi online" and "Accedi ai servizi".
    assert " > ".join(["Servizi online \u2013 Accedi ai servizi", *PERCORSO[1:]]) in percorso.testo()
    assert (reverse("home") + "#servizi-gdp", "pagina iniziale") in percorso.link()


def test_each_topic_of_the_guide_has_its_own_heading(client: Client) -> None:
    titoli = [h2.attrs.get("id") for h2 in pagina(client, GUIDA).unico("main").discendenti("h2")]
    for argomento in ("percorso", "unificazione", "nuovo-pin", "tipo-pin", "scadenza", "conversione", "sede"):
        assert titoli.count(argomento) == 1, argomento


# --- Where the guide is linked from -----------------------------------------------------------------------------------


def test_the_home_page_links_the_guide(client: Client) -> None:
    hrefs = [href for href, _ in pagina(client, reverse("home")).unico("main").link()]
    assert GUIDA in hrefs


def test_the_login_page_links_the_guide(client: Client) -> None:
    hrefs = [href for href, _ in pagina(client, reverse("account_login")).unico("main").link()]
    assert GUIDA in hrefs


@pytest.mark.parametrize("nome", ["home", "account_login", "cerca_sede", "modulistica", "guida_credenziali"])
def test_the_footer_of_every_page_links_the_guide(client: Client, nome: str) -> None:
    piede = pagina(client, reverse(nome)).unico("footer")
    assert (GUIDA, "Guida all'unificazione delle credenziali e al PIN") in piede.link()


# --- The access path of par. 3 as breadcrumb --------------------------------------------------------------------------


def _percorso(documento: Nodo) -> list[Nodo]:
    nav = documento.unico("main").unico("nav", aria_label="Percorso di navigazione")
    return nav.unico("ol").discendenti("li")


def _assert_percorso(documento: Nodo, attesi: list[str]) -> list[Nodo]:
    voci = _percorso(documento)
    assert [v.testo() for v in voci] == attesi
    assert voci[-1].attrs.get("aria-current") == "page"
    assert voci[-1].discendenti("a") == []
    for voce in voci[:-1]:
        assert "aria-current" not in voce.attrs
        assert len(voce.discendenti("a")) == 1
    assert [v.link()[0][0] for v in voci[:2]] == [reverse("home"), reverse("home") + "#servizi-gdp"]
    return voci


def test_the_area_riservata_shows_the_access_path(client: Client, operatore_ente: User) -> None:
    _assert_percorso(pagina(client, reverse("area_enti")), PERCORSO)


def test_the_abilitazioni_page_continues_the_access_path(client: Client, operatore_ente: User) -> None:
    voci = _assert_percorso(pagina(client, reverse("abilitazioni_richieste")), [*PERCORSO, "Richiesta di abilitazioni"])
    assert voci[2].link() == [(reverse("area_enti"), "Amministrazioni ed Enti")]


def test_the_modulistica_continues_the_access_path(client: Client, operatore_ente: User) -> None:
    voci = _assert_percorso(pagina(client, reverse("modulistica")), [*PERCORSO, "Modulistica"])
    assert voci[2].link() == [(reverse("area_enti"), "Amministrazioni ed Enti")]


def test_the_middle_step_of_the_path_leads_the_operator_to_the_area(client: Client, operatore_ente: User) -> None:
    home = pagina(client, reverse("home"))
    titolo = home.unico("h2", id="servizi-gdp")
    assert titolo.testo() == "Servizi Gestione Dipendenti Pubblici (ex Inpdap)"
    assert (reverse("area_enti"), "Amministrazioni ed Enti: Area riservata") in home.unico("main").link()


def test_the_middle_step_of_the_path_leads_a_visitor_to_the_area(client: Client) -> None:
    assert (reverse("area_enti"), "Amministrazioni ed Enti: Area riservata") in pagina(client, "/").unico("main").link()


def test_the_home_page_offers_no_path_to_the_area_to_whom_cannot_enter_it(client: Client, registro: None) -> None:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078102"))
    client.force_login(user)
    hrefs = [href for href, _ in pagina(client, reverse("home")).link()]
    assert reverse("area_enti") not in hrefs
    assert client.get(reverse("area_enti")).status_code == 404


def test_the_main_menu_keeps_the_area_entry_for_the_operator(client: Client, operatore_ente: User) -> None:
    documento = pagina(client, reverse("area_enti"))
    menu = documento.unico("ul", data_testid="menu-principale")
    voce = next(a for a in menu.discendenti("a") if a.attrs.get("href") == reverse("area_enti"))
    assert voce.testo() == "Area riservata Amministrazioni ed Enti"
    assert voce.attrs.get("aria-current") == "page"
