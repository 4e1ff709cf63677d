"""The back office of the PUE conventions.

- The versions of the Convenzione quadro: central staff add and correct them, always through the services
  (``versione_crea`` / ``versione_modifica``), whose refusals are shown as the form's errors: a version a convention
  already uses cannot change. The others read them.
- The conventions: evidence, read only, with their history, documents, signatures, figures and criticità; each
  person sees those of their territory (``convenzioni_visibili``, the same rule as the pages), anything else is a 404.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import User
from convenzioni import selectors
from convenzioni.models import (
    Convenzione,
    Criticita,
    DocumentoConvenzione,
    EventoConvenzione,
    FiguraConvenzione,
    FirmaConvenzione,
    VersioneQuadro,
)
from convenzioni.services.versioni import (
    versione_controlla_modifica,
    versione_controlla_nuova,
    versione_crea,
    versione_modifica,
)
from inps_portal.admin_mixins import SolaLettura
from inps_portal.errori import ErroreDominio

CAMPI_VERSIONE = (
    "titolo",
    "testo",
    "valida_dal",
    "determinazione",
    "determinazione_numero",
    "determinazione_data",
    "note",
)


class VersioneQuadroForm(forms.ModelForm):  # type: ignore[type-arg]
    """The fields of a version; before saving, the service's own checks (who, the text's placeholders, the date, a
    version in use), so that a refusal is an error of the form and nothing is written."""

    chi: User | None = None  # set by the admin for the request (a class made per request)

    class Meta:
        model = VersioneQuadro
        fields = CAMPI_VERSIONE
        widgets = {"testo": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def clean(self) -> dict[str, Any]:
        dati = super().clean() or {}
        if self.errors or self.chi is None:
            return dati
        try:
            if self.instance.pk:
                versione_controlla_modifica(
                    chi=self.chi, versione=self.instance, testo=dati.get("testo"), valida_dal=dati.get("valida_dal")
                )
            else:
                versione_controlla_nuova(chi=self.chi, testo=dati["testo"], valida_dal=dati["valida_dal"])
        except ErroreDominio as errore:
            raise ValidationError(str(errore)) from errore
        return dati


@admin.register(VersioneQuadro)
class VersioneQuadroAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = VersioneQuadroForm
    list_display = ["numero", "titolo", "valida_dal", "determinazione_numero", "determinazione_data", "uso"]
    readonly_fields = ["numero", "uso", "creata_da", "creata_il"]
    fields = ["numero", "uso", *CAMPI_VERSIONE, "creata_da", "creata_il"]
    ordering = ["-valida_dal", "-numero"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VersioneQuadro]:
        return selectors.versioni().select_related("creata_da")

    @admin.display(description="convenzioni che la usano")
    def uso(self, obj: VersioneQuadro) -> str:
        if not obj.pk:
            return "—"
        usi = obj.convenzioni.count()
        if not usi:
            return "nessuna: la versione si può ancora correggere"
        return f"{usi}: la versione non si può più modificare (per cambiare lo schema se ne crea una nuova)"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        classe = super().get_form(request, obj, change, **kwargs)
        return type(classe.__name__, (classe,), {"chi": cast(User, request.user)})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a version is history: a new one replaces it from its date

    def save_model(self, request: HttpRequest, obj: VersioneQuadro, form: Any, change: bool) -> None:
        chi = cast(User, request.user)
        dati = {campo: form.cleaned_data[campo] for campo in CAMPI_VERSIONE}
        salvata = versione_modifica(chi=chi, versione_id=obj.pk, **dati) if change else versione_crea(chi=chi, **dati)
        obj.pk, obj.numero = salvata.pk, salvata.numero
        obj._state.adding = False

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ErroreDominio as errore:
            # Refused at the last moment (a convention took the version between the check and the save): the
            # service's message, nothing written.
            self.message_user(request, str(errore), messages.ERROR)
            return HttpResponseRedirect(request.path)


# --- The conventions, read only -------------------------------------------------------------------------------------


class _Inline(SolaLettura, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False


class FiguraInline(_Inline):
    model = FiguraConvenzione
    fields = readonly_fields = (
        "ruolo",
        "nome",
        "cognome",
        "codice_fiscale",
        "email",
        "telefono",
        "pec",
        "dal",
        "sostituita_il",
        "motivo",
        "messaggio_pec",
    )
    verbose_name_plural = "referenti e amministratore utenze (con lo storico)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[FiguraConvenzione]:
        return super().get_queryset(request).select_related("messaggio_pec").order_by("ruolo", "-dal", "-pk")


class DocumentoInline(_Inline):
    model = DocumentoConvenzione
    fields = readonly_fields = ("tipo", "creato_il", "creato_da", "sha256", "dimensione", "revisioni", "scarica")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentoConvenzione]:
        return super().get_queryset(request).defer("contenuto").select_related("creato_da")

    @admin.display(description="documento")
    def scarica(self, obj: DocumentoConvenzione) -> str:
        url = reverse("convenzione_documento_archiviato", args=[obj.convenzione_id, obj.pk])
        return format_html('<a href="{}">scarica il PDF</a>', url)


class FirmaInline(_Inline):
    model = FirmaConvenzione
    fields = readonly_fields = (
        "parte",
        "firmatario",
        "firmatario_codice_fiscale",
        "firmata_il",
        "soggetto",
        "emittente",
        "numero_serie",
        "sha256",
        "registrata_da",
        "registrata_il",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[FirmaConvenzione]:
        return super().get_queryset(request).select_related("registrata_da")


class EventoInline(_Inline):
    model = EventoConvenzione
    fields = readonly_fields = ("quando", "da", "a", "chi", "motivo")

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventoConvenzione]:
        return super().get_queryset(request).select_related("chi")


class CriticitaInline(_Inline):
    model = Criticita
    fields = readonly_fields = (
        "segnalata_il",
        "parte",
        "oggetto",
        "descrizione",
        "stato",
        "segnalata_da",
        "presa_in_carico_da",
        "risolta_il",
        "risoluzione",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Criticita]:
        return super().get_queryset(request).select_related("segnalata_da", "presa_in_carico_da")


@admin.register(Convenzione)
class ConvenzioneAdmin(SolaLettura, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["comune", "stato", "protocollo", "direzione", "data_inizio", "data_fine", "versione"]
    list_filter = ["stato", "comune__provincia__regione"]
    list_select_related = ["comune__provincia", "direzione", "versione"]
    search_fields = ["comune__nome", "protocollo", "comune__codice_istat"]
    ordering = ["data_fine", "comune__nome"]
    fields = readonly_fields = (
        "comune",
        "stato",
        "protocollo",
        "versione",
        "direzione",
        "pagina",
        "comune_codice_fiscale",
        "comune_pec",
        "legale_rappresentante_nome",
        "legale_rappresentante_cognome",
        "legale_rappresentante_codice_fiscale",
        "legale_rappresentante_qualifica",
        "pec_inps",
        "postazione_indirizzo",
        "postazione_locale",
        "postazione_strumentazione",
        "postazione_orari",
        "costi",
        "supporto_telefono",
        "supporto_orari",
        "materiale_informativo",
        "data_inizio",
        "data_fine",
        "creata_da",
        "creata_il",
        "firmata_comune_il",
        "attivata_il",
        "chiusa_il",
        "motivo_chiusura",
    )
    inlines = [FiguraInline, FirmaInline, DocumentoInline, EventoInline, CriticitaInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Convenzione]:
        return selectors.convenzioni_visibili(cast(User, request.user)).select_related(
            "comune__provincia", "direzione", "versione", "creata_da"
        )

    @admin.display(description="pagina della convenzione")
    def pagina(self, obj: Convenzione) -> str:
        url = reverse("convenzione", args=[obj.pk])
        return format_html('<a href="{}">apri la pagina della convenzione (documenti, firma)</a>', url)
