"""The catalogue's stable key (``Abilitazione.codice``): held abilitazioni are joined to the catalogue by it, so central
staff can rename an entry in the back office and nobody loses what they hold; every change to the catalogue goes
through its service and leaves an event (who, when, what was and what became), shown in the back office."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from abilitazioni import services
from abilitazioni.models import Abilitazione, EventoCatalogo, RichiestaInstradata, VoceRichiesta
from abilitazioni.selectors import destinazione
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, Struttura, User, codice_abilitazione
from accounts.roles import Ruolo
from accounts.selectors.unificazione import PASSWEB, PASSWEB_NOME, anteprima_unificazione
from accounts.services.unificazione import unificazione_esegui
from tests.factories import EnteFactory, UserFactory, crea_credenziale, crea_pin, modulo_consegnato, personale_inps

pytestmark = pytest.mark.django_db

VERSAMENTI = "Visualizzazione versamenti Ente"
NUOVO_NOME = "Versamenti dell'Ente - consultazione"
PASSWEB_PEC = "AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it"


def _ab(nome: str) -> Abilitazione:
    return Abilitazione.objects.get(nome=nome)


def _dati_del_modulo(abilitazione: Abilitazione, **cambi: Any) -> dict[str, Any]:
    """The admin's change form of an entry as the browser posts it (the key is read-only there: not posted)."""
    dati: dict[str, Any] = {
        "nome": abilitazione.nome,
        "allegato": abilitazione.allegato,
        "canale": abilitazione.canale,
        "indirizzo_pec": abilitazione.indirizzo_pec,
        "ufficio_centrale": abilitazione.ufficio_centrale_id or "",
        "prerequisito": abilitazione.prerequisito,
        "motivo": "",
    }
    if abilitazione.attiva:
        dati["attiva"] = "on"
    dati.update(cambi)
    return dati


@pytest.fixture
def centrale(registro: None) -> Client:
    """A member of staff of a Direzione centrale, who keeps the catalogue in the back office."""
    client = Client()
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"))
    return client


@pytest.fixture
def operatore(registro: None) -> tuple[User, Ente]:
    """An operator of an Ente of Cosenza who holds one abilitazione of allegato 2 on a PIN dispositivo."""
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_pin(user, [(ente, VERSAMENTI)], tipo=PIN.Tipo.DISPOSITIVO)
    return user, ente


def _rinomina(client: Client, abilitazione: Abilitazione, nome: str) -> None:
    url = reverse("admin:abilitazioni_abilitazione_change", args=[abilitazione.pk])
    risposta = client.post(url, _dati_del_modulo(abilitazione, nome=nome))
    assert risposta.status_code == 302, risposta.content.decode()[-3000:]


def test_the_keys_are_fixed_data_of_the_circolare() -> None:
    """The seed's keys are the slugs of the circolare's names; accounts knows PassWeb's without the catalogue."""
    for codice, nome in Abilitazione.objects.values_list("codice", "nome"):
        assert codice == codice_abilitazione(nome)
    assert Abilitazione.objects.get(codice=PASSWEB).nome == PASSWEB_NOME
    assert Abilitazione.objects.get(codice=PASSWEB).allegato == 4


def test_a_renamed_entry_is_still_held_shown_under_its_new_name_and_can_be_removed(
    centrale: Client, operatore: tuple[User, Ente]
) -> None:
    user, ente = operatore
    versamenti = _ab(VERSAMENTI)
    codice = versamenti.codice
    _rinomina(centrale, versamenti, NUOVO_NOME)
    versamenti.refresh_from_db()
    assert (versamenti.nome, versamenti.codice) == (NUOVO_NOME, codice)  # the key did not move

    # The held row is still the catalogue's entry (and accounts' own pages read the new name too).
    detenuta = AbilitazioneDetenuta.objects.get(pin__user=user, ente=ente)
    assert (detenuta.codice, detenuta.nome) == (codice, NUOVO_NOME)

    operatore_client = Client()
    operatore_client.force_login(user)
    area = operatore_client.get(reverse("area_enti")).content.decode()
    assert NUOVO_NOME.replace("'", "&#x27;") in area
    assert VERSAMENTI not in area
    pagina = operatore_client.get(reverse("abilitazioni_richieste")).content.decode()
    assert f'id="aggiungi-{versamenti.pk}" disabled' in pagina  # held: not asked again
    assert f'id="rimuovi-{versamenti.pk}" disabled' not in pagina

    # Asking it again is refused; asking its removal goes to the Sede, and approved, the held row goes.
    gia = operatore_client.post(reverse("abilitazioni_richieste"), {"ente": ente.pk, "aggiungi": [versamenti.pk]})
    assert gia.status_code == 400
    assert "Ha già l&#x27;abilitazione" in gia.content.decode()
    togli = operatore_client.post(reverse("abilitazioni_richieste"), {"ente": ente.pk, "rimuovi": [versamenti.pk]})
    assert togli.status_code == 302
    instradata = RichiestaInstradata.objects.get(richiesta__user=user)
    assert instradata.voci.get().operazione == VoceRichiesta.Operazione.RIMUOVI
    modulo_consegnato(instradata.richiesta)
    sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    services.instradata_prendi_in_carico(instradata_id=instradata.pk, chi=sede)
    services.instradata_decidi(instradata_id=instradata.pk, chi=sede, approvata=True)
    assert not AbilitazioneDetenuta.objects.filter(pin__user=user, ente=ente).exists()


def test_an_approval_after_a_rename_does_not_hold_the_entry_twice(centrale: Client, registro: None) -> None:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_pin(user, [], tipo=PIN.Tipo.DISPOSITIVO)
    from accounts.services.ruoli import ruolo_assegna

    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    richiesta = services.richiesta_crea(user=user, ente=ente, aggiungi=[_ab(VERSAMENTI)])
    _rinomina(centrale, _ab(VERSAMENTI), NUOVO_NOME)  # renamed while the request waits
    modulo_consegnato(richiesta)
    instradata = richiesta.instradate.get()
    sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    services.instradata_prendi_in_carico(instradata_id=instradata.pk, chi=sede)
    services.instradata_decidi(instradata_id=instradata.pk, chi=sede, approvata=True)
    detenute = AbilitazioneDetenuta.objects.filter(pin__user=user, ente=ente)
    assert list(detenute.values_list("codice", "nome")) == [(_ab(NUOVO_NOME).codice, NUOVO_NOME)]


def test_the_unification_and_passweb_keep_their_key_after_a_rename(centrale: Client, registro: None) -> None:
    """The ex-Inpdap abilitazioni (and the PassWeb enabling, which accounts adds by key) land on the new PIN with the
    catalogue's keys: the Area riservata lists them under the catalogue's current names."""
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_credenziale(user, [(ente, VERSAMENTI)], passweb_dal=dt.date(2014, 6, 1))
    _rinomina(centrale, _ab(VERSAMENTI), NUOVO_NOME)
    _rinomina(centrale, _ab("PassWeb"), "PassWeb - posizioni assicurative")
    unione = cast(list[tuple[str, str, dt.date | None]], anteprima_unificazione(user)["abilitazioni"])
    # accounts names PassWeb as the circolare does (it does not read the catalogue); the rest by the held rows' names
    assert [nome for _ente, nome, _dal in unione] == [PASSWEB_NOME, NUOVO_NOME]
    unificazione_esegui(user=user)
    pin = PIN.objects.get(user=user, status=PIN.Status.ATTIVO)
    assert pin.tipo == PIN.Tipo.DISPOSITIVO  # PassWeb from April 2014 on
    assert set(pin.abilitazioni.values_list("codice", flat=True)) == {PASSWEB, _ab(NUOVO_NOME).codice}
    client = Client()
    client.force_login(user)
    area = client.get(reverse("area_enti")).content.decode()
    assert "PassWeb - posizioni assicurative" in area
    assert NUOVO_NOME.replace("'", "&#x27;") in area


def test_a_held_row_named_as_the_circolare_gets_its_key_and_none_is_without_key(operatore: tuple[User, Ente]) -> None:
    """Rows built with only the name (the import of the legacy systems' CSV) get the key of that name."""
    user, ente = operatore
    pin = PIN.objects.get(user=user)
    AbilitazioneDetenuta.objects.bulk_create([AbilitazioneDetenuta(pin=pin, ente=ente, nome="Domanda Valore PA")])
    assert AbilitazioneDetenuta.objects.get(pin=pin, nome="Domanda Valore PA").codice == _ab("Domanda Valore PA").codice
    with pytest.raises(IntegrityError), transaction.atomic():
        AbilitazioneDetenuta.objects.create(pin=pin, ente=ente, nome="")
    with pytest.raises(IntegrityError), transaction.atomic():  # one per PIN, Ente and key, whatever the names
        AbilitazioneDetenuta.objects.create(pin=pin, ente=ente, codice=_ab(VERSAMENTI).codice, nome="Altro nome")


def test_an_edit_through_the_back_office_writes_an_event_and_changes_routing(centrale: Client, registro: None) -> None:
    passweb = _ab("PassWeb")
    assert passweb.ufficio_centrale.codice == "DC-PA"
    direzioni = dict(Struttura.objects.values_list("codice", "pk"))
    url = reverse("admin:abilitazioni_abilitazione_change", args=[passweb.pk])
    risposta = centrale.post(
        url,
        _dati_del_modulo(passweb, ufficio_centrale=direzioni["DC-CW"], motivo="Riorganizzazione delle Direzioni"),
    )
    assert risposta.status_code == 302
    evento = EventoCatalogo.objects.get(abilitazione=passweb)
    chi = User.objects.get(pk=centrale.session["_auth_user_id"])
    assert (evento.azione, evento.chi, evento.motivo) == (
        EventoCatalogo.Azione.MODIFICATA,
        chi,
        "Riorganizzazione delle Direzioni",
    )
    assert (evento.da, evento.a) == ({"ufficio_centrale": "DC-PA"}, {"ufficio_centrale": "DC-CW"})
    # Routing follows the catalogue at once.
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    passweb.refresh_from_db()
    assert destinazione(passweb, ente).struttura.codice == "DC-CW"
    # The history is on the entry's page, read-only.
    pagina = centrale.get(url).content.decode()
    assert 'data-testid="storico-catalogo"' in pagina
    assert "DC-PA → DC-CW" in pagina
    assert "Riorganizzazione delle Direzioni" in pagina
    # The same form again changes nothing, and writes nothing.
    passweb.refresh_from_db()
    assert centrale.post(url, _dati_del_modulo(passweb)).status_code == 302
    assert EventoCatalogo.objects.filter(abilitazione=passweb).count() == 1


def test_a_refused_edit_writes_nothing(centrale: Client, registro: None) -> None:
    passweb = _ab("PassWeb")
    url = reverse("admin:abilitazioni_abilitazione_change", args=[passweb.pk])
    risposta = centrale.post(url, _dati_del_modulo(passweb, canale="sede_territoriale"))
    assert risposta.status_code == 200
    assert not EventoCatalogo.objects.exists()
    passweb.refresh_from_db()
    assert passweb.canale == "pec_dall_ente"


def test_the_key_is_chosen_at_creation_and_never_changes(centrale: Client, registro: None) -> None:
    dati = {
        "codice": "visualizzazione-estratto-conto-ente",
        "nome": "Visualizzazione estratto conto Ente",
        "allegato": 2,
        "canale": "sede_territoriale",
        "indirizzo_pec": "",
        "ufficio_centrale": "",
        "prerequisito": "pin",
        "attiva": "on",
        "motivo": "Nuovo servizio",
    }
    assert centrale.post(reverse("admin:abilitazioni_abilitazione_add"), dati).status_code == 302
    nuova = Abilitazione.objects.get(codice="visualizzazione-estratto-conto-ente")
    creata = EventoCatalogo.objects.get(abilitazione=nuova)
    assert creata.azione == EventoCatalogo.Azione.CREATA
    assert creata.a["codice"] == nuova.codice
    assert creata.a["nome"] == "Visualizzazione estratto conto Ente"
    assert creata.motivo == "Nuovo servizio"
    # A key already taken is refused.
    doppia = centrale.post(reverse("admin:abilitazioni_abilitazione_add"), {**dati, "nome": "Altro"})
    assert doppia.status_code == 200
    # On the change page the key is read-only: a posted key is ignored.
    url = reverse("admin:abilitazioni_abilitazione_change", args=[nuova.pk])
    centrale.post(url, {**dati, "codice": "un-altro-codice", "nome": "Estratto conto dell'Ente"})
    nuova.refresh_from_db()
    assert (nuova.codice, nuova.nome) == ("visualizzazione-estratto-conto-ente", "Estratto conto dell'Ente")
    # And the service refuses it outright.
    with pytest.raises(services.ModificaNonAmmessa, match="codice"):
        services.abilitazione_modifica(abilitazione_id=nuova.pk, chi=None, dati={"codice": "un-altro-codice"})
    # Nobody deletes an entry: it is deactivated.
    assert centrale.get(reverse("admin:abilitazioni_abilitazione_delete", args=[nuova.pk])).status_code == 403


def test_only_direzioni_centrali_review_what_arrives_by_pec(registro: None) -> None:
    passweb = _ab("PassWeb")
    with pytest.raises(services.ModificaNonAmmessa, match="Direzione centrale"):
        services.abilitazione_modifica(
            abilitazione_id=passweb.pk, chi=None, dati={"ufficio_centrale": Struttura.objects.get(codice="ST-CS")}
        )
    with pytest.raises(services.ModificaNonAmmessa, match="solo per i canali via PEC"):
        services.abilitazione_modifica(
            abilitazione_id=_ab(VERSAMENTI).pk,
            chi=None,
            dati={"ufficio_centrale": Struttura.objects.get(codice="DC-PA")},
        )
    assert not EventoCatalogo.objects.exists()
