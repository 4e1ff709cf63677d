"""What a convention is made of, as the services receive it: the forms of the views build these from their cleaned
data, the demo and the tests write them directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import User

COSTI_PREDEFINITI = (
    "il costo relativo al consumo di energia elettrica e tutte le altre spese dirette e indirette connesse alla "
    "realizzazione del web meeting presso il PUE"
)
ORARI_PREDEFINITI = "negli orari di apertura al pubblico degli uffici comunali"
SUPPORTO_ORARI_PREDEFINITI = "dal lunedì al venerdì, dalle 8:30 alle 13:30"
MATERIALE_PREDEFINITO = (
    "guide all'uso della piattaforma «Gestione sportelli», schede informative sui servizi e sulle prestazioni "
    "dell'Istituto e il modello di richiesta di accesso al web meeting, in formato elettronico"
)


@dataclass(frozen=True)
class DatiFigura:
    """A Referente or the Amministratore utenze: name and contacts (the codice fiscale for the Comune's people)."""

    nome: str
    cognome: str
    email: str
    telefono: str
    pec: str = ""
    codice_fiscale: str = ""
    qualifica: str = ""
    user: User | None = None


@dataclass(frozen=True)
class DatiConvenzione:
    """The data of one Comune's convention that fill the placeholders of the Convenzione quadro."""

    comune_codice_fiscale: str
    comune_pec: str
    legale_rappresentante_nome: str
    legale_rappresentante_cognome: str
    legale_rappresentante_codice_fiscale: str
    postazione_indirizzo: str
    postazione_locale: str
    postazione_strumentazione: str
    data_inizio: dt.date
    data_fine: dt.date
    pec_inps: str
    supporto_telefono: str
    referente_inps: DatiFigura
    referente_comune: DatiFigura
    amministratore_utenze: DatiFigura
    legale_rappresentante_qualifica: str = "Sindaco"
    postazione_orari: str = ""
    costi: str = COSTI_PREDEFINITI
    supporto_orari: str = SUPPORTO_ORARI_PREDEFINITI
    materiale_informativo: str = MATERIALE_PREDEFINITO
