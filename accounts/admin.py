"""Back office for the registry and the people: searches and filters that staff actually use.

Roles are given and taken away only through ``ruolo_assegna`` / ``ruolo_revoca``, from the "Ruoli" page of a person,
by the portal's administrators: the registry's pages carry no object-permission editor (guardian's would write
permissions around the services, with no event), and groups, back-office access and superuser status are read only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from accounts import admin_credenziali
from accounts.forms import CodiceFiscaleField
from accounts.models import (
    Comune,
    Ente,
    EventoRuolo,
    MembroTeam,
    Prestazione,
    Provincia,
    Regione,
    Struttura,
    Team,
    User,
)
from accounts.roles import AMBITI, Ruolo
from accounts.selectors.competenza import comuni_con_competenza, con_competenza
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from accounts.services.ruoli import ruolo_assegna, ruolo_revoca
from inps_portal.admin_mixins import SolaLettura
from inps_portal.errori import ErroreDominio


@admin.register(Regione)
class RegioneAdmin(admin.ModelAdmin[Regione]):
    list_display = ["nome", "codice_istat", "numero_province"]
    search_fields = ["nome", "codice_istat"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Regione]:
        return super().get_queryset(request).annotate(_province=Count("province"))

    @admin.display(description="province", ordering="_province")
    def numero_province(self, obj: Regione) -> int:
        return int(obj._province)  # type: ignore[attr-defined]


@admin.register(Provincia)
class ProvinciaAdmin(admin.ModelAdmin[Provincia]):
    list_display = ["nome", "sigla", "codice_istat", "regione"]
    list_filter = ["regione"]
    search_fields = ["nome", "sigla", "codice_istat"]
    list_select_related = ["regione"]


admin.site.unregister(Group)


@admin.register(Group)
class GruppoAdmin(SolaLettura, DjangoGroupAdmin):
    """A group is a role (``accounts.roles``), with the permissions each app declares for it: read here, never edited.
    Deleting or renaming one would take the role from all its members with no event; roles change only through the
    role services (the "Ruoli" page of a person)."""


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin[Comune]):
    list_display = [
        "nome",
        "provincia",
        "regione",
        "codice_istat",
        "codice_catastale",
        "popolazione",
        "sede_competente",
    ]
    list_filter = ["provincia__regione", "provincia"]
    search_fields = ["nome", "codice_istat", "codice_catastale"]
    list_select_related = ["provincia__regione"]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="regione", ordering="provincia__regione__nome")
    def regione(self, obj: Comune) -> str:
        return obj.provincia.regione.nome

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comune]:
        # The competent offices come with the rows, in the changelist's one query (not one lookup per row).
        return comuni_con_competenza(super().get_queryset(request))

    @admin.display(description="sede competente")
    def sede_competente(self, obj: Comune) -> str:
        return getattr(obj, "sede_nome", None) or "—"


class PrestazioniInline(admin.TabularInline[Any, Struttura]):
    model = Struttura.prestazioni.through
    extra = 0
    verbose_name = "prestazione di competenza"
    verbose_name_plural = "prestazioni di competenza (solo Poli nazionali)"
    autocomplete_fields = ["prestazione"]
    max_num = 100  # a Polo handles a handful; also the most forms a POST can make the page build


@admin.register(Struttura)
class StrutturaAdmin(admin.ModelAdmin[Struttura]):
    list_display = ["nome", "codice", "tipo", "regione", "provincia", "pec", "attiva"]
    list_filter = ["tipo", "attiva", "regione"]
    search_fields = ["nome", "codice", "provincia__nome", "regione__nome"]
    list_select_related = ["regione", "provincia"]
    autocomplete_fields = ["regione", "provincia"]
    exclude = ["prestazioni"]
    inlines = [PrestazioniInline]


class MembroTeamInline(SolaLettura, admin.TabularInline[MembroTeam, Team]):
    model = MembroTeam
    fk_name = "team"
    fields = readonly_fields = ("user", "dal", "assegnato_da")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembroTeam]:
        return super().get_queryset(request).select_related("user", "assegnato_da")


@admin.register(Team)
class TeamAdmin(SolaLettura, admin.ModelAdmin[Team]):
    """Read only: teams come with their structures (``registro_carica``), members through ``team_assegna`` and
    ``team_revoca``, never by hand."""

    list_display = ["nome", "struttura", "codice", "numero_membri"]
    list_filter = ["codice", "struttura__tipo"]
    search_fields = ["nome", "struttura__nome", "struttura__codice"]
    list_select_related = ["struttura"]
    fields = readonly_fields = ("struttura", "codice", "nome")
    inlines = [MembroTeamInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(_membri=Count("membri"))

    @admin.display(description="membri", ordering="_membri")
    def numero_membri(self, obj: Team) -> int:
        return int(obj._membri)  # type: ignore[attr-defined]


@admin.register(Prestazione)
class PrestazioneAdmin(admin.ModelAdmin[Prestazione]):
    list_display = ["nome", "codice"]
    search_fields = ["nome", "codice"]


@admin.register(Ente)
class EnteAdmin(admin.ModelAdmin[Ente]):
    list_display = ["nome", "codice_fiscale", "comune", "sede_competente_nome", "pec", "attivo"]
    list_filter = ["attivo", "comune__provincia__regione"]
    search_fields = ["nome", "codice_fiscale", "comune__nome"]
    autocomplete_fields = ["comune"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ente]:
        return con_competenza(super().get_queryset(request))

    @admin.display(description="sede competente")
    def sede_competente_nome(self, obj: Ente) -> str:
        return getattr(obj, "sede_competente_nome", None) or "—"


class RuoloForm(forms.Form):
    """A role for a person: which role, for which organisation (by the code people use for it), give or take."""

    ruolo = forms.ChoiceField(label="Ruolo", choices=Ruolo.choices)
    organizzazione = forms.CharField(
        label="Organizzazione",
        max_length=20,
        help_text="Codice della struttura INPS (es. ST-CS), codice fiscale dell'Ente o codice ISTAT del Comune.",
        error_messages={"required": "Indichi l'organizzazione."},
    )
    azione = forms.ChoiceField(label="Azione", choices=[("assegna", "Assegna"), ("revoca", "Revoca")])

    def clean(self) -> dict[str, Any]:
        dati: dict[str, Any] = super().clean() or {}
        if "ruolo" not in dati or "organizzazione" not in dati:
            return dati
        ruolo = Ruolo(dati["ruolo"])
        codice = "".join(dati["organizzazione"].split()).upper()
        modello = AMBITI[ruolo].model
        trovata: Model | None
        if modello == "accounts.struttura":
            trovata = Struttura.objects.filter(codice=codice).first()
        elif modello == "accounts.ente":
            trovata = Ente.objects.filter(codice_fiscale=codice).first()
        else:
            trovata = Comune.objects.filter(codice_istat=codice).first()
        if trovata is None:
            raise forms.ValidationError(f"Nessuna organizzazione con il codice «{codice[:20]}» per il ruolo scelto.")
        dati["organizzazione"] = trovata
        return dati


@admin.register(EventoRuolo)
class EventoRuoloAdmin(SolaLettura, admin.ModelAdmin[EventoRuolo]):
    list_display = ["quando", "user", "ruolo", "azione", "descrizione", "chi"]
    list_filter = ["azione", "ruolo", "quando"]
    search_fields = ["user__codice_fiscale", "user__cognome"]
    list_select_related = ["user", "chi"]


class UserChangeFormDelPortale(UserChangeForm):  # type: ignore[type-arg]
    codice_fiscale = CodiceFiscaleField()


class UserCreationFormDelPortale(AdminUserCreationForm):
    codice_fiscale = CodiceFiscaleField()


@admin.register(User)
class UserAdmin(DjangoUserAdmin[Any]):
    form = UserChangeFormDelPortale
    add_form = UserCreationFormDelPortale
    ordering = ["cognome", "nome"]
    list_display = ["codice_fiscale", "cognome", "nome", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["codice_fiscale", "cognome", "nome", "email"]
    # What opens the back office and the roles change only through the role services (the "Ruoli" page).
    readonly_fields = ["last_login", "date_joined", "is_staff", "is_superuser", "groups", "ruoli"]

    @admin.display(description="ruoli")
    def ruoli(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Ruoli e organizzazioni</a>', reverse("admin:accounts_user_ruoli", args=[obj.pk])
        )

    def get_urls(self) -> list[URLPattern]:
        ruoli = path("<int:pk>/ruoli/", self.admin_site.admin_view(self.vista_ruoli), name="accounts_user_ruoli")
        return [ruoli, *super().get_urls()]

    def vista_ruoli(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Give or take a role through the services; only the portal's administrators (superusers) may."""
        if not request.user.is_superuser:
            raise Http404
        persona = get_object_or_404(User, pk=pk)
        form = RuoloForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                ruolo, organizzazione = Ruolo(form.cleaned_data["ruolo"]), form.cleaned_data["organizzazione"]
                servizio = ruolo_assegna if form.cleaned_data["azione"] == "assegna" else ruolo_revoca
                try:
                    servizio(user=persona, ruolo=ruolo, organizzazione=organizzazione, chi=request.user)
                except ErroreDominio as exc:
                    form.add_error(None, str(exc))
                else:
                    self.message_user(request, "Ruoli aggiornati.", messages.SUCCESS)
                    return redirect("admin:accounts_user_ruoli", persona.pk)
            status = 400
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "persona": persona,
            "form": form,
            "incarichi": [
                (ruolo.label, list(organizzazioni_di(persona, ruolo)[:50]))
                for ruolo in sorted(ruoli_di(persona), key=lambda r: r.label)
            ],
            "eventi": persona.eventi_ruolo.select_related("chi")[:20],
            "title": f"Ruoli di {persona}",
        }
        return TemplateResponse(request, "admin/accounts/ruoli.html", contesto, status=status)

    fieldsets = (
        (None, {"fields": ("codice_fiscale", "password")}),
        ("Dati anagrafici", {"fields": ("nome", "cognome", "email")}),
        ("Accesso", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "ruoli")}),
        ("Date", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("codice_fiscale", "nome", "cognome", "email", "password1", "password2")},
        ),
    )


# The credentials have their own module; importing it registers them.
__all__ = ["admin_credenziali"]
