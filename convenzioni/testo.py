"""The text of the Convenzione quadro and the filling of its placeholders.

The schema adopted by determinazione commissariale n. 83/2023 is not published with Messaggio 4461/2023 (it is its
Allegato n. 1, reachable only from INPS's intranet): ``TESTO_QUADRO_2023`` is a reconstruction from what the messaggio
says the Convenzione contains (object, the parties' obligations, Referenti, Amministratore utenze, changes by PEC,
costs, data protection), in the form Italian agreements between public bodies take (art. 15 of legge 241/1990).

A version's text is data that central staff edit in the back office, so it is never run as a template: the
placeholders are a closed list of names in double braces (``{{ comune }}``), replaced by plain text; anything else
between braces is refused when the version is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SEGNAPOSTO = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_GRAFFE = re.compile(r"\{\{|\}\}|\{%|%\}")

# Every name a version may use, with what it stands for (shown to whoever edits a version).
SEGNAPOSTI: dict[str, str] = {
    "comune": "il nome del Comune",
    "provincia": "la sigla della provincia del Comune",
    "comune_codice_fiscale": "il codice fiscale del Comune",
    "comune_pec": "l'indirizzo PEC del Comune",
    "legale_rappresentante": "nome e cognome del legale rappresentante del Comune",
    "legale_rappresentante_codice_fiscale": "il codice fiscale del legale rappresentante",
    "legale_rappresentante_qualifica": "la qualifica del legale rappresentante (per esempio Sindaco)",
    "direzione": "la Direzione INPS firmataria",
    "inps_pec": "l'indirizzo PEC della Direzione INPS",
    "postazione_indirizzo": "l'indirizzo della postazione PUE",
    "postazione_locale": "il locale della postazione",
    "postazione_strumentazione": "la strumentazione fornita dal Comune",
    "postazione_orari": "giorni e orari di apertura del PUE",
    "costi": "i costi a carico del Comune",
    "supporto_telefono": "il numero della consulenza telefonica INPS",
    "supporto_orari": "gli orari della consulenza telefonica",
    "materiale_informativo": "il materiale informativo messo a disposizione dall'INPS",
    "referente_inps": "il Referente dell'INPS con i recapiti",
    "referente_comune": "il Referente del Comune con i recapiti",
    "amministratore_utenze": "l'Amministratore utenze del Comune con i recapiti",
    "data_inizio": "la data di decorrenza",
    "data_fine": "la data di scadenza",
    "determinazione": "l'atto che ha adottato lo schema",
    "versione": "il numero di versione dello schema",
}
# Without these a text would not identify the parties and the term: a version must use them.
SEGNAPOSTI_OBBLIGATORI = ("comune", "legale_rappresentante", "direzione", "data_inizio", "data_fine")


class TestoNonValido(ValueError):
    """The text of a version uses a placeholder that does not exist, or lacks one it needs."""


def controlla_testo(testo: str) -> None:
    """Refuse a schema text whose placeholders the portal could not fill; the message says which."""
    usati = set(SEGNAPOSTO.findall(testo))
    sconosciuti = sorted(usati - SEGNAPOSTI.keys())
    if sconosciuti:
        raise TestoNonValido(
            "Il testo usa segnaposto che il portale non conosce: "
            + ", ".join(f"{{{{ {nome} }}}}" for nome in sconosciuti)
            + ". Quelli disponibili sono elencati sotto il campo."
        )
    residuo = _GRAFFE.search(SEGNAPOSTO.sub("", testo))
    if residuo is not None:
        raise TestoNonValido(
            f"Il testo contiene «{residuo.group(0)}» fuori da un segnaposto: i segnaposto si scrivono "
            "come {{ comune }}, con un nome dell'elenco."
        )
    mancanti = [nome for nome in SEGNAPOSTI_OBBLIGATORI if nome not in usati]
    if mancanti:
        raise TestoNonValido(
            "Il testo deve indicare le Parti e la durata: mancano i segnaposto "
            + ", ".join(f"{{{{ {nome} }}}}" for nome in mancanti)
            + "."
        )


def compila(testo: str, valori: Mapping[str, str]) -> str:
    """The schema with every placeholder replaced by its value (plain text; escaping is the renderer's job)."""
    return SEGNAPOSTO.sub(lambda m: valori.get(m.group(1), "").strip() or "—", testo)


@dataclass(frozen=True)
class Blocco:
    """A piece of the filled text as the document lays it out."""

    tipo: str  # "titolo" (an article's heading), "paragrafo", "elenco"
    righe: tuple[str, ...]


_ARTICOLO = re.compile(r"^(Art\.\s*\d+|PREMESSO|CONSIDERATO|TUTTO CIÒ PREMESSO|SI CONVIENE)", re.IGNORECASE)


def blocchi(testo: str) -> list[Blocco]:
    """The filled text split for the layout: headings (lines starting with «Art.»), lists (lines starting with
    «- »), paragraphs (separated by a blank line)."""
    risultato: list[Blocco] = []
    for parte in re.split(r"\n\s*\n", testo.strip()):
        righe = [r.strip() for r in parte.splitlines() if r.strip()]
        if not righe:
            continue
        if _ARTICOLO.match(righe[0]) and len(righe[0]) < 160:
            risultato.append(Blocco("titolo", (righe[0],)))
            righe = righe[1:]
        if not righe:
            continue
        if all(r.startswith("- ") for r in righe):
            risultato.append(Blocco("elenco", tuple(r[2:].strip() for r in righe)))
        else:
            risultato.append(Blocco("paragrafo", (" ".join(righe),)))
    return risultato


TITOLO_QUADRO_2023 = (
    "Convenzione tra l'Istituto Nazionale della Previdenza Sociale e il Comune per l'istituzione di un "
    "«Punto Utente Evoluto INPS» presso il Comune"
)

TESTO_QUADRO_2023 = """\
L'Istituto Nazionale della Previdenza Sociale (di seguito «INPS» o «Istituto»), con sede legale in Roma, via Ciro il \
Grande n. 21, codice fiscale 80078750587, rappresentato dal Direttore della {{ direzione }}, delegato alla \
sottoscrizione ai sensi della {{ determinazione }} e del messaggio n. 4461 del 14 dicembre 2023, PEC {{ inps_pec }}

e

il Comune di {{ comune }} ({{ provincia }}) (di seguito «Comune»), codice fiscale {{ comune_codice_fiscale }}, PEC \
{{ comune_pec }}, rappresentato da {{ legale_rappresentante }}, in qualità di {{ legale_rappresentante_qualifica }}, \
codice fiscale {{ legale_rappresentante_codice_fiscale }},

di seguito congiuntamente «le Parti»,

PREMESSO CHE

- l'articolo 15 della legge 7 agosto 1990, n. 241, consente alle amministrazioni pubbliche di concludere tra loro \
accordi per disciplinare lo svolgimento in collaborazione di attività di interesse comune, e ne prevede la \
sottoscrizione con firma digitale;
- il Punto Utente Evoluto (PUE) è uno sportello telematico dell'INPS, attivato presso i Comuni, tramite il quale \
l'utente entra in contatto con un operatore dell'INPS in modalità web meeting per accedere ai servizi erogati \
dall'Istituto;
- il PUE rientra nelle iniziative per lo sviluppo del «Modello di servizio dell'INPS» nella modalità «Servito», \
finanziate con le risorse del Piano Nazionale di Ripresa e Resilienza (PNRR), finalizzate all'attivazione di sportelli \
telematici evoluti collocati presso locali diversi dalle Strutture territoriali INPS, con il supporto di personale di \
altre pubbliche Amministrazioni in convenzione;
- con il messaggio n. 4579 del 20 dicembre 2022 è stata avviata la sperimentazione del PUE presso alcuni Comuni delle \
Regioni Calabria ed Emilia-Romagna, che ha registrato l'apprezzamento dell'utenza;
- la Convenzione quadro per l'istituzione dei PUE presso i Comuni è stata adottata con la {{ determinazione }} \
(schema, versione {{ versione }}), e i Direttori regionali e di coordinamento metropolitano sono delegati alla \
sottoscrizione delle singole convenzioni con i Comuni del territorio di competenza;
- il Comune ha manifestato interesse all'istituzione di un PUE presso i propri locali;

TUTTO CIÒ PREMESSO, LE PARTI CONVENGONO E STIPULANO QUANTO SEGUE

Art. 1 - Premesse
Le premesse costituiscono parte integrante e sostanziale della presente convenzione.

Art. 2 - Oggetto e finalità
La presente convenzione disciplina l'istituzione presso il Comune di un «Punto Utente Evoluto INPS», punto di accesso \
nel quale l'utente entra in contatto con un operatore dell'INPS in modalità web meeting, allo scopo di assicurare la \
più ampia accessibilità ai servizi dell'Istituto, anche dove l'INPS non è fisicamente presente o è diffuso il \
digital divide, valorizzando le sinergie tra l'Istituto e il Comune.

Art. 3 - Il Punto Utente Evoluto
Il PUE è allestito presso {{ postazione_indirizzo }}, {{ postazione_locale }}, in un locale adeguato allo \
svolgimento del web meeting e che assicura la riservatezza del colloquio. Il Comune fornisce la seguente \
strumentazione: {{ postazione_strumentazione }}. Il PUE è aperto al pubblico nei seguenti giorni e orari: \
{{ postazione_orari }}.

Art. 4 - Impegni del Comune
Il Comune si impegna a:
- allestire e mantenere la postazione e la strumentazione indicate all'articolo 3, con un collegamento alla rete \
adeguato al web meeting;
- ricevere le richieste di accesso al web meeting degli utenti residenti o domiciliati nel Comune, presentate secondo \
il modello allegato alla Convenzione quadro, anche per delega del diretto interessato;
- prenotare il web meeting, per mezzo della piattaforma «Gestione sportelli», con la Struttura INPS territorialmente \
competente o con il Polo nazionale competente per la prestazione richiesta;
- assicurare all'utente, tramite i propri operatori, il supporto per l'accesso al web meeting e, se richiesto \
dall'utente, durante il web meeting per la trasmissione o la stampa di documentazione o analoghe interazioni;
- nominare i propri operatori tra il personale dipendente, profilarli e autorizzarli al trattamento dei dati personali.

Art. 5 - Impegni dell'INPS
L'INPS si impegna a:
- assicurare agli operatori del Comune un servizio di consulenza telefonica per l'espletamento dei compiti connessi \
al funzionamento del PUE, al numero {{ supporto_telefono }} ({{ supporto_orari }});
- mettere a disposizione del Comune materiale informativo sui servizi dell'Istituto: {{ materiale_informativo }};
- abilitare al servizio PUE, con il profilo «Comune», le credenziali degli operatori indicati dall'Amministratore \
utenze;
- rendere disponibili gli operatori delle proprie Strutture per i web meeting prenotati.

Art. 6 - Operatori del Comune e Amministratore utenze
Gli operatori del Comune accedono al servizio attraverso il sottoportale «Inps e i Comuni», con credenziali SPID \
almeno di secondo livello, CIE o CNS, strettamente personali, profilate come «Comune» e abilitate al servizio PUE \
dall'INPS per gli operatori espressamente indicati dall'Amministratore utenze.
Il Comune nomina tra i propri dipendenti un Amministratore utenze, che designa gli operatori, monitora e controlla il \
corretto utilizzo dei servizi INPS da parte degli operatori autorizzati e revoca le autorizzazioni al venire meno \
delle condizioni che ne hanno determinato la concessione. L'Amministratore utenze è {{ amministratore_utenze }}.

Art. 7 - Referenti
Per la corretta applicazione della convenzione ciascuna Parte individua un proprio Referente, con il compito di \
monitorare l'andamento della collaborazione e di segnalare le eventuali criticità che si manifestano nella sua \
attuazione.
- Referente per l'INPS: {{ referente_inps }}
- Referente per il Comune: {{ referente_comune }}

Art. 8 - Modifiche dei nominativi e dei recapiti
Le modifiche dei nominativi e dei recapiti dei Referenti e dell'Amministratore utenze sono effettuate dalle Parti con \
scambio di comunicazioni a mezzo Posta Elettronica Certificata (PEC), agli indirizzi indicati in epigrafe, e non \
richiedono la modifica della presente convenzione.

Art. 9 - Oneri
Dalla presente convenzione non derivano oneri a carico dell'INPS. Sono a carico del Comune {{ costi }}.

Art. 10 - Protezione dei dati personali e sicurezza
Le modalità di accesso e di svolgimento del web meeting rispettano le norme in materia di sicurezza ICT, il \
Regolamento (UE) 2016/679 e il decreto legislativo 30 giugno 2003, n. 196, come modificato dal decreto legislativo 10 \
agosto 2018, n. 101, e dal decreto-legge 8 ottobre 2021, n. 139, convertito, con modificazioni, dalla legge 3 \
dicembre 2021, n. 205. Ciascuna Parte tratta i dati personali di cui viene a conoscenza per le sole finalità della \
presente convenzione, nei limiti delle rispettive competenze; gli operatori del Comune sono autorizzati al \
trattamento e istruiti dal Comune. I dati personali degli utenti sono visibili soltanto a chi ne ha necessità e ogni \
accesso è registrato.

Art. 11 - Durata e recesso
La presente convenzione ha efficacia dal {{ data_inizio }} al {{ data_fine }}. Ciascuna Parte può recedere con \
preavviso di almeno trenta giorni, comunicato all'altra Parte a mezzo PEC; l'INPS può revocare la convenzione in caso \
di gravi inadempimenti o di uso improprio dei servizi da parte degli operatori del Comune.

Art. 12 - Sottoscrizione
La presente convenzione è sottoscritta con firma digitale, ai sensi dell'articolo 15, comma 2-bis, della legge 7 \
agosto 1990, n. 241, e del decreto legislativo 7 marzo 2005, n. 82, nel formato PAdES: prima dal legale \
rappresentante del Comune, poi dal Direttore della {{ direzione }}.
"""
