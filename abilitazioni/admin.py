from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from abilitazioni.models import Abilitazione, RichiestaInstradata, VoceRichiesta
from inps_portal.admin_mixins import SolaLettura


@admin.register(Abilitazione)
class AbilitazioneAdmin(admin.ModelAdmin):
    list_display = ["nome", "allegato", "canale", "indirizzo_pec", "prerequisito", "attiva"]
    list_filter = ["allegato", "canale", "prerequisito", "attiva"]
    search_fields = ["nome"]


class VoceInline(admin.TabularInline):
    model = VoceRichiesta
    fields = readonly_fields = ("abilitazione", "operazione")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RichiestaInstradata)
class RichiestaInstradataAdmin(SolaLettura, admin.ModelAdmin):
    """Read-only for now: the review by the receiving office (take in charge, approve, reject) comes next."""

    list_display = ["richiesta", "allegato", "struttura", "indirizzo_pec", "status", "aggiornata_il"]
    list_filter = ["status", "allegato"]
    list_select_related = ["richiesta__user", "richiesta__ente", "struttura"]
    inlines = [VoceInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
