"""PostgreSQL semantics: concurrent transactions never duplicate roles or registry rows."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from guardian.models import UserObjectPermission

from accounts.models import Comune, Struttura
from accounts.roles import Ruolo
from accounts.services.registro import registro_carica
from accounts.services.ruoli import ruolo_assegna
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(count: int, action: Callable[[], object]) -> list[BaseException]:
    """Run ``action`` in ``count`` threads released at the same instant, each on its own connection."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_concurrent_registry_loads_give_one_copy_of_everything() -> None:
    # The test database holds the registry already (loaded once per session): start from empty tables.
    from accounts.models import Provincia, Regione, Team

    for modello in (Team, Struttura, Comune, Provincia, Regione):
        modello.objects.all().delete()
    assert not Comune.objects.exists()
    errors = _together(2, registro_carica)
    assert errors == []
    assert Comune.objects.count() == 7904
    assert Struttura.objects.count() == 140


def test_a_role_granted_ten_times_at_once_is_granted_once() -> None:
    registro_carica()
    user = UserFactory.create()
    sede = Struttura.objects.get(codice="ST-CS")
    errors = _together(10, lambda: ruolo_assegna(user=user, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=sede))
    assert errors == []
    assert UserObjectPermission.objects.filter(user=user, object_pk=str(sede.pk)).count() == 1
    assert user.groups.count() == 1
