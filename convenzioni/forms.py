"""The forms of the conventions' pages: they validate what the browser sends and never write (the services do)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Regione
from convenzioni.models import Convenzione


class RegistroForm(forms.Form):
    """The filters of the registry: every one optional."""

    regione = forms.ModelChoiceField(
        label=_("Regione"),
        queryset=Regione.objects.order_by("nome"),
        required=False,
        empty_label=_("Tutte"),
        error_messages={"invalid_choice": _("Scelga una regione dell'elenco.")},
    )
    comune = forms.CharField(label=_("Comune"), required=False, max_length=100)
    stato = forms.ChoiceField(
        label=_("Stato"),
        required=False,
        choices=[("", _("Tutti")), *Convenzione.Stato.choices],
        error_messages={"invalid_choice": _("Scelga uno stato dell'elenco.")},
    )
    scadenza_dal = forms.DateField(
        label=_("Scadenza dal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Indichi una data valida.")},
    )
    scadenza_al = forms.DateField(
        label=_("Scadenza al"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Indichi una data valida.")},
    )

    def clean_comune(self) -> str:
        return str(self.cleaned_data.get("comune") or "").replace("\x00", "").strip()

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        dal, al = dati.get("scadenza_dal"), dati.get("scadenza_al")
        if dal and al and dal > al:
            self.add_error("scadenza_al", _("La data finale deve seguire quella iniziale."))
        return dati


class FirmaComuneForm(forms.Form):
    documento_firmato = forms.FileField(
        label=_("Convenzione firmata digitalmente (PDF con firma PAdES)"),
        error_messages={
            "required": _("Scelga il PDF della convenzione firmato digitalmente."),
            "empty": _("Il file scelto è vuoto."),
            "invalid": _("Scelga il PDF della convenzione firmato digitalmente."),
        },
    )


class CriticitaForm(forms.Form):
    oggetto = forms.CharField(
        label=_("Oggetto"), max_length=200, error_messages={"required": _("Indichi l'oggetto della criticità.")}
    )
    descrizione = forms.CharField(
        label=_("Descrizione"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Descriva la criticità.")},
    )


class GestioneCriticitaForm(forms.Form):
    azione = forms.ChoiceField(choices=[("prendi", _("Prendi in carico")), ("risolvi", _("Risolvi"))])
    testo = forms.CharField(
        label=_("Nota o risoluzione"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
