"""Example data of a convention, for the demonstration, the benchmarks and the tests: fictitious people, addresses
on ``example.it`` only (no demo or test ever writes to a real INPS or Comune mailbox)."""

from __future__ import annotations

import datetime as dt

from accounts.models import Comune
from convenzioni.dati import DatiConvenzione, DatiFigura


def dati_di_esempio(
    comune: Comune,
    *,
    legale_rappresentante_codice_fiscale: str,
    legale_rappresentante_nome: str = "Giovanni",
    legale_rappresentante_cognome: str = "Ferraro",
    amministratore_codice_fiscale: str,
    referente_comune_codice_fiscale: str,
    data_inizio: dt.date,
    anni: int = 3,
    comune_codice_fiscale: str | None = None,
) -> DatiConvenzione:
    """A complete convention for ``comune``: the codici fiscali of the Comune's people must be real-looking (they are
    validated), everything else is made up."""
    dominio = "".join(c for c in comune.nome_ricerca if c.isalnum()) or "comune"
    return DatiConvenzione(
        comune_codice_fiscale=comune_codice_fiscale or codice_fiscale_fittizio(comune),
        comune_pec=f"protocollo@pec.comune-{dominio}.example.it",
        legale_rappresentante_nome=legale_rappresentante_nome,
        legale_rappresentante_cognome=legale_rappresentante_cognome,
        legale_rappresentante_codice_fiscale=legale_rappresentante_codice_fiscale,
        postazione_indirizzo=f"Municipio di {comune.nome}, piazza del Municipio 1",
        postazione_locale="Ufficio relazioni con il pubblico, piano terra, stanza 3",
        postazione_strumentazione=(
            "un personal computer con webcam, microfono e cuffie, una stampante multifunzione con scanner, "
            "un collegamento alla rete in fibra ottica"
        ),
        postazione_orari="dal lunedì al venerdì, dalle 9:00 alle 12:30; il giovedì anche dalle 15:00 alle 17:00",
        data_inizio=data_inizio,
        data_fine=data_inizio.replace(year=data_inizio.year + anni) - dt.timedelta(days=1),
        pec_inps="direzione.convenzioni-pue@pec-inps.example.it",
        supporto_telefono="06 0000 0000",
        referente_inps=DatiFigura(
            nome="Luca",
            cognome="Greco",
            qualifica="Funzionario della Direzione",
            email="referente.pue@inps.example.it",
            telefono="06 0000 0001",
            pec="direzione.convenzioni-pue@pec-inps.example.it",
        ),
        referente_comune=DatiFigura(
            nome="Sara",
            cognome="Bruno",
            qualifica="Responsabile dei servizi demografici",
            codice_fiscale=referente_comune_codice_fiscale,
            email=f"referente.pue@comune-{dominio}.example.it",
            telefono="0984 000001",
            pec=f"servizi.demografici@pec.comune-{dominio}.example.it",
        ),
        amministratore_utenze=DatiFigura(
            nome="Marco",
            cognome="Ricci",
            qualifica="Istruttore informatico",
            codice_fiscale=amministratore_codice_fiscale,
            email=f"amministratore.pue@comune-{dominio}.example.it",
            telefono="0984 000002",
        ),
    )


def codice_fiscale_fittizio(comune: Comune) -> str:
    """An 11-digit codice fiscale with a valid check digit, made from the Comune's ISTAT code (not its real one)."""
    base = f"8{int(comune.codice_istat):09d}"[:10]
    totale = 0
    for indice, carattere in enumerate(base):
        cifra = int(carattere) * (2 if indice % 2 else 1)
        totale += cifra - 9 if cifra > 9 else cifra
    return base + str((10 - totale % 10) % 10)
