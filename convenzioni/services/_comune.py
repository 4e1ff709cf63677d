"""What the services of the conventions share: the event row of every change, the locked read, the refusals."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from accounts.models import User
from convenzioni import documento
from convenzioni.dati import ORARI_PREDEFINITI, DatiFigura
from convenzioni.errori import ConvenzioneNonAmmessa, DatiNonValidi, NonAutorizzato
from convenzioni.models import Convenzione, DocumentoConvenzione, EventoConvenzione, FiguraConvenzione
from convenzioni.selectors import figure_attuali
from convenzioni.testo import compila
from inps_portal import clock

Ruolo = FiguraConvenzione.Ruolo

NON_TROVATA = "La convenzione indicata non esiste o non è tra quelle che può vedere."


def evento(convenzione: Convenzione, da: str, a: str, chi: User | None, motivo: str = "") -> EventoConvenzione:
    return EventoConvenzione.objects.create(convenzione=convenzione, da=da, a=a, chi=chi, motivo=motivo)


def bloccata(convenzione_id: int) -> Convenzione:
    """The convention locked for the rest of the transaction (with the Comune and the Direzione it names)."""
    try:
        return (
            Convenzione.objects.select_for_update(of=("self",))
            .select_related("comune__provincia__regione", "direzione", "versione")
            .get(pk=convenzione_id)
        )
    except Convenzione.DoesNotExist as errore:
        raise NonAutorizzato(NON_TROVATA) from errore


def valida(oggetto: Model, *, escludi: list[str]) -> None:
    """The model's own validators (codice fiscale, e-mail, lengths), as a domain error with the messages by field."""
    try:
        oggetto.full_clean(exclude=escludi, validate_unique=False, validate_constraints=False)
    except ValidationError as errore:
        raise DatiNonValidi(errore.message_dict) from errore


def genera(convenzione: Convenzione, chi: User | None) -> DocumentoConvenzione:
    """Fill the version's text with the convention's data and generate the PDF to sign; both are the convention's
    own from now on (a new version of the schema changes neither)."""
    convenzione.testo = compila(convenzione.versione.testo, valori(convenzione))
    generato = documento.genera(convenzione)
    doc = DocumentoConvenzione.objects.create(
        convenzione=convenzione,
        tipo=DocumentoConvenzione.Tipo.GENERATO,
        contenuto=generato.contenuto,
        sha256=generato.sha256,
        dimensione=len(generato.contenuto),
        revisioni=generato.revisioni,
        creato_da=chi,
    )
    convenzione.documento_generato = convenzione.documento = doc
    convenzione.save(update_fields=["testo", "documento_generato", "documento"])
    return doc


def valori(convenzione: Convenzione) -> dict[str, str]:
    """The value of every placeholder of the Convenzione quadro for this convention."""
    figure = figure_attuali(convenzione)
    versione = convenzione.versione
    return {
        "comune": convenzione.comune.nome,
        "provincia": convenzione.comune.provincia.sigla,
        "comune_codice_fiscale": convenzione.comune_codice_fiscale,
        "comune_pec": convenzione.comune_pec,
        "legale_rappresentante": convenzione.legale_rappresentante,
        "legale_rappresentante_codice_fiscale": convenzione.legale_rappresentante_codice_fiscale,
        "legale_rappresentante_qualifica": convenzione.legale_rappresentante_qualifica,
        "direzione": convenzione.direzione.nome,
        "inps_pec": convenzione.pec_inps,
        "postazione_indirizzo": convenzione.postazione_indirizzo,
        "postazione_locale": convenzione.postazione_locale,
        "postazione_strumentazione": convenzione.postazione_strumentazione.rstrip("."),
        "postazione_orari": convenzione.postazione_orari or ORARI_PREDEFINITI,
        "costi": convenzione.costi.rstrip("."),
        "supporto_telefono": convenzione.supporto_telefono,
        "supporto_orari": convenzione.supporto_orari,
        "materiale_informativo": convenzione.materiale_informativo.rstrip("."),
        "referente_inps": _descrivi(figure.get(Ruolo.REFERENTE_INPS)),
        "referente_comune": _descrivi(figure.get(Ruolo.REFERENTE_COMUNE)),
        "amministratore_utenze": _descrivi(figure.get(Ruolo.AMMINISTRATORE_UTENZE)),
        "data_inizio": f"{convenzione.data_inizio:%d/%m/%Y}",
        "data_fine": f"{convenzione.data_fine:%d/%m/%Y}",
        "determinazione": versione.determinazione,
        "versione": str(versione.numero),
    }


def _descrivi(figura: FiguraConvenzione | None) -> str:
    if figura is None:
        return ""
    nome = figura.nome_completo + (f" ({figura.qualifica})" if figura.qualifica else "")
    codice = f", codice fiscale {figura.codice_fiscale}" if figura.codice_fiscale else ""
    return f"{nome}{codice}, {figura.recapiti}"


def nuova_figura(
    convenzione: Convenzione, ruolo: str, dati: DatiFigura, *, chi: User | None, motivo: str
) -> FiguraConvenzione:
    valori_figura = {k: (v.strip() if isinstance(v, str) else v) for k, v in _campi(dati).items() if k != "user"}
    valori_figura["codice_fiscale"] = valori_figura["codice_fiscale"].upper()
    figura = FiguraConvenzione(
        convenzione=convenzione, ruolo=ruolo, user=dati.user, registrata_da=chi, motivo=motivo, **valori_figura
    )
    valida(figura, escludi=["convenzione", "user", "registrata_da", "messaggio_pec"])
    if ruolo in FiguraConvenzione.DEL_COMUNE and not figura.codice_fiscale:
        raise ConvenzioneNonAmmessa(
            f"Per «{figura.get_ruolo_display()}» indichi il codice fiscale: è una persona del Comune che opera nel "
            "portale."
        )
    figura.save()
    return figura


def chiudi_figura(figura: FiguraConvenzione) -> None:
    FiguraConvenzione.objects.filter(pk=figura.pk, sostituita_il__isnull=True).update(sostituita_il=clock.now())


def figura_uguale(figura: FiguraConvenzione, dati: DatiFigura) -> bool:
    return all(
        str(getattr(figura, campo) or "").strip().lower() == str(valore or "").strip().lower()
        for campo, valore in _campi(dati).items()
        if campo != "user"
    ) and (dati.user is None or figura.user_id == dati.user.pk)


def _campi(dati: DatiFigura) -> dict[str, Any]:
    # not dataclasses.asdict: it would deep-copy the User instance
    return {campo.name: getattr(dati, campo.name) for campo in fields(dati)}
