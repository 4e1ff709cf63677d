"""The modulo signed by the Ente's legal representative reaches the office (Circolare 71/2016, par. 4).

Allegati 2 and 3: the operator uploads it. Allegati 4 and 5: the Ente sends it by PEC from its own address to the
routing address; the portal reads the INPS mailbox, files the PEC to its request by the number in the subject and the
sender, verifies the signature, and shows the signer to the office. A request reaches the office's queue only when its
modulo has arrived; the portal never sends a PEC in the Ente's name.
"""

from __future__ import annotations

import imaplib
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from abilitazioni.models import Abilitazione, EventoRichiesta, RichiestaInstradata
from abilitazioni.services import oggetto_della_pec, richiesta_crea
from accounts.models import PIN, AbilitazioneDetenuta, Comune, User
from accounts.roles import Ruolo
from inps_portal import clock
from inps_portal.pec import casella
from inps_portal.pec.busta import componi_busta
from inps_portal.pec.models import MessaggioPEC, PECInArrivo
from tests.conftest import GatewaySMTP
from tests.factories import EnteFactory, UserFactory, crea_pin, pec_dell_ente, personale_inps
from tests.pki import CODICE_FISCALE_MARIO_ROSSI, crea_ca, emetti_firmatario, firma_pdf, pdf_semplice, pem

pytestmark = pytest.mark.django_db

# Fictitious routing addresses: the real INPS mailboxes of the catalogue are never written to by a test.
CASELLA_PASSWEB = "passweb.prova@pec-inps.localhost"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ca = crea_ca()
    radice = tmp_path_factory.mktemp("pki") / "radice.pem"
    radice.write_bytes(pem(ca.certificato))
    return {"radice": str(radice), "firmatario": emetti_firmatario(ca)}


@pytest.fixture
def scena(registro: None, pki: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.FIRME_RADICI_ATTENDIBILI = [pki["radice"]]
    Abilitazione.objects.filter(nome="PassWeb").update(indirizzo_pec=CASELLA_PASSWEB)
    operatore = UserFactory.create(password="!", email="operatore@example.it")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"), pec="protocollo@pec-ente.localhost")
    crea_pin(operatore, [], tipo=PIN.Tipo.DISPOSITIVO)
    from accounts.services.ruoli import ruolo_assegna

    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    richiesta = richiesta_crea(
        user=operatore,
        ente=ente,
        aggiungi=Abilitazione.objects.filter(nome__in=["Visualizzazione note di debito Ente", "PassWeb"]),
    )
    instradate = {i.allegato: i for i in richiesta.instradate.select_related("richiesta__ente")}
    modulo = firma_pdf(pdf_semplice("Modulo allegato firmato"), pki["firmatario"])
    return {"operatore": operatore, "ente": ente, "instradate": instradate, "modulo": modulo}


def _coda(client: Client) -> set[int]:
    risposta = client.get(reverse("admin:abilitazioni_richiestainstradata_changelist"))
    return {i.pk for i in risposta.context["cl"].result_list}


def test_allegato_2_reaches_the_sede_only_when_the_operator_uploads_the_signed_modulo(
    client: Client, scena: dict[str, Any]
) -> None:
    instradata = scena["instradate"][2]
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO
    sede = Client()
    sede.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    assert instradata.pk not in _coda(sede)
    assert sede.get(reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])).status_code == 404

    client.force_login(scena["operatore"])
    pagina = client.get(reverse("abilitazioni_richieste")).content.decode()
    assert reverse("abilitazioni_modulo_firmato", args=[instradata.pk]) in pagina
    carica = reverse("abilitazioni_modulo_firmato", args=[instradata.pk])
    sbagliato = client.post(carica, {"modulo_firmato": SimpleUploadedFile("modulo.pdf", b"MZ non un pdf")}, follow=True)
    assert "non è un PDF" in sbagliato.content.decode()
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO

    risposta = client.post(carica, {"modulo_firmato": SimpleUploadedFile("modulo.pdf", scena["modulo"])})
    assert risposta.status_code == 302
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA
    assert instradata.firma["valida"]
    assert instradata.firma["codice_fiscale"] == CODICE_FISCALE_MARIO_ROSSI
    assert instradata.pk in _coda(sede)
    decisione = sede.get(reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk]))
    assert "Firma digitale valida di Mario Rossi" in decisione.content.decode()
    scaricato = sede.get(reverse("admin:abilitazioni_richiestainstradata_modulo_firmato", args=[instradata.pk]))
    assert scaricato.status_code == 200
    assert scaricato.content == scena["modulo"]
    assert "no-store" in scaricato["Cache-Control"]
    altra = Client()
    altra.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM"))
    url_modulo = reverse("admin:abilitazioni_richiestainstradata_modulo_firmato", args=[instradata.pk])
    assert altra.get(url_modulo).status_code == 404


def test_an_unsigned_scan_is_accepted_and_shown_as_such(client: Client, scena: dict[str, Any]) -> None:
    instradata = scena["instradate"][2]
    client.force_login(scena["operatore"])
    client.post(
        reverse("abilitazioni_modulo_firmato", args=[instradata.pk]),
        {"modulo_firmato": SimpleUploadedFile("scansione.pdf", pdf_semplice("Firmato a penna"))},
    )
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA
    assert not instradata.firma["firmato"]
    sede = Client()
    sede.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    pagina = sede.get(reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])).content.decode()
    assert "Non firmato digitalmente" in pagina


def test_nobody_else_uploads_the_modulo_of_a_request(client: Client, scena: dict[str, Any]) -> None:
    instradata = scena["instradate"][2]
    altro = UserFactory.create(password="!")
    crea_pin(altro, [(scena["ente"], "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    client.force_login(altro)
    risposta = client.post(
        reverse("abilitazioni_modulo_firmato", args=[instradata.pk]),
        {"modulo_firmato": SimpleUploadedFile("modulo.pdf", scena["modulo"])},
    )
    assert risposta.status_code == 404
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO


def test_passweb_the_portal_says_what_the_ente_sends_and_sends_nothing_itself(
    client: Client, scena: dict[str, Any]
) -> None:
    instradata = scena["instradate"][4]
    client.force_login(scena["operatore"])
    pagina = client.get(reverse("abilitazioni_richieste")).content.decode()
    assert CASELLA_PASSWEB in pagina
    assert scena["ente"].pec in pagina
    assert f"Richiesta abilitazioni n. {instradata.numero}" in pagina
    assert reverse("abilitazioni_modulo_firmato", args=[instradata.pk]) not in pagina
    assert not MessaggioPEC.objects.filter(mittente=scena["ente"].pec).exists()
    assert not MessaggioPEC.objects.filter(destinatari__indirizzo=CASELLA_PASSWEB).exists()


def test_the_entes_pec_through_the_gateway_files_the_modulo_and_the_central_office_approves(
    client: Client, scena: dict[str, Any], pec_smtp: GatewaySMTP
) -> None:
    instradata = scena["instradate"][4]
    messaggio = EmailMessage()
    messaggio["From"] = scena["ente"].pec
    messaggio["To"] = CASELLA_PASSWEB
    messaggio["Subject"] = oggetto_della_pec(instradata)
    messaggio["Message-ID"] = make_msgid(domain="pec-ente.localhost")
    messaggio.set_content("Si trasmette il modulo allegato 4 firmato.")
    messaggio.add_attachment(scena["modulo"], maintype="application", subtype="pdf", filename="allegato-4.pdf")
    with smtplib.SMTP("127.0.0.1", pec_smtp.controller.port) as smtp:
        smtp.send_message(messaggio)
    assert casella.leggi_posta_in_arrivo() == 1
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA
    assert instradata.pec_in_arrivo is not None
    assert instradata.pec_in_arrivo.status == PECInArrivo.Status.SMISTATA
    assert instradata.firma["valida"]

    centrale = Client()
    centrale.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"))
    assert instradata.pk in _coda(centrale)
    pagina = centrale.get(reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk]))
    assert "Firma digitale valida di Mario Rossi" in pagina.content.decode()
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])
    centrale.post(decidi, {"azione": "prendi"})
    centrale.post(decidi, {"azione": "approva"})
    pin = PIN.objects.get(user=scena["operatore"], status=PIN.Status.ATTIVO)
    assert AbilitazioneDetenuta.objects.filter(pin=pin, ente=scena["ente"], nome="PassWeb").exists()


def test_a_pec_from_another_address_waits_to_be_sorted_and_the_central_office_files_it(
    scena: dict[str, Any],
) -> None:
    instradata = scena["instradate"][4]
    pec = pec_dell_ente(instradata, mittente="qualcuno@pec-altro.localhost", allegati={"m.pdf": scena["modulo"]})
    assert pec.status == PECInArrivo.Status.DA_SMISTARE
    assert "non è l'indirizzo PEC registrato dell'Ente" in pec.motivo
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO

    centrale = Client()
    centrale.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"))
    elenco = centrale.get(reverse("admin:inps_portal_pecinarrivo_changelist"), follow=True)
    assert pec.pk in {p.pk for p in elenco.context["cl"].result_list}
    smista = reverse("admin:abilitazioni_richiestainstradata_smista", args=[pec.pk])
    pagina = centrale.get(smista).content.decode()
    assert "qualcuno@pec-altro.localhost" in pagina
    assert centrale.post(smista, {"numero": "999999/4"}).status_code == 400
    assert centrale.post(smista, {"numero": instradata.numero}).status_code == 302
    instradata.refresh_from_db()
    pec.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA
    assert pec.status == PECInArrivo.Status.SMISTATA
    evento = EventoRichiesta.objects.filter(instradata=instradata).latest("pk")
    assert "smistata a mano" in evento.motivo
    assert "qualcuno@pec-altro.localhost" in evento.motivo

    # Another Direzione centrale has nothing of this office's to file a PEC to.
    altra = Client()
    altra.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-SIT"))
    nuova = pec_dell_ente(scena["instradate"][4], oggetto="senza numero", allegati={"m.pdf": scena["modulo"]})
    assert altra.get(reverse("admin:abilitazioni_richiestainstradata_smista", args=[nuova.pk])).status_code == 404


@pytest.mark.parametrize(
    ("oggetto", "motivo"),
    [
        ("Richiesta abilitazioni n. 999999/4", "non corrisponde a nessuna richiesta"),
        ("Buongiorno", "Nessuna pratica del portale corrisponde"),
    ],
)
def test_a_pec_that_matches_nothing_is_kept_to_be_sorted(scena: dict[str, Any], oggetto: str, motivo: str) -> None:
    pec = pec_dell_ente(scena["instradate"][4], oggetto=oggetto)
    assert pec.status == PECInArrivo.Status.DA_SMISTARE
    assert motivo in pec.motivo


def test_a_pec_without_attachments_or_for_a_request_no_longer_waiting_is_not_filed(
    client: Client, scena: dict[str, Any]
) -> None:
    instradata = scena["instradate"][4]
    senza = pec_dell_ente(instradata, allegati={})
    assert senza.status == PECInArrivo.Status.DA_SMISTARE
    assert "manca il modulo firmato" in senza.motivo
    client.force_login(scena["operatore"])
    client.post(reverse("abilitazioni_ritira", args=[instradata.pk]), {"conferma": "si"})
    tardiva = pec_dell_ente(instradata, allegati={"m.pdf": scena["modulo"]})
    assert tardiva.status == PECInArrivo.Status.DA_SMISTARE
    assert "non attende il modulo" in tardiva.motivo


def test_the_entes_pec_is_read_from_the_inps_mailbox_over_imap(
    scena: dict[str, Any], imap_server: str, settings: Any
) -> None:
    instradata = scena["instradate"][4]
    messaggio = EmailMessage()
    messaggio["From"] = scena["ente"].pec
    messaggio["To"] = CASELLA_PASSWEB
    messaggio["Subject"] = oggetto_della_pec(instradata)
    messaggio["Message-ID"] = make_msgid(domain="pec-ente.localhost")
    messaggio.set_content("Modulo firmato in allegato.")
    messaggio.add_attachment(scena["modulo"], maintype="application", subtype="pdf", filename="allegato-4.pdf")
    busta = componi_busta(
        originale=messaggio,
        destinatario=CASELLA_PASSWEB,
        gestore="Gestore",
        dominio="gestore.localhost",
        quando=clock.now(),
    )
    parsed = urlparse(imap_server)
    with imaplib.IMAP4(parsed.hostname or "", parsed.port or 143) as imap:
        imap.login(parsed.username or "", parsed.password or "")
        imap.append("INBOX", "", "", busta)
    settings.PEC_CASELLE_ARRIVO = [f"{CASELLA_PASSWEB}={imap_server}"]
    casella.leggi_posta_in_arrivo()
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA


def test_the_withdrawal_needs_no_pec_and_the_office_never_sees_a_request_without_modulo(
    client: Client, scena: dict[str, Any]
) -> None:
    instradata = scena["instradate"][4]
    client.force_login(scena["operatore"])
    assert client.post(reverse("abilitazioni_ritira", args=[instradata.pk]), {"conferma": "si"}).status_code == 302
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.RITIRATA
    assert not MessaggioPEC.objects.exists()
    centrale = Client()
    centrale.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"))
    assert instradata.pk not in _coda(centrale)


def test_the_signed_modulo_is_kept_under_a_random_name(client: Client, scena: dict[str, Any]) -> None:
    instradata = scena["instradate"][2]
    client.force_login(scena["operatore"])
    client.post(
        reverse("abilitazioni_modulo_firmato", args=[instradata.pk]),
        {"modulo_firmato": SimpleUploadedFile("Rossi Mario - firmato.pdf", scena["modulo"])},
    )
    instradata.refresh_from_db()
    assert instradata.modulo_firmato.name.startswith("moduli/")
    assert "Rossi" not in Path(instradata.modulo_firmato.name).name
    assert User.objects.filter(pk=scena["operatore"].pk).exists()
