"""Every URL of the PUE's operators, of the strong identity (SPID, CIE, CNS) and of allauth's social accounts, for
every role: what is not theirs is a 404.

The URLs are read from the resolver (``tests/accesso.py``): a new URL of ``pue``, ``identita`` or allauth's
``socialaccount`` without an expectation here fails the first test, and ``test_accesso_portale.py`` checks that every
URL of the portal is in some walk. The scene: Rende (CS) and Roma (RM), each with an active convention naming its
Amministratore utenze; in Rende one operator enabled and one designated, waiting for the Sede of Cosenza; in Roma one
designated, waiting for the Sede of Roma.

The PUE's pages for the Comune's people open only to a strong session (SPID level 2 or higher, CIE, CNS: Messaggio
4461/2023): a session opened otherwise gets, before anything else, the page that says why (403), whoever the person
is; with a strong session what is not the person's is a 404. The Sede's pages (the designations to decide) are for
the staff of a Sede, each seeing the Comuni of its own province.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni.models import Convenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from pue import services
from pue.models import DesignazioneOperatore
from tests import accesso
from tests.factories import (
    EnteFactory,
    UserFactory,
    accesso_forte,
    codice_fiscale_valido,
    convenzione_attiva_di_prova,
    personale_inps,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = DesignazioneOperatore.Stato

ANONIMO = "anonimo"
OPERATORE_ENTE = "operatore di Ente (PIN dispositivo)"
SEDE = "personale della Sede di Cosenza (competente per Rende)"
ALTRA_SEDE = "personale della Sede di Roma"
CENTRALE = "personale della Direzione centrale Credito e Welfare"
DIRETTORE = "Direttore regionale della Calabria"
AMMINISTRATORE_FORTE = "Amministratore utenze di Rende, con SPID"
AMMINISTRATORE_DEBOLE = "Amministratore utenze di Rende, con la password"
OPERATORE_FORTE = "operatore abilitato di Rende, con SPID"
OPERATORE_DEBOLE = "operatore abilitato di Rende, con la password"
DESIGNATO = "designato di Rende non ancora abilitato, con SPID"
REFERENTE = "Referente del Comune di Rende, con SPID"
AMMINISTRATORE_ROMA = "Amministratore utenze di Roma, con CIE"
SUPERUTENTE = "amministratore del portale"
RUOLI = (
    ANONIMO,
    OPERATORE_ENTE,
    SEDE,
    ALTRA_SEDE,
    CENTRALE,
    DIRETTORE,
    AMMINISTRATORE_FORTE,
    AMMINISTRATORE_DEBOLE,
    OPERATORE_FORTE,
    OPERATORE_DEBOLE,
    DESIGNATO,
    REFERENTE,
    AMMINISTRATORE_ROMA,
    SUPERUTENTE,
)
# The sessions opened with SPID, CIE or CNS (tests.factories.accesso_forte); the others with the PIN or a password.
FORTI = {AMMINISTRATORE_FORTE: "spid", OPERATORE_FORTE: "spid", DESIGNATO: "spid", REFERENTE: "spid"}
FORTI |= {AMMINISTRATORE_ROMA: "cie"}
DEBOLI = tuple(r for r in RUOLI[1:] if r not in FORTI)
STAFF_INPS = (SEDE, ALTRA_SEDE, CENTRALE, DIRETTORE)

RENDE, ROMA = "078102", "058091"

Riga = dict[str, int]  # the status of a GET, for each role


def _per_tutti(stato: int) -> Riga:
    return dict.fromkeys(RUOLI, stato)


def _per_chi_e_entrato(anonimo: int, entrati: int) -> Riga:
    return {ANONIMO: anonimo, **dict.fromkeys(RUOLI[1:], entrati)}


def _pagina_pue(forti: Mapping[str, int] | None = None) -> Riga:
    """A PUE page of the Comune's people: anonymous people to the login; a session without SPID 2+, CIE or CNS the
    page that says so (403); a strong session ``forti`` by role, 404 for whom it is not."""
    forti = forti or {}
    assert set(forti) <= set(FORTI)
    return {ANONIMO: 302, **dict.fromkeys(DEBOLI, 403), **{r: forti.get(r, 404) for r in FORTI}}


def _della_sede(chi: Mapping[str, int]) -> Riga:
    """A page of a Sede: anonymous people to the login, 404 for everyone not named."""
    return {ANONIMO: 302, **{r: chi.get(r, 404) for r in RUOLI[1:]}}


def _del_comune(argomenti: Mapping[str, Any]) -> Riga:
    """The Amministratore utenze's pages of a Comune (operators, their activity): its own Amministratore only."""
    if argomenti["istat"] == RENDE:
        return _pagina_pue({AMMINISTRATORE_FORTE: 200})
    return _pagina_pue({AMMINISTRATORE_ROMA: 200})


def _designazione(argomenti: Mapping[str, Any]) -> Riga:
    """A designation: the staff of the Sede competent for its Comune (Cosenza for Rende, Roma for Roma)."""
    if argomenti["pk"] in _DESIGNAZIONI_DI_ROMA:
        return _della_sede({ALTRA_SEDE: 200})
    return _della_sede({SEDE: 200})


def _identita_login(argomenti: Mapping[str, Any]) -> Riga:
    """allauth's page that starts the login with a POST (SOCIALACCOUNT_LOGIN_ON_GET is off), for SPID and CIE; any
    other provider does not exist."""
    return _per_tutti(200 if argomenti["provider_id"] in ("spid", "cie") else 404)


# The keys of Roma's designations in the scene (filled by the fixture; the expectations read them).
_DESIGNAZIONI_DI_ROMA: set[int] = set()

Atteso = Riga | Callable[[Mapping[str, Any]], Riga]

SOLO_POST = _per_tutti(405)

ATTESI: dict[str, Atteso] = {
    # "Inps e i Comuni": the Comune's operators, its Amministratore utenze and its Referente. The designated person
    # not yet enabled has no role on the Comune: 404 (and the gateway would not even let them in).
    "pue_home": _pagina_pue(
        {AMMINISTRATORE_FORTE: 200, OPERATORE_FORTE: 200, REFERENTE: 200, AMMINISTRATORE_ROMA: 200}
    ),
    # "Gestione sportelli": the enabled operators only.
    "pue_gestione_sportelli": _pagina_pue({OPERATORE_FORTE: 200}),
    "pue_operatori": _del_comune,
    "pue_attivita": _del_comune,
    # Decisions and revocations change state: POST only (see the POST walks below).
    "pue_revoca": SOLO_POST,
    "pue_decidi": SOLO_POST,
    # The Sede's list: every Sede has one (the designations of its province's Comuni).
    "pue_designazioni": _della_sede({SEDE: 200, ALTRA_SEDE: 200}),
    "pue_designazione": _designazione,
    # Confirming one's identity before a signature: anyone logged in (the page offers SPID, CIE, CNS).
    "identita_conferma": _per_chi_e_entrato(302, 200),
    # The CNS without the proxy's CNS server block: the page that says to use the portal's CNS address (403).
    "accesso_cns": _per_tutti(403),
    "identita_login": _identita_login,
    # A callback without a login in progress (no state): the Italian refusal page, 400.
    "identita_callback": lambda a: _per_tutti(400 if a["provider_id"] in ("spid", "cie") else 404),
    # allauth's social-account pages do not exist for this portal: identities are linked only by the fiscal number at
    # login (no connections page to remove or add one), nobody signs up, and the adapter answers a cancelled or failed
    # login with the portal's own page.
    "socialaccount_connections": _per_tutti(404),
    "socialaccount_signup": _per_tutti(404),
    "socialaccount_login_cancelled": _per_tutti(404),
    "socialaccount_login_error": _per_tutti(404),
}
assert all(set(riga) == set(RUOLI) for riga in ATTESI.values() if isinstance(riga, dict))

PERCORSO = accesso.Percorso("pue e identità digitale", frozenset(ATTESI))


# Where the portal answers otherwise than its design says (accesso.Sospetto): none today.
SOSPETTI: list[accesso.Sospetto] = []
_SOSPETTI = accesso.casi(SOSPETTI)
assert all(nome in ATTESI for nome, _ in _SOSPETTI)


def _url_del_percorso() -> list[accesso.Url]:
    return [url for nome, url in accesso.url_con_nome().items() if nome in ATTESI]


def test_every_url_of_the_apps_has_an_expectation() -> None:
    dell_app = {
        nome
        for nome, url in accesso.url_con_nome().items()
        if url.modulo_della_vista in ("pue.views.comune",)  # Gestione sportelli: tests/test_accesso_sportelli.py
        or url.modulo_della_vista.split(".")[0] == "identita"
        or url.modulo_della_vista.startswith("allauth.socialaccount")
    }
    assert dell_app == set(ATTESI)


@dataclass
class ScenaPue:
    persone: dict[str, User | None]
    scena: accesso.Scena
    designazioni: dict[str, DesignazioneOperatore]


def _convenzione_attiva(comune: Comune, amministratore: User) -> Convenzione:
    return convenzione_attiva_di_prova(comune, amministratore_codice_fiscale=amministratore.codice_fiscale)


def _dati(n: int, nome: str, cognome: str) -> services.DatiOperatore:
    return services.DatiOperatore(
        codice_fiscale=codice_fiscale_valido(n),
        nome=nome,
        cognome=cognome,
        email=f"{nome.lower()}.{cognome.lower()}@comune.example.it",
        telefono="0984 000000",
        atto_autorizzazione="determina dirigenziale n. 12",
        data_atto=dt.date(2026, 11, 2),
    )


@pytest.fixture
def scena(registro: None, pec_locale: Any) -> ScenaPue:
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    rende = Comune.objects.select_related("provincia").get(codice_istat=RENDE)
    roma = Comune.objects.select_related("provincia").get(codice_istat=ROMA)
    amministratore = UserFactory.create(codice_fiscale=codice_fiscale_valido(961))
    amministratore_roma = UserFactory.create(codice_fiscale=codice_fiscale_valido(962))
    _convenzione_attiva(rende, amministratore)
    _convenzione_attiva(roma, amministratore_roma)
    sede, altra_sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"), personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM")
    abilitata = services.operatore_designa(chi=amministratore, comune=rende, dati=_dati(963, "Chiara", "Conti"))
    abilitata = services.operatore_abilita(chi=sede, designazione_id=abilitata.pk)
    in_attesa = services.operatore_designa(chi=amministratore, comune=rende, dati=_dati(964, "Luca", "Bruno"))
    di_roma = services.operatore_designa(chi=amministratore_roma, comune=roma, dati=_dati(965, "Anna", "Greco"))
    _DESIGNAZIONI_DI_ROMA.clear()
    _DESIGNAZIONI_DI_ROMA.add(di_roma.pk)
    # The designated person already known to the portal (say, from another service), not yet enabled.
    designato = UserFactory.create(codice_fiscale=in_attesa.codice_fiscale)
    referente = UserFactory.create()
    ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
    operatore_ente = UserFactory.create(password=None)
    ente = EnteFactory.create(comune=rende)
    PIN.objects.create(
        user=operatore_ente, codice_hash=make_password("PINDISPOSITIVO23"), tipo=PIN.Tipo.DISPOSITIVO, origine="x"
    )
    ruolo_assegna(user=operatore_ente, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    assert abilitata.user_id is not None
    operatore = User.objects.get(pk=abilitata.user_id)
    persone: dict[str, User | None] = {
        ANONIMO: None,
        OPERATORE_ENTE: User.objects.get(pk=operatore_ente.pk),
        SEDE: sede,
        ALTRA_SEDE: altra_sede,
        CENTRALE: personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"),
        DIRETTORE: personale_inps(Ruolo.DIRETTORE, "DR-18"),
        AMMINISTRATORE_FORTE: amministratore,
        AMMINISTRATORE_DEBOLE: amministratore,
        OPERATORE_FORTE: operatore,
        OPERATORE_DEBOLE: operatore,
        DESIGNATO: designato,
        REFERENTE: User.objects.get(pk=referente.pk),
        AMMINISTRATORE_ROMA: amministratore_roma,
        SUPERUTENTE: UserFactory.create(is_staff=True, is_superuser=True),
    }
    # The operator's link to SPID, as their first login leaves it.
    SocialAccount.objects.create(user=operatore, provider="spid", uid=operatore.codice_fiscale)
    scena = accesso.Scena(
        valori={
            "istat": [RENDE, ROMA],
            "pk": [abilitata.pk, in_attesa.pk, di_roma.pk],
            "esito": "abilita",
            "provider_id": ["spid", "cie", "altro"],
        },
    )
    return ScenaPue(persone, scena, {"abilitata": abilitata, "in_attesa": in_attesa, "di_roma": di_roma})


def _entra(client: Client, scena: ScenaPue, ruolo: str) -> None:
    accesso.entra(client, scena.persone[ruolo], con_pin=ruolo == OPERATORE_ENTE)
    if ruolo in FORTI:
        accesso_forte(client, metodo=FORTI[ruolo], livello=2 if FORTI[ruolo] == "spid" else None)


def _attesi(nome: str, argomenti: Mapping[str, Any]) -> Riga:
    atteso = ATTESI[nome]
    return atteso(argomenti) if callable(atteso) else atteso


@pytest.mark.parametrize("ruolo", RUOLI)
def test_each_role_gets_the_exact_status_of_every_url(client: Client, scena: ScenaPue, ruolo: str) -> None:
    _entra(client, scena, ruolo)
    attesi: dict[str, int] = {}
    for url in _url_del_percorso():
        if (url.nome, ruolo) not in _SOSPETTI:
            attesi |= {i.percorso: _attesi(url.nome, i.argomenti)[ruolo] for i in accesso.indirizzi(url, scena.scena)}
    accesso.confronta(accesso.stati(client, attesi), attesi)


@pytest.mark.parametrize("sospetto", accesso.parametri(SOSPETTI))
def test_suspected_bug_answers_as_the_design_says(scena: ScenaPue, sospetto: accesso.Sospetto) -> None:
    url = accesso.url_con_nome()[sospetto.nome]
    accesso.confronta_per_ruolo(
        sospetto.ruoli,
        lambda client, ruolo: _entra(client, scena, ruolo),
        lambda ruolo: {i.percorso: _attesi(url.nome, i.argomenti)[ruolo] for i in accesso.indirizzi(url, scena.scena)},
    )


# --- The POST walks: every role tries each change; only the one it belongs to goes through --------------------------


@dataclass(frozen=True)
class Azione:
    """A POST of the PUE: its address in the scene, its data, and whether it changed anything."""

    percorso: Callable[[ScenaPue], str]
    dati: dict[str, str]
    fatta: Callable[[ScenaPue], bool]


def _designazioni_di_rende() -> int:
    return DesignazioneOperatore.objects.filter(comune__codice_istat=RENDE).count()


def _stato(scena: ScenaPue, chiave: str) -> str:
    return DesignazioneOperatore.objects.get(pk=scena.designazioni[chiave].pk).stato


AZIONI: dict[str, Azione] = {
    # The Amministratore utenze designates an operator of Rende.
    "designa": Azione(
        lambda s: reverse("pue_operatori", args=[RENDE]),
        {
            "codice_fiscale": codice_fiscale_valido(970),
            "nome": "Paolo",
            "cognome": "Romano",
            "email": "paolo.romano@comune.example.it",
            "telefono": "0984 111111",
            "atto_autorizzazione": "determina n. 20",
            "data_atto": "02/11/2026",
        },
        lambda s: _designazioni_di_rende() == 3,
    ),
    # The Sede enables (or refuses) Rende's waiting designation.
    "abilita": Azione(
        lambda s: reverse("pue_decidi", args=[s.designazioni["in_attesa"].pk, "abilita"]),
        {},
        lambda s: _stato(s, "in_attesa") == Stato.ABILITATA,
    ),
    "rifiuta": Azione(
        lambda s: reverse("pue_decidi", args=[s.designazioni["in_attesa"].pk, "rifiuta"]),
        {"motivo": "atto non conforme"},
        lambda s: _stato(s, "in_attesa") == Stato.RIFIUTATA,
    ),
    # The Amministratore utenze (with a strong session) or the Sede revokes Rende's enabled operator.
    "revoca": Azione(
        lambda s: reverse("pue_revoca", args=[s.designazioni["abilitata"].pk]),
        {"motivo": "trasferito ad altro ufficio"},
        lambda s: _stato(s, "abilitata") == Stato.REVOCATA,
    ),
}


def _post(per_chi_puo: Mapping[str, int], debole: int = 403, forte: int = 404, staff: int = 404) -> Riga:
    """The status of a POST for each role: anonymous people to the login; the roles in ``per_chi_puo`` as given (the
    302 back to the page after the change); the other weak sessions ``debole``, strong ones ``forte``."""
    riga = {ANONIMO: 302, **dict.fromkeys(DEBOLI, debole), **dict.fromkeys(FORTI, forte)}
    return riga | dict.fromkeys(STAFF_INPS, staff) | dict(per_chi_puo)


# The status of each POST and the roles it goes through for.
ATTESI_POST: dict[str, tuple[Riga, frozenset[str]]] = {
    # The designation page is behind the strong session's gate (a weak session gets its 403 page).
    "designa": (_post({AMMINISTRATORE_FORTE: 302}, staff=403), frozenset({AMMINISTRATORE_FORTE})),
    # The decisions are the competent Sede's; whoever else is logged in gets a 404.
    "abilita": (_post({SEDE: 302}, debole=404), frozenset({SEDE})),
    "rifiuta": (_post({SEDE: 302}, debole=404), frozenset({SEDE})),
    # The Amministratore utenze with a weak session is sent back to the Comune's page (which asks for SPID, CIE or
    # CNS), nothing revoked.
    "revoca": (
        _post({SEDE: 302, AMMINISTRATORE_FORTE: 302, AMMINISTRATORE_DEBOLE: 302}, debole=404),
        frozenset({SEDE, AMMINISTRATORE_FORTE}),
    ),
}
SOSPETTI_POST: set[tuple[str, str]] = set()


def _casi_post() -> list[Any]:
    return [
        pytest.param(
            azione,
            ruolo,
            id=f"{azione}-{ruolo}",
            marks=[pytest.mark.xfail(strict=True, raises=AssertionError)] if (azione, ruolo) in SOSPETTI_POST else [],
        )
        for azione in AZIONI
        for ruolo in RUOLI
    ]


@pytest.mark.parametrize(("azione", "ruolo"), _casi_post())
def test_each_change_goes_through_only_for_whom_it_belongs_to(scena: ScenaPue, azione: str, ruolo: str) -> None:
    client = Client()
    _entra(client, scena, ruolo)
    fa = AZIONI[azione]
    stati, per_chi = ATTESI_POST[azione]
    risposta = client.post(fa.percorso(scena), fa.dati)
    assert (risposta.status_code, fa.fatta(scena)) == (stati[ruolo], ruolo in per_chi), risposta.get("Location")


def test_a_decision_that_does_not_exist_is_a_404(client: Client, scena: ScenaPue) -> None:
    _entra(client, scena, SEDE)
    pk = scena.designazioni["in_attesa"].pk
    assert client.post(reverse("pue_decidi", args=[pk, "approva"])).status_code == 404
    assert _stato(scena, "in_attesa") == Stato.IN_ATTESA


def test_another_sede_cannot_revoke_nor_decide_and_its_own_can(client: Client, scena: ScenaPue) -> None:
    """Roma's designation: the Sede of Cosenza gets a 404, the Sede of Roma decides it."""
    di_roma = scena.designazioni["di_roma"]
    _entra(client, scena, SEDE)
    assert client.post(reverse("pue_decidi", args=[di_roma.pk, "abilita"])).status_code == 404
    assert client.post(reverse("pue_revoca", args=[di_roma.pk]), {"motivo": "x"}).status_code == 404
    assert _stato(scena, "di_roma") == Stato.IN_ATTESA
    roma = Client()
    _entra(roma, scena, ALTRA_SEDE)
    assert roma.post(reverse("pue_decidi", args=[di_roma.pk, "abilita"])).status_code == 302
    assert _stato(scena, "di_roma") == Stato.ABILITATA


def test_a_revocation_ends_the_operator_s_sessions(scena: ScenaPue, django_capture_on_commit_callbacks: Any) -> None:
    operatore = Client()
    _entra(operatore, scena, OPERATORE_FORTE)
    assert operatore.get(reverse("pue_gestione_sportelli")).status_code == 200
    amministratore = Client()
    _entra(amministratore, scena, AMMINISTRATORE_FORTE)
    with django_capture_on_commit_callbacks(execute=True):
        revoca = amministratore.post(
            reverse("pue_revoca", args=[scena.designazioni["abilitata"].pk]), {"motivo": "trasferito"}
        )
    assert revoca.status_code == 302
    assert not Session.objects.filter(session_key=operatore.session.session_key).exists()
    assert operatore.get(reverse("pue_gestione_sportelli")).status_code == 302  # back to the login


# The pages that only show: a POST is a 405 whoever sends it (the method is checked before anything else).
SOLO_LETTURA = (
    "pue_home",
    "pue_gestione_sportelli",
    "pue_attivita",
    "pue_designazioni",
    "pue_designazione",
    "identita_conferma",
    "accesso_cns",
)


@pytest.mark.parametrize("ruolo", RUOLI)
def test_a_post_to_a_page_that_only_shows_is_a_405(scena: ScenaPue, ruolo: str) -> None:
    client = Client()
    _entra(client, scena, ruolo)
    prima = sorted(DesignazioneOperatore.objects.values_list("pk", "stato"))
    url = accesso.url_con_nome()
    percorsi = [i.percorso for nome in SOLO_LETTURA for i in accesso.indirizzi(url[nome], scena.scena)]
    accesso.confronta({p: client.post(p).status_code for p in percorsi}, dict.fromkeys(percorsi, 405))
    assert sorted(DesignazioneOperatore.objects.values_list("pk", "stato")) == prima


@pytest.mark.parametrize("modello", ["socialaccount", "socialapp", "socialtoken"])
def test_allauth_s_social_accounts_are_not_in_the_back_office(scena: ScenaPue, modello: str) -> None:
    """identita/admin.py: the gateway's clients are in the settings, no token is kept, an identity is linked by the
    fiscal number at every login. Not even the portal's administrators find these models in the back office."""
    client = Client()
    _entra(client, scena, SUPERUTENTE)
    assert not any(nome.startswith("admin:socialaccount_") for nome in accesso.url_con_nome())
    assert client.get(f"/admin/socialaccount/{modello}/").status_code == 404
    assert client.get(f"/admin/socialaccount/{modello}/add/").status_code == 404
