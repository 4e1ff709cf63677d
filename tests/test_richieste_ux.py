"""The operator's request page (/enti/abilitazioni/): the catalogue marked with what the person holds and has already
asked for the Ente shown, what needs a PIN dispositivo marked before sending, the withdrawal confirmed first (without
JavaScript), the request number as the modulo and the PEC write it, and a refused upload that says which file to
send again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import lxml.html
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from abilitazioni import moduli, services
from abilitazioni.forms import ModuloFirmatoForm, file_da_rinviare
from abilitazioni.models import Abilitazione, EventoRichiesta, RichiestaInstradata
from accounts.models import PIN, Comune
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from tests.factories import EnteFactory, UserFactory, crea_pin, modulo_consegnato, nel_team, personale_inps
from tests.pki import pdf_semplice

pytestmark = pytest.mark.django_db

VERSAMENTI = "Visualizzazione versamenti Ente"  # held
VALORE_PA = "Domanda Valore PA"  # asked, not decided
NOTE_DI_DEBITO = "Visualizzazione note di debito Ente"  # neither
URL = "abilitazioni_richieste"


def _ab(nome: str) -> Abilitazione:
    return Abilitazione.objects.get(nome=nome)


def _caselle(pagina: str, abilitazione: Abilitazione) -> tuple[Any, Any, str]:
    """The two boxes of an entry of the catalogue on the page, and the mark beside its name."""
    albero = lxml.html.fromstring(pagina)
    aggiungi = albero.get_element_by_id(f"aggiungi-{abilitazione.pk}")
    rimuovi = albero.get_element_by_id(f"rimuovi-{abilitazione.pk}")
    segno = albero.get_element_by_id(f"situazione-{abilitazione.pk}").text_content().strip()
    return aggiungi, rimuovi, segno


def _attivabile(casella: Any) -> bool:
    return casella.get("disabled") is None


@pytest.fixture
def scena(registro: None) -> dict[str, Any]:
    """An operator acting for two Enti, with a PIN dispositivo: for the first Ente one abilitazione held and one
    asked (its routed request waiting for the signed modulo); nothing for the second."""
    user = UserFactory.create(password="!")
    comune = Comune.objects.get(codice_istat="078102")
    prima = EnteFactory.create(nome="Azienda Alfa", comune=comune)
    seconda = EnteFactory.create(nome="Consorzio Beta", comune=comune)
    crea_pin(user, [(prima, VERSAMENTI)], tipo=PIN.Tipo.DISPOSITIVO)
    for ente in (prima, seconda):
        ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    richiesta = services.richiesta_crea(user=user, ente=prima, aggiungi=[_ab(VALORE_PA)])
    client = Client()
    client.force_login(user)
    return {"user": user, "prima": prima, "seconda": seconda, "instradata": richiesta.instradate.get(), "c": client}


def test_the_catalogue_is_marked_with_what_is_held_and_what_is_asked_for_the_ente_shown(scena: dict[str, Any]) -> None:
    c: Client = scena["c"]
    pagina = c.get(reverse(URL)).content.decode()
    assert "Azienda Alfa" in lxml.html.fromstring(pagina).get_element_by_id("ente-mostrato").text_content()

    aggiungi, rimuovi, segno = _caselle(pagina, _ab(VERSAMENTI))
    assert segno == "Già abilitato per questo Ente"
    assert not _attivabile(aggiungi)
    assert _attivabile(rimuovi)

    aggiungi, rimuovi, segno = _caselle(pagina, _ab(VALORE_PA))
    assert segno == f"Già chiesta: richiesta n. {scena['instradata'].numero} in corso"
    assert not _attivabile(aggiungi)
    assert not _attivabile(rimuovi)

    aggiungi, rimuovi, segno = _caselle(pagina, _ab(NOTE_DI_DEBITO))
    assert segno == ""
    assert _attivabile(aggiungi)
    assert not _attivabile(rimuovi)  # not held: nothing to remove


def test_a_pending_removal_is_marked_too_and_a_decided_request_frees_the_entry(scena: dict[str, Any]) -> None:
    user, prima = scena["user"], scena["prima"]
    togli = services.richiesta_crea(user=user, ente=prima, rimuovi=[_ab(VERSAMENTI)]).instradate.get()
    c: Client = scena["c"]
    _, rimuovi, segno = _caselle(c.get(reverse(URL)).content.decode(), _ab(VERSAMENTI))
    assert segno == f"Rimozione già chiesta: richiesta n. {togli.numero} in corso"
    assert not _attivabile(rimuovi)
    services.richiesta_ritira(instradata_id=scena["instradata"].pk, user=user)
    aggiungi, _, segno = _caselle(c.get(reverse(URL)).content.decode(), _ab(VALORE_PA))
    assert segno == ""
    assert _attivabile(aggiungi)


def test_the_page_costs_the_same_queries_whatever_the_person_holds_and_asks(scena: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c: Client = scena["c"]
    c.get(reverse(URL))
    with CaptureQueriesContext(connection) as prima:
        c.get(reverse(URL))
    user, ente = scena["user"], scena["prima"]
    pin = PIN.objects.get(user=user)
    for nome in ("Riscossione crediti - profilo Operatore", "Domanda assistenza domiciliare"):
        pin.abilitazioni.create(ente=ente, nome=nome)
    services.richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Soggiorni senior"), _ab(NOTE_DI_DEBITO)])
    with CaptureQueriesContext(connection) as dopo:
        c.get(reverse(URL))
    assert len(dopo.captured_queries) == len(prima.captured_queries) <= 16


def test_the_operator_chooses_another_ente_and_sees_its_situation(scena: dict[str, Any]) -> None:
    c: Client = scena["c"]
    seconda = scena["seconda"]
    mostra = c.post(reverse(URL), {"ente": seconda.pk, "azione": "mostra", "ente_mostrato": scena["prima"].pk})
    assert mostra.status_code == 302
    assert mostra["Location"] == reverse(URL)
    assert not RichiestaInstradata.objects.filter(richiesta__ente=seconda).exists()
    pagina = c.get(reverse(URL)).content.decode()
    albero = lxml.html.fromstring(pagina)
    assert "Consorzio Beta" in albero.get_element_by_id("ente-mostrato").text_content()
    assert albero.get_element_by_id("id_ente").value == str(seconda.pk)
    for nome in (VERSAMENTI, VALORE_PA):
        aggiungi, rimuovi, segno = _caselle(pagina, _ab(nome))
        assert segno == ""
        assert _attivabile(aggiungi)
        assert not _attivabile(rimuovi)
    # An address can name the Ente too (one of the person's own: anything else shows the default).
    assert "Azienda Alfa" in c.get(reverse(URL), {"ente": scena["prima"].pk}).content.decode()
    estraneo = EnteFactory.create(nome="Ente di altri")
    assert "Ente di altri" not in c.get(reverse(URL), {"ente": estraneo.pk}).content.decode()


def test_a_request_sent_for_another_ente_than_the_one_shown_is_not_sent_but_shown(scena: dict[str, Any]) -> None:
    """Without JavaScript the list can be changed without pressing "Mostra": the marks were another Ente's, so nothing
    is asked until the person has seen the situation of the Ente chosen."""
    c: Client = scena["c"]
    seconda = scena["seconda"]
    nota = _ab(NOTE_DI_DEBITO)
    risposta = c.post(reverse(URL), {"ente": seconda.pk, "ente_mostrato": scena["prima"].pk, "aggiungi": [nota.pk]})
    assert risposta.status_code == 400
    pagina = risposta.content.decode()
    assert "Ha scelto un altro Ente senza premere «Mostra»" in pagina
    assert "Consorzio Beta" in lxml.html.fromstring(pagina).get_element_by_id("ente-mostrato").text_content()
    aggiungi, _, _ = _caselle(pagina, nota)
    assert aggiungi.get("checked") is not None  # what was ticked stays ticked
    assert not RichiestaInstradata.objects.filter(richiesta__ente=seconda).exists()
    inviata = c.post(reverse(URL), {"ente": seconda.pk, "ente_mostrato": seconda.pk, "aggiungi": [nota.pk]})
    assert inviata.status_code == 302
    assert RichiestaInstradata.objects.filter(richiesta__ente=seconda).count() == 1


def test_an_entry_already_asked_cannot_be_asked_twice_even_by_a_forged_form(scena: dict[str, Any]) -> None:
    c: Client = scena["c"]
    prima = scena["prima"]
    risposta = c.post(reverse(URL), {"ente": prima.pk, "ente_mostrato": prima.pk, "aggiungi": [_ab(VALORE_PA).pk]})
    assert risposta.status_code == 400
    assert f"c&#x27;è già una richiesta in corso (n. {scena['instradata'].numero})" in risposta.content.decode()
    assert RichiestaInstradata.objects.filter(richiesta__user=scena["user"]).count() == 1


@pytest.mark.parametrize(("tipo", "marcata"), [(PIN.Tipo.ONLINE, True), (PIN.Tipo.DISPOSITIVO, False)])
def test_what_needs_a_pin_dispositivo_is_marked_before_sending(registro: None, tipo: str, marcata: bool) -> None:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create()
    crea_pin(user, [(ente, VERSAMENTI)], tipo=tipo)
    c = Client()
    c.force_login(user)
    with clock.frozen(dt.date(2016, 6, 1)):  # before the deadline of online PINs
        pagina = c.get(reverse(URL)).content.decode()
    for nome in ("PassWeb", "Soggiorni climatici ENAM", "Soggiorni senior"):
        aggiungi, _, segno = _caselle(pagina, _ab(nome))
        assert (segno == "Serve il PIN dispositivo: il suo PIN è online") is marcata
        assert _attivabile(aggiungi) is not marcata
    aggiungi, _, segno = _caselle(pagina, _ab(NOTE_DI_DEBITO))  # allegato 2 needs a PIN, of either kind
    assert segno == ""
    assert _attivabile(aggiungi)
    assert ("lo converta prima in dispositivo" in pagina) is marcata


def test_withdrawing_asks_for_confirmation_first(scena: dict[str, Any]) -> None:
    c: Client = scena["c"]
    instradata = scena["instradata"]
    url = reverse("abilitazioni_ritira", args=[instradata.pk])
    assert c.get(url).status_code == 405  # a state change is POST only, the confirmation too
    chiedi = c.post(url)
    assert chiedi.status_code == 200
    pagina = chiedi.content.decode()
    assert f"Ritirare la richiesta n. {instradata.numero}?" in pagina
    assert VALORE_PA in pagina
    albero = lxml.html.fromstring(pagina)
    (modulo,) = albero.xpath("//main//form[.//input[@name='conferma']]")
    assert modulo.get("method") == "post"
    assert modulo.get("action") == url
    assert modulo.xpath(".//input[@name='csrfmiddlewaretoken']")
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO  # asked, nothing done
    assert not EventoRichiesta.objects.filter(instradata=instradata, a=RichiestaInstradata.Status.RITIRATA).exists()

    fatto = c.post(url, {"conferma": "si"}, follow=True)
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.RITIRATA
    assert f"Richiesta n. {instradata.numero} ritirata." in fatto.content.decode()


def test_the_confirmation_needs_the_csrf_token_and_is_nobody_elses(scena: dict[str, Any]) -> None:
    instradata = scena["instradata"]
    url = reverse("abilitazioni_ritira", args=[instradata.pk])
    protetto = Client(enforce_csrf_checks=True)
    protetto.force_login(scena["user"])
    assert protetto.post(url, {"conferma": "si"}).status_code == 403
    altro = UserFactory.create(password="!")
    crea_pin(altro, [], tipo=PIN.Tipo.DISPOSITIVO)
    c = Client()
    c.force_login(altro)
    assert c.post(url).status_code == 404
    assert c.post(url, {"conferma": "si"}).status_code == 404
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO


def test_a_request_taken_in_charge_is_not_offered_for_withdrawal(scena: dict[str, Any]) -> None:
    instradata = scena["instradata"]
    modulo_consegnato(instradata.richiesta)
    team = personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18")
    services.instradata_prendi_in_carico(instradata_id=instradata.pk, chi=nel_team(team, "DR-18"))
    c: Client = scena["c"]
    url = reverse("abilitazioni_ritira", args=[instradata.pk])
    assert url not in c.get(reverse(URL)).content.decode()  # no "Ritira" button
    pagina = c.post(url).content.decode()
    assert "non si può più ritirare" in pagina
    assert 'name="conferma"' not in pagina
    c.post(url, {"conferma": "si"})
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.IN_CARICO


def test_the_request_number_on_screen_is_the_one_of_the_modulo_and_of_the_pec(
    scena: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    instradata = scena["instradata"]
    numero = f"n. {instradata.numero}"
    righe = lxml.html.fromstring(scena["c"].get(reverse(URL)).content.decode()).xpath(
        "//table[caption[contains(., 'Richieste di abilitazioni')]]//th[@scope='row']"
    )
    assert [r.text_content().strip() for r in righe] == [numero]
    assert f"Richiesta abilitazioni {numero} - " in services.oggetto_della_pec(instradata)
    # The modulo prints the same number: the HTML the PDF is made from.
    resi: list[str] = []
    monkeypatch.setattr(
        moduli, "render_pdf", lambda template, contesto: resi.append(render_to_string(template, contesto))
    )
    moduli.modulo_compilato_pdf(instradata)
    assert "richiesta n." in resi[0]
    assert f"richiesta n. {instradata.numero}" in " ".join(resi[0].split())


# --- A refused upload of the signed modulo ------------------------------------------------------------------------


@pytest.fixture
def da_caricare(scena: dict[str, Any]) -> RichiestaInstradata:
    """The allegato 2 request of the operator, waiting for the modulo signed by the Ente's legal representative."""
    richiesta = services.richiesta_crea(user=scena["user"], ente=scena["prima"], aggiungi=[_ab(NOTE_DI_DEBITO)])
    instradata = richiesta.instradate.get()
    assert instradata.allegato == 2
    return instradata


def test_a_refused_upload_says_which_file_to_send_again_beside_its_request(
    scena: dict[str, Any], da_caricare: RichiestaInstradata
) -> None:
    c: Client = scena["c"]
    risposta = c.post(
        reverse("abilitazioni_modulo_firmato", args=[da_caricare.pk]),
        {"modulo_firmato": SimpleUploadedFile("modulo-firmato-alfa.pdf", b"MZ non un pdf")},
    )
    assert risposta.status_code == 400
    albero = lxml.html.fromstring(risposta.content.decode())
    riquadro = albero.get_element_by_id(f"modulo-firmato-errori-{da_caricare.pk}")
    testo = " ".join(riquadro.text_content().split())
    assert "Il file «modulo-firmato-alfa.pdf» (Modulo firmato) non è stato accettato" in testo
    assert "non è un PDF" in testo
    assert "Non è stato salvato: scelga di nuovo il file corretto e lo invii." in testo
    campo = albero.get_element_by_id(f"modulo-firmato-{da_caricare.pk}")
    assert campo.get("aria-invalid") == "true"
    assert f"modulo-firmato-errori-{da_caricare.pk}" in campo.get("aria-describedby")
    # The error is beside this request's field only, and the page's summary leads there.
    assert len(albero.xpath("//*[@data-testid='file-da-rinviare']")) == 1
    assert albero.xpath(f"//*[@data-testid='modulo-rifiutato']//a[@href='#modulo-firmato-{da_caricare.pk}']")
    # The request form on this page still asks at its own address.
    (richiesta,) = albero.xpath("//form[.//button[@name='azione']]")
    assert richiesta.get("action") == reverse(URL)
    da_caricare.refresh_from_db()
    assert da_caricare.status == RichiestaInstradata.Status.ATTESA_MODULO
    assert not da_caricare.modulo_firmato


def test_an_upload_without_file_says_to_choose_it(scena: dict[str, Any], da_caricare: RichiestaInstradata) -> None:
    risposta = scena["c"].post(reverse("abilitazioni_modulo_firmato", args=[da_caricare.pk]), {})
    assert risposta.status_code == 400
    testo = " ".join(
        lxml.html.fromstring(risposta.content.decode())
        .get_element_by_id(f"modulo-firmato-errori-{da_caricare.pk}")
        .text_content()
        .split()
    )
    assert "Scelga il file del modulo firmato." in testo
    assert "Scelga il file e lo invii." in testo


def test_a_good_file_refused_by_the_state_of_the_request_is_named_as_not_saved(
    scena: dict[str, Any], da_caricare: RichiestaInstradata
) -> None:
    RichiestaInstradata.objects.filter(pk=da_caricare.pk).update(status=RichiestaInstradata.Status.IN_CARICO)
    risposta = scena["c"].post(
        reverse("abilitazioni_modulo_firmato", args=[da_caricare.pk]),
        {"modulo_firmato": SimpleUploadedFile("firmato.pdf", pdf_semplice("Modulo firmato"))},
        follow=True,
    )
    pagina = risposta.content.decode()
    assert "Il file «firmato.pdf» non è stato salvato: La richiesta non attende più il modulo" in pagina


class _CoppiaDiFile(forms.Form):
    """A form with a pair of files, as the conversion and the PIN request have (modulo and identity document)."""

    modulo_firmato = ModuloFirmatoForm.base_fields["modulo_firmato"]
    documento_identita = forms.FileField(label="Documento di identità")
    clean_modulo_firmato = ModuloFirmatoForm.clean_modulo_firmato


def test_beside_a_refused_file_the_good_one_is_named_to_be_chosen_again() -> None:
    form = _CoppiaDiFile(
        data={},
        files=MultiValueDict(
            {
                "modulo_firmato": [SimpleUploadedFile("modulo.pdf", pdf_semplice("Modulo firmato"))],
                "documento_identita": [SimpleUploadedFile("documento.pdf", b"")],
            }
        ),
    )
    da_rinviare = file_da_rinviare(form)
    assert [(f.etichetta, f.nome, bool(f.errori)) for f in da_rinviare] == [
        ("Modulo firmato", "modulo.pdf", False),
        ("Documento di identità", "documento.pdf", True),
    ]
    testo = " ".join(render_to_string("abilitazioni/file_da_rinviare.html", {"file_da_rinviare": da_rinviare}).split())
    assert (
        "Il file «modulo.pdf» (Modulo firmato) era corretto, ma non è stato salvato perché il resto del modulo non è "
        "stato accettato: il browser non può conservarlo, quindi lo scelga di nuovo"
    ) in testo
    assert "Il file «documento.pdf» (Documento di identità) non è stato accettato" in testo
    assert file_da_rinviare(_CoppiaDiFile()) == []  # an unbound form has nothing to send again
