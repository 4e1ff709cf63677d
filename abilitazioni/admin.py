from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Field, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from abilitazioni import moduli, services
from abilitazioni.models import (
    IN_CORSO,
    Abilitazione,
    EventoCatalogo,
    EventoRichiesta,
    RichiestaInstradata,
    VoceRichiesta,
)
from abilitazioni.selectors import TEAM_PER_ALLEGATO, filtro_visibili, in_attesa_del_modulo_per_ufficio
from abilitazioni.services import CAMPI_DEL_CATALOGO, instradata_per_numero
from accounts.models import Team, User
from inps_portal.admin_mixins import CODA_CHANGE_LIST, CodaDaDecidere, RifiutoForm, SolaLettura
from inps_portal.audit import lettura_registra
from inps_portal.pdf import risposta_documento
from inps_portal.pec.models import PECInArrivo


def _registra_accesso(request: HttpRequest, instradata_id: int | str, cosa: str) -> None:
    """A reading of an operator's personal data by the office: who, which request, what (never the data itself)."""
    messaggio = {
        "richiesta": "accesso a una richiesta di abilitazioni",
        "modulo": "accesso al modulo di una richiesta",
        "modulo firmato": "accesso al modulo firmato di una richiesta",
    }
    lettura_registra(request, cosa=messaggio[cosa], oggetto=RichiestaInstradata, chiave=instradata_id)


class AbilitazioneForm(forms.ModelForm):  # type: ignore[type-arg]
    motivo = forms.CharField(
        label="Motivo della modifica",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Facoltativo: resta nello storico della voce, con chi ha fatto la modifica e quando.",
    )

    class Meta:
        model = Abilitazione
        fields = ["codice", *CAMPI_DEL_CATALOGO]


def _campo_del_catalogo(nome: str) -> Field[Any, Any]:
    campo = Abilitazione._meta.get_field(nome)
    assert isinstance(campo, Field)
    return campo


def _valore_leggibile(campo: str, valore: Any) -> str:
    """A value of the history as the back office reads it: the label of a choice, sì/no, a dash for nothing."""
    if valore is None or valore == "":
        return "—"
    if isinstance(valore, bool):
        return "sì" if valore else "no"
    scelte = dict(_campo_del_catalogo(campo).choices or [])
    return str(scelte.get(valore, valore))


_A_CAPO = mark_safe("<br>")


def storico_del_catalogo(abilitazione: Abilitazione) -> str:
    """The history of an entry, newest first, as a read-only table of the back office: who, when, what changed."""
    eventi = list(abilitazione.eventi.select_related("chi")) if abilitazione.pk else []
    if not eventi:
        return "Nessuna modifica registrata."
    righe = []
    for evento in eventi:
        campi = [c for c in ("codice", *CAMPI_DEL_CATALOGO) if c in evento.a or c in evento.da]
        etichette = {c: str(_campo_del_catalogo(c).verbose_name) for c in campi}
        if evento.azione == EventoCatalogo.Azione.CREATA:
            cosa = format_html_join(
                _A_CAPO, "{}: {}", ((etichette[c], _valore_leggibile(c, evento.a.get(c))) for c in campi)
            )
        else:
            cosa = format_html_join(
                _A_CAPO,
                "{}: {} → {}",
                (
                    (etichette[c], _valore_leggibile(c, evento.da.get(c)), _valore_leggibile(c, evento.a.get(c)))
                    for c in campi
                ),
            )
        righe.append(
            (
                f"{timezone.localtime(evento.quando):%d/%m/%Y %H:%M}",
                evento.chi.get_full_name() if evento.chi else "sistema",
                evento.get_azione_display(),
                cosa,
                evento.motivo or "—",
            )
        )
    return format_html(
        '<table data-testid="storico-catalogo"><thead><tr><th scope="col">quando</th><th scope="col">chi</th>'
        '<th scope="col">azione</th><th scope="col">cosa è cambiato</th><th scope="col">motivo</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", righe),
    )


@admin.register(Abilitazione)
class AbilitazioneAdmin(admin.ModelAdmin[Abilitazione]):
    """The catalogue, kept by central staff: every change goes through the catalogue's services, which record who
    changed what (the history under each entry). An entry is never deleted, only deactivated; its key (codice) is
    chosen at creation and read-only afterwards."""

    form = AbilitazioneForm
    list_display = ["nome", "codice", *services.CAMPI_DEL_CATALOGO[1:]]
    list_filter = ["allegato", "canale", "prerequisito", "attiva"]
    list_select_related = ["ufficio_centrale"]
    search_fields = ["nome", "codice"]
    fields = ("codice", *CAMPI_DEL_CATALOGO, "motivo", "storico")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("codice", "storico") if obj is not None else ("storico",)

    @admin.display(description="storico delle modifiche")
    def storico(self, obj: Abilitazione) -> str:
        return storico_del_catalogo(obj)

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Sequence[str]]:
        return {} if obj is not None else {"codice": ("nome",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # held abilitazioni and requests name the entry: it is deactivated instead

    def save_model(self, request: HttpRequest, obj: Abilitazione, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        chi = cast(User, request.user)
        dati = {campo: form.cleaned_data[campo] for campo in CAMPI_DEL_CATALOGO if campo in form.cleaned_data}
        motivo = form.cleaned_data.get("motivo", "")
        if change:
            salvata = services.abilitazione_modifica(abilitazione_id=obj.pk, chi=chi, dati=dati, motivo=motivo)
        else:
            dati["codice"] = form.cleaned_data.get("codice", "")
            salvata = services.abilitazione_crea(chi=chi, dati=dati, motivo=motivo)
        obj.pk, obj.codice = salvata.pk, salvata.codice
        obj._state.adding = False


class VoceInline(admin.TabularInline[VoceRichiesta, RichiestaInstradata]):
    model = VoceRichiesta
    fields = readonly_fields = ("abilitazione", "operazione")
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[VoceRichiesta]:
        return super().get_queryset(request).select_related("abilitazione")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventoInline(SolaLettura, admin.TabularInline[EventoRichiesta, RichiestaInstradata]):
    model = EventoRichiesta
    fields = readonly_fields = ("quando", "da", "a", "chi", "motivo")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventoRichiesta]:
        return super().get_queryset(request).select_related("chi")


class SmistamentoForm(forms.Form):
    numero = forms.RegexField(
        label="Numero della richiesta (per esempio 123/4)",
        regex=r"^\s*\d{1,12}\s*/\s*[2-5]\s*$",
        max_length=20,
        error_messages={
            "required": "Indichi il numero della richiesta.",
            "invalid": "Il numero ha la forma richiesta/allegato, per esempio 123/4.",
        },
    )


def descrivi_firma_del_modulo(firma: dict[str, Any]) -> str:
    if not firma:
        return "—"
    if not firma.get("firmato"):
        return "Non firmato digitalmente: scansione o documento semplice"
    chi = f"{firma.get('firmatario') or 'firmatario non indicato'}" + (
        f" (C.F. {firma['codice_fiscale']})" if firma.get("codice_fiscale") else ""
    )
    if firma.get("valida"):
        return f"Firma digitale valida di {chi}; certificato emesso da {firma.get('emittente') or '—'}"
    return f"Firma digitale di {chi} NON valida: " + "; ".join(firma.get("problemi") or ["verifica non riuscita"])


@admin.register(RichiestaInstradata)
class RichiestaInstradataAdmin(CodaDaDecidere, SolaLettura, admin.ModelAdmin[RichiestaInstradata]):
    """The queue of an office: only the requests addressed to the Sedi or Direzioni its staff work for (allegato 3
    only to the members of the Direzione regionale's team); it opens on those still to be decided."""

    stati_in_corso = IN_CORSO
    change_list_template = CODA_CHANGE_LIST

    list_display = ["operatore", "ente", "creata_il", "allegato", "stato"]
    list_display_links = ["operatore"]
    list_filter = ["status", "allegato", "richiesta__creata_il"]
    list_select_related = ["richiesta__user", "richiesta__ente", "struttura"]
    list_per_page = 50
    search_fields = [
        "richiesta__user__codice_fiscale",
        "richiesta__user__cognome",
        "richiesta__ente__nome",
        "richiesta__ente__codice_fiscale",
    ]
    search_help_text = "Codice fiscale o cognome dell'operatore, nome o codice fiscale dell'Ente."
    ordering = ["-id"]  # the newest first
    show_full_result_count = False  # the office's own count is enough: no second count of the whole table
    fields = readonly_fields = (
        "richiesta",
        "allegato",
        "struttura",
        "team",
        "indirizzo_pec",
        "status",
        "motivo",
        "modulo",
        "modulo_firmato_ricevuto",
        "firma_del_modulo",
        "pec_dell_ente",
        "azioni",
    )
    inlines = [VoceInline, EventoInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RichiestaInstradata]:
        queryset = super().get_queryset(request)
        return queryset.filter(filtro_visibili(cast(User, request.user)))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The page shows the operator's personal data: each reading is logged (only once the object is found)."""
        risposta = super().change_view(request, object_id, form_url, extra_context)
        _registra_accesso(request, object_id, "richiesta")
        return risposta

    @admin.display(description="operatore", ordering="richiesta__user__cognome")
    def operatore(self, obj: RichiestaInstradata) -> str:
        persona = obj.richiesta.user
        return format_html("{} {}<br><small>{}</small>", persona.cognome, persona.nome, persona.codice_fiscale)

    @admin.display(description="Ente", ordering="richiesta__ente__nome")
    def ente(self, obj: RichiestaInstradata) -> str:
        return obj.richiesta.ente.nome

    @admin.display(description="chiesta il", ordering="richiesta__creata_il")
    def creata_il(self, obj: RichiestaInstradata) -> str:
        return f"{timezone.localtime(obj.richiesta.creata_il):%d/%m/%Y}"

    @admin.display(description="stato", ordering="status")
    def stato(self, obj: RichiestaInstradata) -> str:
        return obj.get_status_display()

    @admin.display(description="team che decide")
    def team(self, obj: RichiestaInstradata) -> str:
        codice = TEAM_PER_ALLEGATO.get(obj.allegato)
        if codice is None or obj.struttura_id is None:
            return "—"  # the whole office decides
        nome = Team.objects.filter(struttura_id=obj.struttura_id, codice=codice).values_list("nome", flat=True).first()
        return nome or "—"

    @admin.display(description="modulo firmato")
    def modulo_firmato_ricevuto(self, obj: RichiestaInstradata) -> str:
        if not obj.modulo_firmato:
            return "Non ancora ricevuto"
        return format_html(
            '<a href="{}">Modulo firmato</a> (ricevuto il {})',
            reverse("admin:abilitazioni_richiestainstradata_modulo_firmato", args=[obj.pk]),
            f"{timezone.localtime(obj.modulo_ricevuto_il):%d/%m/%Y %H:%M}" if obj.modulo_ricevuto_il else "—",
        )

    @admin.display(description="firma del modulo")
    def firma_del_modulo(self, obj: RichiestaInstradata) -> str:
        return descrivi_firma_del_modulo(obj.firma)

    @admin.display(description="PEC dell'Ente")
    def pec_dell_ente(self, obj: RichiestaInstradata) -> str:
        pec = obj.pec_in_arrivo
        if pec is None:
            return "—"
        return f"da {pec.mittente} a {pec.casella}, {'certificata' if pec.certificata else 'non certificata'}"

    @admin.display(description="modulo")
    def modulo(self, obj: RichiestaInstradata) -> str:
        return format_html(
            '<a href="{}">Modulo allegato {} (PDF)</a>',
            reverse("admin:abilitazioni_richiestainstradata_modulo", args=[obj.pk]),
            obj.allegato,
        )

    @admin.display(description="azioni")
    def azioni(self, obj: RichiestaInstradata) -> str:
        if not obj.in_corso:
            return "—"
        return format_html(
            '<a class="button" href="{}">Prendi in carico o decidi</a>',
            reverse("admin:abilitazioni_richiestainstradata_decidi", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        decidi = path(
            "<int:pk>/decidi/", self.admin_site.admin_view(self.decidi), name="abilitazioni_richiestainstradata_decidi"
        )
        modulo = path(
            "<int:pk>/modulo.pdf",
            self.admin_site.admin_view(self.modulo_pdf),
            name="abilitazioni_richiestainstradata_modulo",
        )
        firmato = path(
            "<int:pk>/modulo-firmato/",
            self.admin_site.admin_view(self.modulo_firmato),
            name="abilitazioni_richiestainstradata_modulo_firmato",
        )
        smista = path(
            "pec-da-smistare/<int:pec>/",
            self.admin_site.admin_view(self.smista),
            name="abilitazioni_richiestainstradata_smista",
        )
        return [decidi, modulo, firmato, smista, *super().get_urls()]

    def modulo_firmato(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The modulo signed by the Ente, for the office that decides the request only: each reading is logged."""
        instradata = self._instradata(request, pk)
        if not instradata.modulo_firmato:
            raise Http404
        _registra_accesso(request, pk, "modulo firmato")
        with instradata.modulo_firmato.open("rb") as file:
            contenuto = file.read()
        estensione = ".p7m" if instradata.modulo_firmato.name.endswith(".p7m") else ".pdf"
        return risposta_documento(
            contenuto, f"modulo-firmato-{instradata.richiesta_id}-{instradata.allegato}{estensione}"
        )

    def smista(self, request: HttpRequest, pec: int) -> HttpResponse:
        """A PEC that waits to be sorted, filed by hand to a request of the office that is waiting for its modulo: the
        office has read it; what did not match is recorded in the request's history."""
        messaggio = get_object_or_404(PECInArrivo, pk=pec, status=PECInArrivo.Status.DA_SMISTARE)
        candidate = in_attesa_del_modulo_per_ufficio(cast(User, request.user)).select_related("richiesta__ente")
        if not request.user.has_perm("inps_portal.view_pecinarrivo") or not candidate.exists():
            raise Http404
        form = SmistamentoForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            richiesta, allegato = form.cleaned_data["numero"].split("/")
            instradata = instradata_per_numero(richiesta, allegato)
            if instradata is None or not candidate.filter(pk=instradata.pk).exists():
                form.add_error("numero", "Nessuna richiesta del suo ufficio in attesa del modulo ha questo numero.")
            else:
                try:
                    services.modulo_da_pec(
                        pec_id=messaggio.pk, instradata_id=instradata.pk, chi=cast(User, request.user)
                    )
                except services.RichiestaNonAmmessa as exc:
                    form.add_error(None, str(exc))
                else:
                    self.message_user(
                        request, f"PEC associata alla richiesta n. {instradata.numero}.", messages.SUCCESS
                    )
                    return redirect("admin:abilitazioni_richiestainstradata_change", instradata.pk)
            status = 400
        elif request.method == "POST":
            status = 400
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "pec": messaggio,
            "allegati": messaggio.allegati.all(),
            "candidate": [(i, services.difformita_della_pec(messaggio, i)) for i in candidate[:20]],
            "form": form,
            "title": "Associa la PEC a una richiesta di abilitazioni",
        }
        return TemplateResponse(request, "admin/abilitazioni/smista.html", contesto, status=status)

    def _instradata(self, request: HttpRequest, pk: int) -> RichiestaInstradata:
        if not self.has_view_permission(request):
            raise Http404
        return get_object_or_404(
            self.get_queryset(request)
            .select_related("richiesta__user", "richiesta__ente__comune__provincia", "struttura", "pec_in_arrivo")
            .prefetch_related("voci__abilitazione"),
            pk=pk,
        )

    def modulo_pdf(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The filled modulo, for the office that decides the request only: an access to personal data, logged."""
        instradata = self._instradata(request, pk)
        _registra_accesso(request, pk, "modulo")
        return moduli.modulo_compilato_risposta(instradata)

    @staticmethod
    def _esegui(azione: str | None, pk: int, chi: User, form: RifiutoForm, *, azioni_note: dict[str, str]) -> None:
        """The decision the office chose, through the services (a refusal only with its reason)."""
        if azione == "prendi":
            services.instradata_prendi_in_carico(instradata_id=pk, chi=chi)
        elif azione == "approva":
            services.instradata_decidi(instradata_id=pk, chi=chi, approvata=True)
        elif azione == "respingi" and form.is_valid():
            services.instradata_decidi(instradata_id=pk, chi=chi, approvata=False, motivo=form.cleaned_data["motivo"])
        elif azione not in azioni_note:
            raise services.RichiestaNonAmmessa("Azione sconosciuta.")

    def decidi(self, request: HttpRequest, pk: int) -> HttpResponse:
        instradata = self._instradata(request, pk)
        if not services.puo_decidere(cast(User, request.user), instradata):
            raise Http404  # readable (an administrator), not decidable: the same answer for GET and POST
        _registra_accesso(request, pk, "richiesta")
        azione = request.POST.get("azione")
        form = RifiutoForm(request.POST if azione == "respingi" else None)
        status = 200
        if request.method == "POST":
            chi = cast(User, request.user)
            fatto = {
                "prendi": "Richiesta presa in carico: ora può approvarla o respingerla.",
                "approva": "Richiesta approvata: le abilitazioni sono sul PIN e l'operatore è informato.",
                "respingi": "Richiesta respinta: l'operatore è informato del motivo.",
            }
            try:
                self._esegui(azione, pk, chi, form, azioni_note=fatto)
            except services.RichiestaNonAmmessa as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect("admin:abilitazioni_richiestainstradata_change", pk)
            except RichiestaInstradata.DoesNotExist as exc:
                raise Http404 from exc
            if azione != "respingi" or form.is_valid():
                self.message_user(request, fatto[azione or ""], messages.SUCCESS)
                if azione == "prendi":
                    return redirect("admin:abilitazioni_richiestainstradata_decidi", pk)
                return redirect("admin:abilitazioni_richiestainstradata_change", pk)
            status = 400  # the reason is missing: the page again, with the form's error where it is typed
        contesto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "instradata": instradata,
            "firma": descrivi_firma_del_modulo(instradata.firma),
            "form": form,
            "title": f"Richiesta di {instradata.richiesta.user}, allegato {instradata.allegato}",
        }
        return TemplateResponse(request, "admin/abilitazioni/decidi.html", contesto, status=status)
