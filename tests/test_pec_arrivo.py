"""Certified mail arriving in INPS's mailboxes: through the real SMTP gateway into the recipient's Maildir, and from a
real IMAP server (Dovecot) as in production; kept raw, once, with the signatures of the attachments verified."""

from __future__ import annotations

import imaplib
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from inps_portal import clock
from inps_portal.pec import casella
from inps_portal.pec.arrivo import NESSUNO_LA_RICONOSCE
from inps_portal.pec.busta import apri, componi_busta
from inps_portal.pec.gateway import deposita
from inps_portal.pec.models import PECInArrivo
from tests.conftest import GatewaySMTP
from tests.pki import CODICE_FISCALE_MARIO_ROSSI, crea_ca, emetti_firmatario, firma_pdf, pdf_semplice, pem

pytestmark = pytest.mark.django_db

# Fictitious addresses: the real INPS mailboxes are routing data, never written to by a test.
CASELLA_INPS = "abilitazioni.prova@pec-inps.localhost"
MITTENTE_ENTE = "protocollo@pec-ente.localhost"


def messaggio_dell_ente(oggetto: str, allegati: dict[str, bytes], mittente: str = MITTENTE_ENTE) -> EmailMessage:
    messaggio = EmailMessage()
    messaggio["From"] = mittente
    messaggio["To"] = CASELLA_INPS
    messaggio["Subject"] = oggetto
    messaggio["Message-ID"] = make_msgid(domain="pec-ente.localhost")
    messaggio["Date"] = "Wed, 02 Dec 2026 10:00:00 +0100"
    messaggio.set_content("Si trasmette il modulo firmato.")
    for nome, contenuto in allegati.items():
        messaggio.add_attachment(contenuto, maintype="application", subtype="pdf", filename=nome)
    return messaggio


@pytest.fixture(scope="module")
def firme_di_prova(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ca = crea_ca()
    radice = tmp_path_factory.mktemp("pki") / "radice.pem"
    radice.write_bytes(pem(ca.certificato))
    firmatario = emetti_firmatario(ca)
    return {"radice": str(radice), "firmato": firma_pdf(pdf_semplice("Modulo allegato 4"), firmatario)}


def test_a_pec_sent_through_the_gateway_is_read_from_the_inps_mailbox_once(
    pec_smtp: GatewaySMTP, settings: Any, firme_di_prova: dict[str, Any]
) -> None:
    settings.FIRME_RADICI_ATTENDIBILI = [firme_di_prova["radice"]]
    messaggio = messaggio_dell_ente(
        "Richiesta abilitazioni", {"modulo-firmato.pdf": firme_di_prova["firmato"], "scansione.pdf": pdf_semplice()}
    )
    with smtplib.SMTP("127.0.0.1", pec_smtp.controller.port) as smtp:
        smtp.send_message(messaggio)
    assert (Path(settings.PEC_CASELLE_MAILDIR) / CASELLA_INPS).is_dir()
    assert casella.leggi_posta_in_arrivo() == 1
    assert casella.leggi_posta_in_arrivo() == 0
    pec = PECInArrivo.objects.get()
    assert (pec.casella, pec.mittente, pec.oggetto, pec.certificata) == (
        CASELLA_INPS,
        MITTENTE_ENTE,
        "Richiesta abilitazioni",
        True,
    )
    assert pec.status == PECInArrivo.Status.DA_SMISTARE  # no app claims it here
    assert pec.motivo == NESSUNO_LA_RICONOSCE
    firmato, scansione = pec.allegati.order_by("nome")
    assert firmato.firmato
    assert firmato.firma_valida
    assert firmato.codice_fiscale_firmatario == CODICE_FISCALE_MARIO_ROSSI
    assert firmato.firmatario == "Mario Rossi"
    assert not scansione.firmato
    assert apri(bytes(pec.grezzo)).message_id == messaggio["Message-ID"]


def test_a_signature_from_an_authority_not_trusted_is_shown_as_not_valid(
    pec_locale: Any, settings: Any, firme_di_prova: dict[str, Any], tmp_path: Path
) -> None:
    settings.FIRME_RADICI_ATTENDIBILI = []
    busta = componi_busta(
        originale=messaggio_dell_ente("Richiesta", {"modulo.pdf": firme_di_prova["firmato"]}),
        destinatario=CASELLA_INPS,
        gestore="Gestore di prova",
        dominio="gestore.localhost",
        quando=clock.now(),
    )
    deposita(Path(settings.PEC_CASELLE_MAILDIR), CASELLA_INPS, busta)
    assert casella.leggi_posta_in_arrivo() == 1
    allegato = PECInArrivo.objects.get().allegati.get()
    assert allegato.firmato
    assert not allegato.firma_valida
    assert allegato.problemi


def test_what_cannot_be_read_is_kept_and_waits_to_be_sorted(pec_locale: Any, settings: Any) -> None:
    radice = Path(settings.PEC_CASELLE_MAILDIR)
    deposita(
        radice, CASELLA_INPS, b"X-Trasporto: posta-certificata\r\nSubject: busta rotta\r\n\r\nniente postacert.eml\r\n"
    )
    deposita(radice, CASELLA_INPS, b"Subject: e-mail ordinaria\r\nFrom: qualcuno@example.org\r\n\r\nciao\r\n")
    assert casella.leggi_posta_in_arrivo() == 2
    rotta, ordinaria = (
        PECInArrivo.objects.get(oggetto="busta rotta"),
        PECInArrivo.objects.get(oggetto="e-mail ordinaria"),
    )
    assert rotta.status == ordinaria.status == PECInArrivo.Status.DA_SMISTARE
    assert "busta di trasporto" in rotta.motivo
    assert not ordinaria.certificata
    assert ordinaria.mittente == "qualcuno@example.org"


def test_the_inps_mailboxes_are_read_over_imap(imap_server: str, settings: Any, pec_locale: Any) -> None:
    busta = componi_busta(
        originale=messaggio_dell_ente("Richiesta via IMAP", {"modulo.pdf": pdf_semplice()}),
        destinatario=CASELLA_INPS,
        gestore="Gestore di prova",
        dominio="gestore.localhost",
        quando=clock.now(),
    )
    parsed = urlparse(imap_server)
    with imaplib.IMAP4(parsed.hostname or "", parsed.port or 143) as client:
        client.login(parsed.username or "", parsed.password or "")
        client.append("INBOX", "", "", busta)
    settings.PEC_CASELLE_ARRIVO = [f"{CASELLA_INPS}={imap_server}"]
    assert casella.leggi_posta_in_arrivo() >= 1
    assert casella.leggi_posta_in_arrivo() == 0
    pec = PECInArrivo.objects.get(oggetto="Richiesta via IMAP")
    assert pec.casella == CASELLA_INPS
    assert pec.certificata


def test_a_mailbox_setting_without_an_address_is_refused_clearly(settings: Any) -> None:
    settings.PEC_CASELLE_ARRIVO = ["imaps://utente:segreta@imap.localhost/INBOX"]
    with pytest.raises(ValueError, match="attesa indirizzo=url IMAP") as errore:
        casella.caselle_in_arrivo()
    assert "segreta" not in str(errore.value)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_periodic_reading_runs_on_the_real_worker(real_celery: None, settings: Any) -> None:
    from inps_portal.pec.tasks import pec_leggi_posta_in_arrivo

    busta = componi_busta(
        originale=messaggio_dell_ente("Letta dal worker", {"modulo.pdf": pdf_semplice()}),
        destinatario=CASELLA_INPS,
        gestore="Gestore di prova",
        dominio="gestore.localhost",
        quando=clock.now(),
    )
    deposita(Path(settings.PEC_CASELLE_MAILDIR), CASELLA_INPS, busta)
    assert pec_leggi_posta_in_arrivo.delay().get(timeout=60) >= 1
    pec = PECInArrivo.objects.get(oggetto="Letta dal worker")
    assert pec.casella == CASELLA_INPS
    assert pec.allegati.count() == 1


def test_only_central_staff_read_what_arrived(client: Any, registro: None) -> None:
    from django.urls import reverse

    from accounts.roles import Ruolo
    from tests.factories import UserFactory, personale_inps

    deposita_e_leggi = componi_busta(
        originale=messaggio_dell_ente("Per il back office", {"modulo.pdf": pdf_semplice()}),
        destinatario=CASELLA_INPS,
        gestore="Gestore di prova",
        dominio="gestore.localhost",
        quando=clock.now(),
    )
    from inps_portal.pec.arrivo import pec_in_arrivo_registra

    pec = pec_in_arrivo_registra(grezzo=deposita_e_leggi, casella=CASELLA_INPS)
    allegato = pec.allegati.get()
    pagine = [
        reverse("admin:inps_portal_pecinarrivo_change", args=[pec.pk]),
        reverse("admin:inps_portal_pecinarrivo_grezzo", args=[pec.pk]),
        reverse("admin:inps_portal_pecinarrivo_allegato", args=[pec.pk, allegato.pk]),
    ]
    attesi = {
        "operatore": 404,
        "sede": 403,
        "centrale": 200,
    }
    persone = {
        "operatore": UserFactory.create(),
        "sede": personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
        "centrale": personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"),
    }
    for chi, persona in persone.items():
        client.force_login(persona)
        ottenuti = [client.get(pagina).status_code for pagina in pagine]
        atteso = attesi[chi]
        # The change page of a model the person may not view is the stock 403; the portal's own pages are a 404.
        assert ottenuti == ([atteso, 404 if atteso == 403 else atteso, 404 if atteso == 403 else atteso]), chi
    client.force_login(persone["centrale"])
    elenco = client.get(reverse("admin:inps_portal_pecinarrivo_changelist"))
    assert elenco.status_code == 302  # to the list of what waits to be sorted
    assert client.get(elenco["Location"]).status_code == 200
