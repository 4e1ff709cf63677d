from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from abilitazioni.models import Abilitazione
from accounts.models import Ente


class RichiestaForm(forms.Form):
    ente = forms.ModelChoiceField(
        label=_("Ente"),
        queryset=Ente.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Scelga uno degli Enti per cui opera."),
            "required": _("Scelga l'Ente per cui chiede le abilitazioni."),
        },
    )
    aggiungi = forms.ModelMultipleChoiceField(
        label=_("Abilitazioni da aggiungere"),
        queryset=Abilitazione.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Una delle abilitazioni scelte non esiste."),
            "invalid_pk_value": _("Una delle abilitazioni scelte non esiste."),
            "invalid_list": _("Scelga le abilitazioni dall'elenco."),
        },
    )
    rimuovi = forms.ModelMultipleChoiceField(
        label=_("Abilitazioni da togliere"),
        queryset=Abilitazione.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Una delle abilitazioni scelte non esiste."),
            "invalid_pk_value": _("Una delle abilitazioni scelte non esiste."),
            "invalid_list": _("Scelga le abilitazioni dall'elenco."),
        },
    )

    def __init__(self, *args: Any, enti: QuerySet[Ente], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalogo = Abilitazione.objects.filter(attiva=True)
        self.fields["ente"].queryset = enti  # type: ignore[attr-defined]
        self.fields["aggiungi"].queryset = catalogo  # type: ignore[attr-defined]
        self.fields["rimuovi"].queryset = catalogo  # type: ignore[attr-defined]


class ModuloFirmatoForm(forms.Form):
    """The modulo signed by the Ente's legal representative: a PDF (signed digitally, or a scan of the signed paper)
    or a CAdES envelope (.p7m), recognised by its content, within the size limit."""

    modulo_firmato = forms.FileField(
        label=_("Modulo firmato"),
        help_text=_("PDF firmato digitalmente (o scansione del modulo firmato), oppure busta .p7m; al massimo 5 MB."),
        error_messages={"required": _("Scelga il file del modulo firmato."), "empty": _("Il file è vuoto.")},
    )

    def clean_modulo_firmato(self) -> Any:
        file = self.cleaned_data["modulo_firmato"]
        limite = settings.DOCUMENTI_DIMENSIONE_MASSIMA
        if not file.size:
            raise forms.ValidationError(_("Il file è vuoto."), code="vuoto")
        if file.size > limite:
            raise forms.ValidationError(
                _("Il file pesa %(peso)s: il massimo è %(limite)s."),
                code="troppo_grande",
                params={"peso": filesizeformat(file.size), "limite": filesizeformat(limite)},
            )
        file.seek(0)
        inizio = file.read(1024)
        file.seek(0)
        nome = (file.name or "").lower()
        if inizio.startswith(b"%PDF-") and nome.endswith(".pdf"):
            return file
        if nome.endswith(".p7m") and (inizio[:1] == b"\x30" or inizio.lstrip().startswith(b"MI")):
            return file  # DER (a SEQUENCE) or base64 of it
        raise forms.ValidationError(
            _("Il file non è un PDF né una busta .p7m (o l'estensione non corrisponde al contenuto)."), code="tipo"
        )


@dataclass(frozen=True)
class FileDaRinviare:
    """A file the person chose in a form the portal refused: what it was for, its name, and why it was refused (no
    reasons: it was fine, but it has to be chosen again all the same)."""

    etichetta: str
    nome: str
    errori: list[str]


def file_da_rinviare(form: forms.Form) -> list[FileDaRinviare]:
    """After a refused form with file fields, every file that must be sent again. Browsers never fill a file input
    again, and nothing of a refused form is kept: a file that was fine, beside one that was not (or beside another
    error of the form), is lost as well, so the page must say so rather than drop it silently."""
    if not form.is_bound or form.is_valid():
        return []
    risultato = []
    for nome, campo in form.fields.items():
        if not isinstance(campo, forms.FileField):
            continue
        file = form.files.get(form.add_prefix(nome))
        errori = [str(e) for e in form.errors.get(nome, [])]
        if file is None and not errori:
            continue  # nothing chosen, and nothing required: nothing to send again
        risultato.append(FileDaRinviare(str(campo.label), getattr(file, "name", "") or "", errori))
    return risultato
