"""At the counter: Sede staff unify the credentials of the person in front of them, recording the document checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, EventoCredenziale, ScadenzaPinOnline
from accounts.roles import Ruolo
from tests.factories import EnteFactory, UserFactory, crea_credenziale, personale_inps

pytestmark = pytest.mark.django_db


def test_sede_staff_unify_at_the_counter_and_print_the_pin_once(
    client: Client, registro: None, pec_locale: Any
) -> None:
    persona = UserFactory.create(password="!", email="persona@example.it")
    credenziale = crea_credenziale(persona, [(EnteFactory.create(), "Domanda Valore PA")])
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CZ")  # any Sede, not only the competent one
    client.force_login(staff)
    elenco = client.get(reverse("admin:accounts_credenzialeexinpdap_changelist"), {"q": persona.codice_fiscale})
    assert "Unifica per la persona allo sportello" in elenco.content.decode()
    url = reverse("admin:accounts_credenzialeexinpdap_sportello", args=[credenziale.pk])
    senza_documento = client.post(url, {"documento_tipo": "passaporto"})
    assert "Indichi il numero del documento." in senza_documento.content.decode()
    assert "Confermi di aver verificato" in senza_documento.content.decode()
    assert not PIN.objects.filter(user=persona).exists()
    risposta = client.post(
        url, {"documento_tipo": "passaporto", "documento_numero": "YA1234567", "identita_verificata": "on"}
    )
    codice = risposta.context["rilasciato"].codice
    assert codice in risposta.content.decode()
    assert "no-store" in risposta["Cache-Control"]
    pin = PIN.objects.get(user=persona, status="attivo")
    assert check_password(codice, pin.codice_hash)
    evento = EventoCredenziale.objects.get(user=persona)
    assert evento.eseguito_da == staff
    assert evento.dettagli["documento"] == {"tipo": "passaporto", "numero": "YA1234567"}
    assert evento.dettagli["canale"] == "sportello"
    # The PIN is not shown again: the page now says it is done.
    ancora = client.post(
        url, {"documento_tipo": "passaporto", "documento_numero": "YA1234567", "identita_verificata": "on"}
    )
    assert ancora.status_code == 302
    assert PIN.objects.filter(user=persona).count() == 1


def test_only_sede_staff_use_the_counter(client: Client, registro: None) -> None:
    persona = UserFactory.create(password="!")
    credenziale = crea_credenziale(persona, [])
    url = reverse("admin:accounts_credenzialeexinpdap_sportello", args=[credenziale.pk])
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory.create())
    assert client.get(url).status_code == 404


def test_central_staff_set_a_new_deadline_and_the_old_one_stays(client: Client, registro: None) -> None:
    staff = personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW")
    client.force_login(staff)
    risposta = client.post(
        reverse("admin:accounts_scadenzapinonline_add"), {"data": "2016-09-30", "motivo": "proroga di prova"}
    )
    assert risposta.status_code == 302
    assert ScadenzaPinOnline.objects.count() == 2
    nuova = ScadenzaPinOnline.objects.order_by("-impostata_il", "-pk").first()
    assert nuova.impostata_da == staff
    prima = ScadenzaPinOnline.objects.order_by("impostata_il", "pk").first()
    cambia = client.post(reverse("admin:accounts_scadenzapinonline_change", args=[prima.pk]), {"data": "2020-01-01"})
    assert cambia.status_code == 403
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    assert client.get(reverse("admin:accounts_scadenzapinonline_add")).status_code == 403


def test_sede_staff_convert_an_online_pin_at_the_counter(client: Client, registro: None, pec_locale: Any) -> None:
    persona = UserFactory.create(password="!", email="persona@example.it")
    from tests.factories import crea_pin

    pin = crea_pin(persona, [], tipo=PIN.Tipo.ONLINE)
    codice_hash = pin.codice_hash
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-BO")
    client.force_login(staff)
    url = reverse("admin:accounts_pin_sportello", args=[pin.pk])
    elenco = reverse("admin:accounts_pin_changelist")
    # Not of this Sede's territory: nobody to browse, and the counter opens only for the person found at the desk.
    assert "Converti in PIN dispositivo" not in client.get(elenco).content.decode()
    assert client.get(url).status_code == 404
    assert "Converti in PIN dispositivo" in client.get(elenco, {"q": persona.codice_fiscale.lower()}).content.decode()
    senza = client.post(url, {"documento_tipo": "patente"})
    assert "Confermi di aver verificato" in senza.content.decode()
    client.post(url, {"documento_tipo": "patente", "documento_numero": "U1AB23456C", "identita_verificata": "on"})
    pin.refresh_from_db()
    assert pin.tipo == PIN.Tipo.DISPOSITIVO
    assert pin.codice_hash == codice_hash
    evento = EventoCredenziale.objects.get(user=persona, tipo="conversione_sportello")
    assert evento.eseguito_da == staff
    assert evento.dettagli["documento"]["numero"] == "U1AB23456C"
    ancora = client.post(
        url, {"documento_tipo": "patente", "documento_numero": "U1AB23456C", "identita_verificata": "on"}, follow=True
    )
    assert "Solo un PIN online attivo" in ancora.content.decode()
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-08"))
    assert client.get(url).status_code == 404


def test_a_sede_browses_the_credentials_of_its_territory_and_finds_others_only_by_exact_codice_fiscale(
    client: Client, registro: None, caplog: pytest.LogCaptureFixture
) -> None:
    from accounts.models import Comune
    from tests.factories import crea_pin

    cosentino = UserFactory.create(password="!", cognome="Cosentino")
    crea_pin(cosentino, [(EnteFactory.create(comune=Comune.objects.get(codice_istat="078045")), "Domanda Valore PA")])
    romano = UserFactory.create(password="!", cognome="Romano")
    crea_pin(romano, [(EnteFactory.create(comune=Comune.objects.get(codice_istat="058091")), "Domanda Valore PA")])
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    elenco = reverse("admin:accounts_pin_changelist")
    visibili = {p.user_id for p in client.get(elenco).context["cl"].result_list}
    assert visibili == {cosentino.pk}
    # A partial code or a surname finds nobody: the counter's search is exact.
    for termine in ("Romano", romano.codice_fiscale[:10]):
        assert list(client.get(elenco, {"q": termine}).context["cl"].result_list) == []
    pin_romano = PIN.objects.get(user=romano)
    pagina = reverse("admin:accounts_pin_change", args=[pin_romano.pk])
    assert client.get(pagina).status_code == 404
    with caplog.at_level("INFO", logger="inps_portal.audit"):
        trovati = client.get(elenco, {"q": romano.codice_fiscale}).context["cl"].result_list
        assert [p.user_id for p in trovati] == [romano.pk]
        assert client.get(pagina).status_code == 200
    letture = [r.getMessage() for r in caplog.records if r.name == "inps_portal.audit"]
    assert "ricerca di una persona allo sportello" in letture
    assert "lettura di credenziali personali" in letture
    assert all(romano.codice_fiscale not in r.getMessage() for r in caplog.records)
