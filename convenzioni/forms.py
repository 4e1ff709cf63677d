"""The forms of the conventions' pages: they validate what the browser sends and never write (the services do)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import Regione
from accounts.validators import validate_codice_fiscale
from convenzioni.models import Convenzione, FiguraConvenzione


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


# --- Preparing and correcting a draft, changing a figure, closing ---------------------------------------------------

_DATA = {"type": "date"}
_ERRORE_DATA = {"invalid": _("Indichi una data valida."), "required": _("Indichi la data.")}


def _testo(etichetta: StrOrPromise, *, massimo: int, obbligatorio: bool = True, righe: int = 0) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": righe}) if righe else forms.TextInput()
    return forms.CharField(
        label=etichetta,
        max_length=massimo,
        required=obbligatorio,
        widget=widget,
        error_messages={"required": _("Questo dato è obbligatorio.")},
    )


class ComuneForm(forms.Form):
    """The Comune a new convention is for, by its ISTAT code (as "Trova la sede competente" shows it)."""

    comune = forms.CharField(
        label=_("Codice ISTAT del Comune"),
        max_length=6,
        min_length=6,
        help_text=_("Sei cifre, per esempio 078102 per Rende."),
        error_messages={
            "required": _("Indichi il codice ISTAT del Comune."),
            "min_length": _("Il codice ISTAT è di sei cifre."),
            "max_length": _("Il codice ISTAT è di sei cifre."),
        },
    )

    def clean_comune(self) -> str:
        codice = str(self.cleaned_data["comune"]).strip()
        if not codice.isdigit():
            raise forms.ValidationError(_("Il codice ISTAT è di sei cifre."))
        return codice


class ConvenzioneForm(forms.Form):
    """The data of the convention that fill the Convenzione quadro; the service validates them against the model
    (codici fiscali, addresses, dates) and its messages come back on these fields."""

    comune_codice_fiscale = _testo(_("Codice fiscale del Comune"), massimo=11)
    comune_pec = _testo(_("PEC del Comune"), massimo=254)
    legale_rappresentante_nome = _testo(_("Nome del legale rappresentante"), massimo=100)
    legale_rappresentante_cognome = _testo(_("Cognome del legale rappresentante"), massimo=100)
    legale_rappresentante_codice_fiscale = _testo(_("Codice fiscale del legale rappresentante"), massimo=16)
    legale_rappresentante_qualifica = _testo(_("Qualifica del legale rappresentante"), massimo=100)
    postazione_indirizzo = _testo(_("Indirizzo della postazione PUE"), massimo=250)
    postazione_locale = _testo(_("Locale (ufficio, piano, stanza)"), massimo=200)
    postazione_strumentazione = _testo(_("Strumentazione fornita dal Comune"), massimo=2000, righe=3)
    postazione_orari = _testo(_("Giorni e orari di apertura"), massimo=250, obbligatorio=False)
    costi = _testo(_("Costi a carico del Comune"), massimo=2000, righe=3)
    supporto_telefono = _testo(_("Consulenza telefonica INPS: numero"), massimo=50)
    supporto_orari = _testo(_("Consulenza telefonica INPS: orari"), massimo=200, obbligatorio=False)
    materiale_informativo = _testo(_("Materiale informativo"), massimo=2000, obbligatorio=False, righe=3)
    pec_inps = _testo(_("PEC della Direzione INPS"), massimo=254)
    data_inizio = forms.DateField(
        label=_("Decorrenza"), widget=forms.DateInput(attrs=_DATA, format="%Y-%m-%d"), error_messages=_ERRORE_DATA
    )
    data_fine = forms.DateField(
        label=_("Scadenza"), widget=forms.DateInput(attrs=_DATA, format="%Y-%m-%d"), error_messages=_ERRORE_DATA
    )

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        inizio, fine = dati.get("data_inizio"), dati.get("data_fine")
        if inizio and fine and fine <= inizio:
            self.add_error("data_fine", _("La scadenza della convenzione deve essere successiva alla decorrenza."))
        return dati


class FiguraForm(forms.Form):
    """A Referente or the Amministratore utenze: name and contacts."""

    nome = _testo(_("Nome"), massimo=100)
    cognome = _testo(_("Cognome"), massimo=100)
    codice_fiscale = forms.CharField(
        label=_("Codice fiscale"),
        max_length=16,
        required=False,
        validators=[validate_codice_fiscale],
        help_text=_("Obbligatorio per il Referente del Comune e per l'Amministratore utenze."),
    )
    qualifica = _testo(_("Qualifica"), massimo=150, obbligatorio=False)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages={"required": _("Questo dato è obbligatorio."), "invalid": _("Indichi un indirizzo valido.")},
    )
    telefono = _testo(_("Telefono"), massimo=30)
    pec = forms.EmailField(
        label=_("PEC"), max_length=254, required=False, error_messages={"invalid": _("Indichi un indirizzo valido.")}
    )

    def clean_codice_fiscale(self) -> str:
        return str(self.cleaned_data.get("codice_fiscale") or "").strip().upper()


class CambioFiguraForm(FiguraForm):
    """A change of name or contacts after signing: the reason goes in the PEC to the other party."""

    ruolo = forms.ChoiceField(
        label=_("Figura"),
        choices=FiguraConvenzione.Ruolo.choices,
        error_messages={"invalid_choice": _("Scelga una figura dell'elenco."), "required": _("Scelga la figura.")},
    )
    motivo = _testo(_("Motivo della modifica"), massimo=2000, obbligatorio=False, righe=2)


class ChiusuraForm(forms.Form):
    """The reason of an annulment, a withdrawal or a revocation: it stays in the convention's history."""

    motivo = forms.CharField(
        label=_("Motivo"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indichi il motivo: resta nella storia della convenzione.")},
    )
