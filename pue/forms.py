from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale
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
