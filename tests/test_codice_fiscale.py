"""The codice fiscale identifies a person: checked as the Agenzia delle Entrate computes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.validators import validate_codice_fiscale, validate_codice_fiscale_ente

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["RSSMRA80A01H501U", "BNCLRA85L42C352P", "RSSMRA80A01Z404R"])
def test_it_accepts_a_valid_code(code: str) -> None:
    validate_codice_fiscale(code)


@pytest.mark.parametrize("code", ["RSSMRA80A01H50MM", "RSSMRA80A01H5LMX", "RSSMRAULALMHRLMD"])
def test_it_accepts_omocodic_variants(code: str) -> None:
    validate_codice_fiscale(code)


def _error(code: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_codice_fiscale(code)
    return info.value


def test_it_refuses_a_wrong_check_character_with_a_clear_message() -> None:
    error = _error("RSSMRA80A01H501V")
    assert error.code == "cf_controllo"
    assert "carattere di controllo" in error.messages[0]


@pytest.mark.parametrize("code", ["RSSMRA80A01H501", "RSSMRA80A01H501UX", ""])
def test_it_refuses_a_wrong_length(code: str) -> None:
    error = _error(code)
    assert error.code == "cf_lunghezza"
    assert "16 caratteri" in error.messages[0]


def test_it_refuses_an_unknown_birthplace_code() -> None:
    error = _error("RSSMRA80A01Z999M")
    assert error.code in {"cf_luogo_nascita", "cf_controllo"}
    # With the right check character the birthplace is what is wrong.
    from codicefiscale import codicefiscale

    code = "RSSMRA80A01Z999" + codicefiscale.encode_cin("RSSMRA80A01Z999")
    error = _error(code)
    assert error.code == "cf_luogo_nascita"
    assert "luogo di nascita" in error.messages[0]


def test_it_refuses_a_malformed_code() -> None:
    assert _error("1234567890123456").code == "cf_formato"


def test_it_normalises_lowercase_and_spaces_when_creating_a_user() -> None:
    user = User.objects.create_user(" rssmra80a01h501u ", "Password.Lunga.1", nome="Mario", cognome="Rossi")
    assert user.codice_fiscale == "RSSMRA80A01H501U"
    assert User.objects.get_by_natural_key("rssmra80a01h501u") == user


def test_creating_a_user_with_an_invalid_code_fails_and_stores_nothing() -> None:
    with pytest.raises(ValidationError):
        User.objects.create_user("RSSMRA80A01H501V", "Password.Lunga.1", nome="Mario", cognome="Rossi")
    assert not User.objects.exists()


@pytest.mark.parametrize("code", ["98000000012", "80078750587"])
def test_it_accepts_the_codice_fiscale_of_an_ente(code: str) -> None:
    validate_codice_fiscale_ente(code)


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("98000000013", "cf_ente_controllo"), ("9800000001", "cf_ente_formato"), ("9800000001A", "cf_ente_formato")],
)
def test_it_refuses_a_bad_codice_fiscale_of_an_ente(code: str, error_code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_codice_fiscale_ente(code)
    assert info.value.code == error_code


def test_the_user_admin_takes_the_codice_fiscale_as_people_type_it(client: Any) -> None:
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    risposta = client.post(
        reverse("admin:accounts_user_add"),
        {
            "codice_fiscale": "ccc-fba-85-d03-l219-p",
            "nome": "Carlo",
            "cognome": "Rossi",
            "email": "carlo@example.it",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert risposta.status_code == 302, risposta.content.decode()[:2000]
    assert User.objects.filter(codice_fiscale="CCCFBA85D03L219P").exists()
    sbagliato = client.post(
        reverse("admin:accounts_user_add"),
        {"codice_fiscale": "RSSMRA 80A01 H501X", "nome": "A", "cognome": "B", "usable_password": "false"},
    )
    assert sbagliato.status_code == 200
    assert "carattere di controllo" in sbagliato.content.decode()
