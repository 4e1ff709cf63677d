"""The life of a convention before and after its signatures: prepared as a draft from the version of the Convenzione
quadro in force, corrected while still a draft, closed (annulled before the signatures, ceased or revoked while
active, expired at its end). The signatures themselves are in ``services/firme.py``."""

from __future__ import annotations

import logging
from dataclasses import fields

from django.db import IntegrityError, transaction

from accounts.models import Comune, User
from accounts.selectors.competenza import direzione_firmataria
from convenzioni.dati import DatiConvenzione, DatiFigura
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato
from convenzioni.models import Convenzione, FiguraConvenzione, VersioneQuadro
from convenzioni.segnali import convenzione_chiusa
from convenzioni.selectors import figure_attuali, parte_che_prepara, parti_di, puo_firmare_per_inps, versione_vigente
from convenzioni.services._comune import (
    bloccata,
    chiudi_figura,
    evento,
    figura_uguale,
    genera,
    nuova_figura,
    valida,
)
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)
Stato = Convenzione.Stato
Ruolo = FiguraConvenzione.Ruolo

_CAMPI_FIGURA = {
    Ruolo.REFERENTE_INPS: "referente_inps",
    Ruolo.REFERENTE_COMUNE: "referente_comune",
    Ruolo.AMMINISTRATORE_UTENZE: "amministratore_utenze",
}
_CAMPI_CONVENZIONE = [f.name for f in fields(DatiConvenzione) if f.name not in _CAMPI_FIGURA.values()]


# --- Preparation ----------------------------------------------------------------------------------------------------


@transaction.atomic
def convenzione_crea(
    *, chi: User, comune: Comune, dati: DatiConvenzione, versione: VersioneQuadro | None = None
) -> Convenzione:
    """A draft convention for ``comune`` from the version of the Convenzione quadro in force today (or ``versione``,
    if in force), with its generated PDF ready for the Comune's signature."""
    # one preparation at a time per Comune: the second waits here, then finds the first one's draft
    comune = Comune.objects.select_for_update(of=("self",)).select_related("provincia__regione").get(pk=comune.pk)
    if parte_che_prepara(chi, comune) is None:
        raise NonAutorizzato(f"Non può predisporre convenzioni PUE per il Comune di {comune.nome}.")
    direzione = direzione_firmataria(comune)
    if direzione is None:
        raise ConvenzioneNonAmmessa(
            f"Nessuna Direzione INPS risulta competente a firmare per il Comune di {comune.nome}: "
            "si rivolga alla Direzione regionale."
        )
    oggi = clock.today()
    versione = versione or versione_vigente(oggi)
    if versione is None or versione.valida_dal > oggi:
        raise ConvenzioneNonAmmessa(
            "Nessuna versione della convenzione quadro è in vigore oggi: le convenzioni si generano da una versione "
            "in vigore."
        )
    versione = VersioneQuadro.objects.select_for_update().get(pk=versione.pk)  # no correction of it meanwhile
    in_preparazione = Convenzione.objects.filter(comune=comune, stato__in=Convenzione.IN_PREPARAZIONE).first()
    if in_preparazione is not None:
        raise ConvenzioneNonAmmessa(
            f"Per il Comune di {comune.nome} c'è già una convenzione in preparazione ({in_preparazione.numero}, "
            f"{in_preparazione.get_stato_display().lower()}): la completi o la annulli prima di crearne un'altra."
        )
    convenzione = Convenzione(comune=comune, versione=versione, direzione=direzione, creata_da=chi)
    _applica_dati(convenzione, dati)
    try:
        with transaction.atomic():
            convenzione.save()
    except IntegrityError as errore:  # another draft for the same Comune was saved at the same moment
        raise ConvenzioneNonAmmessa(
            f"Per il Comune di {comune.nome} è appena stata creata un'altra convenzione in preparazione."
        ) from errore
    for ruolo, campo in _CAMPI_FIGURA.items():
        nuova_figura(convenzione, ruolo, getattr(dati, campo), chi=chi, motivo="nominativo indicato nella convenzione")
    genera(convenzione, chi)
    evento(convenzione, "", Stato.BOZZA, chi, f"convenzione predisposta sulla versione {versione.numero} dello schema")
    logger.info("convenzione PUE predisposta", extra={"convenzione_id": convenzione.pk, "comune_id": comune.pk})
    return convenzione


@transaction.atomic
def convenzione_aggiorna(
    *, chi: User, convenzione_id: int, dati: DatiConvenzione, versione: VersioneQuadro | None = None
) -> Convenzione:
    """Correct a draft (and move it, if asked, to another version in force): the document is generated again, and a
    copy downloaded before no longer matches."""
    convenzione = bloccata(convenzione_id)
    if not parti_di(chi, convenzione):
        raise NonAutorizzato(f"Non può modificare la convenzione {convenzione.numero}.")
    if convenzione.stato != Stato.BOZZA:
        raise ConvenzioneNonAmmessa(
            f"La convenzione è {convenzione.get_stato_display().lower()}: si modifica solo finché è una bozza. "
            "I nominativi e i recapiti dei Referenti e dell'Amministratore utenze si cambiano con la comunicazione "
            "via PEC."
        )
    if versione is not None and versione.pk != convenzione.versione_id:
        if versione.valida_dal > clock.today():
            raise ConvenzioneNonAmmessa(f"La versione {versione.numero} dello schema non è ancora in vigore.")
        convenzione.versione = VersioneQuadro.objects.select_for_update().get(pk=versione.pk)
    _applica_dati(convenzione, dati)
    convenzione.save()
    attuali = figure_attuali(convenzione)
    for ruolo, campo in _CAMPI_FIGURA.items():
        nuovi: DatiFigura = getattr(dati, campo)
        if ruolo in attuali and figura_uguale(attuali[ruolo], nuovi):
            continue
        if ruolo in attuali:
            chiudi_figura(attuali[ruolo])
        nuova_figura(convenzione, ruolo, nuovi, chi=chi, motivo="bozza corretta")
    genera(convenzione, chi)
    evento(convenzione, Stato.BOZZA, Stato.BOZZA, chi, "bozza corretta: documento generato di nuovo")
    return convenzione


def _applica_dati(convenzione: Convenzione, dati: DatiConvenzione) -> None:
    for campo in _CAMPI_CONVENZIONE:
        valore = getattr(dati, campo)
        setattr(convenzione, campo, valore.strip() if isinstance(valore, str) else valore)
    convenzione.legale_rappresentante_codice_fiscale = convenzione.legale_rappresentante_codice_fiscale.upper()
    valida(
        convenzione,
        escludi=["comune", "versione", "direzione", "testo", "documento", "documento_generato", "creata_da"],
    )
    if convenzione.data_fine <= convenzione.data_inizio:
        raise ConvenzioneNonAmmessa("La scadenza della convenzione deve essere successiva alla decorrenza.")


# --- Closing --------------------------------------------------------------------------------------------------------


def _chiudi(convenzione: Convenzione, a: str, chi: User | None, motivo: str) -> None:
    da = convenzione.stato
    convenzione.stato, convenzione.chiusa_il, convenzione.motivo_chiusura = a, clock.now(), motivo
    convenzione.save(update_fields=["stato", "chiusa_il", "motivo_chiusura"])
    evento(convenzione, da, a, chi, motivo)
    convenzione_chiusa.send(sender=Convenzione, convenzione_id=convenzione.pk)


def _motivo_obbligatorio(motivo: str) -> str:
    motivo = (motivo or "").strip()
    if not motivo:
        raise ConvenzioneNonAmmessa("Indichi il motivo: resta nella storia della convenzione.")
    return motivo


@transaction.atomic
def convenzione_annulla(*, chi: User, convenzione_id: int, motivo: str) -> Convenzione:
    """A convention not yet signed by both parties is abandoned (a draft with wrong data, a Comune that withdraws)."""
    convenzione = bloccata(convenzione_id)
    if not parti_di(chi, convenzione):
        raise NonAutorizzato(f"Non può annullare la convenzione {convenzione.numero}.")
    if convenzione.stato not in Convenzione.IN_PREPARAZIONE:
        raise ConvenzioneNonAmmessa(
            f"La convenzione è {convenzione.get_stato_display().lower()}: si annulla solo prima della firma INPS; "
            "una convenzione attiva cessa per recesso o è revocata."
        )
    _chiudi(convenzione, Stato.ANNULLATA, chi, _motivo_obbligatorio(motivo))
    return convenzione


@transaction.atomic
def convenzione_cessa(*, chi: User, convenzione_id: int, motivo: str) -> Convenzione:
    """Withdrawal of either party from an active convention (art. 11): notified by PEC to both."""
    convenzione = bloccata(convenzione_id)
    parti = parti_di(chi, convenzione)
    if not parti:
        raise NonAutorizzato(f"Non può chiudere la convenzione {convenzione.numero}.")
    if convenzione.stato != Stato.ATTIVA:
        raise ConvenzioneNonAmmessa(f"La convenzione è {convenzione.get_stato_display().lower()}: non è attiva.")
    motivo = _motivo_obbligatorio(motivo)
    _chiudi(convenzione, Stato.CESSATA, chi, motivo)
    _notifica_chiusura(convenzione, "recesso di una delle Parti", motivo)
    return convenzione


@transaction.atomic
def convenzione_revoca(*, chi: User, convenzione_id: int, motivo: str) -> Convenzione:
    """INPS revokes an active convention (serious breach, misuse): only the competent Direttore."""
    convenzione = bloccata(convenzione_id)
    if not puo_firmare_per_inps(chi, convenzione):
        raise NonAutorizzato(f"Solo il Direttore della {convenzione.direzione} può revocare la convenzione.")
    if convenzione.stato != Stato.ATTIVA:
        raise ConvenzioneNonAmmessa(f"La convenzione è {convenzione.get_stato_display().lower()}: non è attiva.")
    motivo = _motivo_obbligatorio(motivo)
    _chiudi(convenzione, Stato.REVOCATA, chi, motivo)
    _notifica_chiusura(convenzione, "revoca da parte dell'INPS", motivo)
    return convenzione


def _notifica_chiusura(convenzione: Convenzione, come: str, motivo: str) -> None:
    pec_spedisci(
        modello="convenzione_chiusa",
        destinatari=[convenzione.comune_pec, convenzione.pec_inps],
        riferimento=convenzione,
        contesto={"convenzione": convenzione, "come": come, "motivo": motivo, "stato": convenzione.get_stato_display()},
    )


def convenzioni_scadute_chiudi() -> int:
    """Active conventions past their end become expired (the system's act: no one signs it); return how many.
    Each one in its own transaction, claimed with a conditional update: two runs at once close each once."""
    oggi = clock.today()
    chiuse = 0
    for pk in Convenzione.objects.filter(stato=Stato.ATTIVA, data_fine__lt=oggi).values_list("pk", flat=True):
        with transaction.atomic():
            if Convenzione.objects.filter(pk=pk, stato=Stato.ATTIVA).update(
                stato=Stato.SCADUTA, chiusa_il=clock.now(), motivo_chiusura="scadenza del termine"
            ):
                evento(Convenzione(pk=pk), Stato.ATTIVA, Stato.SCADUTA, None, "scadenza del termine")
                convenzione_chiusa.send(sender=Convenzione, convenzione_id=pk)
                chiuse += 1
    if chiuse:
        logger.info("convenzioni PUE scadute", extra={"chiuse": chiuse})
    return chiuse
