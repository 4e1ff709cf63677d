"""The two signatures that make a convention: the Comune's (its legal representative signs the generated PDF and
someone of either party uploads it) and INPS's (applied by the portal for the competent Direttore, after a fresh
authentication). The second makes the convention active, with its protocol number.

The cryptographic work (verifying, signing: tens of milliseconds locally, seconds with a remote signature service)
happens before the transaction that records the result, so the convention's row is not locked meanwhile; that
transaction locks it and checks again that nothing changed in between.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction

from accounts.models import Struttura, User
from convenzioni import firma
from convenzioni.documento import impronta, revisioni
from convenzioni.errori import AutenticazioneNonRecente, ConvenzioneNonAmmessa, FirmaNonValida, NonAutorizzato
from convenzioni.models import (
    ContatoreProtocollo,
    Convenzione,
    DocumentoConvenzione,
    FirmaConvenzione,
    Parte,
)
from convenzioni.segnali import convenzione_chiusa
from convenzioni.selectors import documento_corrente, documento_generato, parti_di, puo_firmare_per_inps
from convenzioni.services._comune import NON_TROVATA, bloccata, evento
from inps_portal import clock
from inps_portal.pec.services import Allegato, pec_spedisci

logger = logging.getLogger(__name__)
Stato = Convenzione.Stato
Tipo = DocumentoConvenzione.Tipo

CAMBIATA_NEL_FRATTEMPO = (
    "La convenzione è cambiata mentre il documento veniva verificato (è stata corretta o firmata da altri): "
    "ricarichi la pagina e riprovi."
)


def _convenzione(convenzione_id: int) -> Convenzione:
    try:
        return Convenzione.objects.select_related("comune__provincia", "direzione").get(pk=convenzione_id)
    except Convenzione.DoesNotExist as errore:
        raise NonAutorizzato(NON_TROVATA) from errore


# --- The Comune's signature ---------------------------------------------------------------------------------------


def convenzione_firma_comune_carica(
    *, chi: User, convenzione_id: int, contenuto: bytes, nome_file: str = ""
) -> Convenzione:
    """The PDF signed by the Comune's legal representative, uploaded by someone of either party: accepted only if
    it is the generated document with that signature and nothing else (``convenzioni.firma``); then the convention
    waits for INPS's signature and the Direzione is told by PEC."""
    convenzione = _convenzione(convenzione_id)
    if not parti_di(chi, convenzione):
        raise NonAutorizzato(NON_TROVATA)
    if convenzione.stato != Stato.BOZZA:
        raise ConvenzioneNonAmmessa(
            f"La convenzione è {convenzione.get_stato_display().lower()}: non attende più la firma del Comune."
        )
    massimo = int(settings.DOCUMENTI_DIMENSIONE_MASSIMA)
    if len(contenuto) > massimo:
        raise FirmaNonValida(f"Il file supera la dimensione massima di {massimo // (1024 * 1024)} MB.")
    generato = documento_generato(convenzione)
    precedenti = (
        DocumentoConvenzione.objects.filter(convenzione=convenzione, tipo=Tipo.GENERATO)
        .exclude(pk=generato.pk)
        .values_list("sha256", flat=True)
    )
    verificata = firma.verifica_firma_comune(
        dati=contenuto,
        generato=bytes(generato.contenuto),
        codice_fiscale_atteso=convenzione.legale_rappresentante_codice_fiscale,
        nome_atteso=convenzione.legale_rappresentante,
        impronte_precedenti=list(precedenti),
    )
    with transaction.atomic():
        convenzione = bloccata(convenzione_id)
        if convenzione.stato != Stato.BOZZA or convenzione.documento_generato_id != generato.pk:
            raise ConvenzioneNonAmmessa(CAMBIATA_NEL_FRATTEMPO)
        documento = _conserva(convenzione, Tipo.FIRMATO_COMUNE, contenuto, chi, nome_file)
        _registra_firma(convenzione, Parte.COMUNE, verificata, documento, chi)
        convenzione.stato, convenzione.documento, convenzione.firmata_comune_il = (
            Stato.FIRMATA_COMUNE,
            documento,
            clock.now(),
        )
        convenzione.save(update_fields=["stato", "documento", "firmata_comune_il"])
        evento(
            convenzione,
            Stato.BOZZA,
            Stato.FIRMATA_COMUNE,
            chi,
            f"firmata da {verificata.firmatario} ({verificata.codice_fiscale}), documento SHA-256 {documento.sha256}",
        )
        pec_spedisci(
            modello="convenzione_firmata_comune",
            destinatari=[convenzione.pec_inps],
            riferimento=convenzione,
            contesto={"convenzione": convenzione, "firmatario": verificata.firmatario},
        )
    logger.info("convenzione PUE firmata dal Comune", extra={"convenzione_id": convenzione.pk})
    return convenzione


# --- INPS's signature ---------------------------------------------------------------------------------------------


def convenzione_firma_inps(
    *,
    chi: User,
    convenzione_id: int,
    autenticato_il: dt.datetime | None,
    autorizzazione: Mapping[str, str] | None = None,
) -> Convenzione:
    """INPS's signature, applied by the portal for ``chi``, who must be the Direttore of the Direzione competent for
    the Comune and have authenticated at ``autenticato_il``, no more than ``CONVENZIONI_AUTENTICAZIONE_MINUTI``
    ago. ``autorizzazione`` goes to the signer (a remote service's token and OTP). The convention becomes active,
    with its protocol number; a convention of the same Comune still active ceases, replaced by this one."""
    convenzione = _convenzione(convenzione_id)
    if not puo_firmare_per_inps(chi, convenzione):
        raise NonAutorizzato(NON_TROVATA)
    if convenzione.stato != Stato.FIRMATA_COMUNE:
        raise ConvenzioneNonAmmessa(
            f"La convenzione è {convenzione.get_stato_display().lower()}: la firma INPS si appone dopo quella del "
            "Comune."
        )
    _controlla_autenticazione(autenticato_il)
    firmato_comune = documento_corrente(convenzione)
    generato = documento_generato(convenzione)
    firmato = firma.firma_inps(
        pdf=bytes(firmato_comune.contenuto),
        persona=chi,
        qualifica=f"Direttore della {convenzione.direzione.nome}",
        autorizzazione=autorizzazione,
    )
    verificata = firma.verifica_firme_finali(
        dati=firmato,
        generato=bytes(generato.contenuto),
        codice_fiscale_inps=chi.codice_fiscale,
        codice_fiscale_comune=convenzione.legale_rappresentante_codice_fiscale,
    )
    with transaction.atomic():
        convenzione = bloccata(convenzione_id)
        if convenzione.stato != Stato.FIRMATA_COMUNE or convenzione.documento_id != firmato_comune.pk:
            raise ConvenzioneNonAmmessa(CAMBIATA_NEL_FRATTEMPO)
        documento = _conserva(convenzione, Tipo.FIRMATO_INPS, firmato, chi, "")
        _registra_firma(convenzione, Parte.INPS, verificata, documento, chi)
        sostituita = _chiudi_attiva_precedente(convenzione, chi)
        convenzione.protocollo = _protocollo(convenzione.direzione)
        convenzione.stato, convenzione.documento, convenzione.attivata_il = Stato.ATTIVA, documento, clock.now()
        convenzione.save(update_fields=["protocollo", "stato", "documento", "attivata_il"])
        evento(
            convenzione,
            Stato.FIRMATA_COMUNE,
            Stato.ATTIVA,
            chi,
            f"firmata per l'INPS da {verificata.firmatario} ({verificata.codice_fiscale}), protocollo "
            f"{convenzione.protocollo}, documento SHA-256 {documento.sha256}",
        )
        pec_spedisci(
            modello="convenzione_stipulata",
            destinatari=[convenzione.comune_pec, convenzione.pec_inps],
            riferimento=convenzione,
            contesto={"convenzione": convenzione, "sostituita": sostituita, "sha256": documento.sha256},
            allegati=[Allegato(convenzione.nome_file, "application/pdf", firmato)],
        )
    logger.info(
        "convenzione PUE attiva", extra={"convenzione_id": convenzione.pk, "protocollo": convenzione.protocollo}
    )
    return convenzione


def _controlla_autenticazione(autenticato_il: dt.datetime | None) -> None:
    minuti = int(settings.CONVENZIONI_AUTENTICAZIONE_MINUTI)
    adesso = clock.now()
    if (
        autenticato_il is None
        or autenticato_il > adesso + dt.timedelta(seconds=5)  # a small allowance for the clocks of two processes
        or adesso - autenticato_il > dt.timedelta(minutes=minuti)
    ):
        raise AutenticazioneNonRecente(
            f"Per firmare la convenzione confermi la sua identità: l'ultima autenticazione deve risalire a non più di "
            f"{minuti} minuti fa."
        )


def _conserva(convenzione: Convenzione, tipo: str, contenuto: bytes, chi: User, nome_file: str) -> DocumentoConvenzione:
    return DocumentoConvenzione.objects.create(
        convenzione=convenzione,
        tipo=tipo,
        contenuto=contenuto,
        sha256=impronta(contenuto),
        dimensione=len(contenuto),
        revisioni=revisioni(contenuto),
        nome_file_caricato=nome_file[:200],
        creato_da=chi,
    )


def _registra_firma(
    convenzione: Convenzione,
    parte: Parte,
    verificata: firma.FirmaVerificata,
    documento: DocumentoConvenzione,
    chi: User,
) -> FirmaConvenzione:
    return FirmaConvenzione.objects.create(
        convenzione=convenzione,
        parte=parte,
        campo=verificata.campo,
        firmatario=verificata.firmatario,
        firmatario_codice_fiscale=verificata.codice_fiscale,
        firmata_il=verificata.firmata_il,
        soggetto=verificata.soggetto,
        emittente=verificata.emittente,
        numero_serie=verificata.numero_serie,
        documento=documento,
        sha256=documento.sha256,
        registrata_da=chi,
    )


def _chiudi_attiva_precedente(convenzione: Convenzione, chi: User) -> Convenzione | None:
    """The Comune's convention still active, ceased because this one replaces it (one active per Comune)."""
    precedente = (
        Convenzione.objects.select_for_update()
        .filter(comune_id=convenzione.comune_id, stato=Stato.ATTIVA)
        .exclude(pk=convenzione.pk)
        .first()
    )
    if precedente is None:
        return None
    motivo = f"sostituita dalla convenzione {convenzione.numero}, firmata da entrambe le Parti"
    precedente.stato, precedente.chiusa_il, precedente.motivo_chiusura = Stato.CESSATA, clock.now(), motivo
    precedente.save(update_fields=["stato", "chiusa_il", "motivo_chiusura"])
    evento(precedente, Stato.ATTIVA, Stato.CESSATA, chi, motivo)
    convenzione_chiusa.send(sender=Convenzione, convenzione_id=precedente.pk)
    return precedente


def _protocollo(direzione: Struttura) -> str:
    """The next number of the Direzione's register for the year: INPS.<codice struttura>.<anno>.<numero>. The
    counter row is locked, so two conventions activated at once get two numbers; the column is unique besides."""
    anno = clock.today().year
    ContatoreProtocollo.objects.bulk_create(
        [ContatoreProtocollo(struttura=direzione, anno=anno, ultimo=0)], ignore_conflicts=True
    )
    contatore = ContatoreProtocollo.objects.select_for_update().get(struttura=direzione, anno=anno)
    contatore.ultimo += 1
    contatore.save(update_fields=["ultimo"])
    return f"INPS.{direzione.codice}.{anno}.{contatore.ultimo:07d}"
