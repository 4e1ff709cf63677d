"""Requests for abilitazioni: split by allegato, routed, refused when the PIN or the state does not allow them."""

from __future__ import annotations

from typing import Any, cast

import pytest

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.services import RichiestaNonAmmessa, richiesta_crea, richiesta_ritira
from accounts.models import PIN, Comune
from tests.factories import EnteFactory, UserFactory, crea_pin

pytestmark = pytest.mark.django_db


def _ab(nome: str) -> Abilitazione:
    return Abilitazione.objects.get(nome=nome)


@pytest.fixture
def operatore(registro: None) -> tuple[object, object]:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_pin(user, [(ente, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    return user, ente


def test_a_mixed_request_becomes_one_routed_request_per_allegato(operatore: tuple[Any, ...]) -> None:
    user, ente = operatore
    richiesta = richiesta_crea(
        user=user,
        ente=ente,
        aggiungi=[
            _ab("Denunce contributive - Visualizzazione DMA"),
            _ab("Domanda Valore PA"),
            _ab("PassWeb"),
            _ab("Soggiorni senior"),
            _ab("Visualizzazione note di debito Ente"),
        ],
        rimuovi=[_ab("Visualizzazione versamenti Ente")],
    )
    instradate = {i.allegato: i for i in richiesta.instradate.all()}
    assert sorted(instradate) == [2, 3, 4, 5]
    assert instradate[2].struttura.nome == "Sede territoriale di Cosenza"
    assert instradate[2].voci.count() == 3
    assert instradate[3].struttura.nome == "Direzione regionale Calabria"
    assert instradate[4].indirizzo_pec == "AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it"
    assert instradate[5].indirizzo_pec == "dc.creditowelfare@postacert.inps.gov.it"
    # Each waits for its modulo signed by the Ente's legal representative before it reaches the office.
    assert all(i.status == RichiestaInstradata.Status.ATTESA_MODULO for i in instradate.values())


@pytest.mark.parametrize("nome", ["PassWeb", "Soggiorni climatici ENAM"])
def test_allegati_4_and_5_need_a_dispositivo_pin(registro: None, nome: str) -> None:
    user = UserFactory.create(password="!")
    ente = EnteFactory.create()
    crea_pin(user, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.ONLINE)
    with pytest.raises(RichiestaNonAmmessa, match="richiede il PIN dispositivo: converta prima"):
        richiesta_crea(user=user, ente=ente, aggiungi=[_ab(nome)])
    assert not RichiestaInstradata.objects.exists()
    richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda assistenza domiciliare")])


def test_nothing_twice_and_nothing_already_held(operatore: tuple[Any, ...]) -> None:
    user, ente = operatore
    richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")])
    with pytest.raises(RichiestaNonAmmessa, match="già una richiesta in corso"):
        richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")])
    with pytest.raises(RichiestaNonAmmessa, match="Ha già l'abilitazione"):
        richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Visualizzazione versamenti Ente")])
    with pytest.raises(RichiestaNonAmmessa, match="non c'è da toglierla"):
        richiesta_crea(user=user, ente=ente, rimuovi=[_ab("PassWeb")])
    with pytest.raises(RichiestaNonAmmessa, match="almeno un'abilitazione"):
        richiesta_crea(user=user, ente=ente)


def test_an_ente_of_someone_else_is_refused(operatore: tuple[Any, ...]) -> None:
    user, _ = operatore
    with pytest.raises(RichiestaNonAmmessa, match="non è tra quelli per cui opera"):
        richiesta_crea(user=user, ente=EnteFactory.create(), aggiungi=[_ab("Domanda Valore PA")])


def test_a_request_is_withdrawn_while_nobody_took_it(operatore: tuple[Any, ...]) -> None:
    user, ente = operatore
    instradata = richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")]).instradate.get()
    richiesta_ritira(instradata_id=instradata.pk, user=user)
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.RITIRATA
    assert list(instradata.eventi.values_list("a", flat=True)) == ["attesa_modulo", "ritirata"]
    # Withdrawn, it no longer blocks a new request for the same abilitazione.
    richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")])
    presa = richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Domanda assistenza domiciliare")]).instradate.get()
    RichiestaInstradata.objects.filter(pk=presa.pk).update(status=RichiestaInstradata.Status.IN_CARICO)
    with pytest.raises(RichiestaNonAmmessa, match="presa in carico"):
        richiesta_ritira(instradata_id=presa.pk, user=user)
    other = UserFactory.create()
    with pytest.raises(RichiestaInstradata.DoesNotExist):
        richiesta_ritira(instradata_id=presa.pk, user=other)


def test_the_operator_asks_from_the_area_riservata_and_withdraws(client: object, operatore: tuple[Any, ...]) -> None:
    from django.test import Client
    from django.urls import reverse

    user, ente = operatore
    c = cast(Client, client)
    c.force_login(user)
    url = reverse("abilitazioni_richieste")
    assert c.get(url).status_code == 200
    risposta = c.post(
        url, {"ente": ente.pk, "aggiungi": [_ab("Domanda Valore PA").pk, _ab("Visualizzazione note di debito Ente").pk]}
    )
    assert risposta.status_code == 302
    pagina = c.get(url).content.decode()
    assert "Sede territoriale di Cosenza" in pagina
    assert "Direzione regionale Calabria" in pagina
    doppia = c.post(url, {"ente": ente.pk, "aggiungi": [_ab("Domanda Valore PA").pk]})
    assert doppia.status_code == 400
    assert "già una richiesta in corso" in doppia.content.decode()
    vuota = c.post(url, {"ente": ente.pk})
    assert "almeno un" in vuota.content.decode()
    instradata = RichiestaInstradata.objects.get(allegato=3)
    ritira = reverse("abilitazioni_ritira", args=[instradata.pk])
    assert c.get(ritira).status_code == 405
    conferma = c.post(ritira)  # the "Ritira" button asks first
    assert conferma.status_code == 200
    assert f"Ritirare la richiesta n. {instradata.numero}?" in conferma.content.decode()
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.ATTESA_MODULO
    assert c.post(ritira, {"conferma": "si"}).status_code == 302
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.RITIRATA
    altro = UserFactory.create(password="!")
    crea_pin(altro, [], tipo=PIN.Tipo.DISPOSITIVO)
    c.force_login(altro)
    assert (
        c.post(reverse("abilitazioni_ritira", args=[RichiestaInstradata.objects.get(allegato=2).pk])).status_code == 404
    )


def test_an_online_pin_is_told_to_convert_for_passweb(client: object, registro: None) -> None:
    import datetime as dt

    from django.test import Client
    from django.urls import reverse

    from inps_portal import clock

    user = UserFactory.create(password="!")
    ente = EnteFactory.create()
    crea_pin(user, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.ONLINE)
    c = cast(Client, client)
    c.force_login(user)
    with clock.frozen(dt.date(2016, 6, 1)):
        risposta = c.post(reverse("abilitazioni_richieste"), {"ente": ente.pk, "aggiungi": [_ab("PassWeb").pk]})
    assert risposta.status_code == 400
    assert "richiede il PIN dispositivo" in risposta.content.decode()


def test_the_office_takes_it_in_charge_approves_and_the_pin_gets_the_abilitazioni(
    client: object, operatore: tuple[Any, ...], pec_locale: object
) -> None:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import AbilitazioneDetenuta
    from accounts.roles import Ruolo
    from inps_portal.pec.models import MessaggioPEC
    from tests.factories import modulo_consegnato, personale_del_team, personale_inps

    user, ente = operatore
    user.email = "operatore@example.it"
    user.save()
    richiesta = richiesta_crea(
        user=user, ente=ente, aggiungi=[_ab("Domanda Valore PA")], rimuovi=[_ab("Visualizzazione versamenti Ente")]
    )
    sede_voce = richiesta_crea(user=user, ente=ente, aggiungi=[_ab("Visualizzazione note di debito Ente")])
    modulo_consegnato(richiesta)
    modulo_consegnato(sede_voce)
    regionale = richiesta.instradate.get(allegato=3)
    c = cast(Client, client)
    # Another region's team, and the Sede, see nothing of it.
    for estraneo in (
        personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-08"),
        personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
    ):
        c.force_login(estraneo)
        assert c.get(reverse("admin:abilitazioni_richiestainstradata_decidi", args=[regionale.pk])).status_code == 404
    c.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    assert c.get(reverse("admin:abilitazioni_richiestainstradata_changelist")).context["cl"].result_count == 2
    team = personale_del_team("DR-18")
    c.force_login(team)
    url = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[regionale.pk])
    assert c.get(reverse("admin:abilitazioni_richiestainstradata_changelist")).context["cl"].result_count == 1
    c.post(url, {"azione": "approva"})  # not yet taken in charge: refused
    assert RichiestaInstradata.objects.get(pk=regionale.pk).status == "inviata"
    c.post(url, {"azione": "prendi"})
    with pytest.raises(RichiestaNonAmmessa, match="presa in carico"):
        richiesta_ritira(instradata_id=regionale.pk, user=user)
    c.post(url, {"azione": "approva"})
    assert RichiestaInstradata.objects.get(pk=regionale.pk).status == "approvata"
    detenute = set(AbilitazioneDetenuta.objects.filter(pin__user=user, ente=ente).values_list("nome", flat=True))
    assert "Domanda Valore PA" in detenute
    assert MessaggioPEC.objects.filter(modello="esito_abilitazioni").count() == 1
    # The Sede rejects its part with a reason; the removal (allegato 2) needs the Sede too.
    c.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    sede = sede_voce.instradate.get()
    url_sede = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[sede.pk])
    c.post(url_sede, {"azione": "prendi"})
    c.post(url_sede, {"azione": "respingi", "motivo": ""})
    assert RichiestaInstradata.objects.get(pk=sede.pk).status == "in_carico"
    c.post(url_sede, {"azione": "respingi", "motivo": "Manca la delega del rappresentante dell'Ente."})
    respinta = RichiestaInstradata.objects.get(pk=sede.pk)
    assert respinta.status == "respinta"
    assert respinta.motivo == "Manca la delega del rappresentante dell'Ente."
    assert "Visualizzazione note di debito Ente" not in set(
        AbilitazioneDetenuta.objects.filter(pin__user=user, ente=ente).values_list("nome", flat=True)
    )
    c.force_login(user)
    assert "Manca la delega" in c.get(reverse("abilitazioni_richieste")).content.decode()


@pytest.mark.parametrize(
    ("dati", "messaggio"),
    [
        ({"aggiungi": ["abc"]}, "Una delle abilitazioni scelte non esiste."),
        ({"aggiungi": ["999999"]}, "Una delle abilitazioni scelte non esiste."),
        ({"ente": "999999"}, "Scelga uno degli Enti per cui opera."),
        ({"rimuovi": []}, "Scelga almeno un&#x27;abilitazione"),
    ],
)
def test_bad_input_is_told_in_italian_and_keeps_what_was_ticked(
    client: object, operatore: tuple[Any, ...], dati: dict[str, Any], messaggio: str
) -> None:
    from django.test import Client
    from django.urls import reverse

    user, ente = operatore
    c = cast(Client, client)
    c.force_login(user)
    detenuta = _ab("Visualizzazione versamenti Ente").pk  # held: the removal can be ticked
    risposta = c.post(reverse("abilitazioni_richieste"), {"ente": ente.pk, "rimuovi": [detenuta], **dati})
    assert risposta.status_code == 400
    pagina = risposta.content.decode()
    assert messaggio in pagina
    if "rimuovi" not in dati:
        assert f'value="{detenuta}" id="rimuovi-{detenuta}" checked' in pagina
    assert not RichiestaInstradata.objects.exists()
