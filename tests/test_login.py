"""Login, logout and password pages: by codice fiscale, rate-limited, never telling who has an account.

INPS staff log in with a password on their own page; the people of the Circolare 71/2016 with the PIN only
(tests/test_accesso_pin.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("login_password")


def _login(client: Client, login: str, password: str) -> Any:
    return client.post(LOGIN, {"login": login, "password": password})


def test_staff_log_in_with_codice_fiscale_and_password(client: Client) -> None:
    user = UserFactory.create()
    response = _login(client, user.codice_fiscale, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_it_accepts_the_codice_fiscale_typed_in_lowercase_with_spaces(client: Client) -> None:
    user = UserFactory.create()
    typed = f"  {user.codice_fiscale[:6].lower()} {user.codice_fiscale[6:].lower()} "
    assert _login(client, typed, PASSWORD).status_code == 302


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: Client) -> None:
    user = UserFactory.create()
    wrong_password = _login(client, user.codice_fiscale, "non-la-password")
    unknown_user = _login(client, "VRDGLI80A41H501X", "non-la-password")
    malformed = _login(client, "XYZ", "non-la-password")
    assert wrong_password.status_code == unknown_user.status_code == malformed.status_code == 200
    errors = [r.context["form"].non_field_errors() for r in (wrong_password, unknown_user, malformed)]
    assert errors[0] == errors[1] == errors[2] == ["Il codice fiscale o la password non sono corretti."]
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_log_in(client: Client) -> None:
    user = UserFactory.create(is_active=False)
    response = _login(client, user.codice_fiscale, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("account_inactive")


def test_failed_logins_are_rate_limited_per_codice_fiscale(client: Client) -> None:
    user = UserFactory.create()
    for _ in range(5):
        assert _login(client, user.codice_fiscale, "sbagliata").status_code == 200
    # Now even the right password is refused until the window passes.
    response = _login(client, user.codice_fiscale, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    # Another person is not affected.
    other = UserFactory.create()
    assert _login(Client(), other.codice_fiscale, PASSWORD).status_code == 302


def test_it_logs_out_with_post_only(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_requires_the_csrf_token() -> None:
    user = UserFactory.create()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    assert "Sessione scaduta" in response.content.decode()
    assert "_auth_user_id" in client.session


def test_signup_is_closed(client: Client) -> None:
    response = client.post(
        reverse("account_signup"), {"username": "RSSMRA80A01H501U", "password1": "x" * 12, "password2": "x" * 12}
    )
    assert not User.objects.exists()
    assert "Registrazione non disponibile" in response.content.decode()


def test_password_reset_does_not_reveal_whether_the_address_exists(client: Client, mailoutbox: list[Any]) -> None:
    UserFactory.create(email="operatore@example.it")
    known = client.post(reverse("account_reset_password"), {"email": "operatore@example.it"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nessuno@example.it"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mailoutbox if "nessuno" not in m.to[0]][:1] == [["operatore@example.it"]]


def test_the_password_can_be_changed(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Nuova.Password.2026", "password2": "Nuova.Password.2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nuova.Password.2026")


def test_the_admin_login_goes_through_the_rate_limited_portal_login(client: Client) -> None:
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login_password"))


def test_the_admin_does_not_exist_for_an_operator_without_staff_access(client: Client) -> None:
    client.force_login(UserFactory.create())
    assert client.get(reverse("admin:index")).status_code == 404
    assert client.get(reverse("admin:login")).status_code == 404
    assert client.get(reverse("admin:accounts_comune_changelist")).status_code == 404
    assert "_auth_user_id" in client.session
