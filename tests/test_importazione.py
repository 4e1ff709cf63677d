"""Import of existing credentials from CSV: idempotent, in batches, every rejected row reported with its reason."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, User
from tests.factories import EnteFactory, codice_fiscale_valido

pytestmark = pytest.mark.django_db


def _scrivi(percorso: Path, intestazione: list[str], righe: list[list[str]]) -> Path:
    with percorso.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(intestazione)
        writer.writerows(righe)
    return percorso


def _sha256(password: str, sale: str = "") -> str:
    return hashlib.sha256((sale + password).encode()).hexdigest()


@pytest.fixture
def file_csv(tmp_path: Path, registro: None) -> dict[str, Any]:
    ente = EnteFactory.create()
    a, b, c = (codice_fiscale_valido(n) for n in (501, 502, 503))
    ex_inpdap = _scrivi(
        tmp_path / "ex_inpdap.csv",
        ["codice_fiscale", "cognome", "nome", "email", "algoritmo", "hash", "sale", "passweb_dal"],
        [
            [a.lower(), "Rossi", "Mario", "mario@example.it", "sha256", _sha256("gdp-a", "s1"), "s1", ""],
            [b, "Verdi", "Giulia", "", "md5", hashlib.md5(b"gdp-b").hexdigest(), "", "2014-04-01"],  # noqa: S324
            ["RSSMRA80A01H501V", "Errato", "Codice", "", "sha256", _sha256("x"), "", ""],
            [c, "Russo", "Luca", "", "crc32", "abcd", "", ""],
            [c, "Russo", "Luca", "", "sha1", "non-esadecimale", "", ""],
            [c, "Russo", "Luca", "", "sha1", hashlib.sha1(b"x").hexdigest(), "", "31/12/2015"],  # noqa: S324
        ],
    )
    pin = _scrivi(
        tmp_path / "pin.csv",
        ["codice_fiscale", "cognome", "nome", "email", "algoritmo", "hash", "sale", "tipo"],
        [
            [b, "Verdi", "Giulia", "", "sha256", _sha256("PINDIGIULIA23456"), "", "dispositivo"],
            [c, "Russo", "Luca", "", "sha256", _sha256("PINDILUCA2345678"), "", "online"],
            [c, "Russo", "Luca", "", "sha256", _sha256("ALTRO"), "", "magico"],
        ],
    )
    abilitazioni = _scrivi(
        tmp_path / "abilitazioni.csv",
        ["codice_fiscale", "credenziale", "ente_codice_fiscale", "abilitazione"],
        [
            [a, "ex_inpdap", ente.codice_fiscale, "Domanda Valore PA"],
            [a, "ex_inpdap", ente.codice_fiscale, "Domanda Valore PA"],
            [b, "pin", ente.codice_fiscale, "Soggiorni senior"],
            [b, "ex_inpdap", ente.codice_fiscale, "Visualizzazione versamenti Ente"],
            [a, "pin", ente.codice_fiscale, "Soggiorni senior"],
            [a, "ex_inpdap", "00000000000", "Domanda Valore PA"],
            [a, "altro", ente.codice_fiscale, "Domanda Valore PA"],
            [a, "ex_inpdap", ente.codice_fiscale, "???"],
        ],
    )
    return {"ex_inpdap": ex_inpdap, "pin": pin, "abilitazioni": abilitazioni, "cf": (a, b, c), "dir": tmp_path}


def _importa(file_csv: dict[str, Any], lotto: int = 2) -> Path:
    rapporto: Path = file_csv["dir"] / "scarti.csv"
    call_command(
        "import_credenziali",
        ex_inpdap=file_csv["ex_inpdap"],
        pin=file_csv["pin"],
        abilitazioni=file_csv["abilitazioni"],
        rapporto=rapporto,
        lotto=lotto,
    )
    return rapporto


def test_it_imports_credentials_pins_and_abilitazioni(file_csv: dict[str, Any]) -> None:
    a, b, c = file_csv["cf"]
    rapporto = _importa(file_csv)
    assert set(CredenzialeExInpdap.objects.values_list("codice_fiscale", flat=True)) == {a, b}
    assert CredenzialeExInpdap.objects.get(codice_fiscale=b).passweb_abilitato_dal.isoformat() == "2014-04-01"
    assert set(PIN.objects.values_list("user__codice_fiscale", "tipo")) == {(b, "dispositivo"), (c, "online")}
    assert AbilitazioneDetenuta.objects.count() == 3
    assert not User.objects.get(codice_fiscale=a).has_usable_password()
    with rapporto.open(encoding="utf-8") as handle:
        scarti = list(csv.DictReader(handle, delimiter=";"))
    motivi = {(s["file"], s["riga"]): s["motivo"] for s in scarti}
    assert "carattere di controllo" in motivi[("ex_inpdap.csv", "4")]
    assert "algoritmo sconosciuto" in motivi[("ex_inpdap.csv", "5")]
    assert "non valido" in motivi[("ex_inpdap.csv", "6")]
    assert "31/12/2015" in motivi[("ex_inpdap.csv", "7")]
    assert "tipo di PIN sconosciuto" in motivi[("pin.csv", "4")]
    assert "nessun PIN attivo" in motivi[("abilitazioni.csv", "6")]
    assert "non presente nel registro" in motivi[("abilitazioni.csv", "7")]
    assert "credenziale sconosciuta" in motivi[("abilitazioni.csv", "8")]
    # A name with no letter nor digit has no key in the catalogue: the row is refused, the batch is imported.
    assert "senza lettere né cifre" in motivi[("abilitazioni.csv", "9")]
    assert len(scarti) == 9


def test_importing_twice_changes_nothing(file_csv: dict[str, Any]) -> None:
    _importa(file_csv)
    prima = (
        CredenzialeExInpdap.objects.count(),
        PIN.objects.count(),
        AbilitazioneDetenuta.objects.count(),
        User.objects.count(),
    )
    _importa(file_csv, lotto=1000)
    dopo = (
        CredenzialeExInpdap.objects.count(),
        PIN.objects.count(),
        AbilitazioneDetenuta.objects.count(),
        User.objects.count(),
    )
    assert prima == dopo


def test_an_imported_person_logs_in_with_the_old_password_and_unifies(
    file_csv: dict[str, Any], client: Client, pec_locale: Any
) -> None:
    a, b, _ = file_csv["cf"]
    _importa(file_csv)
    assert client.post(reverse("account_login"), {"login": b, "password": "PINDIGIULIA23456"}).status_code == 302
    nuovo = client.post(reverse("unificazione")).context["rilasciato"].pin
    assert nuovo.tipo == PIN.Tipo.DISPOSITIVO
    # The ex-Inpdap PassWeb enabling (1 April 2014) is held on the new PIN too, beside the union of both sets.
    assert set(nuovo.abilitazioni.values_list("nome", flat=True)) == {
        "PassWeb",
        "Soggiorni senior",
        "Visualizzazione versamenti Ente",
    }
    other = Client()
    assert other.post(reverse("account_login"), {"login": a, "password": "gdp-a"}).status_code == 302


def test_a_file_without_the_expected_columns_is_refused(tmp_path: Path, db: None) -> None:
    sbagliato = _scrivi(tmp_path / "x.csv", ["cf", "password"], [["A", "B"]])
    with pytest.raises(CommandError, match="intestazione senza le colonne"):
        call_command("import_credenziali", ex_inpdap=sbagliato, rapporto=tmp_path / "r.csv")
    with pytest.raises(CommandError, match="almeno un file"):
        call_command("import_credenziali", rapporto=tmp_path / "r.csv")
    assert not CredenzialeExInpdap.objects.exists()
