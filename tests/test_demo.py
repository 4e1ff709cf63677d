"""The demo population: one person per role, with the password the README lists; never outside DEBUG."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Ente, User
from accounts.roles import Ruolo
from accounts.selectors.persone import ruoli_di
from demo.popola import (
    ABILITAZIONI_DEMO,
    DEMO_PASSWORD,
    ENTI_DEMO,
    EX_INPDAP_PASSWORD,
    PERSONE_DEMO,
    PIN_DEMO_CASO_B,
    PIN_DEMO_MARIO,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_is_refused_when_debug_is_off() -> None:
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_seed_demo_creates_every_role_once_even_if_run_twice(registro: None) -> None:
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == len(PERSONE_DEMO) + len(ABILITAZIONI_DEMO)
    assert Ente.objects.count() == len(ENTI_DEMO)
    covered = set().union(*(ruoli_di(User.objects.get(pk=u.pk)) for u in User.objects.all()))
    # The Comune's operator is designated and enabled on Rende's active convention, which needs the demo PKI among
    # the trusted roots (tests/test_convenzioni_demo.py): without it, that role alone is missing.
    assert set(Ruolo) - covered <= {Ruolo.OPERATORE_COMUNE}
    for user in User.objects.all():
        user.full_clean()
    for ente in Ente.objects.all():
        ente.full_clean()
        assert ente.pec.endswith("@pec.example.it")


@override_settings(DEBUG=True)
def test_every_demo_person_logs_in_with_the_readme_credential(registro: None) -> None:
    """Staff and the PUE's people with the password; the Ente operator only with his PIN, never the password."""
    call_command("seed_demo")
    for persona in PERSONE_DEMO:
        client = Client()
        if persona.ruolo == Ruolo.OPERATORE_ENTE:
            con_pin = client.post(
                reverse("account_login"), {"login": persona.codice_fiscale, "password": PIN_DEMO_MARIO}
            )
            assert con_pin.status_code == 302, persona
            for pagina in ("account_login", "login_password"):
                altro = Client().post(reverse(pagina), {"login": persona.codice_fiscale, "password": DEMO_PASSWORD})
                assert altro.status_code == 200, (persona, pagina)
            continue
        response = client.post(reverse("login_password"), {"login": persona.codice_fiscale, "password": DEMO_PASSWORD})
        assert response.status_code == 302, persona
    readme = (pytest.importorskip("pathlib").Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    assert PIN_DEMO_MARIO in readme
    for persona in PERSONE_DEMO:
        assert persona.codice_fiscale in readme
    for codice_fiscale in ABILITAZIONI_DEMO:
        assert codice_fiscale in readme
        client = Client()
        client.post(reverse("account_login"), {"login": codice_fiscale, "password": EX_INPDAP_PASSWORD})
        assert client.get(reverse("home"))["Location"] == reverse("unificazione")
    assert EX_INPDAP_PASSWORD in readme
    assert PIN_DEMO_CASO_B in readme


@override_settings(DEBUG=True)
def test_the_demo_has_a_request_in_each_office_queue(registro: None, pec_locale: object) -> None:
    from abilitazioni.models import RichiestaInstradata
    from abilitazioni.selectors import instradate_per_ufficio

    call_command("seed_demo")
    call_command("seed_demo")
    assert RichiestaInstradata.objects.count() == 4
    for codice_fiscale, allegato in (("BNCLRA85L42C352P", 2), ("SPSGPP70S21F839M", 3), ("FRRGLI82P49H501V", 5)):
        coda = instradate_per_ufficio(User.objects.get(codice_fiscale=codice_fiscale))
        assert list(coda.values_list("allegato", flat=True)) == [allegato]
    # PassWeb waits for the Ente's PEC: the central office that decides it has nothing yet.
    assert not instradate_per_ufficio(User.objects.get(codice_fiscale="LMBDVD77M08H501J")).exists()
    client = Client()
    client.post(reverse("account_login"), {"login": "RSSMRA78C15D086Z", "password": PIN_DEMO_MARIO.lower()})
    pagina = client.get(reverse("abilitazioni_richieste"))
    assert pagina.status_code == 200
    assert "Soggiorni senior" in pagina.content.decode()
    assert "AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it" in pagina.content.decode()


@override_settings(DEBUG=True)
def test_the_demo_can_be_restored_to_try_the_unification_again(registro: None, pec_locale: object) -> None:
    """``make demo-reset``: after a unification the ex-Inpdap operators get their old credentials back (case b its
    old online PIN too); without the flag a second seed leaves the unification done."""
    from accounts.models import PIN, CredenzialeExInpdap
    from accounts.services.unificazione import unificazione_esegui

    call_command("seed_demo")
    for codice_fiscale in ABILITAZIONI_DEMO:
        unificazione_esegui(user=User.objects.get(codice_fiscale=codice_fiscale))
    call_command("seed_demo")
    assert not CredenzialeExInpdap.objects.filter(unificata_il__isnull=True).exists()

    call_command("seed_demo", ripristina=True)
    assert CredenzialeExInpdap.objects.filter(unificata_il__isnull=True).count() == len(ABILITAZIONI_DEMO)
    pin_caso_b = PIN.objects.get(user__codice_fiscale="NRERRT72R11A944W")
    assert pin_caso_b.origine == PIN.Origine.PREESISTENTE
    assert not PIN.objects.filter(user__codice_fiscale="CNTLNE79B62D086B").exists()
    for codice_fiscale in ABILITAZIONI_DEMO:
        client = Client()
        client.post(reverse("account_login"), {"login": codice_fiscale, "password": EX_INPDAP_PASSWORD})
        assert client.get(reverse("home"))["Location"] == reverse("unificazione")
