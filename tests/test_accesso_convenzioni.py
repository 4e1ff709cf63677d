"""Every URL of the conventions and of their back office, for every role: what is not theirs is a 404.

The URLs are read from the resolver (``tests/accesso.py``): a new URL of the app without an expectation here fails
the first test, and ``test_accesso_portale.py`` checks that every URL of the portal is in some walk. The scene: a
convention of Rende (CS, Calabria), signed by the Comune and waiting for the signature of the Direttore regionale
of Calabria. A 403 remains only where the role may not do that kind of thing at all (adding or deleting a
convention in the back office, which nobody does; adding a version of the Convenzione quadro outside the Direzioni
centrali).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import pki_demo, selectors, services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, DocumentoConvenzione, FirmaConvenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from tests import accesso
from tests.factories import UserFactory, accesso_forte, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ANONIMO = "anonimo"
REFERENTE_COMUNE = "Referente del Comune di Rende"
ALTRO_COMUNE = "operatore del Comune di Cosenza"
DIRETTORE = "Direttore regionale della Calabria"
ALTRO_DIRETTORE = "Direttore regionale del Lazio"
SEDE = "personale della Sede di Cosenza"
CENTRALE = "personale della Direzione centrale Credito e Welfare"
AMMINISTRATORE = "amministratore del portale"
RUOLI = (ANONIMO, REFERENTE_COMUNE, ALTRO_COMUNE, DIRETTORE, ALTRO_DIRETTORE, SEDE, CENTRALE, AMMINISTRATORE)
SINDACO = pki_demo.Persona(codice_fiscale_valido(981), "Giovanni", "Ferraro")

Riga = tuple[int, int, int, int, int, int, int, int]  # one status per role, in the order of RUOLI

# The convention of Rende: its Comune's people, the competent Director, the Sede of its province, central staff and
# the administrators see it; the other Comune and the other region's Director do not (404).
CONVENZIONE_DI_RENDE: Riga = (302, 200, 404, 200, 404, 200, 200, 200)
SOLO_POST: Riga = (405, 405, 405, 405, 405, 405, 405, 405)
# The back office: anonymous people to the login, the Comune's people (no back office) a 404.
LISTA_DEL_BACK_OFFICE: Riga = (302, 404, 404, 200, 200, 200, 200, 200)
CONVENZIONE_NEL_BACK_OFFICE: Riga = (302, 404, 404, 200, 404, 200, 200, 200)

ATTESI: dict[str, Riga] = {
    # The registry is INPS's: every member of staff sees that of their territory (the other region's: empty).
    "convenzioni_registro": (302, 404, 404, 200, 200, 200, 200, 200),
    # The Comune's people: the conventions of their own Comune (Cosenza's operator: none yet, an empty list).
    "convenzioni_del_mio_comune": (302, 200, 200, 404, 404, 404, 404, 404),
    "convenzione": CONVENZIONE_DI_RENDE,
    "convenzione_documento": CONVENZIONE_DI_RENDE,
    "convenzione_documento_archiviato": CONVENZIONE_DI_RENDE,
    # A new draft: the staff of a Direzione (Direttore, Referente INPS, personale) and a Comune's Referente or
    # Amministratore utenze prepare conventions (for their own Comuni or territory); Sede, central staff and the
    # administrators do not, nor a Comune's operator.
    "convenzione_nuova": (302, 200, 404, 200, 200, 404, 404, 404),
    # Correcting a draft is for its parties; this one is already signed by the Comune: back to its page.
    "convenzione_modifica": (302, 302, 404, 302, 404, 404, 404, 404),
    # The figures' history with its PEC: whoever sees the convention (the form only for the parties).
    "convenzione_figure": CONVENZIONE_DI_RENDE,
    # State changes are POST only (see the POST walks below).
    "convenzione_annulla": SOLO_POST,
    "convenzione_cessa": SOLO_POST,
    "convenzione_revoca": SOLO_POST,
    "convenzione_firma_comune": SOLO_POST,
    "convenzione_firma_inps": SOLO_POST,
    "convenzione_criticita_segnala": SOLO_POST,
    "convenzione_criticita_gestisci": SOLO_POST,
    # The conventions in the back office: evidence, read only; nobody adds or deletes one.
    "admin:convenzioni_convenzione_changelist": LISTA_DEL_BACK_OFFICE,
    "admin:convenzioni_convenzione_change": CONVENZIONE_NEL_BACK_OFFICE,
    "admin:convenzioni_convenzione_history": CONVENZIONE_NEL_BACK_OFFICE,
    "admin:convenzioni_convenzione_add": (302, 404, 404, 403, 403, 403, 403, 403),
    "admin:convenzioni_convenzione_delete": (302, 404, 404, 403, 404, 403, 403, 403),
    # The versions of the Convenzione quadro: read by all staff, added and corrected by central staff; never deleted.
    "admin:convenzioni_versionequadro_changelist": LISTA_DEL_BACK_OFFICE,
    "admin:convenzioni_versionequadro_change": LISTA_DEL_BACK_OFFICE,
    "admin:convenzioni_versionequadro_history": LISTA_DEL_BACK_OFFICE,
    "admin:convenzioni_versionequadro_add": (302, 404, 404, 403, 403, 403, 200, 200),
    "admin:convenzioni_versionequadro_delete": (302, 404, 404, 403, 403, 403, 403, 403),
    "admin:app_list": LISTA_DEL_BACK_OFFICE,
}
PERCORSO = accesso.Percorso("convenzioni", frozenset(ATTESI))


def _url_dell_app() -> list[accesso.Url]:
    return [
        url
        for nome, url in accesso.url_con_nome().items()
        if url.modulo_della_vista == "convenzioni.views"
        or nome.startswith("admin:convenzioni_")
        or nome == "admin:app_list"
    ]


def test_every_url_of_the_app_has_an_expectation() -> None:
    assert {u.nome for u in _url_dell_app()} == set(ATTESI)


def persona_del_comune(ruolo: Ruolo, codice_istat: str) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Comune.objects.get(codice_istat=codice_istat))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def scena(registro: None, pec_locale: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "p12")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "p12" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    pki_demo.certificato(SINDACO)
    versione = VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )[0]
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    referente = persona_del_comune(Ruolo.REFERENTE_COMUNE, "078102")
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO.codice_fiscale,
        amministratore_codice_fiscale=codice_fiscale_valido(982),
        referente_comune_codice_fiscale=codice_fiscale_valido(983),
        data_inizio=dt.date(2026, 1, 1),
    )
    convenzione = services.convenzione_crea(chi=referente, comune=rende, dati=dati)
    generato = bytes(selectors.documento_generato(convenzione).contenuto)
    convenzione = services.convenzione_firma_comune_carica(
        chi=referente,
        convenzione_id=convenzione.pk,
        contenuto=pki_demo.firma_come(generato, SINDACO.codice_fiscale, campo=CAMPO_FIRMA_COMUNE),
    )
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    altro_direttore = personale_inps(Ruolo.DIRETTORE, "DR-12")
    for d in (direttore, altro_direttore):
        pki_demo.certificato(pki_demo.Persona(d.codice_fiscale, d.nome, d.cognome))
    persone: dict[str, User | None] = {
        ANONIMO: None,
        REFERENTE_COMUNE: referente,
        ALTRO_COMUNE: persona_del_comune(Ruolo.OPERATORE_COMUNE, "078045"),
        DIRETTORE: direttore,
        ALTRO_DIRETTORE: altro_direttore,
        SEDE: personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
        CENTRALE: personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"),
        AMMINISTRATORE: UserFactory.create(is_staff=True, is_superuser=True),
    }
    return {"persone": persone, "convenzione": convenzione, "versione": versione}


def _indirizzi(scena: dict[str, Any]) -> accesso.Scena:
    convenzione: Convenzione = scena["convenzione"]
    return accesso.Scena(
        oggetti={"convenzioni.convenzione": convenzione, "convenzioni.versionequadro": scena["versione"]},
        valori={
            "pk": convenzione,
            "convenzione_criticita_gestisci:pk": 1,  # POST only: a GET is a 405 whatever the key
            "documento_id": list(convenzione.documenti.values_list("pk", flat=True)),
            "app_label": "convenzioni",
        },
    )


@pytest.mark.parametrize("ruolo", RUOLI)
def test_each_role_gets_what_is_theirs_and_a_404_for_the_rest(
    client: Client, scena: dict[str, Any], ruolo: str
) -> None:
    accesso.entra(client, scena["persone"][ruolo], con_pin=False)
    attesi: dict[str, int] = {}
    indirizzi = _indirizzi(scena)
    for url in _url_dell_app():
        for indirizzo, _ in accesso.indirizzi(url, indirizzi):
            attesi[indirizzo] = ATTESI[url.nome][RUOLI.index(ruolo)]
    accesso.confronta(accesso.stati(client, attesi), attesi)


def _appena_autenticato(client: Client, user: User) -> None:
    """A strong authentication seconds ago: only the director's authority is then in question."""
    accesso_forte(client)


@pytest.mark.parametrize("ruolo", [REFERENTE_COMUNE, ALTRO_COMUNE, ALTRO_DIRETTORE, SEDE, CENTRALE, AMMINISTRATORE])
def test_only_the_competent_director_signs(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    convenzione: Convenzione = scena["convenzione"]
    persona = scena["persone"][ruolo]
    client.force_login(persona)
    _appena_autenticato(client, persona)
    assert client.post(reverse("convenzione_firma_inps", args=[convenzione.pk])).status_code == 404
    convenzione.refresh_from_db()
    assert convenzione.stato == Convenzione.Stato.FIRMATA_COMUNE
    assert not FirmaConvenzione.objects.filter(parte="inps").exists()


@pytest.mark.parametrize("ruolo", [ALTRO_COMUNE, ALTRO_DIRETTORE])
def test_another_organisation_cannot_upload_nor_report(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    convenzione: Convenzione = scena["convenzione"]
    client.force_login(scena["persone"][ruolo])
    documenti = DocumentoConvenzione.objects.count()
    caricata = client.post(
        reverse("convenzione_firma_comune", args=[convenzione.pk]),
        {"documento_firmato": SimpleUploadedFile("firmata.pdf", b"%PDF-1.7\n")},
    )
    assert caricata.status_code == 404
    segnalata = client.post(
        reverse("convenzione_criticita_segnala", args=[convenzione.pk]), {"oggetto": "x", "descrizione": "y"}
    )
    assert segnalata.status_code == 404
    assert DocumentoConvenzione.objects.count() == documenti
    convenzione.refresh_from_db()
    assert convenzione.stato == Convenzione.Stato.FIRMATA_COMUNE


def test_the_competent_director_signs_where_the_others_could_not(client: Client, scena: dict[str, Any]) -> None:
    """The POST walk's control: the same request by the competent Director goes through."""
    convenzione: Convenzione = scena["convenzione"]
    client.force_login(scena["persone"][DIRETTORE])
    _appena_autenticato(client, scena["persone"][DIRETTORE])
    assert client.post(reverse("convenzione_firma_inps", args=[convenzione.pk])).status_code == 302
    convenzione.refresh_from_db()
    assert convenzione.stato == Convenzione.Stato.ATTIVA


@pytest.mark.parametrize("ruolo", [DIRETTORE, SEDE, CENTRALE, AMMINISTRATORE])
def test_nobody_changes_a_convention_in_the_back_office(client: Client, scena: dict[str, Any], ruolo: str) -> None:
    convenzione: Convenzione = scena["convenzione"]
    client.force_login(scena["persone"][ruolo])
    risposta = client.post(
        reverse("admin:convenzioni_convenzione_change", args=[convenzione.pk]), {"stato": "attiva", "protocollo": "X"}
    )
    assert risposta.status_code == 403
    convenzione.refresh_from_db()
    assert (convenzione.stato, convenzione.protocollo) == (Convenzione.Stato.FIRMATA_COMUNE, None)
