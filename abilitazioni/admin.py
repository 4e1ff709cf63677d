from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from abilitazioni import services
from abilitazioni.models import Abilitazione, EventoRichiesta, RichiestaInstradata, VoceRichiesta
from abilitazioni.selectors import instradate_per_ufficio
from accounts.models import User
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


class RifiutoForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo del rifiuto (sarà comunicato all'operatore)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Indichi il motivo del rifiuto."},
    )


class EventoInline(SolaLettura, admin.TabularInline):
    model = EventoRichiesta
    fields = readonly_fields = ("quando", "da", "a", "chi", "motivo")
    extra = 0


@admin.register(RichiestaInstradata)
class RichiestaInstradataAdmin(SolaLettura, admin.ModelAdmin):
    """The queue of an office: only the requests addressed to the Sedi or Direzioni its staff work for."""

    list_display = ["richiesta", "allegato", "struttura", "status", "aggiornata_il"]
    list_filter = ["status", "allegato"]
    list_select_related = ["richiesta__user", "richiesta__ente", "struttura"]
    fields = readonly_fields = ("richiesta", "allegato", "struttura", "indirizzo_pec", "status", "motivo", "azioni")
    inlines = [VoceInline, EventoInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RichiestaInstradata]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=instradate_per_ufficio(request.user).values("pk"))  # type: ignore[arg-type]

    @admin.display(description="azioni")
    def azioni(self, obj: RichiestaInstradata) -> str:
        if obj.status not in (RichiestaInstradata.Status.INVIATA, RichiestaInstradata.Status.IN_CARICO):
            return "—"
        return format_html(
            '<a class="button" href="{}">Prendi in carico o decidi</a>',
            reverse("admin:abilitazioni_richiestainstradata_decidi", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        decidi = path(
            "<int:pk>/decidi/", self.admin_site.admin_view(self.decidi), name="abilitazioni_richiestainstradata_decidi"
        )
        return [decidi, *super().get_urls()]

    def decidi(self, request: HttpRequest, pk: int) -> HttpResponse:
        instradata = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, instradata):
            raise Http404
        azione = request.POST.get("azione")
        form = RifiutoForm(request.POST if azione == "respingi" else None)
        if request.method == "POST":
            chi = cast(User, request.user)
            try:
                if azione == "prendi":
                    services.instradata_prendi_in_carico(instradata_id=pk, chi=chi)
                elif azione == "approva":
                    services.instradata_decidi(instradata_id=pk, chi=chi, approvata=True)
                elif azione == "respingi" and form.is_valid():
                    services.instradata_decidi(
                        instradata_id=pk, chi=chi, approvata=False, motivo=form.cleaned_data["motivo"]
                    )
                else:
                    raise services.RichiestaNonAmmessa("Indichi il motivo del rifiuto.")
            except services.RichiestaNonAmmessa as exc:
                self.message_user(request, str(exc), messages.ERROR)
            except RichiestaInstradata.DoesNotExist as exc:
                raise Http404 from exc
            else:
                self.message_user(request, "Fatto: l'operatore è informato dell'esito.", messages.SUCCESS)
            return redirect("admin:abilitazioni_richiestainstradata_change", pk)
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "instradata": instradata,
            "form": form,
            "title": f"Richiesta di {instradata.richiesta.user}, allegato {instradata.allegato}",
        }
        return TemplateResponse(request, "admin/abilitazioni/decidi.html", contesto)
