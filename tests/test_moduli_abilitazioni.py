"""The moduli of the allegati 2-5: filled for each routed request, blank on the public Modulistica page; for 4 and 5
the PEC the Ente sends with the modulo attached, its receipts, and the review by the Direzione centrale."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.moduli import modulo_compilato_pdf, modulo_vuoto_pdf
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, AbilitazioneDetenuta, Comune, User
from accounts.roles import Ruolo
from inps_portal.pec.gateway import GatewayPEC
from inps_portal.pec.models import MessaggioPEC
from tests.factories import EnteFactory, UserFactory, crea_pin, modulo_consegnato, personale_inps

pytestmark = pytest.mark.django_db
PASSWEB_PEC = "abilitazioneenti.gestionepubblica@postacert.inps.gov.it"
FIRME = (
    "Luogo e data",
    "Firma dell'operatore da abilitare",
    "Timbro dell'Ente e firma del legale rappresentante o del dirigente responsabile",
)


def _ab(nome: str) -> Abilitazione:
    return Abilitazione.objects.get(nome=nome)


def pdf_in_testo(pdf: bytes, tmp_path: Path, *, pagina: int | None = None) -> str:
    assert pdf.startswith(b"%PDF-")
    file = tmp_path / "modulo.pdf"
    file.write_bytes(pdf)
    solo_pagina = ["-f", str(pagina), "-l", str(pagina)] if pagina else []
    comando = ["pdftotext", "-layout", *solo_pagina, str(file), "-"]
    return subprocess.run(comando, capture_output=True, text=True, check=True).stdout


def pagine_pdf(pdf: bytes, tmp_path: Path) -> int:
    file = tmp_path / "pagine.pdf"
    file.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(file)], capture_output=True, text=True, check=True).stdout
    trovato = re.search(r"^Pages:\s+(\d+)\s*$", info, re.MULTILINE)
    assert trovato, info
    return int(trovato[1])


@pytest.fixture
def operatore(registro: None) -> tuple[User, Any]:
    user = UserFactory.create(password="!", nome="Giulia", cognome="Verdi", email="giulia.verdi@example.it")
    ente = EnteFactory.create(
        nome="Comune di Rende", comune=Comune.objects.get(codice_istat="078102"), pec="protocollo@pec.comune-rende.it"
    )
    crea_pin(user, [(ente, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    return user, ente


def test_the_filled_modulo_has_the_operator_the_ente_and_what_is_asked(
    operatore: tuple[Any, ...], tmp_path: Path
) -> None:
    user, ente = operatore
    richiesta = richiesta_crea(
        user=user,
        ente=ente,
        aggiungi=[_ab("Visualizzazione note di debito Ente")],
        rimuovi=[_ab("Visualizzazione versamenti Ente")],
    )
    testo = pdf_in_testo(modulo_compilato_pdf(richiesta.instradate.get()), tmp_path)
    assert "Allegato 2" in testo
    assert "Sede territoriale di Cosenza" in testo
    assert f"richiesta n. {richiesta.pk}/2" in testo
    for dato in (
        "Verdi Giulia",
        user.codice_fiscale,
        "giulia.verdi@example.it",
        "PIN dispositivo",
        "Comune di Rende",
        ente.codice_fiscale,
        "protocollo@pec.comune-rende.it",
        "Rende (CS)",
        timezone.localtime(richiesta.creata_il).strftime("%d/%m/%Y"),  # the Rome date, as the modulo prints it
        "Firma dell'operatore da abilitare",
        "Timbro dell'Ente",
    ):
        assert dato in testo, dato
    righe = {r.split("  ")[0].strip(): r for r in testo.splitlines() if "☐" in r or "☒" in r}
    # Every abilitazione of the allegato is listed; only the ones asked are ticked, in the right column.
    assert len(righe) == Abilitazione.objects.filter(allegato=2).count()
    assert righe["Visualizzazione note di debito Ente"].split()[-2:] == ["☒", "☐"]
    assert righe["Visualizzazione versamenti Ente"].split()[-2:] == ["☐", "☒"]
    assert righe["Gestione riscatti ai fini TFS/TFR Stato"].split()[-2:] == ["☐", "☐"]


def test_the_operator_downloads_only_their_own_modulo(
    client: Client, operatore: tuple[Any, ...], tmp_path: Path
) -> None:
    user, ente = operatore
    instradata = richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")]).instradate.get()
    url = reverse("abilitazioni_modulo", args=[instradata.pk])
    client.force_login(user)
    risposta = client.get(url)
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "application/pdf"
    assert risposta["Cache-Control"] == "no-store"
    assert "Direzione regionale Calabria" in pdf_in_testo(risposta.content, tmp_path)
    assert url in client.get(reverse("abilitazioni_richieste")).content.decode()
    # Another operator, even of the same Ente, gets a 404; so does a missing request.
    altro = UserFactory.create(password="!")
    crea_pin(altro, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.DISPOSITIVO)
    client.force_login(altro)
    assert client.get(url).status_code == 404
    assert client.get(reverse("abilitazioni_modulo", args=[instradata.pk + 1000])).status_code == 404
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("allegato", [2, 3, 4, 5])
def test_the_blank_moduli_are_public_and_list_their_abilitazioni(client: Client, allegato: int, tmp_path: Path) -> None:
    pagina = client.get(reverse("modulistica"))
    url = reverse("modulistica_allegato", args=[allegato])
    assert pagina.status_code == 200
    assert url in pagina.content.decode()
    risposta = client.get(url)
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "application/pdf"
    testo = pdf_in_testo(risposta.content, tmp_path)
    assert f"Allegato {allegato}" in testo
    for nome in Abilitazione.objects.filter(allegato=allegato).values_list("nome", flat=True):
        assert nome in testo
    assert "☒" not in testo
    assert "richiesta n." not in testo
    for indirizzo in (
        Abilitazione.objects.filter(allegato=allegato).exclude(indirizzo_pec="").values_list("indirizzo_pec", flat=True)
    ):
        assert indirizzo in testo


def test_a_blank_modulo_follows_the_catalogue(client: Client, tmp_path: Path) -> None:
    url = reverse("modulistica_allegato", args=[2])
    client.get(url)  # cached
    Abilitazione.objects.create(nome="Visualizzazione estratto conto Ente", allegato=2, canale="sede_territoriale")
    assert "Visualizzazione estratto conto Ente" in pdf_in_testo(client.get(url).content, tmp_path)


def assert_una_pagina_con_le_firme(pdf: bytes, tmp_path: Path) -> None:
    assert pagine_pdf(pdf, tmp_path) == 1
    # A label wraps inside its signature line: compare the words, not the lines.
    prima_pagina = " ".join(pdf_in_testo(pdf, tmp_path, pagina=1).split())
    for etichetta in FIRME:
        assert etichetta in prima_pagina, etichetta


@pytest.mark.parametrize("allegato", [2, 3, 4, 5])
def test_each_filled_modulo_is_one_page_with_its_signatures(
    operatore: tuple[Any, ...], allegato: int, tmp_path: Path
) -> None:
    user, ente = operatore
    # The whole catalogue of the allegato ticked, but what the operator already holds (it cannot be added again).
    catalogo = list(Abilitazione.objects.filter(allegato=allegato).exclude(nome="Visualizzazione versamenti Ente"))
    instradata = richiesta_crea(user=user, ente=ente, aggiungi=catalogo).instradate.get()
    assert_una_pagina_con_le_firme(modulo_compilato_pdf(instradata), tmp_path)


@pytest.mark.parametrize("allegato", [2, 3, 4, 5])
def test_each_blank_modulo_is_one_page_with_its_signatures(allegato: int, tmp_path: Path) -> None:
    assert_una_pagina_con_le_firme(modulo_vuoto_pdf(allegato), tmp_path)


@pytest.mark.parametrize("percorso", ["/modulistica/allegato-1.pdf", "/modulistica/allegato-6.pdf"])
def test_there_is_no_modulo_outside_2_to_5(client: Client, percorso: str) -> None:
    assert client.get(percorso).status_code == 404


def test_passweb_the_modulo_carries_the_number_the_ente_quotes_in_its_pec(
    client: Client, operatore: tuple[Any, ...], tmp_path: Path
) -> None:
    """The portal sends nothing in the Ente's name: it gives the filled modulo with its number and says where the
    Ente sends it, from its own PEC address (tests/test_modulo_firmato.py follows the PEC into the mailbox)."""
    user, ente = operatore
    richiesta = richiesta_crea(
        user=user, ente=ente, aggiungi=[_ab("PassWeb"), _ab("Visualizzazione note di debito Ente")]
    )
    passweb = richiesta.instradate.get(allegato=4)
    assert not MessaggioPEC.objects.exists()
    client.force_login(user)
    modulo = client.get(reverse("abilitazioni_modulo", args=[passweb.pk]))
    testo = pdf_in_testo(modulo.content, tmp_path)
    assert passweb.numero in testo
    assert "PassWeb" in testo
    assert user.codice_fiscale in testo
    pagina = client.get(reverse("abilitazioni_richieste")).content.decode()
    assert PASSWEB_PEC in pagina.lower()
    assert ente.pec in pagina
    assert f"Richiesta abilitazioni n. {passweb.numero}" in pagina


@pytest.mark.parametrize(
    ("nome", "competente", "estranea"), [("PassWeb", "DC-PA", "DC-CW"), ("Soggiorni climatici ENAM", "DC-CW", "DC-PA")]
)
def test_the_direzione_centrale_of_the_mailbox_reviews_and_the_pin_gets_it(
    client: Client, operatore: tuple[Any, ...], pec_locale: GatewayPEC, nome: str, competente: str, estranea: str
) -> None:
    user, ente = operatore
    richiesta = richiesta_crea(user=user, ente=ente, aggiungi=[_ab(nome)])
    modulo_consegnato(richiesta)
    instradata = richiesta.instradate.get()
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])
    elenco = reverse("admin:abilitazioni_richiestainstradata_changelist")
    for ruolo, codice in (
        (Ruolo.PERSONALE_DIREZIONE_CENTRALE, estranea),
        (Ruolo.PERSONALE_SEDE, "ST-CS"),
        (Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"),
    ):
        client.force_login(personale_inps(ruolo, codice))
        assert client.get(decidi).status_code == 404
        assert client.post(decidi, {"azione": "prendi"}).status_code == 404
    assert RichiestaInstradata.objects.get(pk=instradata.pk).status == "inviata"
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, competente))
    assert client.get(elenco).context["cl"].result_count == 1
    assert client.get(reverse("admin:abilitazioni_richiestainstradata_modulo", args=[instradata.pk])).status_code == 200
    client.post(decidi, {"azione": "prendi"})
    client.post(decidi, {"azione": "approva"})
    assert RichiestaInstradata.objects.get(pk=instradata.pk).status == "approvata"
    assert AbilitazioneDetenuta.objects.filter(pin__user=user, ente=ente, nome=nome).exists()
    client.force_login(user)
    assert nome in client.get(reverse("area_enti")).content.decode()


def test_an_approved_removal_takes_the_abilitazione_away_from_the_area(
    client: Client, operatore: tuple[Any, ...], pec_locale: GatewayPEC
) -> None:
    user, ente = operatore
    client.force_login(user)
    assert "Visualizzazione versamenti Ente" in client.get(reverse("area_enti")).content.decode()
    richiesta = richiesta_crea(user=user, ente=ente, rimuovi=[_ab("Visualizzazione versamenti Ente")])
    modulo_consegnato(richiesta)
    instradata = richiesta.instradate.get()
    assert "1 richiesta di abilitazioni in attesa di decisione" in client.get(reverse("area_enti")).content.decode()
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])
    client.post(decidi, {"azione": "prendi"})
    client.post(decidi, {"azione": "approva"})
    client.force_login(user)
    area = client.get(reverse("area_enti")).content.decode()
    assert "Visualizzazione versamenti Ente" not in area
    assert "in attesa di decisione" not in area
    assert "Approvata" in client.get(reverse("abilitazioni_richieste")).content.decode()
    esito = MessaggioPEC.objects.get(modello="esito_abilitazioni")
    assert list(esito.destinatari.values_list("indirizzo", flat=True)) == ["giulia.verdi@example.it"]
