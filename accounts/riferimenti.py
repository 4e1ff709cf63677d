"""Reference data of INPS's organisation that the registry loads: central directorates, poles, benefits.

One place for the facts the seeds name; ISTAT's list of Comuni is in ``accounts/data/comuni_istat.json``.
"""

from __future__ import annotations

from pathlib import Path

from accounts.models import Team

DATA_FILE = Path(__file__).resolve().parent / "data" / "comuni_istat.json"

DIREZIONI_CENTRALI = [
    ("DC-CW", "Direzione centrale Credito e Welfare", "dc.creditowelfare@postacert.inps.gov.it"),
    ("DC-ENT", "Direzione centrale Entrate", ""),
    ("DC-PA", "Direzione centrale Posizione Assicurativa", ""),
    ("DC-SIT", "Direzione centrale Sistemi Informativi e Tecnologici", ""),
    ("DC-ORG", "Direzione centrale Organizzazione", ""),
    ("DC-TII", "Direzione centrale Tecnologia, Informatica e Innovazione", ""),
]


# Circolare 71/2016, par. 4: the requests of allegato 3 go to this team of every Direzione regionale.
TEAM_DELLE_DIREZIONI_REGIONALI = [(Team.CREDITO_WELFARE, "Prestazioni a sostegno del reddito, Credito e Welfare")]


# Messaggio 4461/2023 names the Direzioni di coordinamento metropolitano as signatories for their territory.
DIREZIONI_METROPOLITANE = {"RM": "Roma", "MI": "Milano", "NA": "Napoli"}


# National poles and the benefits they handle. The seeds name the Poli nazionali without listing them: these are the
# initial reference data, to be completed by central staff in the admin.
POLI_NAZIONALI = [
    (
        "PN-CI",
        "Polo nazionale Pensioni in regime internazionale",
        [
            ("pensione-regime-internazionale", "Pensione in regime internazionale"),
        ],
    ),
    (
        "PN-AU",
        "Polo nazionale Assegno unico e universale",
        [
            ("assegno-unico", "Assegno unico e universale per i figli a carico"),
        ],
    ),
    (
        "PN-RR",
        "Polo nazionale Riscatti e ricongiunzioni",
        [
            ("riscatto-laurea", "Riscatto del corso di studi universitari"),
            ("ricongiunzione", "Ricongiunzione dei periodi assicurativi"),
        ],
    ),
    (
        "PN-CR",
        "Polo nazionale Prestazioni creditizie",
        [
            ("piccolo-prestito", "Piccolo prestito"),
            ("prestito-pluriennale", "Prestito pluriennale"),
        ],
    ),
]


PRESTAZIONI_TERRITORIALI = [
    ("naspi", "NASpI - Indennità di disoccupazione"),
    ("pensione-vecchiaia", "Pensione di vecchiaia"),
    ("invalidita-civile", "Invalidità civile"),
    ("estratto-conto", "Estratto conto contributivo"),
]
