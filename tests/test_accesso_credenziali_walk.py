"""Every URL of the credentials (Circolare 71/2016) and of their back office, for every role, with its exact status.

The URLs are read from the resolver (``tests/accesso.py``), not listed by hand: a new URL without an expectation here
fails the first test (and ``test_accesso_portale.py`` checks that every URL of the portal is in some walk). POSTs
that change state are walked in the second part: what is not yours is a 404 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import (
    PIN,
    AbilitazioneDetenuta,
    Comune,
    CredenzialeExInpdap,
    RichiestaConversione,
    RichiestaPin,
    Struttura,
    User,
)
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests import accesso
from tests.factories import JPEG, PDF, EnteFactory, UserFactory, codice_fiscale_valido, crea_credenziale, personale_inps

pytestmark = pytest.mark.django_db

ANONIMO, OPERATORE = "anonimo", "operatore di Ente (PIN online)"
STAFF = {
    "Sede competente": (Ruolo.PERSONALE_SEDE, "ST-CS"),
    "altra Sede": (Ruolo.PERSONALE_SEDE, "ST-RM"),
    "Direzione regionale": (Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"),
    "Direzione centrale": (Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"),
}
# Beyond the credentials' story: a Direttore regionale (back office, none of the credentials' permissions), an operator
# of a Comune (a password, no Ente, no back office), the portal's administrators.
DIRETTORE, COMUNE, AMMINISTRATORE = "Direttore regionale", "operatore del Comune", "amministratore del portale"
RUOLI = [ANONIMO, OPERATORE, *STAFF, DIRETTORE, COMUNE, AMMINISTRATORE]
SEDI = {"Sede competente", "altra Sede"}
CENTRALE = "Direzione centrale"

Atteso = Callable[[str], int]


def _pubblica(ruolo: str) -> int:
    return 200


def _riservata(per_chi_entra: int) -> Atteso:
    return lambda ruolo: 302 if ruolo == ANONIMO else per_chi_entra


# The portal's own pages of the credentials' back office: the offices' work (the counter, the decisions, the documents).
PAGINE_DEGLI_UFFICI = ("rilascia", "sportello", "decidi", "documento")


def _admin(
    vista: str, *, sedi: int, competente: int | None = None, centrale: int | None = None, per_sede: bool = False
) -> Atteso:
    """Anonymous people go to the login, operators of Enti and Comuni get a 404 (no back office); an office without
    the model's permission (a Direttore too) gets the stock 403 on the model's pages, except where the object is looked
    up first in a queryset scoped to the Sede (history, delete of the online requests: a 404) and on the portal's own
    pages (404). The portal's administrators read every credential and every queue (the models are read only: add and
    delete are a 403) and do none of the offices' work (404, as for the decisions on abilitazioni)."""
    senza_permesso = {"changelist": 403, "add": 403, "change": 403}.get(
        vista, 404 if per_sede or vista not in ("history", "delete") else 403
    )
    amministratore = 404 if vista in PAGINE_DEGLI_UFFICI else {"add": 403, "delete": 403}.get(vista, 200)

    def atteso(ruolo: str) -> int:
        if ruolo == ANONIMO:
            return 302
        if ruolo in (OPERATORE, COMUNE):
            return 404
        if ruolo == AMMINISTRATORE:
            return amministratore
        if ruolo == "Sede competente" and competente is not None:
            return competente
        if ruolo in SEDI:
            return sedi
        if ruolo == CENTRALE and centrale is not None:
            return centrale
        return senza_permesso

    return atteso


# Any Sede unifies, converts and issues at its counter (Circolare 71/2016, par. 2): its staff browse the PINs and
# credentials of the people of their territory (others only by exact codice fiscale, at the desk); central staff read
# the PINs and the credential events. The online requests are the chosen Sede's.
_DEL_TERRITORIO: dict[str, dict[str, Any]] = {
    "changelist": {"sedi": 200},
    "add": {"sedi": 403},
    "change": {"sedi": 404, "competente": 200},
    "history": {"sedi": 404, "competente": 200},
    "delete": {"sedi": 404, "competente": 403},
    "sportello": {"sedi": 404, "competente": 200},
}
_RICHIESTA_DI_SEDE: dict[str, dict[str, Any]] = {
    "changelist": {"sedi": 200},
    "add": {"sedi": 403},
    "change": {"sedi": 404, "competente": 200},
    "history": {"sedi": 404, "competente": 200, "per_sede": True},
    "delete": {"sedi": 404, "competente": 403, "per_sede": True},
    "decidi": {"sedi": 404, "competente": 200},
    "documento": {"sedi": 404, "competente": 200},
}
_ADMIN: dict[str, dict[str, dict[str, Any]]] = {
    "pin": {
        **{v: {**a, "centrale": {"delete": 403}.get(v, 200)} for v, a in _DEL_TERRITORIO.items() if v != "sportello"},
        "add": {"sedi": 403, "centrale": 403},
        "rilascia": {"sedi": 200},
        "sportello": _DEL_TERRITORIO["sportello"],
    },
    "eventocredenziale": {
        **{v: {**a, "centrale": {"delete": 403}.get(v, 200)} for v, a in _DEL_TERRITORIO.items() if v != "sportello"},
        "add": {"sedi": 403, "centrale": 403},
    },
    "credenzialeexinpdap": {**_DEL_TERRITORIO, "delete": {"sedi": 404, "competente": 403}},
    "richiestapin": _RICHIESTA_DI_SEDE,
    "richiestaconversione": _RICHIESTA_DI_SEDE,
}

ATTESI: dict[str, Atteso] = {
    # The portal's pages of the credentials.
    "profilo": _riservata(200),
    "area_comune": lambda r: {ANONIMO: 302, COMUNE: 200}.get(r, 404),
    # The structures one works for (a role on a Struttura: staff and Direttori); the administrators hold none.
    "area_struttura": lambda r: {ANONIMO: 302, OPERATORE: 404, COMUNE: 404, AMMINISTRATORE: 404}.get(r, 200),
    "cerca_sede": _pubblica,
    "unificazione": _riservata(302),  # nothing to unify: back to the home page
    "guida_credenziali": _pubblica,
    "pin_online": _riservata(200),
    "modulo_conversione": _riservata(200),
    "richiesta_pin": _pubblica,
    "ritiro_pin": _pubblica,
    # The two ways in; the password pages (none for the people of the PIN).
    "login_password": lambda r: 200 if r == ANONIMO else 302,
    "account_change_password": lambda r: {ANONIMO: 302, OPERATORE: 403}.get(r, 200),
    "account_set_password": lambda r: {ANONIMO: 302, OPERATORE: 403}.get(r, 302),
    # The back office of the credentials.
    **{
        f"admin:accounts_{modello}_{vista}": _admin(vista, **attesi)
        for modello, viste in _ADMIN.items()
        for vista, attesi in viste.items()
    },
}

PERCORSO = accesso.Percorso("credenziali", frozenset(ATTESI))

# Where the portal answered otherwise than its design (see accesso.Sospetto): none now. The walk found that an
# administrator could work at a Sede's counter and open the documents of anyone's request; both are a 404 now.
SOSPETTI: list[accesso.Sospetto] = []

MODELLI_ADMIN = ("pin", "richiestapin", "richiestaconversione", "credenzialeexinpdap", "eventocredenziale")


def _url() -> dict[str, accesso.Url]:
    """The named URLs of the credentials' views and of the admin of the credential models, from the resolver."""
    modelli = {f"accounts.{m}" for m in MODELLI_ADMIN}
    # The password pages of urls_accesso have no name of their own: they answer for allauth's names.
    password = {"account_change_password", "account_set_password"}
    return {
        nome: url
        for nome, url in accesso.url_con_nome().items()
        if url.modulo_della_vista == "accounts.views" or url.modello in modelli or nome in password
    }


def test_every_url_of_the_credentials_has_an_expectation() -> None:
    assert set(_url()) == set(ATTESI)


@pytest.fixture
def scena(registro: None, pec_locale: Any) -> dict[str, Any]:
    operatore = UserFactory.create(password="!", email="operatore@example.it")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    pin = PIN.objects.create(
        user=operatore, codice_hash=make_password("PINONLINE2345678"), tipo=PIN.Tipo.ONLINE, origine="preesistente"
    )
    # The operator holds an abilitazione for an Ente of Rende: a person of the territory of the Sede of Cosenza.
    AbilitazioneDetenuta.objects.create(pin=pin, ente=ente, nome="Visualizzazione versamenti Ente")
    conversione = RichiestaConversione.objects.create(
        user=operatore,
        pin=pin,
        ente=ente,
        sede=Struttura.objects.get(codice="ST-CS"),
        modulo_firmato=SimpleUploadedFile("m.pdf", PDF),
        documento_identita=SimpleUploadedFile("d.jpg", JPEG),
    )
    richiesta_pin = RichiestaPin.objects.create(
        codice_fiscale=codice_fiscale_valido(700),
        nome="Luca",
        cognome="Russo",
        email="luca.russo@example.it",
        sede=Struttura.objects.get(codice="ST-CS"),
        modulo_firmato=SimpleUploadedFile("m.pdf", PDF),
        documento_identita=SimpleUploadedFile("d.jpg", JPEG),
        codice_ritiro_hash=make_password("CODICE"),
    )
    ex_inpdap = UserFactory.create(password="!")
    credenziale = crea_credenziale(ex_inpdap, [(ente, "Domanda Valore PA")])
    from accounts.models import EventoCredenziale

    evento = EventoCredenziale.objects.create(user=operatore, tipo=EventoCredenziale.Tipo.CONVERSIONE_SPORTELLO)
    persone: dict[str, User | None] = {ANONIMO: None, OPERATORE: operatore}
    persone |= {nome: personale_inps(ruolo, codice) for nome, (ruolo, codice) in STAFF.items()}
    operatore_comune = UserFactory.create()
    ruolo_assegna(user=operatore_comune, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=ente.comune)
    persone |= {
        DIRETTORE: personale_inps(Ruolo.DIRETTORE, "DR-18"),
        COMUNE: operatore_comune,
        AMMINISTRATORE: UserFactory.create(is_staff=True, is_superuser=True),
    }
    oggetti = {
        "accounts.pin": pin.pk,
        "accounts.richiestapin": richiesta_pin.pk,
        "accounts.richiestaconversione": conversione.pk,
        "accounts.credenzialeexinpdap": credenziale.pk,
        "accounts.eventocredenziale": evento.pk,
    }
    return {"persone": persone, "oggetti": oggetti}


def _attesi(scena: dict[str, Any], ruolo: str, nomi: Iterable[str]) -> dict[str, int]:
    indirizzi = accesso.Scena(oggetti=scena["oggetti"], valori={"quale": "identita"})
    urls = _url()
    return {i.percorso: ATTESI[nome](ruolo) for nome in sorted(nomi) for i in accesso.indirizzi(urls[nome], indirizzi)}


@pytest.mark.parametrize("ruolo", RUOLI)
def test_each_role_gets_exactly_what_is_theirs(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    accesso.entra(client, scena["persone"][ruolo], con_pin=ruolo == OPERATORE)
    attesi = _attesi(scena, ruolo, [nome for nome in ATTESI if (nome, ruolo) not in accesso.casi(SOSPETTI)])
    accesso.confronta(accesso.stati(client, attesi), attesi)


@pytest.mark.parametrize("sospetto", accesso.parametri(SOSPETTI))
def test_suspected_bug_answers_as_the_design_says(scena: dict[str, Any], sospetto: accesso.Sospetto) -> None:
    accesso.confronta_per_ruolo(
        sospetto.ruoli,
        lambda client, ruolo: accesso.entra(client, scena["persone"][ruolo], con_pin=ruolo == OPERATORE),
        lambda ruolo: _attesi(scena, ruolo, [sospetto.nome]),
    )


@pytest.mark.parametrize("ruolo", [r for r in RUOLI if r != "Sede competente"])
def test_no_one_but_the_chosen_sede_decides_a_pin_request_or_a_conversion(
    client: Client, scena: dict[str, Any], ruolo: str
) -> None:
    accesso.entra(client, scena["persone"][ruolo], con_pin=ruolo == OPERATORE)
    for modello in ("richiestapin", "richiestaconversione"):
        pk = scena["oggetti"][f"accounts.{modello}"]
        risposta = client.post(reverse(f"admin:accounts_{modello}_decidi", args=[pk]), {"esito": "approva"})
        assert risposta.status_code == (302 if ruolo == ANONIMO else 404)
    assert RichiestaPin.objects.get(pk=scena["oggetti"]["accounts.richiestapin"]).status == RichiestaPin.Status.INVIATA
    conversione = RichiestaConversione.objects.get(pk=scena["oggetti"]["accounts.richiestaconversione"])
    assert conversione.status == RichiestaConversione.Status.INVIATA


@pytest.mark.parametrize(
    "ruolo",
    [
        ANONIMO,
        OPERATORE,
        "Direzione regionale",
        "Direzione centrale",
        DIRETTORE,
        COMUNE,
        AMMINISTRATORE,
    ],
)
def test_only_sede_staff_issue_or_convert_at_the_counter(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    accesso.entra(client, scena["persone"][ruolo], con_pin=ruolo == OPERATORE)
    documento = {"documento_tipo": "passaporto", "documento_numero": "YA1234567", "identita_verificata": "on"}
    rilascio = client.post(
        reverse("admin:accounts_pin_rilascia"),
        {"codice_fiscale": codice_fiscale_valido(98_701), "nome": "A", "cognome": "B", **documento},
    )
    conversione = client.post(
        reverse("admin:accounts_pin_sportello", args=[scena["oggetti"]["accounts.pin"]]), documento
    )
    unifica = client.post(
        reverse(
            "admin:accounts_credenzialeexinpdap_sportello", args=[scena["oggetti"]["accounts.credenzialeexinpdap"]]
        ),
        documento,
    )
    atteso = 302 if ruolo == ANONIMO else 404
    assert (rilascio.status_code, conversione.status_code, unifica.status_code) == (atteso, atteso, atteso)
    assert not User.objects.filter(codice_fiscale=codice_fiscale_valido(98_701)).exists()
    assert PIN.objects.get(pk=scena["oggetti"]["accounts.pin"]).tipo == PIN.Tipo.ONLINE
    assert CredenzialeExInpdap.objects.get(pk=scena["oggetti"]["accounts.credenzialeexinpdap"]).unificata_il is None
