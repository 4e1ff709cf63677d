"""Back office for the registry and the people: searches and filters that staff actually use."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from guardian.admin import GuardedModelAdmin

from accounts import admin_credenziali, selectors
from accounts.models import Comune, Ente, MembroTeam, Prestazione, Provincia, Regione, Struttura, Team, User
from inps_portal.admin_mixins import SolaLettura


@admin.register(Regione)
class RegioneAdmin(admin.ModelAdmin):
    list_display = ["nome", "codice_istat", "numero_province"]
    search_fields = ["nome", "codice_istat"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Regione]:
        return super().get_queryset(request).annotate(_province=Count("province"))

    @admin.display(description="province", ordering="_province")
    def numero_province(self, obj: Regione) -> int:
        return obj._province  # type: ignore[attr-defined]


@admin.register(Provincia)
class ProvinciaAdmin(admin.ModelAdmin):
    list_display = ["nome", "sigla", "codice_istat", "regione"]
    list_filter = ["regione"]
    search_fields = ["nome", "sigla", "codice_istat"]
    list_select_related = ["regione"]


@admin.register(Comune)
class ComuneAdmin(GuardedModelAdmin):
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

    @admin.display(description="sede competente")
    def sede_competente(self, obj: Comune) -> str:
        sede = selectors.sede_competente(obj)
        return sede.nome if sede else "—"


class PrestazioniInline(admin.TabularInline):
    model = Struttura.prestazioni.through
    extra = 0
    verbose_name = "prestazione di competenza"
    verbose_name_plural = "prestazioni di competenza (solo Poli nazionali)"
    autocomplete_fields = ["prestazione"]


@admin.register(Struttura)
class StrutturaAdmin(GuardedModelAdmin):
    list_display = ["nome", "codice", "tipo", "regione", "provincia", "pec", "attiva"]
    list_filter = ["tipo", "attiva", "regione"]
    search_fields = ["nome", "codice", "provincia__nome", "regione__nome"]
    list_select_related = ["regione", "provincia"]
    autocomplete_fields = ["regione", "provincia"]
    exclude = ["prestazioni"]
    inlines = [PrestazioniInline]


class MembroTeamInline(SolaLettura, admin.TabularInline):
    model = MembroTeam
    fk_name = "team"
    fields = readonly_fields = ("user", "dal", "assegnato_da")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembroTeam]:
        return super().get_queryset(request).select_related("user", "assegnato_da")


@admin.register(Team)
class TeamAdmin(SolaLettura, admin.ModelAdmin):
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
        return obj._membri  # type: ignore[attr-defined]


@admin.register(Prestazione)
class PrestazioneAdmin(admin.ModelAdmin):
    list_display = ["nome", "codice"]
    search_fields = ["nome", "codice"]


@admin.register(Ente)
class EnteAdmin(GuardedModelAdmin):
    list_display = ["nome", "codice_fiscale", "comune", "sede_competente_nome", "pec", "attivo"]
    list_filter = ["attivo", "comune__provincia__regione"]
    search_fields = ["nome", "codice_fiscale", "comune__nome"]
    autocomplete_fields = ["comune"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ente]:
        return selectors.con_competenza(super().get_queryset(request))

    @admin.display(description="sede competente")
    def sede_competente_nome(self, obj: Ente) -> str:
        return getattr(obj, "sede_competente_nome", None) or "—"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["cognome", "nome"]
    list_display = ["codice_fiscale", "cognome", "nome", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["codice_fiscale", "cognome", "nome", "email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("codice_fiscale", "password")}),
        ("Dati anagrafici", {"fields": ("nome", "cognome", "email")}),
        ("Accesso", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Date", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("codice_fiscale", "nome", "cognome", "email", "password1", "password2")},
        ),
    )
    filter_horizontal = ["groups"]


# The credentials have their own module; importing it registers them.
__all__ = ["admin_credenziali"]
