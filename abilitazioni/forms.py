from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
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
