from __future__ import annotations

from django.contrib import admin

from abilitazioni.models import Abilitazione


@admin.register(Abilitazione)
class AbilitazioneAdmin(admin.ModelAdmin):
    list_display = ["nome", "allegato", "canale", "indirizzo_pec", "prerequisito", "attiva"]
    list_filter = ["allegato", "canale", "prerequisito", "attiva"]
    search_fields = ["nome"]
