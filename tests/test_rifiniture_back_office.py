"""The back office speaks Italian (models, fields, columns, filters), and its queues of requests open on what still
waits for a decision, with the count of it, the other requests one click away."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.hashers import make_password
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, Comune, Ente, RichiestaConversione, RichiestaPin, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import EnteFactory, UserFactory, codice_fiscale_valido, modulo_consegnato, personale_inps

pytestmark = pytest.mark.django_db

APP_DEL_PORTALE = ("accounts", "abilitazioni", "inps_portal", "convenzioni", "pue")
# English words that turned up as labels before: Django derives a label from the attribute's name when none is given.
INGLESE = {"status", "user", "users", "created", "updated", "modified", "name", "date", "type", "hash", "id", "at"}
SIGLE = {"pin", "pec", "ip", "mime", "istat", "sha"}  # Italian labels too, but written in capitals
NOMI_TECNICI = {"Message-ID"}  # the header's own name, as the PEC rules write it


def _parole_sbagliate(etichetta: str) -> list[str]:
    for nome in NOMI_TECNICI:
        etichetta = etichetta.replace(nome, "")
    parole = re.findall(r"[^\W\d_]+", etichetta)
    return [p for p in parole if p.lower() in INGLESE or (p.lower() in SIGLE and p != p.upper())]


def test_every_model_and_field_of_the_portal_has_an_italian_name() -> None:
    sbagliate = []
    for modello in apps.get_models():
        if modello._meta.app_label not in APP_DEL_PORTALE:
            continue
        etichette = [str(modello._meta.verbose_name), str(modello._meta.verbose_name_plural)]
        etichette += [
            str(campo.verbose_name)
            for campo in modello._meta.get_fields()
            if isinstance(campo, models.Field) and not campo.auto_created
        ]
        sbagliate += [f"{modello._meta.label}: {e!r}" for e in etichette if _parole_sbagliate(e)]
    assert not sbagliate, "etichette non in italiano:\n" + "\n".join(sbagliate)


def test_the_english_words_are_found_where_they_are() -> None:
    """The check above would pass on anything if it could not tell an English label."""
    assert _parole_sbagliate("Status") == ["Status"]
    assert _parole_sbagliate("created at") == ["created", "at"]
    assert _parole_sbagliate("Pin") == ["Pin"]
    assert _parole_sbagliate("indirizzo pec") == ["pec"]
    assert _parole_sbagliate("Indirizzo PEC di destinazione") == []
    assert _parole_sbagliate("Message-ID di riferimento") == []


def test_the_changelists_of_the_back_office_show_italian_columns_and_filters(admin_client: Client) -> None:
    """Every changelist as the portal's administrator: its column headers (computed even for an empty list), its
    filters, and the text of the page around them."""
    sbagliate = []
    for modello in admin.site._registry:
        url = reverse(f"admin:{modello._meta.app_label}_{modello._meta.model_name}_changelist")
        risposta = admin_client.get(url, follow=True)
        assert risposta.status_code == 200, url
        cl = risposta.context["cl"]
        colonne = [strip_tags(str(h["text"])) for h in result_headers(cl)]
        filtri = [str(spec.title) for spec in cl.filter_specs]
        for etichetta in [*colonne, *filtri]:
            if _parole_sbagliate(etichetta):
                sbagliate.append(f"{url}: {etichetta!r}")
        testo = strip_tags(risposta.content.decode())
        for frase in ("Model name", "Add link", "Change or view list link"):  # the sidebar's hidden headers
            if frase in testo:
                sbagliate.append(f"{url}: {frase!r}")
    assert not sbagliate, "intestazioni non in italiano:\n" + "\n".join(sbagliate)


# --- The queues ---------------------------------------------------------------------------------------------------


def _operatore_con_ente() -> tuple[User, Ente]:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))  # Rende: Sede di Cosenza
    PIN.objects.create(
        user=user, codice_hash=make_password("PINDIPROVA234567"), tipo=PIN.Tipo.DISPOSITIVO, origine="preesistente"
    )
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    return user, ente


def _alla_sede(user: User, ente: Ente, nome: str) -> RichiestaInstradata:
    """A request of allegato 2 that reached the Sede territoriale di Cosenza with its signed modulo."""
    richiesta = richiesta_crea(user=user, ente=ente, aggiungi=[Abilitazione.objects.get(nome=nome)])
    modulo_consegnato(richiesta)
    return richiesta.instradate.get()


def _coda(client: Client, url: str, **parametri: str) -> tuple[set[int], str, Any]:
    risposta = client.get(url, parametri)
    assert risposta.status_code == 200
    return {o.pk for o in risposta.context["cl"].result_list}, risposta.content.decode(), risposta


def _in_attesa(html: str) -> str:
    trovato = re.search(r'data-testid="in-attesa">(.*?)</p>', html, re.S)
    assert trovato, "il conteggio di ciò che attende non è nella pagina"
    return " ".join(strip_tags(trovato.group(1)).split())


def test_the_queue_of_routed_requests_opens_on_those_to_decide(client: Client, registro: None) -> None:
    user, ente = _operatore_con_ente()
    da_decidere = _alla_sede(user, ente, "Visualizzazione note di debito Ente")
    in_carico = _alla_sede(user, ente, "Visualizzazione versamenti Ente")
    decisa = _alla_sede(user, ente, "Visualizzazione piani di ammortamento Ente")
    RichiestaInstradata.objects.filter(pk=in_carico.pk).update(status=RichiestaInstradata.Status.IN_CARICO)
    RichiestaInstradata.objects.filter(pk=decisa.pk).update(status=RichiestaInstradata.Status.APPROVATA)
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    url = reverse("admin:abilitazioni_richiestainstradata_changelist")

    visibili, html, _ = _coda(client, url)
    assert visibili == {da_decidere.pk, in_carico.pk}
    assert _in_attesa(html) == "In attesa di decisione: 2 richieste."
    assert "In corso (da decidere)" in html
    assert 'href="?stato=tutte"' in html  # the filter goes back to every request

    visibili, html, _ = _coda(client, url, stato="tutte")
    assert visibili == {da_decidere.pk, in_carico.pk, decisa.pk}
    assert _in_attesa(html) == "In attesa di decisione: 2 richieste."  # what waits, whatever the list shows
    assert _coda(client, url, stato="approvata")[0] == {decisa.pk}
    # A search keeps the queue's filter: it finds among the requests to decide.
    assert _coda(client, url, q=user.codice_fiscale)[0] == {da_decidere.pk, in_carico.pk}


def _richiesta_di_conversione(sede: Struttura, status: str) -> RichiestaConversione:
    user, ente = _operatore_con_ente()
    return RichiestaConversione.objects.create(
        user=user,
        pin=user.pin.get(),
        ente=ente,
        sede=sede,
        modulo_firmato="conversioni/modulo.pdf",
        documento_identita="conversioni/documento.pdf",
        status=status,
        motivo_rifiuto="Documento illeggibile." if status == "respinta" else "",
    )


def _richiesta_di_pin(sede: Struttura, n: int, status: str) -> RichiestaPin:
    return RichiestaPin.objects.create(
        codice_fiscale=codice_fiscale_valido(9000 + n),
        nome="Giulia",
        cognome="Verdi",
        email=f"giulia{n}@example.it",
        sede=sede,
        modulo_firmato="conversioni/modulo.pdf",
        documento_identita="conversioni/documento.pdf",
        codice_ritiro_hash=make_password("RITIRO"),
        status=status,
        motivo_rifiuto="Documento illeggibile." if status == "respinta" else "",
    )


@pytest.mark.parametrize("modello", ["richiestaconversione", "richiestapin"])
def test_the_sede_queues_of_conversions_and_pin_requests_open_on_those_to_decide(
    client: Client, registro: None, modello: str
) -> None:
    sede = Struttura.objects.get(codice="ST-CS")
    attesa: RichiestaConversione | RichiestaPin
    decisa: RichiestaConversione | RichiestaPin
    if modello == "richiestaconversione":
        attesa = _richiesta_di_conversione(sede, "inviata")
        decisa = _richiesta_di_conversione(sede, "respinta")
    else:
        attesa = _richiesta_di_pin(sede, 1, "inviata")
        decisa = _richiesta_di_pin(sede, 2, "approvata")
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    url = reverse(f"admin:accounts_{modello}_changelist")

    visibili, html, _ = _coda(client, url)
    assert visibili == {attesa.pk}
    assert _in_attesa(html) == "In attesa di decisione: 1 richiesta."
    assert 'href="?stato=tutte"' in html
    assert _coda(client, url, stato="tutte")[0] == {attesa.pk, decisa.pk}
    assert _coda(client, url, stato=decisa.status)[0] == {decisa.pk}
    # A value the filter does not know is the default, never an error.
    assert _coda(client, url, stato="qualunque")[0] == {attesa.pk}


def test_the_count_of_what_waits_is_only_the_offices_own(client: Client, registro: None) -> None:
    _richiesta_di_pin(Struttura.objects.get(codice="ST-RM"), 3, "inviata")  # for the Sede of Rome
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    visibili, html, _ = _coda(client, reverse("admin:accounts_richiestapin_changelist"))
    assert visibili == set()
    assert _in_attesa(html) == "In attesa di decisione: 0 richieste."
