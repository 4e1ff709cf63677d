"""The client's address and the size of a request: what the rate limits count cannot be chosen by the client, and a
request larger than the portal ever needs is refused before its body is read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from inps_portal.rete import indirizzo_reale
from tests.factories import UserFactory, codice_fiscale_valido

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fidati", "remoto", "inoltrato", "atteso"),
    [
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no trusted proxy: the header is ignored
        (["172.28.0.10"], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not from the proxy: ignored
        (["172.28.0.10"], "172.28.0.10", "198.51.100.1", "198.51.100.1"),  # from the proxy: believed
        (["172.28.0.0/16"], "172.28.5.9", "10.0.0.1, 198.51.100.1", "198.51.100.1"),  # the entry the proxy wrote
        (["172.28.0.10"], "172.28.0.10", "non-un-indirizzo", "172.28.0.10"),
        (["172.28.0.10"], "172.28.0.10", "", "172.28.0.10"),
    ],
)
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(
    settings: Any, fidati: list[str], remoto: str, inoltrato: str, atteso: str
) -> None:
    settings.PROXY_FIDATI = fidati
    richiesta = RequestFactory().get("/", REMOTE_ADDR=remoto, HTTP_X_FORWARDED_FOR=inoltrato)
    assert indirizzo_reale(richiesta) == atteso


def test_changing_x_forwarded_for_does_not_escape_the_per_address_login_limit(settings: Any, registro: None) -> None:
    settings.PROXY_FIDATI = []
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/5m/key"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    risposte = []
    for n in range(5):
        risposte.append(
            client.post(
                reverse("account_login"),
                {"login": codice_fiscale_valido(800 + n), "password": "SBAGLIATO2345678"},
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )
        )
    testi = [r.content.decode() for r in risposte]
    assert all("Troppi tentativi" not in t for t in testi[:3])
    assert "Troppi tentativi" in testi[3] or risposte[3].status_code == 429
    # The right PIN of someone else, from the same address, is refused too while the window lasts.
    persona = UserFactory.create()
    bloccata = client.post(
        reverse("login_password"), {"login": persona.codice_fiscale, "password": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert bloccata.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_a_request_larger_than_the_limit_is_refused_before_its_body_is_read(client: Client, settings: Any) -> None:
    settings.RICHIESTA_DIMENSIONE_MASSIMA = 1024 * 1024
    risposta = client.post(
        reverse("richiesta_pin"),
        data=b"x" * 10,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert risposta.status_code == 413
    assert "Invio troppo grande" in risposta.content.decode()
    assert "1 MB" in risposta.content.decode()
    assert client.get(reverse("richiesta_pin")).status_code == 200


@pytest.mark.parametrize("digitato", ["CCC-FBA-85-D03-L219-P", "ccc fba 85d03 l219p", "CCCFBA85D03L219P"])
def test_the_codice_fiscale_is_accepted_in_the_forms_people_copy_it(digitato: str) -> None:
    from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale

    assert normalizza_codice_fiscale(digitato) == "CCCFBA85D03L219P"
    validate_codice_fiscale(digitato)
