"""django-allauth speaks the portal's formal Italian: its flash messages, its e-mails (which name the portal, not the
host the request came to) and every page it serves, all on the portal's base template."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account import urls as urls_allauth
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import URLPattern, reverse

from accounts.models import PIN, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import PASSWORD, EnteFactory, UserFactory, personale_inps

pytestmark = pytest.mark.django_db

CODICE_PIN = "ABCDEFGHJK234567"
HOST = "portale-prova.localhost"  # the host the requests come to: no e-mail may call the portal by it
# allauth's own words, in English and in its informal Italian ("tu"): none may reach a page, a message or an e-mail.
ESTRANEE = [
    "Successfully signed in",
    "You have signed out",
    "Hello from",
    "Thank you for using",
    "Sign In",
    "Sign Up",
    "Confirm Access",
    "Email Addresses",
    "Verify Your Email",
    "Password Reset",
    "Ti sei",
    "Inserisci",
    "il tuo",
    "la tua",
    "Ti abbiamo",
    "Contattaci",
]


def _estranee(testo: str) -> list[str]:
    return [frase for frase in ESTRANEE if frase.lower() in testo.lower()]


def _messaggi(risposta: Any) -> list[str]:
    return [str(m) for m in get_messages(risposta.wsgi_request)]


def _operatore_con_pin() -> User:
    user = UserFactory.create(password="!", nome="Giulia", cognome="Verdi")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=EnteFactory.create())
    PIN.objects.create(user=user, codice_hash=make_password(CODICE_PIN), tipo=PIN.Tipo.DISPOSITIVO, origine="sportello")
    return user


@pytest.fixture
def cliente(settings: Any) -> Client:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return Client(HTTP_HOST=HOST)


def test_login_and_logout_messages_are_formal_italian_and_name_the_portal(cliente: Client, registro: None) -> None:
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    accesso = cliente.post(reverse("login_password"), {"login": staff.codice_fiscale, "password": PASSWORD})
    assert accesso.status_code == 302
    nome = f"{staff.nome} {staff.cognome}"
    assert _messaggi(accesso) == [f"Accesso al {settings.PORTAL_NAME} effettuato come {nome}."]
    cliente.get(accesso["Location"])  # the message is shown, and so consumed

    uscita = cliente.post(reverse("account_logout"))
    assert uscita.status_code == 302
    messaggi = _messaggi(uscita)
    assert messaggi == [
        f"Uscita dal {settings.PORTAL_NAME} effettuata. Se usa un computer condiviso, chiuda anche il browser."
    ]


def test_the_login_with_the_pin_gets_the_same_message(cliente: Client, registro: None) -> None:
    operatore = _operatore_con_pin()
    accesso = cliente.post(reverse("account_login"), {"login": operatore.codice_fiscale, "password": CODICE_PIN})
    assert accesso.status_code == 302
    assert _messaggi(accesso) == [f"Accesso al {settings.PORTAL_NAME} effettuato come Giulia Verdi."]
    pagina = cliente.get(accesso["Location"], follow=True).content.decode()
    assert f"Accesso al {settings.PORTAL_NAME} effettuato come Giulia Verdi." in pagina


def _corpo_senza_collegamenti(corpo: str) -> str:
    return re.sub(r"https?://\S+", "", corpo)


def test_the_password_reset_mail_names_the_portal_not_the_host(
    cliente: Client, registro: None, mailoutbox: list[Any]
) -> None:
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    cliente.post(reverse("account_reset_password"), {"email": staff.email})
    assert len(mailoutbox) == 1
    messaggio = mailoutbox[0]
    assert messaggio.subject == "[INPS] Reimpostazione della password"
    corpo = messaggio.body
    assert corpo.startswith(f"Gentile {staff.nome} {staff.cognome},")
    assert settings.PORTAL_NAME in corpo
    assert f"http://{HOST}/account/password/reset/key/" in corpo  # the link, of course, goes to the host
    assert HOST not in _corpo_senza_collegamenti(corpo)
    assert "Lei, o qualcun altro al suo posto" in corpo
    assert not _estranee(corpo)


def test_a_reset_for_an_unknown_address_says_so_and_offers_no_signup(
    cliente: Client, registro: None, mailoutbox: list[Any]
) -> None:
    cliente.post(reverse("account_reset_password"), {"email": "nessuno@example.it"})
    assert [m.to for m in mailoutbox] == [["nessuno@example.it"]]
    messaggio = mailoutbox[0]
    assert messaggio.subject == "[INPS] Nessuna utenza con questo indirizzo"
    assert "nessuna utenza del portale usa questo indirizzo" in messaggio.body
    assert settings.PORTAL_NAME in messaggio.body
    assert reverse("account_signup") not in messaggio.body
    assert HOST not in messaggio.body
    assert not _estranee(messaggio.body)


def test_a_pin_holders_reset_mail_names_the_portal(cliente: Client, registro: None, mailoutbox: list[Any]) -> None:
    operatore = _operatore_con_pin()
    cliente.post(reverse("account_reset_password"), {"email": operatore.email})
    assert len(mailoutbox) == 1
    corpo = mailoutbox[0].body
    assert corpo.startswith("Gentile Giulia Verdi,")
    assert f"recupero della password del {settings.PORTAL_NAME}" in corpo
    assert HOST not in _corpo_senza_collegamenti(corpo)
    assert "/account/password/reset/key/" not in corpo


def test_every_allauth_mail_template_is_the_portals() -> None:
    """Each e-mail allauth can send has its subject and text in this project, on the portal's base: a new one in a
    later allauth would otherwise go out in English."""
    from pathlib import Path

    import allauth

    propri = Path(settings.BASE_DIR) / "templates" / "account" / "email"
    di_allauth = Path(allauth.__file__).parent / "templates" / "account" / "email"
    mancanti = sorted(p.name for p in di_allauth.glob("*.txt") if not (propri / p.name).exists())
    assert not mancanti, f"modelli di e-mail di allauth non tradotti: {mancanti}"
    messaggi = Path(allauth.__file__).parent / "templates" / "account" / "messages"
    mancanti = sorted(p.name for p in messaggi.glob("*.txt") if not (propri.parent / "messages" / p.name).exists())
    assert not mancanti, f"messaggi di allauth non tradotti: {mancanti}"


# --- Every page of allauth --------------------------------------------------------------------------------------


def _indirizzi_di_allauth() -> dict[str, str]:
    """Every URL allauth serves in this configuration (its URLconf reads the settings), with made-up keys."""
    valori = {"key": "chiave-di-prova", "uidb36": "1"}
    indirizzi = {}
    for voce in urls_allauth.urlpatterns:
        assert isinstance(voce, URLPattern)
        parametri = {nome: valori[nome] for nome in voce.pattern.regex.groupindex}
        indirizzi[str(voce.name)] = reverse(str(voce.name), kwargs=parametri)
    return indirizzi


def _sulla_base_del_portale(html: str) -> bool:
    titolo = re.search(r"<title>(.*?)</title>", html, re.S)
    return (
        'class="it-header-wrapper"' in html
        and 'id="contenuto"' in html
        and titolo is not None
        and titolo.group(1).strip().endswith(settings.PORTAL_NAME)
    )


@pytest.mark.parametrize("chi", ["anonimo", "personale", "operatore con PIN"])
def test_every_allauth_page_is_on_the_portals_base_in_formal_italian(registro: None, chi: str) -> None:
    client = Client()
    if chi == "personale":
        client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"), backend="accounts.backends.PasswordBackend")
    elif chi == "operatore con PIN":
        client.force_login(_operatore_con_pin(), backend="accounts.backends.PINBackend")
    indirizzi = _indirizzi_di_allauth()
    assert {"account_login", "account_logout", "account_reset_password", "account_email"} <= set(indirizzi)
    difetti = []
    for nome, indirizzo in indirizzi.items():
        risposta = client.get(indirizzo, follow=True)
        html = risposta.content.decode()
        if risposta.status_code >= 500 or not _sulla_base_del_portale(html):
            difetti.append(f"{nome} ({indirizzo}): {risposta.status_code}, non sulla base del portale")
        testo = re.sub(r"<[^>]+>", " ", re.search(r"<main.*?</main>", html, re.S).group(0))
        if estranee := _estranee(testo):
            difetti.append(f"{nome} ({indirizzo}): {estranee}")
    assert not difetti, "\n".join(difetti)
