"""The versions of the Convenzione quadro: central staff add them; one that a convention uses never changes (refused
here, and by a database trigger for whatever writes around this service)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import User
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato, VersioneInUso
from convenzioni.models import Convenzione, VersioneQuadro
from convenzioni.selectors import gestisce_versioni
from convenzioni.services._comune import valida
from convenzioni.testo import TITOLO_QUADRO_2023, TestoNonValido, controlla_testo

logger = logging.getLogger(__name__)

SOLO_DIREZIONE_CENTRALE = "Le versioni della convenzione quadro sono gestite dalle Direzioni centrali."


def _controlla(testo: str) -> None:
    try:
        controlla_testo(testo)
    except TestoNonValido as errore:
        raise ConvenzioneNonAmmessa(str(errore)) from errore


def versione_controlla_nuova(*, chi: User | None, testo: str, valida_dal: dt.date) -> None:
    """What ``versione_crea`` refuses, checked without writing (the back office's form asks it before saving)."""
    if chi is not None and not gestisce_versioni(chi):
        raise NonAutorizzato(SOLO_DIREZIONE_CENTRALE)
    _controlla(testo)
    if VersioneQuadro.objects.filter(valida_dal=valida_dal).exists():
        raise ConvenzioneNonAmmessa(
            f"Esiste già una versione in vigore dal {valida_dal:%d/%m/%Y}: indichi un'altra data di decorrenza."
        )


def versione_controlla_modifica(
    *, chi: User, versione: VersioneQuadro, testo: str | None = None, valida_dal: dt.date | None = None
) -> None:
    """What ``versione_modifica`` refuses, checked without writing: above all a version a convention already uses."""
    if not gestisce_versioni(chi):
        raise NonAutorizzato(SOLO_DIREZIONE_CENTRALE)
    usi = Convenzione.objects.filter(versione=versione).count()
    if usi:
        raise VersioneInUso(
            f"La versione {versione.numero} della convenzione quadro è già usata da {usi} "
            f"{'convenzione' if usi == 1 else 'convenzioni'}: non può più essere modificata. Per cambiare lo schema "
            "crei una nuova versione, che varrà per le convenzioni generate da quel momento."
        )
    if testo is not None:
        _controlla(testo)
    if valida_dal is not None and VersioneQuadro.objects.filter(valida_dal=valida_dal).exclude(pk=versione.pk).exists():
        raise ConvenzioneNonAmmessa(f"Esiste già una versione in vigore dal {valida_dal:%d/%m/%Y}.")


@transaction.atomic
def versione_crea(
    *,
    chi: User | None,
    testo: str,
    valida_dal: dt.date,
    titolo: str = TITOLO_QUADRO_2023,
    determinazione: str | None = None,
    determinazione_numero: str | None = None,
    determinazione_data: dt.date | None = None,
    note: str = "",
) -> VersioneQuadro:
    """A new version of the Convenzione quadro, in force from ``valida_dal``; ``chi`` None is the system (the
    initial data). The conventions already made keep theirs."""
    versione_controlla_nuova(chi=chi, testo=testo, valida_dal=valida_dal)
    numero = (VersioneQuadro.objects.aggregate(m=Max("numero"))["m"] or 0) + 1
    versione = VersioneQuadro(
        numero=numero, titolo=titolo, testo=testo, valida_dal=valida_dal, note=note, creata_da=chi
    )
    if determinazione is not None:
        versione.determinazione = determinazione
    if determinazione_numero is not None:
        versione.determinazione_numero = determinazione_numero
    if determinazione_data is not None:
        versione.determinazione_data = determinazione_data
    valida(versione, escludi=["creata_da"])
    try:
        with transaction.atomic():
            versione.save()
    except IntegrityError as errore:  # a version saved at the same moment took the number or the date
        raise ConvenzioneNonAmmessa("Un'altra versione è stata registrata in questo momento: riprovi.") from errore
    logger.info("versione della convenzione quadro", extra={"versione": numero, "valida_dal": valida_dal.isoformat()})
    return versione


@transaction.atomic
def versione_modifica(
    *,
    chi: User,
    versione_id: int,
    testo: str | None = None,
    titolo: str | None = None,
    valida_dal: dt.date | None = None,
    note: str | None = None,
    determinazione: str | None = None,
    determinazione_numero: str | None = None,
    determinazione_data: dt.date | None = None,
) -> VersioneQuadro:
    """Correct a version that no convention uses yet; once used it is frozen: a change is a new version."""
    versione = VersioneQuadro.objects.select_for_update().get(pk=versione_id)
    versione_controlla_modifica(chi=chi, versione=versione, testo=testo, valida_dal=valida_dal)
    modifiche = {
        "testo": testo,
        "titolo": titolo,
        "valida_dal": valida_dal,
        "note": note,
        "determinazione": determinazione,
        "determinazione_numero": determinazione_numero,
        "determinazione_data": determinazione_data,
    }
    for campo, valore in modifiche.items():
        if valore is not None:
            setattr(versione, campo, valore)
    valida(versione, escludi=["creata_da"])
    versione.save()
    return versione
