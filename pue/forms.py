from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Comune, Prestazione
from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale
from pue.models import EccezioneSportello, OrarioSportello, Prenotazione
from pue.services import DatiOperatore


class DesignazioneForm(forms.Form):
    codice_fiscale = forms.CharField(label="Codice fiscale", max_length=40)
    nome = forms.CharField(max_length=100)
    cognome = forms.CharField(max_length=100)
    email = forms.EmailField(label="E-mail", max_length=254)
    telefono = forms.CharField(max_length=30)
    atto_autorizzazione = forms.CharField(
        label="Atto di autorizzazione al trattamento dei dati personali",
        max_length=200,
        help_text="Gli estremi dell'atto del Comune (per esempio: determina dirigenziale n. 12).",
    )
    data_atto = forms.DateField(label="Data dell'atto", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_codice_fiscale(self) -> str:
        valore = normalizza_codice_fiscale(self.cleaned_data["codice_fiscale"])
        validate_codice_fiscale(valore)
        return valore

    def clean_data_atto(self) -> dt.date:
        valore: dt.date = self.cleaned_data["data_atto"]
        if valore.year < 1990:
            raise forms.ValidationError("La data dell'atto non è plausibile.")
        return valore

    def dati(self) -> DatiOperatore:
        d: dict[str, Any] = self.cleaned_data
        return DatiOperatore(**{campo: d[campo] for campo in DatiOperatore.__dataclass_fields__})


class MotivoForm(forms.Form):
    motivo = forms.CharField(label="Motivo", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FiltroAttivitaForm(forms.Form):
    operatore = forms.TypedChoiceField(label="Operatore", required=False, coerce=int, empty_value=None)
    dal = forms.DateField(label="Dal", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    al = forms.DateField(label="Al", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, operatori: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operatore"].choices = [("", "Tutti"), *operatori]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        if dati.get("dal") and dati.get("al") and dati["dal"] > dati["al"]:
            raise forms.ValidationError("La data iniziale è successiva a quella finale.")
        return dati


# --- Gestione sportelli: the booking steps (Designers Italia's appointment pattern) ---------------------------------


class ScegliPrestazioneForm(forms.Form):
    prestazione = forms.ModelChoiceField(
        label="Prestazione richiesta (facoltativa)",
        queryset=Prestazione.objects.all(),
        required=False,
        empty_label="Nessuna in particolare: la Struttura territoriale",
        help_text="Per le prestazioni gestite da un Polo nazionale si può prenotare anche con il Polo competente.",
        error_messages={"invalid_choice": "Scelga una prestazione dell'elenco."},
    )


class SettimanaForm(forms.Form):
    dal = forms.DateField(required=False, error_messages={"invalid": "Data non valida: usi il formato AAAA-MM-GG."})


class SlotForm(forms.Form):
    inizio = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"],
        error_messages={"required": "Scelga un orario.", "invalid": "Orario non valido: lo scelga dall'elenco."},
    )


class DettagliForm(forms.Form):
    prestazione = forms.ModelChoiceField(
        label="Prestazione",
        queryset=Prestazione.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": "Scelga una prestazione dell'elenco."},
    )
    argomento = forms.CharField(
        label="Argomento dell'incontro",
        max_length=300,
        required=False,
        help_text="Obbligatorio se non si indica una prestazione.",
    )
    assistenza = forms.BooleanField(
        label="Il cittadino chiede l'assistenza dell'operatore del Comune durante l'incontro",
        required=False,
        help_text="Per trasmettere o stampare documenti o per altre operazioni analoghe.",
    )

    def __init__(self, *args: Any, prestazioni: QuerySet[Prestazione], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prestazione"].queryset = prestazioni  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        if not dati.get("prestazione") and not (dati.get("argomento") or "").strip():
            raise forms.ValidationError("Indichi la prestazione o l'argomento dell'incontro.")
        return dati


class RichiedenteForm(forms.Form):
    codice_fiscale = forms.CharField(label="Codice fiscale del cittadino", max_length=40)
    nome = forms.CharField(max_length=100)
    cognome = forms.CharField(max_length=100)
    titolo = forms.ChoiceField(
        label="Il cittadino dichiara di essere",
        choices=Prenotazione.Titolo.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indichi se il cittadino è residente o domiciliato nel Comune."},
    )
    dichiarazione = forms.BooleanField(
        label="Il cittadino ha reso la dichiarazione di residenza o domicilio (artt. 46 e 47 del DPR 445/2000)",
        error_messages={"required": "Serve la dichiarazione del cittadino di residenza o domicilio nel Comune."},
    )
    per_delega = forms.BooleanField(label="All'incontro partecipa un delegato del cittadino", required=False)
    delegato_codice_fiscale = forms.CharField(label="Codice fiscale del delegato", max_length=40, required=False)
    delegato_nome = forms.CharField(label="Nome del delegato", max_length=100, required=False)
    delegato_cognome = forms.CharField(label="Cognome del delegato", max_length=100, required=False)

    def clean_codice_fiscale(self) -> str:
        valore = normalizza_codice_fiscale(self.cleaned_data["codice_fiscale"])
        validate_codice_fiscale(valore)
        return valore

    def campi_cittadino(self) -> list[forms.BoundField]:
        return [self[nome] for nome in ("codice_fiscale", "nome", "cognome")]

    def campi_delegato(self) -> list[forms.BoundField]:
        return [self[nome] for nome in ("delegato_codice_fiscale", "delegato_nome", "delegato_cognome")]

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        if dati.get("per_delega"):
            codice = normalizza_codice_fiscale(dati.get("delegato_codice_fiscale") or "")
            try:
                validate_codice_fiscale(codice)
            except forms.ValidationError as errore:
                self.add_error("delegato_codice_fiscale", errore)
            else:
                dati["delegato_codice_fiscale"] = codice
            for campo in ("delegato_nome", "delegato_cognome"):
                if not (dati.get(campo) or "").strip():
                    self.add_error(campo, "Campo obbligatorio per la delega.")
        else:
            dati["delegato_codice_fiscale"] = dati["delegato_nome"] = dati["delegato_cognome"] = ""
        return dati


class ValutazioneForm(forms.Form):
    voto = forms.TypedChoiceField(
        label="Quanto è soddisfatto dell'incontro?",
        choices=[(5, "5 - Molto soddisfatto"), (4, "4"), (3, "3"), (2, "2"), (1, "1 - Per niente soddisfatto")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Scelga un valore da 1 a 5.", "invalid_choice": "Scelga un valore da 1 a 5."},
    )
    commento = forms.CharField(
        label="Commento (facoltativo)", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DocumentoForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="PDF, JPEG, PNG o busta .p7m; al massimo 5 MB.",
        error_messages={"required": "Scelga il file.", "empty": "Il file è vuoto."},
    )


# --- The sportello's availability, published by its INPS operators ------------------------------------------------


class SportelloForm(forms.Form):
    nome = forms.CharField(label="Nome dello sportello", max_length=200)
    comune = forms.CharField(
        label="Codice ISTAT del Comune dove ha sede l'ufficio",
        max_length=6,
        help_text="Per la festa del santo patrono, che chiude lo sportello solo nella sua città.",
    )

    def clean_comune(self) -> Comune:
        comune = (
            Comune.objects.select_related("provincia").filter(codice_istat=self.cleaned_data["comune"].strip()).first()
        )
        if comune is None:
            raise forms.ValidationError("Nessun Comune con questo codice ISTAT.")
        return comune


_ORA = {"invalid": "Ora non valida: usi il formato HH:MM."}
_DATA = {"invalid": "Data non valida."}


class OrarioForm(forms.Form):
    giorno = forms.TypedChoiceField(label="Giorno", choices=OrarioSportello.Giorno.choices, coerce=int)
    dalle = forms.TimeField(label="Dalle", widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_ORA)
    alle = forms.TimeField(label="Alle", widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_ORA)
    durata_minuti = forms.IntegerField(label="Durata di un incontro (minuti)", min_value=5, max_value=240, initial=30)
    operatori = forms.IntegerField(label="Operatori in parallelo", min_value=1, max_value=50, initial=1)
    valido_dal = forms.DateField(
        label="Valido dal", widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATA
    )
    valido_al = forms.DateField(
        label="Valido fino al (facoltativo)", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_DATA,
    )  # fmt: skip


class TerminaOrarioForm(forms.Form):
    ultimo_giorno = forms.DateField(
        label="Ultimo giorno", widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATA
    )


class EccezioneForm(forms.Form):
    giorno = forms.DateField(label="Giorno", widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATA)
    tipo = forms.ChoiceField(label="Tipo", choices=EccezioneSportello.Tipo.choices, widget=forms.RadioSelect)
    motivo = forms.CharField(label="Motivo", max_length=200)
    dalle = forms.TimeField(
        label="Dalle", required=False, widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_ORA
    )
    alle = forms.TimeField(
        label="Alle", required=False, widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_ORA
    )
    durata_minuti = forms.IntegerField(label="Durata (minuti)", required=False, min_value=5, max_value=240)
    operatori = forms.IntegerField(label="Operatori", required=False, min_value=1, max_value=50)
