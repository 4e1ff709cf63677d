"""The demo's conventions: Rende active, signed by both parties with the demonstration PKI; Cosenza waiting for the
signature of the demo Director; seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from convenzioni import pki_demo, selectors
from convenzioni.models import Convenzione, DocumentoConvenzione, FirmaConvenzione
from demo.convenzioni import COSENZA, DIRETTORE, RENDE, SINDACI
from demo.popola import DEMO_PASSWORD
from inps_portal import clock
from tests.factories import accesso_forte

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def demo(registro: None, pec_locale: Any, tmp_path: Path, settings: Any) -> None:
    """The development settings' PKI, in this test's folder: the demo CA trusted as ``local`` trusts it."""
    settings.DEBUG = True
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "firme-demo")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "firme-demo" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    call_command("seed_demo")


def _di(istat: str) -> Convenzione:
    return Convenzione.objects.get(comune__codice_istat=istat)


def test_rende_is_active_and_cosenza_waits_for_the_demo_director(demo: None) -> None:
    rende, cosenza = _di(RENDE), _di(COSENZA)
    assert rende.stato == Convenzione.Stato.ATTIVA
    assert rende.protocollo
    firme = dict(FirmaConvenzione.objects.filter(convenzione=rende).values_list("parte", "firmatario_codice_fiscale"))
    assert firme == {"comune": SINDACI[RENDE].codice_fiscale, "inps": DIRETTORE}
    assert cosenza.stato == Convenzione.Stato.FIRMATA_COMUNE
    assert selectors.puo_firmare_per_inps(User.objects.get(codice_fiscale=DIRETTORE), cosenza)
    assert cosenza.comune_pec.endswith(".example.it")
    assert cosenza.pec_inps.endswith(".example.it")


def test_seeding_twice_changes_nothing(demo: None) -> None:
    prima = (
        list(Convenzione.objects.order_by("pk").values_list("pk", "stato", "protocollo")),
        DocumentoConvenzione.objects.count(),
    )
    call_command("seed_demo")
    dopo = (
        list(Convenzione.objects.order_by("pk").values_list("pk", "stato", "protocollo")),
        DocumentoConvenzione.objects.count(),
    )
    assert dopo == prima


def test_the_demo_director_signs_cosenza_from_its_page(demo: None, client: Client) -> None:
    entrato = client.post(reverse("login_password"), {"login": DIRETTORE, "password": DEMO_PASSWORD})
    assert entrato.status_code == 302
    assert client.session["accesso"]["metodo"] == "password"
    firma = client.post(reverse("convenzione_firma_inps", args=[_di(COSENZA).pk]))
    assert firma["Location"].startswith(reverse("identita_conferma"))  # a password is not a strong identity
    accesso_forte(client, metodo="spid", livello=3)  # as the demo identity provider confirms Antonio Romano
    cosenza = _di(COSENZA)
    assert client.post(reverse("convenzione_firma_inps", args=[cosenza.pk])).status_code == 302
    cosenza.refresh_from_db()
    assert cosenza.stato == Convenzione.Stato.ATTIVA
    assert cosenza.attivata_il is not None
    assert cosenza.attivata_il <= clock.now()


def test_rende_has_an_enabled_operator_and_one_waiting_for_the_sede(demo: None) -> None:
    from accounts.roles import Ruolo
    from accounts.selectors.persone import organizzazioni_di
    from demo.convenzioni import OPERATORI_RENDE
    from pue.models import DesignazioneOperatore

    (anna, *_), (chiara, *_) = OPERATORI_RENDE
    stati = dict(DesignazioneOperatore.objects.values_list("codice_fiscale", "stato"))
    assert stati == {anna: "abilitata", chiara: "in_attesa"}
    assert [
        c.codice_istat for c in organizzazioni_di(User.objects.get(codice_fiscale=anna), Ruolo.OPERATORE_COMUNE)
    ] == [RENDE]


@pytest.mark.parametrize("ora_di_roma", ["00:05", "23:55", "12:00"])
def test_the_demo_is_seeded_at_any_hour_of_the_rome_day(
    registro: None, pec_locale: Any, tmp_path: Path, settings: Any, ora_di_roma: str
) -> None:
    """Rende's convention starts the day it is signed: the demo's bookings (among them a hold abandoned 20 minutes
    earlier) are made however close to midnight the demo is seeded."""
    from pue.models import Prenotazione

    settings.DEBUG = True
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "firme-demo")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "firme-demo" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    ore, minuti = (int(x) for x in ora_di_roma.split(":"))
    with clock.frozen(dt.datetime(2026, 12, 7, ore, minuti, tzinfo=ZoneInfo("Europe/Rome"))):
        call_command("seed_demo")
    stati = set(Prenotazione.objects.values_list("stato", flat=True))
    assert {"confermata", "trattenuta", "scaduta", "annullata", "svolta", "non_presentato"} <= stati
