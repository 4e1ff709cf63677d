from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.documenti import controlla_documento
from accounts.models import Comune, Ente
from accounts.validators import normalizza_codice_fiscale


class LoginForm(AllauthLoginForm):
    """Login by codice fiscale: typed in any case and with spaces, looked up normalised.

    The format is deliberately not validated here: a malformed code gets the same answer as a wrong password, so
    the form never tells which codici fiscali have an account.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = gettext("Codice fiscale")
        # People type the code with spaces: the 16-character limit applies after normalisation, not before.
        login.max_length = 64  # type: ignore[attr-defined]
        login.validators = []
        login.widget.attrs["maxlength"] = "64"
        login.widget.attrs.update(
            {
                "placeholder": gettext("Es. RSSMRA80A01H501U"),
                "autocomplete": "username",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        )
        self.fields["password"].label = gettext("Password")
        # The page offers its own "forgotten password" link: a second one in the field's description is noise.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            del self.fields["remember"]

    def clean_login(self) -> str:
        return normalizza_codice_fiscale(self.cleaned_data["login"])

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[no-any-return]
        except forms.ValidationError:
            dismessa = getattr(self.request, "credenziale_dismessa", None)
            if dismessa == "ex_inpdap":
                raise forms.ValidationError(
                    gettext(
                        "Le credenziali ex Inpdap non sono più valide: sono state unificate nel nuovo PIN INPS, "
                        "che da ora è l'unica credenziale per accedere. Se non lo ha più, si rivolga a una sede INPS."
                    ),
                    code="credenziale_dismessa",
                ) from None
            if dismessa == "pin_superato":
                raise forms.ValidationError(
                    gettext(
                        "Questo PIN è stato sostituito dal nuovo PIN rilasciato con l'unificazione delle credenziali: "
                        "acceda con il nuovo PIN."
                    ),
                    code="credenziale_dismessa",
                ) from None
            raise


class CercaSedeForm(forms.Form):
    comune = forms.CharField(
        label=_("Comune"),
        max_length=100,
        min_length=2,
        error_messages={
            "required": _("Indichi il nome del Comune."),
            "min_length": _("Scriva almeno %(limit_value)d lettere del nome del Comune."),
            "max_length": _("Il nome del Comune non può superare %(limit_value)d caratteri."),
        },
    )

    def clean_comune(self) -> str:
        value = " ".join(self.cleaned_data["comune"].split())
        if not any(ch.isalpha() for ch in value):
            raise forms.ValidationError(gettext("Il nome del Comune deve contenere delle lettere."))
        return value

    def risultati(self, limite: int = 20) -> list[Comune]:
        nome = self.cleaned_data["comune"]
        comuni = Comune.objects.select_related("provincia__regione")
        esatti = list(comuni.filter(nome__iexact=nome)[:limite])
        return esatti or list(comuni.filter(nome__icontains=nome).order_by("nome")[:limite])


class ConversioneForm(forms.Form):
    ente = forms.ModelChoiceField(
        label=_("Ente per cui opera"),
        queryset=Ente.objects.none(),
        empty_label=None,
        help_text=_("La richiesta va alla sede territoriale competente per questo Ente."),
        error_messages={"invalid_choice": _("Scelga uno degli Enti per cui opera.")},
    )
    modulo_firmato = forms.FileField(
        label=_("Modulo di richiesta firmato"),
        help_text=_("PDF, JPEG o PNG, al massimo 5 MB."),
        error_messages={"required": _("Carichi il modulo di richiesta firmato.")},
    )
    documento_identita = forms.FileField(
        label=_("Documento di identità"),
        help_text=_("Fronte e retro, PDF, JPEG o PNG, al massimo 5 MB."),
        error_messages={"required": _("Carichi un documento di identità valido.")},
    )

    def __init__(self, *args: Any, enti: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ente"].queryset = enti  # type: ignore[attr-defined]

    def clean_modulo_firmato(self) -> Any:
        return controlla_documento(self.cleaned_data["modulo_firmato"])

    def clean_documento_identita(self) -> Any:
        return controlla_documento(self.cleaned_data["documento_identita"])
