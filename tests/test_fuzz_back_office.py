"""Hostile input to the back office is a message and a 4xx (or the form again, with its errors), never a 500, and
nothing stored is lost or half-written.

The review that fuzzed every form found 660 server errors in the add and change pages: a non-numeric value in an
autocomplete foreign key (``ValueError``), a number beyond the database's integers (``DataError``). Here every
ModelAdmin of the portal's site is read from the registry, not listed by hand, and fuzzed with payloads built from its
own form's fields, as a portal administrator and as a member of central staff; then the changelists' filters, search,
ordering and paging, the autocomplete endpoint and the portal's own back-office pages. To stay near a minute, every
combination runs as the administrator (who sees everything); central staff, whose pages are the same forms over a
narrower queryset, get each payload in every field at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils.html import escape

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.services import richiesta_crea
from accounts.admin import EnteAdmin
from accounts.models import (
    PIN,
    AbilitazioneDetenuta,
    Comune,
    CredenzialeExInpdap,
    Ente,
    EventoCredenziale,
    RichiestaConversione,
    RichiestaPin,
    ScadenzaPinOnline,
    Struttura,
    User,
)
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from inps_portal.admin_mixins import SCELTA_NON_VALIDA
from inps_portal.pec.models import AllegatoPECInArrivo, PECInArrivo
from inps_portal.pec.services import pec_spedisci
from tests.factories import (
    PDF_MINIMO,
    EnteFactory,
    UserFactory,
    codice_fiscale_ente,
    codice_fiscale_valido,
    modulo_consegnato,
    pec_dell_ente,
    personale_inps,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Risposta

pytestmark = pytest.mark.django_db

ENORME = "99999999999999999999999"
LISTA = ["1", "abc"]  # a list where one value is expected
OSTILI: tuple[str | list[str], ...] = (
    "abc",
    "",
    "-1",
    ENORME,
    "1e308",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "x" * 5000,
    LISTA,
)
# Each field alone gets these (the other fields keep their valid values): the two that broke the forms.
PIU_CATTIVI: tuple[str, ...] = ("abc", ENORME)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"

AMMINISTRATORE, CENTRALE = "amministratore del portale", "personale di Direzione centrale"


def _persona(ruolo: str) -> User:
    if ruolo == AMMINISTRATORE:
        return UserFactory.create(is_staff=True, is_superuser=True)
    return personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW")


@pytest.fixture
def scena(registro: None, pec_locale: Any) -> dict[str, Model]:
    """At least one object of every model of the back office, and the requests its own pages decide."""
    rende = Comune.objects.get(codice_istat="078102")
    ente = EnteFactory.create(comune=rende)
    EnteFactory.create()
    operatore = UserFactory.create(password="!", email="operatore.fuzz@example.it")
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    pin = PIN.objects.create(
        user=operatore, codice_hash=make_password("PINFUZZ234567890"), tipo=PIN.Tipo.DISPOSITIVO, origine="preesistente"
    )
    AbilitazioneDetenuta.objects.create(pin=pin, ente=ente, nome="Visualizzazione versamenti Ente")
    # One request at the Sede's desk (signed modulo uploaded), one waiting for the Ente's PEC, and that PEC arriving
    # with a subject that names no request: it waits to be sorted by hand.
    decidere = richiesta_crea(
        user=operatore, ente=ente, aggiungi=[Abilitazione.objects.get(nome="Visualizzazione note di debito Ente")]
    )
    modulo_consegnato(decidere)
    attesa = richiesta_crea(user=operatore, ente=ente, aggiungi=[Abilitazione.objects.get(nome="Soggiorni senior")])
    pec = pec_dell_ente(attesa.instradate.get(), oggetto="Modulo firmato")
    sede = Struttura.objects.get(codice="ST-CS")
    RichiestaConversione.objects.create(
        user=operatore,
        pin=pin,
        ente=ente,
        sede=sede,
        modulo_firmato=SimpleUploadedFile("m.pdf", PDF_MINIMO),
        documento_identita=SimpleUploadedFile("d.jpg", JPEG),
    )
    RichiestaPin.objects.create(
        codice_fiscale=codice_fiscale_valido(900),
        nome="Luca",
        cognome="Russo",
        email="luca.russo@example.it",
        sede=sede,
        modulo_firmato=SimpleUploadedFile("m.pdf", PDF_MINIMO),
        documento_identita=SimpleUploadedFile("d.jpg", JPEG),
        codice_ritiro_hash=make_password("CODICE"),
    )
    ex_inpdap = UserFactory.create(password="!")
    CredenzialeExInpdap.objects.create(
        codice_fiscale=ex_inpdap.codice_fiscale, user=ex_inpdap, password_hash="sha1$sale$" + "0" * 40
    )
    EventoCredenziale.objects.create(user=operatore, tipo=EventoCredenziale.Tipo.CONVERSIONE_SPORTELLO)
    ScadenzaPinOnline.objects.create(data=clock.today(), motivo="Scadenza di prova")
    pec_spedisci(modello="prova", destinatari=["destinatario@pec.example.it"], contesto={"richiesto_da": "prova"})
    assert pec.status == PECInArrivo.Status.DA_SMISTARE
    # The objects whose change page is fuzzed where the first one would be someone's working data.
    return {
        "accounts.user": operatore,
        "accounts.ente": ente,
        "accounts.struttura": Struttura.objects.get(codice="ST-RM"),
        "auth.group": Group.objects.create(name="Gruppo di prova del fuzz"),
        "inps_portal.pecinarrivo": pec,
    }


def _oggetto(scena: dict[str, Model], modello: type[Model]) -> Model | None:
    return scena.get(modello._meta.label_lower) or modello._default_manager.order_by("pk").first()


def _registro() -> Iterator[tuple[type[Model], admin.ModelAdmin[Any]]]:
    yield from sorted(admin.site._registry.items(), key=lambda voce: voce[0]._meta.label_lower)


# --- What the forms would send ----------------------------------------------------------------------------------


def _testo(valore: Any) -> str | list[str] | None:
    if valore is None:
        return None
    if isinstance(valore, (list, tuple)):
        return [str(v) for v in valore]
    return str(valore)


def _campi_del_form(form: forms.BaseForm, dati: dict[str, Any]) -> list[str]:
    """Put the values the page shows in ``dati``; return the names of the form's inputs."""
    nomi = []
    for campo in form:
        if campo.field.disabled:
            continue
        valore, widget = campo.value(), campo.field.widget
        if isinstance(widget, forms.MultiWidget):
            parti = valore if isinstance(valore, (list, tuple)) else widget.decompress(valore)
            for indice, parte in enumerate(parti or ()):
                nome = f"{campo.html_name}_{indice}"
                nomi.append(nome)
                if (testo := _testo(parte)) is not None:
                    dati[nome] = testo
            continue
        nomi.append(campo.html_name)
        if isinstance(widget, forms.CheckboxInput):
            if valore:
                dati[campo.html_name] = "on"
        elif (testo := _testo(valore)) is not None:
            dati[campo.html_name] = testo
    return nomi


def _form_della_pagina(risposta: Risposta) -> tuple[dict[str, Any], list[str]]:
    """The valid data of an admin add/change page as it was rendered, and the names of all its inputs (the inlines'
    management forms included)."""
    contesto = risposta.context
    dati: dict[str, Any] = {}
    nomi = _campi_del_form(contesto["adminform"].form, dati)
    for inline in contesto["inline_admin_formsets"]:
        formset = inline.formset
        nomi += _campi_del_form(formset.management_form, dati)
        for form in formset.forms:
            nomi += _campi_del_form(form, dati)
    return dati, nomi


def _modificabile(pagina: Risposta) -> bool:
    contesto = pagina.context if pagina.status_code == 200 else None
    if not contesto:
        return False
    permesso = "has_add_permission" if contesto.get("add") else "has_change_permission"
    return bool(contesto.get(permesso) or contesto.get("has_editable_inline_admin_formsets"))


def _ostili(dati: dict[str, Any], nomi: list[str], *, campo_per_campo: bool = True) -> Iterator[dict[str, Any]]:
    """Each payload in every field at once, then (``campo_per_campo``) each field alone with the two nastiest
    payloads, the other fields keeping the page's values."""
    for valore in OSTILI:
        yield {**dati, **dict.fromkeys(nomi, valore)}
    if not campo_per_campo:
        return
    for nome in nomi:
        for valore in PIU_CATTIVI:
            yield {**dati, nome: valore}


# --- What must never happen ---------------------------------------------------------------------------------------


class Registro500:
    """Every server error seen, with what caused it, so that one run reports them all."""

    def __init__(self) -> None:
        self.errori: list[str] = []

    def controlla(self, risposta: Risposta, metodo: str, url: str, dati: Any = None) -> Risposta:
        if risposta.status_code >= 500:
            eccezione = getattr(risposta, "exc_info", None)
            causa = f"{eccezione[0].__name__}: {str(eccezione[1])[:120]}" if eccezione else "?"
            self.errori.append(f"{metodo} {url[:160]} {str(dati)[:160]} -> {risposta.status_code} ({causa})")
        return risposta

    def get(self, client: Client, url: str, dati: dict[str, Any] | None = None) -> Risposta:
        return self.controlla(client.get(url, dati or {}), "GET", url, dati)

    def post(self, client: Client, url: str, dati: dict[str, Any]) -> Risposta:
        return self.controlla(client.post(url, dati), "POST", url, dati)


def _cliente(ruolo: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(_persona(ruolo))
    return client


def _istantanea(modello: type[Model], oggetto: Model | None, model_admin: admin.ModelAdmin[Any]) -> tuple[Any, ...]:
    """What a refused POST must leave as it was: the object, how many of the model and of its inlines' models."""
    inline = tuple(i.model._default_manager.count() for i in model_admin.inlines)
    if oggetto is None:
        return modello._default_manager.count(), inline
    riletto = modello._default_manager.filter(pk=oggetto.pk).first()
    return modello._default_manager.count(), inline, riletto and model_to_dict(riletto)


@pytest.mark.parametrize("ruolo", [AMMINISTRATORE, CENTRALE])
def test_hostile_posts_to_every_add_and_change_form_are_never_a_server_error_nor_half_written(
    scena: dict[str, Model], ruolo: str
) -> None:
    client, registro500 = _cliente(ruolo), Registro500()
    scritture_a_metà: list[str] = []
    for modello, model_admin in _registro():
        info = (modello._meta.app_label, modello._meta.model_name)
        oggetto = _oggetto(scena, modello)
        pagine = [reverse("admin:{}_{}_add".format(*info))]
        if oggetto is not None:
            pagine.append(reverse("admin:{}_{}_change".format(*info), args=[oggetto.pk]))
        for url in pagine:
            pagina = registro500.get(client, url)
            if _modificabile(pagina):
                dati, nomi = _form_della_pagina(pagina)
                # Field by field where the other fields hold valid values (a change page), as the administrator.
                per_campo = ruolo == AMMINISTRATORE and url.endswith("/change/")
                ostili: Iterator[dict[str, Any]] = _ostili(dati, nomi, campo_per_campo=per_campo)
            else:  # closed to this role, or read only: one hostile POST must be refused all the same
                ostili = iter([dict.fromkeys(["nome", "id", "status"], "abc")])
            for ostile in ostili:
                prima = _istantanea(modello, oggetto, model_admin)
                risposta = registro500.post(client, url, ostile)
                rifiutata = risposta.status_code < 300 or 400 <= risposta.status_code < 500  # a redirect is a save
                if rifiutata and _istantanea(modello, oggetto, model_admin) != prima:
                    scritture_a_metà.append(f"POST {url} {str(ostile)[:160]} -> {risposta.status_code}")
    assert not registro500.errori, "\n".join(registro500.errori)
    assert scritture_a_metà == []


def test_a_non_numeric_or_huge_foreign_key_is_an_italian_form_error_and_creates_nothing(
    admin_client: Client, registro: None
) -> None:
    url = reverse("admin:accounts_ente_add")
    valido = {"nome": "Ente del fuzz", "codice_fiscale": "", "pec": "ente@pec.example.it", "attivo": "on"}
    for comune in ("abc", ENORME, "-1", LISTA):
        risposta = admin_client.post(url, {**valido, "comune": comune})
        assert risposta.status_code == 200
        assert escape(SCELTA_NON_VALIDA) in risposta.content.decode()
    assert not Ente.objects.filter(nome="Ente del fuzz").exists()


def test_the_population_of_a_comune_is_bounded_like_its_database_column(admin_client: Client, registro: None) -> None:
    comune = Comune.objects.select_related("provincia").get(codice_istat="078102")
    url = reverse("admin:accounts_comune_change", args=[comune.pk])
    dati = {
        "codice_istat": comune.codice_istat,
        "codice_catastale": comune.codice_catastale,
        "nome": comune.nome,
        "provincia": comune.provincia_id,
    }
    for popolazione in (ENORME, "2147483648", "-1", "1e308"):
        risposta = admin_client.post(url, {**dati, "popolazione": popolazione})
        assert risposta.status_code == 200, popolazione
    assert Comune.objects.get(pk=comune.pk).popolazione == comune.popolazione


def test_an_error_that_escapes_a_post_is_a_400_in_italian_and_rolls_back_what_was_written(
    admin_client: Client, registro: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: the admin writes the Ente, then something refuses the input too late."""
    originale = EnteAdmin.save_model

    def salva_poi_fallisce(self: EnteAdmin, *args: Any, **kwargs: Any) -> None:
        originale(self, *args, **kwargs)
        raise DataError("integer out of range")

    monkeypatch.setattr(EnteAdmin, "save_model", salva_poi_fallisce)
    comune = Comune.objects.get(codice_istat="078102")
    risposta = admin_client.post(
        reverse("admin:accounts_ente_add"),
        {
            "nome": "Ente a metà",
            "codice_fiscale": codice_fiscale_ente(990),
            "pec": "e@pec.example.it",
            "comune": comune.pk,
        },
    )
    assert risposta.status_code == 400
    assert "non è stato salvato nulla" in risposta.content.decode()
    assert not Ente.objects.filter(nome="Ente a metà").exists()


# --- Changelists and the autocomplete endpoint --------------------------------------------------------------------


def _parametri_ostili(
    pagina: Risposta, model_admin: admin.ModelAdmin[Any], *, uno_per_uno: bool
) -> Iterator[dict[str, Any]]:
    """Ordering, paging and search with hostile values; then the changelist's own filters (with their ``__in`` twins)
    and the date hierarchy: each hostile value in all of them at once, then each alone with the two nastiest."""
    yield from ({"o": v} for v in ("999", "abc"))
    yield from ({"p": v} for v in ("99999999999999999999", "abc"))
    yield from ({"q": v} for v in (ENORME, "\x00", "x" * 5000, LISTA))
    yield {"pk__in": f"1,{ENORME}", "_to_field": "password"}
    nomi: set[str] = set()
    cl = pagina.context.get("cl") if pagina.status_code == 200 else None
    for spec in getattr(cl, "filter_specs", []):
        nomi |= set(spec.expected_parameters())
    nomi |= {n.replace("__exact", "__in") for n in nomi if n.endswith("__exact")}
    if gerarchia := model_admin.date_hierarchy:
        nomi |= {f"{gerarchia}__year", f"{gerarchia}__month", f"{gerarchia}__day"}
    for valore in ("abc", ENORME, f"1,{ENORME}", "-1", "\x00", LISTA):
        yield dict.fromkeys(nomi, valore)
    for nome in sorted(nomi) if uno_per_uno else ():
        for valore in PIU_CATTIVI:
            yield {nome: valore}


@pytest.mark.parametrize("ruolo", [AMMINISTRATORE, CENTRALE])
def test_hostile_filters_searches_and_pages_of_every_changelist_are_never_a_server_error(
    scena: dict[str, Model], ruolo: str
) -> None:
    client, registro500 = _cliente(ruolo), Registro500()
    for modello, model_admin in _registro():
        url = reverse(f"admin:{modello._meta.app_label}_{modello._meta.model_name}_changelist")
        pagina = registro500.get(client, url, {"status__exact": "", "e": "1"})
        for parametri in _parametri_ostili(pagina, model_admin, uno_per_uno=ruolo == AMMINISTRATORE):
            registro500.get(client, url, parametri)
        # The actions' checkboxes with keys that are not keys.
        azione = {"action": "delete_selected", "_selected_action": ["abc", ENORME, "\x00"], "index": "0"}
        registro500.post(client, url, azione)
    assert not registro500.errori, "\n".join(registro500.errori)


def _campi_autocomplete(model_admin: admin.ModelAdmin[Any]) -> Iterator[tuple[type[Model], str]]:
    for campo in model_admin.autocomplete_fields:
        yield model_admin.model, campo
    for inline in model_admin.inlines:
        for campo in inline.autocomplete_fields:
            yield inline.model, campo


@pytest.mark.parametrize("ruolo", [AMMINISTRATORE, CENTRALE])
def test_the_autocomplete_endpoint_answers_hostile_parameters_without_a_server_error(
    scena: dict[str, Model], ruolo: str
) -> None:
    client, registro500 = _cliente(ruolo), Registro500()
    url = reverse("admin:autocomplete")
    campi = [voce for _, model_admin in _registro() for voce in _campi_autocomplete(model_admin)]
    assert campi, "nessun campo con autocompletamento nel back office"
    for modello, campo in campi:
        valido = {
            "app_label": modello._meta.app_label,
            "model_name": str(modello._meta.model_name),
            "field_name": campo,
        }
        assert client.get(url, {**valido, "term": "Ro"}).status_code in (200, 403)
        for valore in OSTILI:
            registro500.get(client, url, {**valido, "term": valore})
            registro500.get(client, url, {**valido, "term": "a", "page": valore})
            for chiave in valido:
                registro500.get(client, url, {**valido, chiave: valore, "term": "a"})
    assert not registro500.errori, "\n".join(registro500.errori)


# --- The portal's own back-office pages ---------------------------------------------------------------------------

VISTE_DI_DJANGO = {"changelist", "add", "change", "delete", "history", "autocomplete"}


def _pagine_del_portale(scena: dict[str, Model]) -> Iterator[str]:
    """The custom pages of the ModelAdmins (decisions, counters, roles, sorting of PEC, documents), each for an object
    that exists and for a key beyond the database's integers."""
    da_smistare = scena["inps_portal.pecinarrivo"]
    valori_per_nome: dict[str, Any] = {
        "pec": da_smistare.pk,
        "allegato": AllegatoPECInArrivo.objects.filter(pec_id=da_smistare.pk).values_list("pk", flat=True).first() or 1,
        "quale": "modulo",
    }
    for modello, model_admin in _registro():
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if pattern.name.rsplit("_", 1)[-1] in VISTE_DI_DJANGO:
                continue
            parametri = list(pattern.pattern.converters)
            oggetto = _oggetto(scena, modello)
            if modello is RichiestaInstradata:
                oggetto = RichiestaInstradata.objects.filter(status=RichiestaInstradata.Status.INVIATA).first()
            esistente = {p: valori_per_nome.get(p, oggetto.pk if oggetto else 1) for p in parametri}
            yield reverse(f"admin:{pattern.name}", kwargs=esistente)
            if parametri:
                enorme = {p: ENORME if p != "quale" else "modulo" for p in parametri}
                yield reverse(f"admin:{pattern.name}", kwargs=enorme)


TAG = re.compile(r"<(?:input|select|textarea|button)\b[^>]*>")
NOME, VALORE = re.compile(r'\bname="([^"]+)"'), re.compile(r'\bvalue="([^"]*)"')


def _campi_html(html: str) -> dict[str, list[str]]:
    """The inputs of a page's forms, by name, with the values of its buttons and options (the CSRF token aside)."""
    campi: dict[str, list[str]] = {}
    for tag in TAG.findall(html):
        if (nome := NOME.search(tag)) and nome.group(1) != "csrfmiddlewaretoken":
            valore = VALORE.search(tag)
            campi.setdefault(nome.group(1), []).extend([valore.group(1)] if valore and valore.group(1) else [])
    return campi


@pytest.mark.parametrize("ruolo", [AMMINISTRATORE, CENTRALE])
def test_hostile_posts_to_the_portals_own_back_office_pages_are_never_a_server_error(
    scena: dict[str, Model], ruolo: str
) -> None:
    client, registro500 = _cliente(ruolo), Registro500()
    pagine = list(_pagine_del_portale(scena))
    assert any("/ruoli/" in p for p in pagine)
    assert any("pec-da-smistare" in p for p in pagine)
    for url in pagine:
        pagina = registro500.get(client, url)
        if pagina.status_code != 200 or not pagina["Content-Type"].startswith("text/html"):
            # Not this role's, no such object, or a document to download: one hostile POST all the same.
            registro500.post(client, url, {"esito": "approva", "azione": "prendi", "numero": ENORME})
            continue
        campi = _campi_html(pagina.content.decode())
        for ostile in _ostili({}, sorted(campi)):
            registro500.post(client, url, ostile)
        # Each action with its real value (approve, reject, take in charge...), every other field hostile.
        for bottone in ("esito", "azione"):
            for valore in campi.get(bottone, []):
                for cattivo in OSTILI:
                    registro500.post(client, url, {**dict.fromkeys(campi, cattivo), bottone: valore})
    assert not registro500.errori, "\n".join(registro500.errori)
