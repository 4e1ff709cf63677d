"""The catalogue of the Circolare 71/2016, section 4: every abilitazione routed to the office that decides it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from abilitazioni.models import Abilitazione
from abilitazioni.selectors import destinazione
from accounts.models import Comune
from tests.factories import EnteFactory

pytestmark = pytest.mark.django_db

SEDE, DR = "sede", "direzione regionale"
# Who reviews what arrives by PEC: the circolare names the Direzione centrale Credito e Welfare for the Soggiorni;
# for PassWeb it names only the mailbox, read by the Direzione centrale Posizione Assicurativa (a portal choice).
UFFICIO_CENTRALE = {
    "PassWeb": "Direzione centrale Posizione Assicurativa",
    "Soggiorni climatici ENAM": "Direzione centrale Credito e Welfare",
    "Soggiorni senior": "Direzione centrale Credito e Welfare",
}
PASSWEB_PEC = "AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it"
SOGGIORNI_PEC = "dc.creditowelfare@postacert.inps.gov.it"

# The circolare's own lists, word for word, with where each request goes and what it needs.
CIRCOLARE = [
    ("Denunce contributive - Compilazione manuale DMA", 2, SEDE, "pin"),
    ("Denunce contributive - Visualizzazione DMA", 2, SEDE, "pin"),
    ("Gestione riscatti ai fini TFS/TFR Stato", 2, SEDE, "pin"),
    ("Domande di piccolo prestito e prestito pluriennale", 2, SEDE, "pin"),
    ("Riscossione crediti - profilo Amministratore", 2, SEDE, "pin"),
    ("Riscossione crediti - profilo Operatore", 2, SEDE, "pin"),
    ("Visualizzazione note di debito Ente", 2, SEDE, "pin"),
    ("Visualizzazione piani di ammortamento Ente", 2, SEDE, "pin"),
    ("Visualizzazione versamenti Ente", 2, SEDE, "pin"),
    ("Assistenza domiciliare - profilo Assegnatore", 3, DR, "pin"),
    ("Assistenza domiciliare - profilo Operatore", 3, DR, "pin"),
    ("Domanda assistenza domiciliare", 3, DR, "pin"),
    ("Domanda Valore PA", 3, DR, "pin"),
    ("PassWeb", 4, PASSWEB_PEC, "pin_dispositivo"),
    ("Soggiorni climatici ENAM", 5, SOGGIORNI_PEC, "pin_dispositivo"),
    ("Soggiorni senior", 5, SOGGIORNI_PEC, "pin_dispositivo"),
]


def test_the_catalogue_is_exactly_the_circolare() -> None:
    assert sorted(Abilitazione.objects.values_list("nome", flat=True)) == sorted(n for n, *_ in CIRCOLARE)


@pytest.mark.parametrize(("nome", "allegato", "verso", "prerequisito"), CIRCOLARE)
def test_each_abilitazione_goes_to_its_office(
    registro: None, nome: str, allegato: int, verso: str, prerequisito: str
) -> None:
    abilitazione = Abilitazione.objects.get(nome=nome)
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))  # Rende (CS), Calabria
    dove = destinazione(abilitazione, ente)
    assert abilitazione.allegato == allegato
    assert abilitazione.prerequisito == prerequisito
    if verso == SEDE:
        assert dove.struttura is not None
        assert dove.struttura.nome == "Sede territoriale di Cosenza"
    elif verso == DR:
        assert dove.struttura is not None
        assert dove.struttura.nome == "Direzione regionale Calabria"
    else:
        assert dove.struttura is not None
        assert dove.struttura.nome == UFFICIO_CENTRALE[nome]
        assert dove.indirizzo_pec == verso
        assert dove.via_pec_dall_ente is (allegato == 4)


def test_a_pec_channel_needs_its_address() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Abilitazione.objects.create(nome="Prova", allegato=4, canale="pec_dall_ente", indirizzo_pec="")


def test_central_staff_edit_the_catalogue_and_bad_routing_is_refused_in_italian(registro: None) -> None:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Struttura
    from accounts.roles import Ruolo
    from inps_portal.admin_mixins import SCELTA_NON_VALIDA
    from tests.factories import personale_inps

    pk = dict(Struttura.objects.values_list("codice", "pk"))
    passweb = Abilitazione.objects.get(nome="PassWeb")
    client = Client()
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"))
    url = reverse("admin:abilitazioni_abilitazione_change", args=[passweb.pk])
    dati = {
        "nome": "PassWeb",
        "allegato": 4,
        "canale": "pec_dall_ente",
        "indirizzo_pec": PASSWEB_PEC,
        "prerequisito": "pin_dispositivo",
        "attiva": "on",
    }
    # Only a Direzione centrale can be chosen: no other Struttura, nothing that does not exist.
    for ufficio in ("999999", pk["ST-CS"], "DC-PA"):
        risposta = client.post(url, {**dati, "ufficio_centrale": ufficio})
        assert risposta.status_code == 200
        assert SCELTA_NON_VALIDA.replace("'", "&#x27;") in risposta.content.decode()
    risposta = client.post(url, {**dati, "canale": "sede_territoriale", "ufficio_centrale": pk["DC-PA"]})
    assert "L&#x27;indirizzo PEC si indica solo per i canali via PEC." in risposta.content.decode()
    passweb.refresh_from_db()
    assert passweb.ufficio_centrale is not None
    assert passweb.ufficio_centrale.codice == "DC-PA"  # nothing stored from the refused forms
    assert client.post(url, {**dati, "ufficio_centrale": pk["DC-CW"]}).status_code == 302
    passweb.refresh_from_db()
    assert passweb.ufficio_centrale.codice == "DC-CW"
