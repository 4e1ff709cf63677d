"""The moduli of the Circolare INPS 71/2016, allegati 2-5: filled for a routed request, or blank for the Modulistica
page. One template; the catalogue decides which abilitazioni each modulo lists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from django.template import Engine

from abilitazioni.models import Abilitazione, RichiestaInstradata, VoceRichiesta
from accounts.selectors.persone import pin_attivo
from inps_portal.pdf import render_pdf, risposta_pdf

TEMPLATE = "abilitazioni/modulo.html"
VUOTO_TTL = 24 * 3600


@dataclass(frozen=True)
class Allegato:
    numero: int
    titolo: str
    a_chi: str
    come: str


ALLEGATI = {
    2: Allegato(
        2,
        "Richiesta di abilitazione ai servizi per Amministrazioni ed Enti (Gestione Dipendenti Pubblici)",
        "Alla sede territoriale INPS competente per l'Ente",
        "Il modulo firmato si consegna alla sede territoriale; dal portale la richiesta le arriva già compilata.",
    ),
    3: Allegato(
        3,
        "Richiesta di abilitazione ai servizi Benefici sociali",
        "Alla Direzione regionale INPS della regione dell'Ente, Area/team Prestazioni a sostegno del reddito, "
        "Credito e Welfare",
        "Il modulo firmato si invia alla Direzione regionale; dal portale la richiesta le arriva già compilata.",
    ),
    4: Allegato(
        4,
        "Richiesta di abilitazione all'applicativo PassWeb",
        "All'INPS, via PEC dall'indirizzo dell'Ente",
        "L'Ente invia il modulo per PEC; chi va abilitato deve avere un PIN dispositivo.",
    ),
    5: Allegato(
        5,
        "Richiesta di abilitazione alle procedure Soggiorni",
        "Alla Direzione centrale Credito e Welfare, via PEC",
        "Il modulo si invia per PEC; chi va abilitato deve avere un PIN dispositivo.",
    ),
}


def _catalogo(allegato: int) -> list[Abilitazione]:
    return list(Abilitazione.objects.filter(allegato=allegato, attiva=True).order_by("nome"))


def _indirizzi(catalogo: list[Abilitazione]) -> list[str]:
    return sorted({a.indirizzo_pec for a in catalogo if a.indirizzo_pec})


def modulo_compilato_pdf(instradata: RichiestaInstradata) -> bytes:
    """The modulo of one routed request, with the operator's and the Ente's data and the abilitazioni asked."""
    richiesta = instradata.richiesta
    chieste = list(instradata.voci.all())  # prefetched with their abilitazione by the callers that can
    voci = {v.abilitazione_id: v.operazione for v in chieste}
    catalogo = _catalogo(instradata.allegato)
    presenti = {a.pk for a in catalogo}
    catalogo += [v.abilitazione for v in chieste if v.abilitazione_id not in presenti]  # since deactivated
    righe = [
        (
            a.nome,
            voci.get(a.pk) == VoceRichiesta.Operazione.AGGIUNGI,
            voci.get(a.pk) == VoceRichiesta.Operazione.RIMUOVI,
        )
        for a in catalogo
    ]
    pin = pin_attivo(richiesta.user)
    contesto = {
        "allegato": ALLEGATI[instradata.allegato],
        "destinatario": instradata.struttura.nome if instradata.struttura else "",
        "indirizzi_pec": [instradata.indirizzo_pec] if instradata.indirizzo_pec else [],
        "numero": instradata.numero,
        "data": richiesta.creata_il,
        "persona": richiesta.user,
        "pin": pin,
        "ente": richiesta.ente,
        "righe": righe,
    }
    return render_pdf(TEMPLATE, contesto)


def modulo_vuoto_pdf(allegato: int) -> bytes:
    """The blank modulo, to print and fill by hand: cached until its catalogue or the template changes."""
    catalogo = _catalogo(allegato)
    # The template's source is in the key too: after a change of layout the cache must not serve the old one.
    sorgente = Engine.get_default().get_template(TEMPLATE).source
    voci = [(a.pk, a.nome, a.indirizzo_pec) for a in catalogo]
    impronta = hashlib.sha256(repr((voci, sorgente)).encode()).hexdigest()[:16]
    chiave = f"abilitazioni:modulo-vuoto:{allegato}:{impronta}"
    pdf: bytes | None = cache.get(chiave)
    if pdf is None:
        contesto = {
            "allegato": ALLEGATI[allegato],
            "indirizzi_pec": _indirizzi(catalogo),
            "righe": [(a.nome, False, False) for a in catalogo],
        }
        pdf = render_pdf(TEMPLATE, contesto)
        cache.set(chiave, pdf, VUOTO_TTL)
    return pdf


def modulo_compilato_risposta(instradata: RichiestaInstradata) -> HttpResponse:
    """The filled modulo as a download: personal data, never cached."""
    return risposta_pdf(modulo_compilato_pdf(instradata), instradata.nome_file_modulo, privato=True)
