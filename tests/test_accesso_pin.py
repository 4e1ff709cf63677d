"""The PIN is the only key (Circolare 71/2016, par. 1-2: "esclusivamente con il proprio PIN INPS personale").

For the people of the Circolare (Ente operators, holders of a PIN or of ex-Inpdap credentials) no portal password
exists: no login with one, no page to set, change or reset one. INPS staff keep their password on their own login
page; a member of staff who also acts for an Ente reaches the Area riservata only through the PIN.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client
from django.urls import reverse

from accounts import backends
from accounts.models import PIN, Ente, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import PASSWORD, PASSWORD_EX_INPDAP, EnteFactory, UserFactory, crea_credenziale, personale_inps

pytestmark = pytest.mark.django_db

LOGIN_PIN = reverse("account_login")
LOGIN_PASSWORD = reverse("login_password")
CODICE_PIN = "ABCDEFGHJK234567"


def operatore_con_pin(ente: Ente, *, password: str | None = PASSWORD, origine: str = PIN.Origine.SPORTELLO) -> User:
    """An Ente operator whose row still carries a usable Django password (as before this rule), and a PIN."""
    user = UserFactory.create(password=password or "!")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    PIN.objects.create(user=user, codice_hash=make_password(CODICE_PIN), tipo=PIN.Tipo.DISPOSITIVO, origine=origine)
    return User.objects.get(pk=user.pk)


def _accedi(client: Client, url: str, codice_fiscale: str, segreto: str) -> Any:
    return client.post(url, {"login": codice_fiscale, "password": segreto})


def test_an_ente_operator_cannot_enter_with_a_portal_password(client: Client, registro: None) -> None:
    user = operatore_con_pin(EnteFactory.create())
    assert user.check_password(PASSWORD)  # the old row still verifies it: the backends must refuse it anyway
    for url in (LOGIN_PIN, LOGIN_PASSWORD):
        response = _accedi(client, url, user.codice_fiscale, PASSWORD)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    assert client.get(reverse("area_enti")).status_code == 302  # to the login page


def test_an_ente_operator_enters_with_the_pin_typed_in_lower_case_and_in_groups(client: Client, registro: None) -> None:
    user = operatore_con_pin(EnteFactory.create())
    digitato = " ".join(CODICE_PIN.lower()[i : i + 4] for i in range(0, 16, 4))
    response = _accedi(client, LOGIN_PIN, user.codice_fiscale.lower(), digitato)
    assert response.status_code == 302
    assert client.get(reverse("area_enti")).status_code == 200


def test_an_imported_pin_keeps_its_case(client: Client, registro: None) -> None:
    user = operatore_con_pin(EnteFactory.create(), origine=PIN.Origine.PREESISTENTE)
    PIN.objects.filter(user=user).update(codice_hash=make_password("AbCdEfGh12345678"))
    assert _accedi(Client(), LOGIN_PIN, user.codice_fiscale, "abcdefgh12345678").status_code == 200
    assert _accedi(client, LOGIN_PIN, user.codice_fiscale, "AbCd EfGh 1234 5678").status_code == 302


def test_the_login_page_asks_for_the_pin_and_gives_one_answer_to_every_failure(client: Client, registro: None) -> None:
    user = operatore_con_pin(EnteFactory.create())
    pagina = client.get(LOGIN_PIN).content.decode()
    assert 'for="id_password"' in pagina
    assert ">PIN<" in pagina.replace("\n", "").replace(" ", "") or "PIN</label>" in pagina
    risposte = [
        _accedi(client, LOGIN_PIN, user.codice_fiscale, "ZZZZZZZZZZZZZZZZ"),
        _accedi(client, LOGIN_PIN, "VRDGLI80A41H501X", CODICE_PIN),
        _accedi(client, LOGIN_PIN, "XYZ", CODICE_PIN),
    ]
    errori = [r.context["form"].non_field_errors() for r in risposte]
    assert errori[0] == errori[1] == errori[2] == ["Il codice fiscale o il PIN non sono corretti."]


@pytest.mark.parametrize("url", ["/account/password/change/", "/account/password/set/"])
def test_the_password_pages_explain_what_to_do_instead(client: Client, registro: None, url: str) -> None:
    user = operatore_con_pin(EnteFactory.create())
    client.force_login(user)
    pagina = client.get(url)
    assert pagina.status_code == 403
    testo = pagina.content.decode()
    assert "Lei accede con il PIN INPS" in testo
    assert "sede INPS" in testo
    assert 'name="password1"' not in testo
    tentativo = client.post(
        url, {"oldpassword": PASSWORD, "password1": "Nuova.Pass.2026!", "password2": "Nuova.Pass.2026!"}
    )
    assert tentativo.status_code == 403
    user.refresh_from_db()
    assert not user.check_password("Nuova.Pass.2026!")


def test_the_profile_offers_no_password_change_to_a_pin_holder(client: Client, registro: None) -> None:
    client.force_login(operatore_con_pin(EnteFactory.create()))
    pagina = client.get(reverse("profilo")).content.decode()
    assert reverse("account_change_password") not in pagina
    assert "non esiste una password del portale" in pagina


def test_a_forgotten_password_of_a_pin_holder_gets_a_message_not_a_link(
    client: Client, registro: None, mailoutbox: list[Any]
) -> None:
    user = operatore_con_pin(EnteFactory.create())
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    corpo = mailoutbox[0].body
    assert "PIN INPS" in corpo
    assert "/account/password/reset/key/" not in corpo
    # A link obtained some other way (sent before this rule) sets nothing either.
    chiave = default_token_generator.make_token(user)
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": chiave})
    pagina = client.get(url, follow=True)
    client.post(
        pagina.redirect_chain[-1][0] if pagina.redirect_chain else url,
        {"password1": "Nuova.Pass.2026!", "password2": "Nuova.Pass.2026!"},
    )
    user.refresh_from_db()
    assert not user.check_password("Nuova.Pass.2026!")
    assert _accedi(Client(), LOGIN_PASSWORD, user.codice_fiscale, "Nuova.Pass.2026!").status_code == 200


def test_staff_still_reset_their_password(client: Client, registro: None, mailoutbox: list[Any]) -> None:
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    client.post(reverse("account_reset_password"), {"email": staff.email})
    assert len(mailoutbox) == 1
    assert "/account/password/reset/key/" in mailoutbox[0].body


def test_staff_who_also_act_for_an_ente_reach_the_area_only_with_the_pin(registro: None) -> None:
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    ente = EnteFactory.create()
    ruolo_assegna(user=staff, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    PIN.objects.create(
        user=staff, codice_hash=make_password(CODICE_PIN), tipo=PIN.Tipo.DISPOSITIVO, origine=PIN.Origine.SPORTELLO
    )
    con_password = Client()
    assert _accedi(con_password, LOGIN_PASSWORD, staff.codice_fiscale, PASSWORD).status_code == 302
    assert con_password.get(reverse("admin:index")).status_code == 200
    area = con_password.get(reverse("area_enti"))
    assert area.status_code == 403
    assert "serve il PIN INPS" in area.content.decode()
    assert con_password.get(reverse("abilitazioni_richieste")).status_code == 403
    con_pin = Client()
    assert _accedi(con_pin, LOGIN_PIN, staff.codice_fiscale, CODICE_PIN).status_code == 302
    assert con_pin.get(reverse("area_enti")).status_code == 200


def test_a_pin_is_never_tried_as_a_staff_password_nor_the_reverse(registro: None) -> None:
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    assert _accedi(Client(), LOGIN_PIN, staff.codice_fiscale, PASSWORD).status_code == 200
    operatore = operatore_con_pin(EnteFactory.create(), password=None)
    assert _accedi(Client(), LOGIN_PASSWORD, operatore.codice_fiscale, CODICE_PIN).status_code == 200


def test_every_failed_pin_login_does_the_same_hashing_work(
    client: Client, registro: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown person, a known one without PIN, a retired ex-Inpdap password, a superseded PIN: three hashes each,
    so the time of the answer does not tell who exists (the stand-ins have the same cost as the real hashes)."""
    chiamate: list[str] = []

    def conta(password: str, encoded: str, *args: Any, **kwargs: Any) -> bool:
        chiamate.append(encoded.split("$", 1)[0])
        return check_password(password, encoded, *args, **kwargs)

    monkeypatch.setattr(backends, "check_password", conta)
    ente = EnteFactory.create()
    senza_pin = UserFactory.create(password="!")
    ruolo_assegna(user=senza_pin, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    unificato = UserFactory.create(password="!")
    crea_credenziale(unificato, [(ente, "Domanda Valore PA")])
    from accounts.services.unificazione import unificazione_esegui

    unificazione_esegui(user=unificato)
    con_superato = operatore_con_pin(ente, password=None)
    PIN.objects.filter(user=con_superato).update(status=PIN.Status.SUPERATO)
    PIN.objects.create(
        user=con_superato, codice_hash=make_password("NUOVOPIN23456789"), tipo="online", origine="sportello"
    )
    casi = {
        "sconosciuto": ("VRDGLI80A41H501X", "QUALSIASIPIN2345"),
        "senza PIN": (senza_pin.codice_fiscale, "QUALSIASIPIN2345"),
        "PIN sbagliato": (con_superato.codice_fiscale, "QUALSIASIPIN2345"),
        "ex Inpdap dismessa": (unificato.codice_fiscale, PASSWORD_EX_INPDAP),
        "PIN superato": (con_superato.codice_fiscale, CODICE_PIN),
    }
    lavoro = {}
    for caso, (codice_fiscale, segreto) in casi.items():
        chiamate.clear()
        response = _accedi(Client(), LOGIN_PIN, codice_fiscale, segreto)
        assert response.status_code == 200, caso
        lavoro[caso] = sorted(chiamate)
    assert len({tuple(v) for v in lavoro.values()}) == 1, lavoro
    assert len(lavoro["sconosciuto"]) == 3


def test_argon2id_hashes_pins_and_passwords_and_older_hashes_are_upgraded_at_login(
    settings: Any, registro: None
) -> None:
    from inps_portal.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    operatore = operatore_con_pin(EnteFactory.create(), password=None)
    pbkdf2 = make_password(CODICE_PIN, hasher="pbkdf2_sha256")
    PIN.objects.filter(user=operatore).update(codice_hash=pbkdf2)
    assert _accedi(Client(), LOGIN_PIN, operatore.codice_fiscale, CODICE_PIN).status_code == 302
    nuovo = PIN.objects.get(user=operatore).codice_hash
    assert nuovo.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert _accedi(Client(), LOGIN_PIN, operatore.codice_fiscale, CODICE_PIN).status_code == 302

    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    staff.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    staff.save(update_fields=["password"])
    assert _accedi(Client(), LOGIN_PASSWORD, staff.codice_fiscale, PASSWORD).status_code == 302
    staff.refresh_from_db()
    assert staff.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
