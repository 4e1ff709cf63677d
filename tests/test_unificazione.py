"""The unification of credentials (Circolare 71/2016, par. 2): one new PIN, no abilitazione lost or duplicated."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection

from accounts.hashers import codifica_hash_legacy
from accounts.models import PIN, EventoCredenziale
from accounts.selectors.unificazione import pin_tipo_spettante, unificazione_necessaria
from accounts.services.unificazione import ALFABETO_PIN, GiaUnificata, NienteDaUnificare, unificazione_esegui
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from tests.factories import PASSWORD_EX_INPDAP, EnteFactory, UserFactory, crea_credenziale, crea_pin


def _abilitazioni(pin: PIN) -> set[tuple[int, str]]:
    return set(pin.abilitazioni.values_list("ente_id", "nome"))


@pytest.mark.django_db
def test_the_legacy_hash_verifies_the_old_password_without_knowing_it(registro: None) -> None:
    credenziale = crea_credenziale(UserFactory.create(), [])
    assert check_password(PASSWORD_EX_INPDAP, credenziale.password_hash)
    assert not check_password("altra", credenziale.password_hash)
    with pytest.raises(ValueError, match="algoritmo sconosciuto"):
        codifica_hash_legacy("crc32", "abcd")
    with pytest.raises(ValueError, match="non valido"):
        codifica_hash_legacy("sha1", "zz")


@pytest.mark.django_db
def test_case_a_issues_a_pin_with_the_same_abilitazioni(registro: None, pec_locale: Any) -> None:
    user = UserFactory.create(email="operatore@example.it")
    ente = EnteFactory.create()
    crea_credenziale(
        user, [(ente, "Denunce contributive - Visualizzazione DMA"), (ente, "Visualizzazione versamenti Ente")]
    )
    assert unificazione_necessaria(user)
    rilasciato = unificazione_esegui(user=user, indirizzo_ip="192.0.2.10")
    pin = rilasciato.pin
    assert len(rilasciato.codice) == 16
    assert set(rilasciato.codice) <= set(ALFABETO_PIN)
    assert check_password(rilasciato.codice, pin.codice_hash)
    assert rilasciato.codice not in pin.codice_hash
    assert pin.origine == PIN.Origine.UNIFICAZIONE_A
    assert pin.tipo == PIN.Tipo.ONLINE
    assert _abilitazioni(pin) == {
        (ente.pk, "Denunce contributive - Visualizzazione DMA"),
        (ente.pk, "Visualizzazione versamenti Ente"),
    }
    assert not unificazione_necessaria(user)
    evento = EventoCredenziale.objects.get(user=user)
    assert evento.dettagli["caso"] == "a"
    assert evento.indirizzo_ip == "192.0.2.10"


@pytest.mark.django_db
def test_case_b_issues_a_pin_with_the_union_without_duplicates(registro: None, pec_locale: Any) -> None:
    user = UserFactory.create()
    ente, altro = EnteFactory.create(), EnteFactory.create()
    crea_credenziale(user, [(ente, "Domanda Valore PA"), (ente, "Visualizzazione note di debito Ente")])
    vecchio = crea_pin(user, [(ente, "Domanda Valore PA"), (altro, "Soggiorni senior")])
    pin = unificazione_esegui(user=user).pin
    assert pin.origine == PIN.Origine.UNIFICAZIONE_B
    assert _abilitazioni(pin) == {
        (ente.pk, "Domanda Valore PA"),
        (ente.pk, "Visualizzazione note di debito Ente"),
        (altro.pk, "Soggiorni senior"),
    }
    assert pin.abilitazioni.count() == 3
    vecchio.refresh_from_db()
    assert vecchio.status == PIN.Status.SUPERATO
    assert PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).get() == pin


@pytest.mark.django_db
def test_a_dispositivo_pin_stays_dispositivo(registro: None, pec_locale: Any) -> None:
    user = UserFactory.create()
    crea_credenziale(user, [])
    crea_pin(user, [], tipo=PIN.Tipo.DISPOSITIVO)
    assert unificazione_esegui(user=user).pin.tipo == PIN.Tipo.DISPOSITIVO


@pytest.mark.parametrize(
    ("passweb_dal", "dispositivo", "atteso"),
    [
        (None, False, PIN.Tipo.ONLINE),
        (dt.date(2014, 3, 31), False, PIN.Tipo.ONLINE),
        (dt.date(2014, 4, 1), False, PIN.Tipo.DISPOSITIVO),
        (dt.date(2015, 1, 1), False, PIN.Tipo.DISPOSITIVO),
        (dt.date(2010, 1, 1), True, PIN.Tipo.DISPOSITIVO),
        (None, True, PIN.Tipo.DISPOSITIVO),
    ],
)
def test_the_pin_type_rule_at_its_edges(passweb_dal: dt.date | None, dispositivo: bool, atteso: str) -> None:
    assert pin_tipo_spettante(ha_pin_dispositivo=dispositivo, passweb_abilitato_dal=passweb_dal) == atteso


@pytest.mark.django_db
def test_nothing_to_unify_without_ex_inpdap_credentials(registro: None) -> None:
    user = UserFactory.create()
    crea_pin(user, [])
    assert not unificazione_necessaria(user)
    with pytest.raises(NienteDaUnificare):
        unificazione_esegui(user=user)


@pytest.mark.django_db
def test_it_happens_once(registro: None, pec_locale: Any) -> None:
    user = UserFactory.create()
    crea_credenziale(user, [])
    unificazione_esegui(user=user)
    with pytest.raises(GiaUnificata):
        unificazione_esegui(user=user)
    assert PIN.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_before_the_start_date_nothing_is_unified(registro: None, settings: Any) -> None:
    user = UserFactory.create()
    crea_credenziale(user, [])
    with clock.frozen(dt.date(2016, 5, 8)):
        assert not unificazione_necessaria(user)
    with clock.frozen(dt.date(2016, 5, 9)):
        assert unificazione_necessaria(user)


@pytest.mark.django_db
def test_the_notification_says_when_and_from_where_and_never_contains_the_pin(
    registro: None, pec_locale: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = UserFactory.create(email="operatore@example.it")
    crea_credenziale(user, [])
    with django_capture_on_commit_callbacks(execute=True):
        rilasciato = unificazione_esegui(user=user, indirizzo_ip="192.0.2.10")
    messaggio = MessaggioPEC.objects.get()
    assert messaggio.riferimento == rilasciato.pin
    assert messaggio.oggetto == "Unificazione delle credenziali di accesso completata"
    assert "192.0.2.10" in messaggio.corpo_testo
    assert rilasciato.codice not in messaggio.corpo_testo + messaggio.corpo_html
    assert list(messaggio.destinatari.values_list("indirizzo", flat=True)) == ["operatore@example.it"]
    assert messaggio.status == MessaggioPEC.Status.CONSEGNATO


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_first_logins_issue_one_pin_one_notification_and_the_exact_union(
    registro: None, pec_locale: Any
) -> None:
    user = UserFactory.create(email="operatore@example.it")
    enti = [EnteFactory.create() for _ in range(3)]
    crea_credenziale(user, [(e, n) for e in enti for n in ("Domanda Valore PA", "Soggiorni senior")])
    crea_pin(user, [(enti[0], "Domanda Valore PA"), (enti[1], "Visualizzazione versamenti Ente")])
    barrier = threading.Barrier(20)
    esiti: list[str] = []

    def primo_accesso() -> None:
        try:
            barrier.wait()
            unificazione_esegui(user=user)
            esiti.append("rilasciato")
        except GiaUnificata:
            esiti.append("già unificata")
        finally:
            connection.close()

    threads = [threading.Thread(target=primo_accesso) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(esiti) == ["già unificata"] * 19 + ["rilasciato"]
    pin = PIN.objects.get(user=user, status=PIN.Status.ATTIVO)
    assert pin.abilitazioni.count() == 7
    assert PIN.objects.filter(user=user).count() == 2
    assert MessaggioPEC.objects.filter(modello="unificazione").count() == 1
