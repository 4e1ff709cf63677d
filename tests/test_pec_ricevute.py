"""PEC receipts as providers send them (DM 2 November 2005): every type parsed, malformed ones refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from inps_portal.pec.ricevute import RicevutaNonValida, analizza

FIXTURES = Path(__file__).parent / "fixtures" / "pec"
MSGID = "<170000000000.12345.portale@portale-enti.localhost>"


def _fixture(nome: str) -> bytes:
    return (FIXTURES / f"{nome}.eml").read_bytes()


def test_it_reads_an_acceptance_receipt() -> None:
    dati = analizza(_fixture("accettazione"))
    assert dati.tipo == "accettazione"
    assert dati.errore == "nessuno"
    assert dati.riferimento_message_id == MSGID == dati.msgid
    assert dati.mittente == "portale.enti@pec-sviluppo.localhost"
    assert dati.destinatari == ["protocollo@pec.comune-esempio.it", "ufficio.personale@pec.ente-esempio.it"]
    assert dati.oggetto == "Unificazione delle credenziali completata"
    assert dati.gestore == "Gestore PEC Esempio S.p.A."
    assert dati.data == dt.datetime(2026, 11, 22, 9, 15, 3, tzinfo=dt.UTC)
    assert dati.identificativo.endswith("@gestore-esempio.it")
    assert dati.consegna == ""


def test_it_reads_a_delivery_receipt_with_its_recipient() -> None:
    dati = analizza(_fixture("avvenuta-consegna"))
    assert dati.tipo == "avvenuta-consegna"
    assert dati.consegna == "protocollo@pec.comune-esempio.it"


def test_it_reads_a_delivery_error_with_the_extended_error() -> None:
    dati = analizza(_fixture("errore-consegna"))
    assert dati.tipo == "errore-consegna"
    assert dati.errore == "no-dominio"
    assert dati.consegna == "ufficio.personale@pec.ente-esempio.it"
    assert dati.errore_esteso == "5.1.2 - dominio di destinazione inesistente: pec.ente-esempio.it"


def test_it_reads_a_non_acceptance_and_a_delivery_warning() -> None:
    assert analizza(_fixture("non-accettazione")).errore_esteso.startswith("5.6.0")
    preavviso = analizza(_fixture("preavviso-errore-consegna"))
    assert preavviso.tipo == "preavviso-errore-consegna"
    assert preavviso.errore_esteso.startswith("4.4.7")


def _replace(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: _replace(r, b"X-Ricevuta: accettazione", b"X-Ricevuta: sconosciuta"), "X-Ricevuta"),
        (lambda r: _replace(r, b"X-Riferimento-Message-ID:", b"X-Altro:"), "X-Riferimento-Message-ID"),
        (lambda r: _replace(r, b'filename="daticert.xml"', b'filename="altro.xml"'), "daticert.xml assente"),
        (lambda r: b"Subject: ciao\r\n\r\nnon sono una ricevuta", "X-Ricevuta"),
        (lambda r: b"", "X-Ricevuta"),
        (lambda r: b"X" * (3 * 1024 * 1024), "troppo grande"),
    ],
)
def test_it_refuses_what_is_not_a_receipt(mutate: object, reason: str) -> None:
    with pytest.raises(RicevutaNonValida, match=reason):
        analizza(mutate(_fixture("accettazione")))  # type: ignore[operator]


def _con_daticert(xml: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["X-Ricevuta"] = "accettazione"
    message["X-Riferimento-Message-ID"] = MSGID
    message.set_content("ricevuta")
    message.add_attachment(xml, maintype="application", subtype="xml", filename="daticert.xml")
    return message.as_bytes()


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<postacert tipo='accettazione'><intestazione>", "non è XML ben formato"),
        (b"<altro tipo='accettazione'/>", "radice"),
        (b"<postacert tipo='avvenuta-consegna'><intestazione/><dati/></postacert>", "diverso da X-Ricevuta"),
        (b"<postacert tipo='accettazione'><intestazione/></postacert>", "senza 'intestazione' o 'dati'"),
        (
            b"<postacert tipo='accettazione'><intestazione/><dati><msgid>&lt;x@y&gt;</msgid>"
            b"<identificativo>i</identificativo></dati></postacert>",
            "msgid",
        ),
        (b"<postacert tipo='accettazione'><intestazione/><dati></dati></postacert>", "identificativo"),
        (
            b"<postacert tipo='accettazione'><intestazione/><dati><identificativo>i</identificativo>"
            b"<data zona='+0100'><giorno>31/02/2026</giorno><ora>10:00:00</ora></data></dati></postacert>",
            "data",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<postacert tipo='accettazione'><intestazione/><dati><identificativo>&b;</identificativo>"
            b"<msgid>x</msgid></dati></postacert>",
            "msgid",
        ),
    ],
)
def test_it_refuses_a_malformed_daticert(xml: bytes, reason: str) -> None:
    with pytest.raises(RicevutaNonValida, match=reason):
        analizza(_con_daticert(xml))
