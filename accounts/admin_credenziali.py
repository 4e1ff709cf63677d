"""Back office of the credentials: the history of the online-PIN deadline, and the unification at a Sede's counter."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from accounts.forms import CodiceFiscaleField
from accounts.models import (
    PIN,
    AbilitazioneDetenuta,
    CredenzialeExInpdap,
    EventoConversione,
    EventoCredenziale,
    EventoRichiestaPin,
    RichiestaConversione,
    RichiestaPin,
    ScadenzaPinOnline,
)
from accounts.roles import Ruolo
from accounts.selectors.credenziali import situazione_credenziali
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from accounts.services.conversione import ConversioneNonAmmessa, conversione_decidi, conversione_sportello
from accounts.services.rilascio_pin import RilascioNonAmmesso, pin_rilascia_sportello, richiesta_pin_decidi
from accounts.services.scadenza import scadenza_imposta
from accounts.services.unificazione import GiaUnificata, unificazione_esegui
from accounts.validators import normalizza_codice_fiscale
from inps_portal.admin_mixins import CODA_CHANGE_LIST, CodaDaDecidere, RifiutoForm, SolaLettura
from inps_portal.audit import lettura_registra
from inps_portal.rete import indirizzo_cliente


@admin.register(ScadenzaPinOnline)
class ScadenzaPinOnlineAdmin(admin.ModelAdmin[ScadenzaPinOnline]):
    """Central staff set a new deadline; the previous ones stay as history (nothing is edited or deleted)."""

    list_display = ["data", "motivo", "impostata_da", "impostata_il"]
    fields = ["data", "motivo"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ScadenzaPinOnline, form: Any, change: bool) -> None:
        """Through the service, like every write; the admin's message and history then refer to the row it wrote."""
        salvata = scadenza_imposta(
            data=obj.data,
            chi=request.user,  # type: ignore[arg-type]
            motivo=obj.motivo,
        )
        obj.pk, obj.impostata_da, obj.impostata_il = salvata.pk, salvata.impostata_da, salvata.impostata_il


SESSIONE_PERSONE_ALLO_SPORTELLO = "sportello_persone"
PERSONE_ALLO_SPORTELLO_MASSIME = 20


class CredenzialiPerTerritorio:
    """Credentials (PINs, ex-Inpdap credentials, their events) are personal data. A Sede's staff browse those of the
    people of their territory (who hold abilitazioni for an Ente of their province) and find anyone else only as the
    person at the desk: by the exact codice fiscale, which then stays open to them for this session. Central staff
    and the portal's administrators see every row; every reading of a row is logged."""

    campo_persona = "user"
    model: Any  # given by the ModelAdmin it is mixed into

    def _e_sede(self, request: HttpRequest) -> bool:
        user = request.user
        return not user.is_superuser and Ruolo.PERSONALE_SEDE in ruoli_di(user)  # type: ignore[arg-type]

    def _solo_allo_sportello(self, request: HttpRequest) -> None:
        """The counter is the Sede's: its staff issue, convert and unify for the person in front of them; the
        portal's administrators, who read everything, do none of it (a 404, as for what is not theirs)."""
        if not (request.user.has_perm("accounts.sportello_credenziali") and self._e_sede(request)):
            raise Http404

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        codice = normalizza_codice_fiscale(search_term)
        if self._e_sede(request) and len(codice) == 16:
            # The person at the desk: remembered for this session, so their rows open from the results.
            allo_sportello = request.session.get(SESSIONE_PERSONE_ALLO_SPORTELLO, [])
            if codice not in allo_sportello:
                request.session[SESSIONE_PERSONE_ALLO_SPORTELLO] = [codice, *allo_sportello][
                    :PERSONE_ALLO_SPORTELLO_MASSIME
                ]
            lettura_registra(request, cosa="ricerca di una persona allo sportello", oggetto=self.model)
            tutte = self.model._default_manager.all()
            return tutte.filter(**{f"{self.campo_persona}__codice_fiscale": codice}), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if not self._e_sede(request):
            return queryset
        sedi = organizzazioni_di(request.user, Ruolo.PERSONALE_SEDE)  # type: ignore[arg-type]
        province = sedi.values("provincia_id")
        del_territorio = AbilitazioneDetenuta.objects.filter(ente__comune__provincia_id__in=province)
        persone = Q(**{f"{self.campo_persona}__pin__abilitazioni__in": del_territorio}) | Q(
            **{f"{self.campo_persona}__credenziale_ex_inpdap__abilitazioni__in": del_territorio}
        )
        allo_sportello = request.session.get(SESSIONE_PERSONE_ALLO_SPORTELLO, [])
        ammesse = queryset.filter(persone | Q(**{f"{self.campo_persona}__codice_fiscale__in": allo_sportello}))
        return queryset.filter(pk__in=ammesse.values("pk"))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        risposta: HttpResponse = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        lettura_registra(request, cosa="lettura di credenziali personali", oggetto=self.model, chiave=object_id)
        return risposta


class AbilitazioneInline(SolaLettura, admin.TabularInline[AbilitazioneDetenuta, Any]):
    model = AbilitazioneDetenuta
    fields = readonly_fields = ("ente", "nome")
    extra = 0


@admin.register(PIN)
class PINAdmin(CredenzialiPerTerritorio, SolaLettura, admin.ModelAdmin[PIN]):
    list_display = ["user", "tipo", "status", "origine", "creato_il", "sportello"]
    list_filter = ["tipo", "status", "origine"]
    search_fields = ["=user__codice_fiscale"]
    search_help_text = "Codice fiscale esatto della persona allo sportello."
    list_select_related = ["user"]
    exclude = ["codice_hash"]
    inlines = [AbilitazioneInline]

    @admin.display(description="allo sportello")
    def sportello(self, obj: PIN) -> str:
        if obj.status != PIN.Status.ATTIVO or obj.tipo != PIN.Tipo.ONLINE:
            return "—"
        url = reverse("admin:accounts_pin_sportello", args=[obj.pk])
        return format_html('<a href="{}">Converti in PIN dispositivo</a>', url)

    change_list_template = "admin/accounts/pin/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        sportello = path(
            "<int:pk>/sportello/",
            self.admin_site.admin_view(never_cache(self.converti_allo_sportello)),
            name="accounts_pin_sportello",
        )
        rilascio = path(
            "rilascia/",
            self.admin_site.admin_view(never_cache(self.rilascia_allo_sportello)),
            name="accounts_pin_rilascia",
        )
        return [sportello, rilascio, *super().get_urls()]

    def rilascia_allo_sportello(self, request: HttpRequest) -> HttpResponse:
        """A new PIN dispositivo for the person at the desk (no PIN, or a lost one), identity document checked; the
        PIN is shown once, to print and hand over."""
        self._solo_allo_sportello(request)
        form = RilascioSportelloForm(request.POST or None)
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Rilascio di un PIN dispositivo allo sportello",
        }
        if request.method == "POST" and form.is_valid():
            dati = form.cleaned_data
            try:
                rilasciato = pin_rilascia_sportello(
                    codice_fiscale=dati["codice_fiscale"],
                    nome=dati["nome"],
                    cognome=dati["cognome"],
                    email=dati["email"],
                    chi=request.user,  # type: ignore[arg-type]
                    indirizzo_ip=indirizzo_cliente(request),
                    documento=form.documento(),
                )
            except RilascioNonAmmesso as exc:
                form.add_error(None, str(exc))
            else:
                persona = rilasciato.pin.user
                return TemplateResponse(
                    request,
                    "admin/accounts/pin_sportello.html",
                    {
                        **contesto,
                        "rilasciato": rilasciato,
                        "persona": persona,
                        "ritorno": "admin:accounts_pin_changelist",
                    },
                )
        return TemplateResponse(
            request,
            "admin/accounts/rilascio_sportello.html",
            {**contesto, "form": form},
            status=400 if form.errors else 200,
        )

    def converti_allo_sportello(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._solo_allo_sportello(request)
        pin = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        form = SportelloForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                conversione_sportello(
                    pin_id=pin.pk,
                    chi=request.user,  # type: ignore[arg-type]
                    indirizzo_ip=indirizzo_cliente(request),
                    documento=form.documento(),
                )
            except ConversioneNonAmmessa as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, "Il PIN è ora un PIN dispositivo: il codice non cambia.", messages.SUCCESS)
            return redirect("admin:accounts_pin_changelist")
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "persona": pin.user,
            "title": f"Conversione allo sportello: {pin.user}",
        }
        return TemplateResponse(request, "admin/accounts/sportello_conversione.html", contesto)


@admin.register(EventoCredenziale)
class EventoCredenzialeAdmin(CredenzialiPerTerritorio, SolaLettura, admin.ModelAdmin[EventoCredenziale]):
    list_display = ["quando", "tipo", "user", "eseguito_da", "indirizzo_ip"]
    list_filter = ["tipo", "quando"]
    search_fields = ["=user__codice_fiscale"]
    search_help_text = "Codice fiscale esatto della persona."
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

    def documento(self) -> dict[str, str]:
        """The identity document checked at the desk, as the counter's services record it with the event."""
        return {"tipo": self.cleaned_data["documento_tipo"], "numero": self.cleaned_data["documento_numero"]}


class RilascioSportelloForm(SportelloForm):
    codice_fiscale = CodiceFiscaleField(error_messages={"required": "Indichi il codice fiscale."})
    nome = forms.CharField(label="Nome", max_length=100, error_messages={"required": "Indichi il nome."})
    cognome = forms.CharField(label="Cognome", max_length=100, error_messages={"required": "Indichi il cognome."})
    email = forms.EmailField(label="E-mail", required=False, error_messages={"invalid": "L'e-mail non è valida."})
    field_order = ["codice_fiscale", "nome", "cognome", "email", "documento_tipo", "documento_numero"]


@admin.register(CredenzialeExInpdap)
class CredenzialeExInpdapAdmin(CredenzialiPerTerritorio, SolaLettura, admin.ModelAdmin[CredenzialeExInpdap]):
    list_display = ["codice_fiscale", "user", "passweb_abilitato_dal", "unificata_il", "sportello"]
    list_filter = [("unificata_il", admin.EmptyFieldListFilter)]
    search_fields = ["=codice_fiscale"]
    search_help_text = "Codice fiscale esatto della persona allo sportello."
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
        self._solo_allo_sportello(request)
        credenziale = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        form = SportelloForm(request.POST or None)
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "credenziale": credenziale,
            "persona": credenziale.user,
            "title": f"Unificazione allo sportello: {credenziale.user}",
        }
        if request.method == "POST" and form.is_valid():
            try:
                rilasciato = unificazione_esegui(
                    user=credenziale.user,
                    indirizzo_ip=indirizzo_cliente(request),
                    chi=request.user,  # type: ignore[arg-type]
                    documento=form.documento(),
                )
            except GiaUnificata:
                self.message_user(
                    request, "Le credenziali di questa persona sono già state unificate.", messages.WARNING
                )
                return redirect("admin:accounts_credenzialeexinpdap_changelist")
            return TemplateResponse(
                request, "admin/accounts/pin_sportello.html", {**contesto, "rilasciato": rilasciato}
            )
        return TemplateResponse(request, "admin/accounts/sportello.html", {**contesto, "form": form})


class EventoConversioneInline(SolaLettura, admin.TabularInline[EventoConversione, RichiestaConversione]):
    model = EventoConversione
    fields = readonly_fields = ("quando", "da", "a", "chi", "motivo")
    extra = 0


class RichiestaDiSedeAdmin(CodaDaDecidere, SolaLettura, admin.ModelAdmin[Any]):
    """The queue of a Sede for requests sent online with a signed form and an identity document (conversion of the
    PIN, a new PIN dispositivo): only the requests addressed to the Sedi the staff member works for; the documents
    opened by them alone, each opening logged; approve, or reject with a reason, through the workflow's service. The
    queue opens on the requests still to be decided ("inviata")."""

    stati_in_corso: tuple[str, ...] = ("inviata",)
    change_list_template = CODA_CHANGE_LIST
    permesso_decisione = ""
    template_decisione = ""
    errore_dominio: type[Exception] = Exception

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        sedi = organizzazioni_di(request.user, Ruolo.PERSONALE_SEDE)  # type: ignore[arg-type]
        return queryset.filter(sede__in=sedi)

    def _nome_url(self, vista: str) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_{vista}"

    @admin.display(description="documenti")
    def documenti(self, obj: Any) -> str:
        return format_html(
            '<a href="{}">Modulo firmato</a> · <a href="{}">Documento di identità</a>',
            reverse(f"admin:{self._nome_url('documento')}", args=[obj.pk, "modulo"]),
            reverse(f"admin:{self._nome_url('documento')}", args=[obj.pk, "identita"]),
        )

    @admin.display(description="decisione")
    def decisione(self, obj: Any) -> str:
        if obj.status != "inviata":
            return "—"
        return format_html(
            '<a class="button" href="{}">Approva o respingi</a>',
            reverse(f"admin:{self._nome_url('decidi')}", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        vista = self.admin_site.admin_view
        return [
            path("<int:pk>/documento/<str:quale>/", vista(self.documento), name=self._nome_url("documento")),
            path("<int:pk>/decidi/", vista(self.decidi), name=self._nome_url("decidi")),
            *super().get_urls(),
        ]

    def _richiesta(self, request: HttpRequest, pk: int) -> Any:
        if not self.has_view_permission(request):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def documento(self, request: HttpRequest, pk: int, quale: str) -> HttpResponse:
        """Serve an uploaded document (an identity document among them) to the staff of the Sede that reviews it, and
        to nobody else: the administrators who read the queue do not open the documents."""
        sedi = organizzazioni_di(request.user, Ruolo.PERSONALE_SEDE)  # type: ignore[arg-type]
        richiesta = get_object_or_404(self.model._default_manager.filter(sede__in=sedi), pk=pk)
        campo = {"modulo": richiesta.modulo_firmato, "identita": richiesta.documento_identita}.get(quale)
        if campo is None:
            raise Http404
        lettura_registra(request, cosa="accesso a un documento personale", oggetto=richiesta, documento=quale)
        with campo.open("rb") as handle:
            contenuto = handle.read()
        tipo = (
            "application/pdf"
            if contenuto.startswith(b"%PDF-")
            else ("image/png" if contenuto.startswith(b"\x89PNG") else "image/jpeg")
        )
        response = HttpResponse(contenuto, content_type=tipo)
        response["Content-Disposition"] = f'inline; filename="{quale}-{richiesta.pk}{PurePath(campo.name).suffix}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def decidi_con_servizio(self, *, richiesta: Any, chi: Any, approvata: bool, motivo: str) -> None:
        raise NotImplementedError

    def decidi(self, request: HttpRequest, pk: int) -> HttpResponse:
        richiesta = self._richiesta(request, pk)
        # The Sede decides: the portal's administrators read every queue but decide none (as for abilitazioni).
        sedi = organizzazioni_di(request.user, Ruolo.PERSONALE_SEDE)  # type: ignore[arg-type]
        if not request.user.has_perm(self.permesso_decisione) or not sedi.filter(pk=richiesta.sede_id).exists():
            raise Http404
        form = RifiutoForm(request.POST if request.POST.get("esito") == "respingi" else None)
        if request.method == "POST":
            esito = request.POST.get("esito")
            if esito == "approva" or (esito == "respingi" and form.is_valid()):
                try:
                    self.decidi_con_servizio(
                        richiesta=richiesta,
                        chi=request.user,
                        approvata=esito == "approva",
                        motivo=form.cleaned_data.get("motivo", "") if esito == "respingi" else "",
                    )
                except self.errore_dominio as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(request, "Decisione registrata e comunicata alla persona.", messages.SUCCESS)
                return redirect(f"admin:{self._nome_url('change')}", richiesta.pk)
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "richiesta": richiesta,
            "form": form,
            "title": str(richiesta),
            **self.contesto_decisione(richiesta),
        }
        return TemplateResponse(request, self.template_decisione, contesto)

    def contesto_decisione(self, richiesta: Any) -> dict[str, Any]:
        return {}


@admin.register(RichiestaConversione)
class RichiestaConversioneAdmin(RichiestaDiSedeAdmin):
    list_display = ["creata_il", "user", "ente", "sede", "status"]
    list_filter = ["status", "creata_il"]
    search_fields = ["user__codice_fiscale", "user__cognome"]
    list_select_related = ["user", "ente", "sede"]
    fields = readonly_fields = (
        "user",
        "ente",
        "sede",
        "status",
        "creata_il",
        "documenti",
        "motivo_rifiuto",
        "decisa_il",
        "decisa_da",
        "decisione",
    )
    inlines = [EventoConversioneInline]
    permesso_decisione = "accounts.decidere_conversione"
    template_decisione = "admin/accounts/decidi_conversione.html"
    errore_dominio = ConversioneNonAmmessa

    def decidi_con_servizio(self, *, richiesta: Any, chi: Any, approvata: bool, motivo: str) -> None:
        conversione_decidi(richiesta_id=richiesta.pk, chi=chi, approvata=approvata, motivo=motivo)


class EventoRichiestaPinInline(SolaLettura, admin.TabularInline[EventoRichiestaPin, RichiestaPin]):
    model = EventoRichiestaPin
    fields = readonly_fields = ("quando", "da", "a", "chi", "motivo")
    extra = 0


@admin.register(RichiestaPin)
class RichiestaPinAdmin(RichiestaDiSedeAdmin):
    """A new PIN dispositivo asked online by a person with no PIN: the Sede chosen by the person decides."""

    list_display = ["creata_il", "numero", "cognome", "nome", "codice_fiscale", "sede", "status"]
    list_filter = ["status", "creata_il"]
    search_fields = ["=codice_fiscale"]
    list_select_related = ["sede"]
    fields = readonly_fields = (
        "numero",
        "codice_fiscale",
        "cognome",
        "nome",
        "email",
        "sede",
        "status",
        "situazione",
        "creata_il",
        "documenti",
        "motivo_rifiuto",
        "decisa_il",
        "decisa_da",
        "ritirata_il",
        "tentativi_ritiro",
        "decisione",
    )
    inlines = [EventoRichiestaPinInline]
    permesso_decisione = "accounts.decidere_richiesta_pin"
    template_decisione = "admin/accounts/decidi_richiesta_pin.html"
    errore_dominio = RilascioNonAmmesso

    @admin.display(description="credenziali attuali della persona")
    def situazione(self, obj: RichiestaPin) -> str:
        return situazione_credenziali(obj.codice_fiscale)

    def contesto_decisione(self, richiesta: Any) -> dict[str, Any]:
        return {"situazione": situazione_credenziali(richiesta.codice_fiscale)}

    def decidi_con_servizio(self, *, richiesta: Any, chi: Any, approvata: bool, motivo: str) -> None:
        richiesta_pin_decidi(richiesta_id=richiesta.pk, chi=chi, approvata=approvata, motivo=motivo)
