"""The back office of the conventions: central staff keep the versions of the Convenzione quadro through the services
(a version in use cannot change: the form says why, nothing is written); the conventions are read only, with their
evidence, and each member of staff finds only those of their territory."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import Convenzione, VersioneQuadro
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def centrale(registro: None) -> User:
    return personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW")


def _dati_della_versione(versione: VersioneQuadro, **campi: Any) -> dict[str, Any]:
    return {
        "titolo": versione.titolo,
        "testo": versione.testo,
        "valida_dal": versione.valida_dal.isoformat(),
        "determinazione": versione.determinazione,
        "determinazione_numero": versione.determinazione_numero,
        "determinazione_data": versione.determinazione_data.isoformat(),
        "note": versione.note,
        **campi,
    }


def _convenzione(comune: Comune) -> Convenzione:
    referente = UserFactory.create()
    ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=comune)
    dati = dati_di_esempio(
        comune,
        legale_rappresentante_codice_fiscale=codice_fiscale_valido(991),
        amministratore_codice_fiscale=codice_fiscale_valido(992),
        referente_comune_codice_fiscale=codice_fiscale_valido(993),
        data_inizio=dt.date(2026, 1, 1),
    )
    return services.convenzione_crea(chi=User.objects.get(pk=referente.pk), comune=comune, dati=dati)


def test_central_staff_add_a_version_through_the_service(
    client: Client, versione: VersioneQuadro, centrale: User
) -> None:
    client.force_login(centrale)
    dati = _dati_della_versione(versione, valida_dal="2027-01-01", note="Aggiornati i riferimenti normativi.")
    risposta = client.post(reverse("admin:convenzioni_versionequadro_add"), dati)
    assert risposta.status_code == 302
    nuova = VersioneQuadro.objects.get(valida_dal=dt.date(2027, 1, 1))
    assert (nuova.numero, nuova.creata_da) == (versione.numero + 1, centrale)


def test_a_text_with_an_unknown_placeholder_is_refused_with_the_services_message(
    client: Client, versione: VersioneQuadro, centrale: User
) -> None:
    client.force_login(centrale)
    dati = _dati_della_versione(versione, valida_dal="2027-01-01", testo=versione.testo + "\n{{ sconosciuto }}")
    risposta = client.post(reverse("admin:convenzioni_versionequadro_add"), dati)
    assert risposta.status_code == 200
    assert "sconosciuto" in str(risposta.context["adminform"].form.non_field_errors())
    assert not VersioneQuadro.objects.filter(valida_dal=dt.date(2027, 1, 1)).exists()


def test_an_unused_version_is_corrected_and_a_used_one_is_refused(
    client: Client, versione: VersioneQuadro, centrale: User
) -> None:
    client.force_login(centrale)
    pagina = reverse("admin:convenzioni_versionequadro_change", args=[versione.pk])
    assert client.post(pagina, _dati_della_versione(versione, note="Refuso corretto.")).status_code == 302
    versione.refresh_from_db()
    assert versione.note == "Refuso corretto."
    _convenzione(Comune.objects.get(codice_istat="078102"))
    risposta = client.post(pagina, _dati_della_versione(versione, note="Un'altra correzione."))
    assert risposta.status_code == 200
    errori = str(risposta.context["adminform"].form.non_field_errors())
    assert "non può più essere modificata" in errori
    versione.refresh_from_db()
    assert versione.note != "Un'altra correzione."
    assert "non si può più modificare" in client.get(pagina).content.decode()


def test_other_staff_read_the_versions_and_change_nothing(registro: None, client: Client, versione: Any) -> None:
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    pagina = reverse("admin:convenzioni_versionequadro_change", args=[versione.pk])
    assert client.get(pagina).status_code == 200
    assert client.post(pagina, _dati_della_versione(versione, note="Non mia.")).status_code == 403
    versione.refresh_from_db()
    assert versione.note != "Non mia."


def test_each_office_lists_the_conventions_of_its_territory_with_their_evidence(
    client: Client, versione: VersioneQuadro
) -> None:
    rende = _convenzione(Comune.objects.get(codice_istat="078102"))
    roma = _convenzione(Comune.objects.get(codice_istat="058091"))
    elenco = reverse("admin:convenzioni_convenzione_changelist")
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    assert [c.pk for c in client.get(elenco).context["cl"].result_list] == [rende.pk]
    assert client.get(reverse("admin:convenzioni_convenzione_change", args=[roma.pk])).status_code == 404
    pagina = client.get(reverse("admin:convenzioni_convenzione_change", args=[rende.pk]))
    inline = {f.formset.model._meta.model_name for f in pagina.context["inline_admin_formsets"]}
    assert inline == {
        "figuraconvenzione",
        "firmaconvenzione",
        "documentoconvenzione",
        "eventoconvenzione",
        "criticita",
    }
    assert reverse("convenzione_documento_archiviato", args=[rende.pk, rende.documento_id]) in pagina.content.decode()
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"))
    assert {c.pk for c in client.get(elenco).context["cl"].result_list} == {rende.pk, roma.pk}
