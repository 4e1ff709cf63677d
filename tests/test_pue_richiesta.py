"""The citizen's request for a PUE web meeting (Messaggio 4461/2023: "su apposita richiesta rivolta al Comune ...
anche per delega del diretto interessato"): filled from the booking, in Italian time, with the delegation only when
there is a delegate; the signed copy and the delega attached by an enabled operator of the booking's Comune, checked
by content, one file per booking, every attachment in the Comune's audit."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Attivita, Comune
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from pue import richiesta as servizio
from pue.errori import PrenotazioneNonAmmessa
from pue.models import Prenotazione
from pue.prenotazioni import prenotazione_annulla
from pue.richiesta import delega_allega, richiesta_firmata_allega, richiesta_pdf
from tests.factories import UserFactory, codice_fiscale_valido
from tests.pue_scena import ADESSO, COSENZA, Scena, prenotazione_confermata, scena_prenotazioni

pytestmark = [pytest.mark.django_db]

# A PDF's header is all the content check reads; the rest makes it a file a viewer would open.
PDF_MINIMO = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DELEGATO_CF = codice_fiscale_valido(962)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def scena(registro: None) -> Iterator[Scena]:
    with clock.frozen(ADESSO):
        yield scena_prenotazioni()


def _testo(pdf: bytes, cartella: Path) -> str:
    file = cartella / "documento.pdf"
    file.write_bytes(pdf)
    testo = subprocess.run(["pdftotext", str(file), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(testo.split())  # the lines as the layout wrapped them, joined back


def _pagine(pdf: bytes, cartella: Path) -> int:
    file = cartella / "pagine.pdf"
    file.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(file)], capture_output=True, text=True, check=True).stdout
    return int(next(r for r in info.splitlines() if r.startswith("Pages:")).split()[1])


def _con_delegato(prenotazione: Prenotazione) -> Prenotazione:
    # prenotazione_conferma does not store the delegate yet: the row is given one directly.
    Prenotazione.objects.filter(pk=prenotazione.pk).update(
        delegato_codice_fiscale=DELEGATO_CF, delegato_nome="Anna", delegato_cognome="Bianchi"
    )
    prenotazione.refresh_from_db()
    return prenotazione


def _pdf(nome: str = "richiesta.pdf", contenuto: bytes = PDF_MINIMO) -> SimpleUploadedFile:
    return SimpleUploadedFile(nome, contenuto, content_type="application/pdf")


def _file_salvati(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


# --- The filled request ---------------------------------------------------------------------------------------------


def test_the_request_names_the_citizen_the_comune_and_the_meeting_in_italian_time(scena: Scena, tmp_path: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        pdf = richiesta_pdf(prenotazione)
    testo = _testo(pdf, tmp_path)

    assert pdf.startswith(b"%PDF-")
    assert "Richiesta di accesso al servizio PUE \N{EN DASH} web meeting con l'INPS" in testo
    assert "Verdi Giulio" in testo
    assert codice_fiscale_valido(961) in testo
    assert "Al Comune di Rende (CS)" in testo
    assert f"protocollo {scena.convenzione.protocollo}," in testo
    assert "03/03/2027 09:00 - 09:30" in testo  # 08:00 UTC
    assert scena.sportello.nome in testo
    assert "Estratto conto contributivo" in testo
    assert "☒ di essere residente nel Comune di Rende" in testo
    assert "☐ di essere domiciliato/a nel Comune di Rende" in testo
    assert "ai sensi degli articoli 46 e 47 del D.P.R. 28 dicembre 2000, n. 445" in testo
    assert "sanzioni penali previste dall'articolo 76 del medesimo D.P.R." in testo
    assert "☒ richiesto" in testo
    assert "☐ non richiesto" in testo
    assert "Regolamento (UE) 2016/679" in testo
    assert "Firma del cittadino" in testo
    assert "delega" not in testo.lower()
    assert _pagine(pdf, tmp_path) == 1  # the signatures on the page of the declarations


def test_a_domiciled_citizen_without_assistance_is_printed_as_such(scena: Scena, tmp_path: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, titolo="domicilio", assistenza=False)
        testo = _testo(richiesta_pdf(prenotazione), tmp_path)

    assert "☐ di essere residente nel Comune di Rende" in testo
    assert "☒ di essere domiciliato/a nel Comune di Rende" in testo
    assert "☐ richiesto" in testo
    assert "☒ non richiesto" in testo


def test_a_delegated_request_names_the_delegate_and_asks_for_their_signature(scena: Scena, tmp_path: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = _con_delegato(prenotazione_confermata(scena))
        pdf = richiesta_pdf(prenotazione)
    testo = _testo(pdf, tmp_path)

    assert "Accesso per delega" in testo
    assert "Bianchi Anna" in testo
    assert DELEGATO_CF in testo
    assert "allega copia del documento di identità del delegante" in testo
    assert "Firma del delegato" in testo
    assert "Verdi Giulio" in testo  # the person concerned is still the one who declares and asks
    assert _pagine(pdf, tmp_path) == 1


def test_a_request_is_not_printed_for_a_booking_without_the_citizen_s_data(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
    Prenotazione.objects.filter(pk=prenotazione.pk).update(
        dati_rimossi_il=ADESSO, cittadino_codice_fiscale="", cittadino_nome="", cittadino_cognome=""
    )
    prenotazione.refresh_from_db()

    with pytest.raises(PrenotazioneNonAmmessa):
        richiesta_pdf(prenotazione)


# --- The signed request and the delega, attached ---------------------------------------------------------------------


def test_the_signed_request_is_attached_with_its_time_and_an_audit_line(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        firmata = richiesta_pdf(prenotazione)  # the printed copy, signed and scanned back as a PDF
        richiesta_firmata_allega(
            chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf("scansione.PDF", firmata)
        )

    prenotazione.refresh_from_db()
    assert prenotazione.richiesta_firmata_il == ADESSO
    assert prenotazione.richiesta_firmata.name.startswith("pue/2027/03/")
    assert "scansione" not in prenotazione.richiesta_firmata.name
    with prenotazione.richiesta_firmata.open("rb") as salvato:
        assert salvato.read() == firmata
    assert _file_salvati(media) == [media / prenotazione.richiesta_firmata.name]
    riga = Attivita.objects.filter(user=scena.operatore, tipo=Attivita.Tipo.PRENOTAZIONE).latest("pk")
    assert riga.comune == scena.comune
    assert riga.descrizione == f"Prenotazione {prenotazione.pk}: richiesta firmata dal cittadino allegata"


def test_a_file_that_is_not_a_pdf_is_refused_even_named_pdf(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        righe = Attivita.objects.count()
        with pytest.raises(PrenotazioneNonAmmessa, match="non è un PDF"):
            richiesta_firmata_allega(
                chi=scena.operatore,
                prenotazione_id=prenotazione.pk,
                file=_pdf("richiesta.pdf", b"MZ\x90\x00 un eseguibile travestito"),
            )

    prenotazione.refresh_from_db()
    assert not prenotazione.richiesta_firmata
    assert prenotazione.richiesta_firmata_il is None
    assert _file_salvati(media) == []
    assert Attivita.objects.count() == righe


def test_an_operator_of_another_comune_does_not_find_the_booking(scena: Scena, media: Path) -> None:
    estraneo = UserFactory.create()
    ruolo_assegna(user=estraneo, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat=COSENZA))
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        for allega in (richiesta_firmata_allega, delega_allega):
            with pytest.raises(PrenotazioneNonAmmessa, match="Prenotazione non trovata"):
                allega(chi=estraneo, prenotazione_id=prenotazione.pk, file=_pdf())

    assert _file_salvati(media) == []


def test_nothing_is_attached_to_a_cancelled_booking(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Il cittadino ha rinunciato")
        with pytest.raises(PrenotazioneNonAmmessa, match="annullata"):
            richiesta_firmata_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())

    assert _file_salvati(media) == []


def test_nothing_is_attached_once_the_personal_data_are_removed(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = _con_delegato(prenotazione_confermata(scena))
    Prenotazione.objects.filter(pk=prenotazione.pk).update(stato=Prenotazione.Stato.SVOLTA, dati_rimossi_il=ADESSO)

    with clock.frozen(ADESSO), pytest.raises(PrenotazioneNonAmmessa, match="rimossi"):
        delega_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())
    assert _file_salvati(media) == []


def test_a_new_signed_request_replaces_the_old_one_and_its_file(
    scena: Scena, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        with django_capture_on_commit_callbacks(execute=True):
            richiesta_firmata_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())
    prima = Prenotazione.objects.get(pk=prenotazione.pk).richiesta_firmata.name

    dopo_un_ora = ADESSO + dt.timedelta(hours=1)
    with clock.frozen(dopo_un_ora), django_capture_on_commit_callbacks(execute=True):
        richiesta_firmata_allega(
            chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf("nuova.png", b"\x89PNG\r\n\x1a\nimmagine")
        )

    prenotazione.refresh_from_db()
    assert prenotazione.richiesta_firmata.name != prima
    assert prenotazione.richiesta_firmata.name.endswith(".png")
    assert prenotazione.richiesta_firmata_il == dopo_un_ora
    assert _file_salvati(media) == [media / prenotazione.richiesta_firmata.name]
    assert Attivita.objects.filter(
        descrizione=f"Prenotazione {prenotazione.pk}: richiesta firmata dal cittadino sostituita"
    ).exists()


def test_the_old_file_stays_until_the_replacement_is_committed(
    scena: Scena, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        with django_capture_on_commit_callbacks(execute=True):
            richiesta_firmata_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())
        prima = media / Prenotazione.objects.get(pk=prenotazione.pk).richiesta_firmata.name
        with django_capture_on_commit_callbacks(execute=False) as in_attesa:
            richiesta_firmata_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())

    assert prima.exists()
    assert len(_file_salvati(media)) == 2
    assert len(in_attesa) == 1


def test_a_failure_after_the_file_is_written_leaves_no_file_behind(
    scena: Scena, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rotto(*args: Any, **kwargs: Any) -> Attivita:
        raise RuntimeError("registro delle attività non disponibile")

    monkeypatch.setattr(servizio, "attivita_registra", rotto)
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena)
        with pytest.raises(RuntimeError):
            richiesta_firmata_allega(chi=scena.operatore, prenotazione_id=prenotazione.pk, file=_pdf())

    prenotazione.refresh_from_db()
    assert not prenotazione.richiesta_firmata
    assert _file_salvati(media) == []


def test_the_delega_is_attached_only_to_a_booking_with_a_delegate(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        senza = prenotazione_confermata(scena)
        with pytest.raises(PrenotazioneNonAmmessa, match="delegato"):
            delega_allega(chi=scena.operatore, prenotazione_id=senza.pk, file=_pdf("delega.pdf"))
        con = _con_delegato(prenotazione_confermata(scena, inizio=ADESSO.replace(day=4, hour=8)))
        delega_allega(chi=scena.operatore, prenotazione_id=con.pk, file=_pdf("delega.pdf"))

    con.refresh_from_db()
    assert con.delega_documento.name.endswith(".pdf")
    assert not con.richiesta_firmata
    assert con.richiesta_firmata_il is None
    assert _file_salvati(media) == [media / con.delega_documento.name]
    assert Attivita.objects.filter(descrizione=f"Prenotazione {con.pk}: delega firmata allegata").exists()
