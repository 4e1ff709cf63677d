"""Login with INPS credentials and the unification at the first access, through the pages, as the operator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, CredenzialeExInpdap
from inps_portal.pec.models import MessaggioPEC
from tests.factories import PASSWORD_EX_INPDAP, EnteFactory, UserFactory, crea_credenziale, crea_pin

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
ERRORE_GENERICO = "Il codice fiscale o il PIN non sono corretti."


def _accedi(client: Client, codice_fiscale: str, segreto: str) -> Any:
    return client.post(LOGIN, {"login": codice_fiscale, "password": segreto})


def test_case_a_from_login_to_the_new_pin(client: Client, registro: None, pec_locale: Any) -> None:
    user = UserFactory.create(password="!", email="operatore@example.it")
    ente = EnteFactory.create()
    crea_credenziale(user, [(ente, "Domanda Valore PA")])
    assert _accedi(client, user.codice_fiscale, PASSWORD_EX_INPDAP).status_code == 302
    # Every page of the portal leads to the unification first.
    for url in (reverse("home"), reverse("profilo"), reverse("cerca_sede")):
        risposta = client.get(url)
        assert risposta.status_code == 302
        assert risposta["Location"] == reverse("unificazione")
    pagina = client.get(reverse("unificazione")).content.decode()
    assert "Domanda Valore PA" in pagina
    assert "PIN online" in pagina
    assert not PIN.objects.filter(user=user).exists()  # a GET changes nothing
    rilascio = client.post(reverse("unificazione"))
    assert rilascio.status_code == 200
    assert "no-store" in rilascio["Cache-Control"]
    codice = rilascio.context["rilasciato"].codice
    assert codice in rilascio.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert MessaggioPEC.objects.filter(modello="unificazione").count() == 1
    # From now on only the new PIN opens the portal.
    client.post(reverse("account_logout"))
    vecchia = _accedi(client, user.codice_fiscale, PASSWORD_EX_INPDAP)
    assert vecchia.status_code == 200
    assert "Le credenziali ex Inpdap non sono più valide" in vecchia.content.decode()
    assert _accedi(client, user.codice_fiscale, codice).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_case_b_with_the_old_pin_and_the_old_pin_refused_afterwards(
    client: Client, registro: None, pec_locale: Any
) -> None:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create()
    crea_credenziale(user, [(ente, "Domanda Valore PA")])
    crea_pin(user, [(ente, "Domanda Valore PA"), (ente, "Soggiorni senior")])
    assert _accedi(client, user.codice_fiscale, "VECCHIOPIN234567").status_code == 302
    assert client.get(reverse("area_enti"))["Location"] == reverse("unificazione")
    codice = client.post(reverse("unificazione")).context["rilasciato"].codice
    assert PIN.objects.get(user=user, status="attivo").abilitazioni.count() == 2
    client.post(reverse("account_logout"))
    rifiuto = _accedi(client, user.codice_fiscale, "VECCHIOPIN234567")
    assert "Questo PIN è stato sostituito dal nuovo PIN" in rifiuto.content.decode()
    assert _accedi(client, user.codice_fiscale, codice).status_code == 302


def test_a_wrong_password_unifies_nothing_and_gets_the_generic_answer(client: Client, registro: None) -> None:
    user = UserFactory.create(password="!")
    crea_credenziale(user, [])
    risposta = _accedi(client, user.codice_fiscale, "sbagliata")
    assert risposta.context["form"].non_field_errors() == [ERRORE_GENERICO]
    sconosciuto = _accedi(client, "RSSMRA80A01H501U", "sbagliata")
    assert sconosciuto.context["form"].non_field_errors() == [ERRORE_GENERICO]
    assert CredenzialeExInpdap.objects.get(user=user).unificata_il is None
    assert not PIN.objects.exists()


def test_a_pin_only_user_logs_in_with_no_unification(client: Client, registro: None) -> None:
    user = UserFactory.create(password="!")
    crea_pin(user, [])
    assert _accedi(client, user.codice_fiscale, "VECCHIOPIN234567").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("unificazione")).status_code == 302


def test_a_user_with_nothing_legacy_logs_in_with_the_password_on_the_staff_page(client: Client, registro: None) -> None:
    user = UserFactory.create()
    from tests.factories import PASSWORD

    assert _accedi(client, user.codice_fiscale, PASSWORD).status_code == 200  # the PIN page takes no password
    assert (
        client.post(reverse("login_password"), {"login": user.codice_fiscale, "password": PASSWORD}).status_code == 302
    )
    assert client.get(reverse("home")).status_code == 200


def test_a_double_submit_issues_one_pin(client: Client, registro: None, pec_locale: Any) -> None:
    user = UserFactory.create(password="!")
    crea_credenziale(user, [])
    _accedi(client, user.codice_fiscale, PASSWORD_EX_INPDAP)
    assert client.post(reverse("unificazione")).status_code == 200
    secondo = client.post(reverse("unificazione"), follow=True)
    assert "già state unificate" in secondo.content.decode()
    assert PIN.objects.filter(user=user).count() == 1


# --- PassWeb (Circolare 71/2016, par. 2: "dispositivo ... se è stato abilitato a PAssWeb a partire da aprile 2014") ---


def _unifica_dalle_pagine(client: Client, codice_fiscale: str, segreto: str) -> PIN:
    assert _accedi(client, codice_fiscale, segreto).status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("unificazione")
    rilascio = client.post(reverse("unificazione"))
    assert rilascio.status_code == 200
    return PIN.objects.get(user__codice_fiscale=codice_fiscale, status=PIN.Status.ATTIVO)


@pytest.mark.parametrize(
    ("passweb_dal", "tipo"),
    [
        (dt.date(2014, 4, 1), PIN.Tipo.DISPOSITIVO),
        (dt.date(2014, 3, 31), PIN.Tipo.ONLINE),
        (None, PIN.Tipo.ONLINE),
    ],
    ids=["passweb-1-aprile-2014", "passweb-31-marzo-2014", "senza-passweb"],
)
def test_case_a_gets_the_pin_type_from_the_passweb_date(
    client: Client, registro: None, pec_locale: Any, passweb_dal: dt.date | None, tipo: str
) -> None:
    user = UserFactory.create(password="!")
    crea_credenziale(user, [(EnteFactory.create(), "Domanda Valore PA")], passweb_dal=passweb_dal)
    pin = _unifica_dalle_pagine(client, user.codice_fiscale, PASSWORD_EX_INPDAP)
    assert pin.tipo == tipo
    assert pin.origine == PIN.Origine.UNIFICAZIONE_A


def test_case_b_carries_the_passweb_enabling_and_its_date_onto_the_new_pin(
    client: Client, registro: None, pec_locale: Any
) -> None:
    """Enabled to PassWeb on 02/03/2015 with an online PIN: the new PIN is dispositivo and holds PassWeb."""
    user = UserFactory.create(password="!")
    ente = EnteFactory.create()
    crea_credenziale(user, [(ente, "Domanda Valore PA")], passweb_dal=dt.date(2015, 3, 2))
    crea_pin(user, [(ente, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.ONLINE)
    assert _accedi(client, user.codice_fiscale, "VECCHIOPIN234567").status_code == 302
    anteprima = client.get(reverse("unificazione")).content.decode()
    assert "PassWeb (abilitato dal 02/03/2015)" in anteprima
    assert "PIN dispositivo" in anteprima
    rilascio = client.post(reverse("unificazione"))
    assert rilascio.status_code == 200
    pin = PIN.objects.get(user=user, status=PIN.Status.ATTIVO)
    assert pin.tipo == PIN.Tipo.DISPOSITIVO
    assert set(pin.abilitazioni.values_list("ente_id", "nome", "dal")) == {
        (ente.pk, "Domanda Valore PA", None),
        (ente.pk, "Visualizzazione versamenti Ente", None),
        (ente.pk, "PassWeb", dt.date(2015, 3, 2)),
    }
    area = client.get(reverse("area_enti")).content.decode()
    assert "PassWeb" in area
