"""Every write of the conventions, one module per procedure (versions of the schema, the convention's life, its
signatures, its figures, criticità, expiry); each change in a transaction with its event row. The functions the views
call are gathered here."""

from convenzioni.services.convenzioni import (
    convenzione_aggiorna,
    convenzione_annulla,
    convenzione_cessa,
    convenzione_crea,
    convenzione_revoca,
    convenzioni_scadute_chiudi,
)
from convenzioni.services.criticita import criticita_prendi_in_carico, criticita_risolvi, criticita_segnala
from convenzioni.services.figure import figura_cambia
from convenzioni.services.firme import convenzione_firma_comune_carica, convenzione_firma_inps
from convenzioni.services.scadenze import promemoria_scadenza_invia, scadenze_gestisci
from convenzioni.services.versioni import versione_crea, versione_modifica

__all__ = [
    "convenzione_aggiorna",
    "convenzione_annulla",
    "convenzione_cessa",
    "convenzione_crea",
    "convenzione_firma_comune_carica",
    "convenzione_firma_inps",
    "convenzione_revoca",
    "convenzioni_scadute_chiudi",
    "criticita_prendi_in_carico",
    "criticita_risolvi",
    "criticita_segnala",
    "figura_cambia",
    "promemoria_scadenza_invia",
    "scadenze_gestisci",
    "versione_crea",
    "versione_modifica",
]
