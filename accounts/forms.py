from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from django import forms
from django.db.models import Case, QuerySet, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.backends import METODO_PASSWORD, METODO_PIN
from accounts.documenti import controlla_documento
from accounts.models import Comune, Ente, Struttura, chiave_di_ricerca
from accounts.selectors.competenza import comuni_con_competenza
from accounts.selectors.persone import ha_password
from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale


class CodiceFiscaleField(forms.CharField):
    """A personal codice fiscale as people type it (spaces, dashes, lower case): normalised, then checked; the
    16-character limit applies after normalisation, so the field takes up to 64 characters as typed."""

    default_validators = [validate_codice_fiscale]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Codice fiscale"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalizza_codice_fiscale(super().to_python(value) or "")


class LoginForm(AllauthLoginForm):
    """Login with the codice fiscale and the INPS PIN (or, at the first access, the ex-Inpdap password).

    The codice fiscale is typed in any case and with spaces, and looked up normalised; its format is deliberately not
    validated here: a malformed code gets the same answer as a wrong PIN, so the form never tells which codici fiscali
    have an account.
    """

    metodo = METODO_PIN
    etichetta_segreto = _("PIN")
    errore_unico = _("Il codice fiscale o il PIN non sono corretti.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = gettext("Codice fiscale")
        # People type the code with spaces: the 16-character limit applies after normalisation, not before.
        login.max_length = 64
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
        segreto = self.fields["password"]
        segreto.label = str(self.etichetta_segreto)
        # The page offers its own help: a second one in the field's description is noise.
        segreto.help_text = ""
        if self.metodo == METODO_PIN:
            segreto.widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})
        if "remember" in self.fields:
            del self.fields["remember"]

    def clean_login(self) -> str:
        return normalizza_codice_fiscale(self.cleaned_data["login"])

    def user_credentials(self) -> dict[str, str]:
        credenziali: dict[str, str] = super().user_credentials()
        credenziali["metodo"] = self.metodo
        return credenziali

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[no-any-return]
        except forms.ValidationError as errore:
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
            if getattr(errore, "code", None) == "username_password_mismatch":
                raise forms.ValidationError(str(self.errore_unico), code="username_password_mismatch") from None
            raise


class LoginPasswordForm(LoginForm):
    """Login of INPS staff (and, until SPID, CIE and CNS, of the PUE's people) with a password."""

    metodo = METODO_PASSWORD
    etichetta_segreto = _("Password")
    errore_unico = _("Il codice fiscale o la password non sono corretti.")


class ResetPasswordForm(AllauthResetPasswordForm):
    """Ha dimenticato la password?: a reset link only for the people who have a password at all.

    Someone who logs in with the PIN gets a message that says so and how to obtain a new PIN, never a link; the page
    answers the same in every case, so it tells nobody who has an account.
    """

    def clean_email(self) -> str:
        email: str = super().clean_email()
        persone: list[Any] = list(getattr(self, "users", []))
        self.users = [u for u in persone if ha_password(u)]
        self.con_pin = [u for u in persone if not ha_password(u)]
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email: str = self.cleaned_data["email"]
        if self.con_pin and not self.users:
            contesto = {"persona": self.con_pin[0], "guida": request.build_absolute_uri(reverse("guida_credenziali"))}
            get_adapter(request).send_mail("account/email/password_reset_pin", email, contesto)
            return email
        return super().save(request, **kwargs)  # type: ignore[no-any-return]


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

    def risultati(self) -> QuerySet[Comune]:
        """The Comuni whose name contains what was typed, accents, apostrophes and case aside: the exact name first,
        then the names that begin with it, then the others, each group in alphabetical order (accents aside)."""
        chiave = chiave_di_ricerca(self.cleaned_data["comune"])
        rango = Case(When(nome_ricerca=chiave, then=0), When(nome_ricerca__startswith=chiave, then=1), default=2)
        comuni = Comune.objects.filter(nome_ricerca__contains=chiave).annotate(rango=rango)
        return comuni_con_competenza(comuni).order_by("rango", "nome_ricerca", "provincia__sigla")


def scelta_della_sede(**kwargs: Any) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    """The Sede territoriale a person chooses to examine a request: any active one (Circolare 71/2016, par. 2)."""
    return forms.ModelChoiceField(
        label=_("Sede territoriale INPS che esamina la richiesta"),
        queryset=Struttura.objects.filter(tipo=Struttura.Tipo.SEDE_TERRITORIALE, attiva=True).order_by("nome"),
        empty_label=_("Scelga la sede"),
        error_messages={
            "required": _("Scelga la sede territoriale."),
            "invalid_choice": _("Scelga una delle sedi territoriali dell'elenco."),
        },
        **kwargs,
    )


class ModuloEDocumentoForm(forms.Form):
    """The signed request form and an identity document, checked by content and size (``controlla_documento``)."""

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

    def clean_modulo_firmato(self) -> Any:
        return controlla_documento(self.cleaned_data["modulo_firmato"])

    def clean_documento_identita(self) -> Any:
        return controlla_documento(self.cleaned_data["documento_identita"])


class ConversioneForm(ModuloEDocumentoForm):
    ente = forms.ModelChoiceField(
        label=_("Ente per cui opera"),
        queryset=Ente.objects.none(),
        empty_label=None,
        help_text=_("La richiesta va alla sede territoriale competente per questo Ente."),
        error_messages={"invalid_choice": _("Scelga uno degli Enti per cui opera.")},
    )

    sede = scelta_della_sede(
        help_text=_("Non opera ancora per un Ente: può scegliere una qualunque sede territoriale.")
    )

    def __init__(self, *args: Any, enti: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Who acts for an Ente asks the Sede competent for it; who acts for none yet chooses the Sede.
        if enti.exists():
            self.fields["ente"].queryset = enti  # type: ignore[attr-defined]
            del self.fields["sede"]
        else:
            del self.fields["ente"]


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """The page of a reset link: refused for a person who logs in with the PIN, even with a link sent before."""

    def clean(self) -> dict[str, Any]:
        if self.user is not None and not ha_password(self.user):
            raise forms.ValidationError(
                gettext("Lei accede al portale con il PIN INPS: non esiste una password da reimpostare."),
                code="password_non_disponibile",
            )
        return super().clean()  # type: ignore[no-any-return]


class DatiRichiestaPinForm(forms.Form):
    """Who asks for a PIN dispositivo, and the Sede that examines the request (any Sede territoriale)."""

    codice_fiscale = CodiceFiscaleField(
        error_messages={"required": _("Indichi il suo codice fiscale.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    nome = forms.CharField(label=_("Nome"), max_length=100, error_messages={"required": _("Indichi il nome.")})
    cognome = forms.CharField(label=_("Cognome"), max_length=100, error_messages={"required": _("Indichi il cognome.")})
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Riceverà qui l'esito della richiesta (mai il PIN)."),
        error_messages={
            "required": _("Indichi un indirizzo e-mail."),
            "invalid": _("L'indirizzo e-mail non è valido."),
        },
    )
    sede = scelta_della_sede()


class RichiestaPinForm(DatiRichiestaPinForm, ModuloEDocumentoForm):
    pass


class RitiroPinForm(forms.Form):
    codice_fiscale = forms.CharField(
        label=_("Codice fiscale"),
        max_length=64,
        error_messages={"required": _("Indichi il suo codice fiscale.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    codice_ritiro = forms.CharField(
        label=_("Codice di ritiro"),
        max_length=64,
        help_text=_("Il codice mostrato all'invio della richiesta."),
        error_messages={"required": _("Indichi il codice di ritiro.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
