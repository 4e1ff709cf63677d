"""Back office of the credentials: the history of the online-PIN deadline, and the unification at a Sede's counter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from accounts import credenziali
from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, EventoCredenziale, ScadenzaPinOnline


class SolaLettura:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScadenzaPinOnline)
class ScadenzaPinOnlineAdmin(admin.ModelAdmin):
    """Central staff set a new deadline; the previous ones stay as history (nothing is edited or deleted)."""

    list_display = ["data", "motivo", "impostata_da", "impostata_il"]
    fields = ["data", "motivo"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ScadenzaPinOnline, form: Any, change: bool) -> None:
        obj.impostata_da = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class AbilitazioneInline(SolaLettura, admin.TabularInline):
    model = AbilitazioneDetenuta
    fields = readonly_fields = ("ente", "nome")
    extra = 0


@admin.register(PIN)
class PINAdmin(SolaLettura, admin.ModelAdmin):
    list_display = ["user", "tipo", "status", "origine", "creato_il"]
    list_filter = ["tipo", "status", "origine"]
    search_fields = ["user__codice_fiscale", "user__cognome"]
    list_select_related = ["user"]
    exclude = ["codice_hash"]
    inlines = [AbilitazioneInline]


@admin.register(EventoCredenziale)
class EventoCredenzialeAdmin(SolaLettura, admin.ModelAdmin):
    list_display = ["quando", "tipo", "user", "eseguito_da", "indirizzo_ip"]
    list_filter = ["tipo", "quando"]
    search_fields = ["user__codice_fiscale"]
    list_select_related = ["user", "eseguito_da"]


class SportelloForm(forms.Form):
    documento_tipo = forms.ChoiceField(
        label="Documento di identità verificato",
        choices=[("carta_identita", "Carta d'identità"), ("passaporto", "Passaporto"), ("patente", "Patente di guida")],
    )
    documento_numero = forms.CharField(
        label="Numero del documento",
        max_length=30,
        min_length=5,
        error_messages={
            "required": "Indichi il numero del documento.",
            "min_length": "Il numero del documento è troppo corto.",
        },
    )
    identita_verificata = forms.BooleanField(
        label="Ho verificato che la persona allo sportello è il titolare del codice fiscale",
        error_messages={"required": "Confermi di aver verificato l'identità della persona."},
    )


@admin.register(CredenzialeExInpdap)
class CredenzialeExInpdapAdmin(SolaLettura, admin.ModelAdmin):
    list_display = ["codice_fiscale", "user", "passweb_abilitato_dal", "unificata_il", "sportello"]
    list_filter = [("unificata_il", admin.EmptyFieldListFilter)]
    search_fields = ["codice_fiscale", "user__cognome"]
    list_select_related = ["user"]
    exclude = ["password_hash"]
    inlines = [AbilitazioneInline]

    @admin.display(description="allo sportello")
    def sportello(self, obj: CredenzialeExInpdap) -> str:
        if obj.unificata_il is not None:
            return "—"
        url = reverse("admin:accounts_credenzialeexinpdap_sportello", args=[obj.pk])
        return format_html('<a href="{}">Unifica per la persona allo sportello</a>', url)

    def get_urls(self) -> list[URLPattern]:
        sportello = path(
            "<int:pk>/sportello/",
            self.admin_site.admin_view(never_cache(self.unifica_allo_sportello)),
            name="accounts_credenzialeexinpdap_sportello",
        )
        return [sportello, *super().get_urls()]

    def unifica_allo_sportello(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("accounts.sportello_credenziali"):
            raise Http404
        credenziale = get_object_or_404(CredenzialeExInpdap.objects.select_related("user"), pk=pk)
        form = SportelloForm(request.POST or None)
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "credenziale": credenziale,
            "title": f"Unificazione allo sportello: {credenziale.user}",
        }
        if request.method == "POST" and form.is_valid():
            try:
                rilasciato = credenziali.unificazione_esegui(
                    user=credenziale.user,
                    indirizzo_ip=request.META.get("REMOTE_ADDR"),
                    eseguito_da=request.user,  # type: ignore[arg-type]
                    documento={
                        "tipo": form.cleaned_data["documento_tipo"],
                        "numero": form.cleaned_data["documento_numero"],
                    },
                )
            except credenziali.GiaUnificata:
                self.message_user(
                    request, "Le credenziali di questa persona sono già state unificate.", messages.WARNING
                )
                return redirect("admin:accounts_credenzialeexinpdap_changelist")
            return TemplateResponse(
                request, "admin/accounts/pin_sportello.html", {**contesto, "rilasciato": rilasciato}
            )
        return TemplateResponse(request, "admin/accounts/sportello.html", {**contesto, "form": form})
