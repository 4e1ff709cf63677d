"""Back office of the PEC outbox: what was sent, to whom, and the receipts that prove it. Evidence is read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from inps_portal.admin_mixins import SolaLettura
from inps_portal.audit import lettura_registra
from inps_portal.pdf import risposta_documento
from inps_portal.pec import services
from inps_portal.pec.arrivo import AZIONI_DI_SMISTAMENTO
from inps_portal.pec.models import (
    AllegatoPECInArrivo,
    DestinatarioPEC,
    EventoPEC,
    MessaggioPEC,
    PECInArrivo,
    RicevutaPEC,
)


class ProvaPECForm(forms.Form):
    indirizzo = forms.EmailField(
        label="Indirizzo PEC del destinatario",
        help_text="Fuori produzione ogni messaggio va al gateway PEC locale, qualunque sia l'indirizzo.",
        error_messages={"required": "Indichi un indirizzo.", "invalid": "Indichi un indirizzo e-mail valido."},
    )


class DestinatarioInline(SolaLettura, admin.TabularInline[DestinatarioPEC, MessaggioPEC]):
    model = DestinatarioPEC
    fields = readonly_fields = ("indirizzo", "status", "errore", "aggiornato_il")
    extra = 0


class RicevutaInline(SolaLettura, admin.TabularInline[RicevutaPEC, MessaggioPEC]):
    model = RicevutaPEC
    fields = readonly_fields = ("tipo", "consegna", "data_evento", "errore_esteso", "identificativo", "scarica")
    extra = 0

    @admin.display(description="ricevuta")
    def scarica(self, obj: RicevutaPEC) -> str:
        return _link_grezzo(obj)


class EventoInline(SolaLettura, admin.TabularInline[EventoPEC, MessaggioPEC]):
    model = EventoPEC
    fields = readonly_fields = ("quando", "da", "a", "motivo")
    extra = 0


def _link_grezzo(obj: RicevutaPEC) -> str:
    url = reverse("admin:inps_portal_ricevutapec_grezzo", args=[obj.pk])
    return format_html('<a href="{}">Scarica (.eml)</a>', url)


@admin.register(MessaggioPEC)
class MessaggioPECAdmin(SolaLettura, admin.ModelAdmin[MessaggioPEC]):
    list_display = ["oggetto", "status", "numero_destinatari", "creato_il", "inviato_il", "tentativi", "modello"]
    list_filter = ["status", "modello", "creato_il"]
    date_hierarchy = "creato_il"
    search_fields = ["message_id", "oggetto", "destinatari__indirizzo"]
    readonly_fields = [
        "message_id",
        "mittente",
        "oggetto",
        "modello",
        "status",
        "tentativi",
        "prossimo_tentativo",
        "preso_in_carico_il",
        "inviato_il",
        "ultimo_errore",
        "creato_il",
        "riferimento_tipo",
        "riferimento_id",
        "corpo_testo",
    ]
    exclude = ["corpo_html"]
    inlines = [DestinatarioInline, RicevutaInline, EventoInline]
    actions = ["invia_di_nuovo"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessaggioPEC]:
        return super().get_queryset(request).annotate(_destinatari=Count("destinatari"))

    def get_urls(self) -> list[URLPattern]:
        prova = path("prova/", self.admin_site.admin_view(self.invia_prova), name="inps_portal_messaggiopec_prova")
        return [prova, *super().get_urls()]

    def invia_prova(self, request: HttpRequest) -> HttpResponse:
        """Send a test PEC, to check the channel and its receipts end to end."""
        if not self.has_view_permission(request):
            raise Http404
        form = ProvaPECForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            messaggio = services.pec_spedisci(
                modello="prova",
                destinatari=[form.cleaned_data["indirizzo"]],
                contesto={"richiesto_da": str(request.user)},
            )
            self.message_user(request, "Messaggio di prova accodato.", messages.SUCCESS)
            return redirect("admin:inps_portal_messaggiopec_change", messaggio.pk)
        contesto = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Invia una PEC di prova",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inps_portal/messaggiopec/prova.html", contesto)

    @admin.display(description="destinatari", ordering="_destinatari")
    def numero_destinatari(self, obj: MessaggioPEC) -> int:
        return int(obj._destinatari)  # type: ignore[attr-defined]

    @admin.action(description="Invia di nuovo i messaggi falliti selezionati", permissions=["view"])
    def invia_di_nuovo(self, request: HttpRequest, queryset: QuerySet[MessaggioPEC]) -> None:
        rimessi, saltati = 0, 0
        for messaggio in queryset.only("pk", "status"):
            try:
                services.pec_rispedisci(messaggio_id=messaggio.pk, motivo=f"nuovo invio richiesto da {request.user}")
                rimessi += 1
            except services.TransizioneNonAmmessa:
                saltati += 1
        if rimessi:
            self.message_user(request, f"{rimessi} messaggi rimessi in coda.", messages.SUCCESS)
        if saltati:
            self.message_user(
                request, f"{saltati} messaggi non erano falliti e non sono stati toccati.", messages.WARNING
            )


@admin.register(RicevutaPEC)
class RicevutaPECAdmin(SolaLettura, admin.ModelAdmin[RicevutaPEC]):
    list_display = ["tipo", "esito", "consegna", "messaggio", "data_evento", "ricevuta_il", "scarica"]
    list_filter = ["esito", "tipo", "ricevuta_il"]
    date_hierarchy = "ricevuta_il"
    search_fields = ["riferimento_message_id", "identificativo", "consegna"]
    list_select_related = ["messaggio"]
    exclude = ["grezzo"]
    readonly_fields = [
        "messaggio",
        "tipo",
        "esito",
        "motivo_scarto",
        "identificativo",
        "riferimento_message_id",
        "consegna",
        "errore_esteso",
        "gestore",
        "data_evento",
        "ricevuta_il",
        "sha256",
        "scarica",
    ]

    @admin.display(description="ricevuta")
    def scarica(self, obj: RicevutaPEC) -> str:
        return _link_grezzo(obj)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/grezzo/",
                self.admin_site.admin_view(self.grezzo),
                name="inps_portal_ricevutapec_grezzo",
            )
        ]
        return extra + super().get_urls()

    def grezzo(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=404)
        ricevuta = get_object_or_404(RicevutaPEC, pk=pk)
        response = HttpResponse(bytes(ricevuta.grezzo), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="ricevuta-{ricevuta.pk}.eml"'
        return response


class AllegatoInArrivoInline(SolaLettura, admin.TabularInline[AllegatoPECInArrivo, PECInArrivo]):
    model = AllegatoPECInArrivo
    fields = readonly_fields = ("nome", "firma", "firmatario", "codice_fiscale_firmatario", "emittente", "scarica")
    extra = 0

    @admin.display(description="firma digitale")
    def firma(self, obj: AllegatoPECInArrivo) -> str:
        return descrivi_firma(obj)

    @admin.display(description="file")
    def scarica(self, obj: AllegatoPECInArrivo) -> str:
        url = reverse("admin:inps_portal_pecinarrivo_allegato", args=[obj.pec_id, obj.pk])
        return format_html('<a href="{}">Scarica</a>', url)


def descrivi_firma(allegato: AllegatoPECInArrivo) -> str:
    """What an office reads about a signed document, in one line."""
    if not allegato.firmato:
        return "Non firmato digitalmente (scansione o documento semplice)"
    if allegato.firma_valida:
        return f"Firma valida di {allegato.firmatario or 'firmatario non indicato'}"
    return "Firma non valida: " + "; ".join(allegato.problemi or ["verifica non riuscita"])


@admin.register(PECInArrivo)
class PECInArrivoAdmin(SolaLettura, admin.ModelAdmin[PECInArrivo]):
    """What arrived in INPS's mailboxes; by default what still waits to be sorted ("da smistare")."""

    list_display = ["ricevuta_il", "casella", "mittente", "oggetto", "certificata", "status", "motivo"]
    list_filter = ["status", "casella", "certificata", "ricevuta_il"]
    search_fields = ["mittente", "oggetto", "message_id"]
    exclude = ["grezzo"]
    readonly_fields = [
        "casella",
        "certificata",
        "mittente",
        "oggetto",
        "message_id",
        "identificativo",
        "inviata_il",
        "ricevuta_il",
        "status",
        "motivo",
        "smistata_il",
        "smistata_da",
        "riferimento_tipo",
        "riferimento_id",
        "sha256",
        "scarica",
        "smista",
    ]
    inlines = [AllegatoInArrivoInline]

    @admin.display(description="smista a mano")
    def smista(self, obj: PECInArrivo) -> str:
        if obj.status != PECInArrivo.Status.DA_SMISTARE:
            return "—"
        return (
            format_html_join(
                " · ",
                '<a class="button" href="{}">{}</a>',
                ((reverse(url, args=[obj.pk]), etichetta) for etichetta, url in AZIONI_DI_SMISTAMENTO),
            )
            or "—"
        )

    show_full_result_count = False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        # The list opens on what waits to be sorted; the filter shows the rest. Whoever may not read it gets the 403
        # first, not a redirect to a list they cannot see.
        if not request.GET and request.method == "GET" and self.has_view_or_change_permission(request):
            return redirect(f"{request.path}?status__exact={PECInArrivo.Status.DA_SMISTARE}")
        return super().changelist_view(request, extra_context)

    @admin.display(description="messaggio")
    def scarica(self, obj: PECInArrivo) -> str:
        url = reverse("admin:inps_portal_pecinarrivo_grezzo", args=[obj.pk])
        return format_html('<a href="{}">Scarica (.eml)</a>', url)

    def get_urls(self) -> list[URLPattern]:
        vista = self.admin_site.admin_view
        return [
            path("<int:pk>/grezzo/", vista(self.grezzo), name="inps_portal_pecinarrivo_grezzo"),
            path("<int:pk>/allegato/<int:allegato>/", vista(self.allegato), name="inps_portal_pecinarrivo_allegato"),
            *super().get_urls(),
        ]

    def _pec(self, request: HttpRequest, pk: int) -> PECInArrivo:
        if not self.has_view_permission(request):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def grezzo(self, request: HttpRequest, pk: int) -> HttpResponse:
        pec = self._pec(request, pk)
        lettura_registra(request, cosa="lettura di una PEC in arrivo", oggetto=pec)
        response = HttpResponse(bytes(pec.grezzo), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="pec-in-arrivo-{pec.pk}.eml"'
        response["Cache-Control"] = "no-store"
        return response

    def allegato(self, request: HttpRequest, pk: int, allegato: int) -> HttpResponse:
        pec = self._pec(request, pk)
        parte = get_object_or_404(AllegatoPECInArrivo, pk=allegato, pec=pec)
        lettura_registra(request, cosa="lettura di un allegato di PEC in arrivo", oggetto=pec, allegato_id=parte.pk)
        return risposta_documento(bytes(parte.contenuto), parte.nome)
