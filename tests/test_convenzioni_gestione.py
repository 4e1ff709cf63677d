"""The pages that manage a convention: a draft prepared and corrected through the form (a refusal of the service is a
400 with its message on the form, nothing stored), a Referente or the Amministratore utenze changed after the
signatures (a PEC to the other party, the history with its state), the closings (annulled, ceased, revoked) with
their confirmation step and reason, and another territory's convention: a 404 and nothing changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import pki_demo, selectors, services
from convenzioni.dati import DatiConvenzione, DatiFigura
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, EventoConvenzione, FiguraConvenzione
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = Convenzione.Stato
Ruolo_figura = FiguraConvenzione.Ruolo
SINDACO = pki_demo.Persona(codice_fiscale_valido(961), "Giovanni", "Ferraro")
RENDE = "078102"


@dataclass
class Scena:
    rende: Comune
    referente: User  # Referente del Comune di Rende
    operatore: User  # operatore del Comune di Rende
    direttore: User  # Direttore regionale della Calabria: competent for Rende
    personale_dr: User  # personale della Direzione regionale Calabria
    altro_direttore: User  # Direttore regionale del Lazio
    sede: User  # personale della Sede di Cosenza


def persona_del_comune(ruolo: Ruolo, codice_istat: str = RENDE) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Comune.objects.get(codice_istat=codice_istat))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def scena(registro: None, pec_locale: Any, tmp_path: Path, settings: Any) -> Scena:
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "p12")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "p12" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    pki_demo.certificato(SINDACO)
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    pki_demo.certificato(pki_demo.Persona(direttore.codice_fiscale, direttore.nome, direttore.cognome))
    return Scena(
        rende=Comune.objects.select_related("provincia").get(codice_istat=RENDE),
        referente=persona_del_comune(Ruolo.REFERENTE_COMUNE),
        operatore=persona_del_comune(Ruolo.OPERATORE_COMUNE),
        direttore=direttore,
        personale_dr=personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"),
        altro_direttore=personale_inps(Ruolo.DIRETTORE, "DR-12"),
        sede=personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
    )


def dati(scena: Scena) -> DatiConvenzione:
    return dati_di_esempio(
        scena.rende,
        legale_rappresentante_codice_fiscale=SINDACO.codice_fiscale,
        amministratore_codice_fiscale=codice_fiscale_valido(962),
        referente_comune_codice_fiscale=codice_fiscale_valido(963),
        data_inizio=dt.date(2026, 1, 1),
    )


def modulo(dati_convenzione: DatiConvenzione, **cambi: str) -> dict[str, str]:
    """What the browser sends for ``dati_convenzione``: the convention's fields, each figure with its prefix."""
    campi: dict[str, str] = {}
    for campo in dataclasses.fields(dati_convenzione):
        valore = getattr(dati_convenzione, campo.name)
        if isinstance(valore, DatiFigura):
            for sotto in dataclasses.fields(valore):
                if sotto.name != "user":
                    campi[f"{campo.name}-{sotto.name}"] = str(getattr(valore, sotto.name))
        elif isinstance(valore, dt.date):
            campi[campo.name] = valore.isoformat()
        else:
            campi[campo.name] = str(valore)
    return campi | cambi


def bozza(scena: Scena) -> Convenzione:
    return services.convenzione_crea(chi=scena.direttore, comune=scena.rende, dati=dati(scena))


def attiva(scena: Scena) -> Convenzione:
    convenzione = bozza(scena)
    generato = bytes(selectors.documento_generato(convenzione).contenuto)
    services.convenzione_firma_comune_carica(
        chi=scena.referente,
        convenzione_id=convenzione.pk,
        contenuto=pki_demo.firma_come(generato, SINDACO.codice_fiscale, campo=CAMPO_FIRMA_COMUNE),
    )
    return services.convenzione_firma_inps(
        chi=scena.direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now()
    )


def eventi(convenzione: Convenzione) -> list[tuple[str, str, int | None]]:
    return list(
        EventoConvenzione.objects.filter(convenzione=convenzione)
        .order_by("quando", "pk")
        .values_list("a", "motivo", "chi")
    )


# --- A draft through the form ---------------------------------------------------------------------------------------


def test_the_director_creates_a_draft_from_the_registry(client: Client, scena: Scena) -> None:
    client.force_login(scena.direttore)
    registro = client.get(reverse("convenzioni_registro")).content.decode()
    assert reverse("convenzione_nuova") in registro
    pagina = client.get(reverse("convenzione_nuova"), {"comune": RENDE})
    assert pagina.status_code == 200
    assert "Rende" in pagina.content.decode()
    risposta = client.post(reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE))
    assert risposta.status_code == 302
    convenzione = Convenzione.objects.get(comune=scena.rende)
    assert risposta["Location"] == reverse("convenzione", args=[convenzione.pk])
    assert (convenzione.stato, convenzione.creata_da_id) == (Stato.BOZZA, scena.direttore.pk)
    assert convenzione.postazione_locale == dati(scena).postazione_locale
    assert {f.ruolo: f.nome_completo for f in selectors.figure_attuali(convenzione).values()} == {
        Ruolo_figura.REFERENTE_INPS: "Luca Greco",
        Ruolo_figura.REFERENTE_COMUNE: "Sara Bruno",
        Ruolo_figura.AMMINISTRATORE_UTENZE: "Marco Ricci",
    }
    assert convenzione.documento_generato_id is not None
    assert [a for a, _, _ in eventi(convenzione)] == [Stato.BOZZA]
    dettaglio = client.get(risposta["Location"]).content.decode()
    assert reverse("convenzione_modifica", args=[convenzione.pk]) in dettaglio
    assert reverse("convenzione_annulla", args=[convenzione.pk]) in dettaglio


def test_the_comunes_referente_may_prepare_its_own_draft_but_an_operator_may_not(client: Client, scena: Scena) -> None:
    client.force_login(scena.operatore)
    assert client.get(reverse("convenzione_nuova")).status_code == 404
    assert client.post(reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE)).status_code == 404
    assert not Convenzione.objects.exists()
    client.force_login(scena.referente)
    assert reverse("convenzione_nuova") in client.get(reverse("convenzioni_del_mio_comune")).content.decode()
    assert client.post(reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE)).status_code == 302
    assert Convenzione.objects.get().creata_da_id == scena.referente.pk


@pytest.mark.parametrize(
    ("cambi", "campo", "messaggio"),
    [
        # the service's own validation (the model's validators), back on the field
        ({"comune_codice_fiscale": "80000000000"}, "comune_codice_fiscale", "cifra di controllo"),
        ({"legale_rappresentante_codice_fiscale": "RSSMRA00A00A000A"}, "legale_rappresentante_codice_fiscale", ""),
        ({"comune_pec": "non-un-indirizzo"}, "comune_pec", ""),
        # the form's own
        ({"data_fine": "2025-01-01"}, "data_fine", "successiva alla decorrenza"),
        ({"postazione_indirizzo": ""}, "postazione_indirizzo", "obbligatorio"),
    ],
)
def test_bad_input_is_a_400_with_the_message_and_stores_nothing(
    client: Client, scena: Scena, cambi: dict[str, str], campo: str, messaggio: str
) -> None:
    client.force_login(scena.direttore)
    risposta = client.post(reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE, **cambi))
    assert risposta.status_code == 400
    testo = risposta.content.decode()
    assert f'data-testid="errore-{campo}"' in testo
    assert messaggio in testo
    assert "nulla è stato salvato" in testo
    assert not Convenzione.objects.exists()
    assert not FiguraConvenzione.objects.exists()


def test_a_figure_without_its_codice_fiscale_is_refused_by_the_service(client: Client, scena: Scena) -> None:
    client.force_login(scena.direttore)
    risposta = client.post(
        reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE, **{"amministratore_utenze-codice_fiscale": ""})
    )
    assert risposta.status_code == 400
    assert "indichi il codice fiscale" in risposta.content.decode()
    assert not Convenzione.objects.exists()
    assert not FiguraConvenzione.objects.exists()


def test_a_figures_bad_codice_fiscale_shows_on_its_own_field(client: Client, scena: Scena) -> None:
    client.force_login(scena.direttore)
    risposta = client.post(
        reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE, **{"referente_comune-codice_fiscale": "XX"})
    )
    assert risposta.status_code == 400
    assert 'data-testid="errore-referente_comune-codice_fiscale"' in risposta.content.decode()
    assert not Convenzione.objects.exists()


def test_a_second_draft_for_the_same_comune_is_refused_with_the_services_message(client: Client, scena: Scena) -> None:
    bozza(scena)
    client.force_login(scena.direttore)
    risposta = client.post(reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE))
    assert risposta.status_code == 400
    assert "già una convenzione in preparazione" in risposta.content.decode()
    assert Convenzione.objects.count() == 1


def test_the_referente_corrects_the_draft_and_the_document_is_generated_again(client: Client, scena: Scena) -> None:
    convenzione = bozza(scena)
    generato_prima = convenzione.documento_generato_id
    client.force_login(scena.referente)
    pagina = client.get(reverse("convenzione_modifica", args=[convenzione.pk]))
    assert pagina.status_code == 200
    assert dati(scena).postazione_locale in pagina.content.decode()  # the form shows the draft's data
    nuovi = modulo(
        dati(scena), postazione_locale="Biblioteca comunale, primo piano", **{"referente_comune-nome": "Sofia"}
    )
    risposta = client.post(reverse("convenzione_modifica", args=[convenzione.pk]), nuovi)
    assert risposta.status_code == 302
    convenzione.refresh_from_db()
    assert convenzione.postazione_locale == "Biblioteca comunale, primo piano"
    assert "Biblioteca comunale, primo piano" in convenzione.testo
    assert convenzione.documento_generato_id != generato_prima
    assert selectors.figure_attuali(convenzione)[Ruolo_figura.REFERENTE_COMUNE].nome == "Sofia"
    assert eventi(convenzione)[-1][:2] == (Stato.BOZZA, "bozza corretta: documento generato di nuovo")


def test_a_bad_correction_is_a_400_and_the_draft_stays_as_it_was(client: Client, scena: Scena) -> None:
    convenzione = bozza(scena)
    prima = (convenzione.postazione_locale, convenzione.documento_generato_id, len(eventi(convenzione)))
    client.force_login(scena.referente)
    risposta = client.post(
        reverse("convenzione_modifica", args=[convenzione.pk]),
        modulo(dati(scena), postazione_locale="Altro locale", comune_codice_fiscale="80000000000"),
    )
    assert risposta.status_code == 400
    assert "cifra di controllo" in risposta.content.decode()
    convenzione.refresh_from_db()
    assert (convenzione.postazione_locale, convenzione.documento_generato_id, len(eventi(convenzione))) == prima


def test_a_signed_convention_is_no_longer_edited(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.referente)
    risposta = client.post(
        reverse("convenzione_modifica", args=[convenzione.pk]), modulo(dati(scena), postazione_locale="Altro")
    )
    assert risposta.status_code == 302
    convenzione.refresh_from_db()
    assert convenzione.postazione_locale != "Altro"
    assert (
        reverse("convenzione_modifica", args=[convenzione.pk]) not in client.get(risposta["Location"]).content.decode()
    )


# --- Referenti and Amministratore utenze --------------------------------------------------------------------------


def test_a_figure_changed_after_signing_goes_by_pec_and_stays_in_the_history(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.referente)
    pagina = client.get(reverse("convenzione_figure", args=[convenzione.pk])).content.decode()
    assert 'value="amministratore_utenze"' in pagina
    assert 'value="referente_inps"' not in pagina  # INPS's Referente is INPS's to change
    risposta = client.post(
        reverse("convenzione_figure", args=[convenzione.pk]),
        {
            "ruolo": "amministratore_utenze",
            "nome": "Giulia",
            "cognome": "Sorrentino",
            "codice_fiscale": codice_fiscale_valido(964),
            "email": "nuova.amministratrice@comune-rende.example.it",
            "telefono": "0984 000009",
            "motivo": "trasferimento del precedente amministratore",
        },
    )
    assert risposta.status_code == 302
    figura = selectors.figure_attuali(convenzione)[Ruolo_figura.AMMINISTRATORE_UTENZE]
    assert (figura.nome_completo, figura.registrata_da_id) == ("Giulia Sorrentino", scena.referente.pk)
    assert figura.messaggio_pec is not None
    pec = MessaggioPEC.objects.get(pk=figura.messaggio_pec.pk, modello="convenzione_figura")
    assert list(pec.destinatari.values_list("indirizzo", flat=True)) == [convenzione.pec_inps]
    storico = client.get(risposta["Location"]).content.decode()
    assert "Giulia Sorrentino" in storico
    assert "Marco Ricci" in storico
    assert "trasferimento del precedente amministratore" in storico
    assert pec.get_status_display() in storico
    assert FiguraConvenzione.objects.filter(convenzione=convenzione, ruolo="amministratore_utenze").count() == 2


def test_a_bad_figure_change_is_a_400_and_nothing_is_sent(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.direttore)
    risposta = client.post(
        reverse("convenzione_figure", args=[convenzione.pk]),
        {"ruolo": "referente_inps", "nome": "Nadia", "cognome": "Costa", "email": "non-valida", "telefono": "06 1"},
    )
    assert risposta.status_code == 400
    assert 'data-testid="errore-email"' in risposta.content.decode()
    uguale = client.post(  # the same person and contacts: the service refuses, nothing to communicate
        reverse("convenzione_figure", args=[convenzione.pk]),
        {
            "ruolo": "referente_inps",
            "nome": "Luca",
            "cognome": "Greco",
            "qualifica": "Funzionario della Direzione",
            "email": "referente.pue@inps.example.it",
            "telefono": "06 0000 0001",
            "pec": "direzione.convenzioni-pue@pec-inps.example.it",
        },
    )
    assert uguale.status_code == 400
    assert "non c&#x27;è nulla da cambiare" in uguale.content.decode()
    assert FiguraConvenzione.objects.filter(convenzione=convenzione, ruolo="referente_inps").count() == 1
    assert not MessaggioPEC.objects.filter(modello="convenzione_figura").exists()


def test_a_figure_of_the_other_party_is_a_404_and_nothing_changes(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.referente)
    risposta = client.post(
        reverse("convenzione_figure", args=[convenzione.pk]),
        {"ruolo": "referente_inps", "nome": "X", "cognome": "Y", "email": "x@inps.example.it", "telefono": "1"},
    )
    assert risposta.status_code == 400  # not among the figures the Comune may choose
    assert selectors.figure_attuali(convenzione)[Ruolo_figura.REFERENTE_INPS].nome_completo == "Luca Greco"
    client.force_login(scena.sede)  # sees the convention, acts for no party
    assert client.get(reverse("convenzione_figure", args=[convenzione.pk])).status_code == 200
    risposta = client.post(
        reverse("convenzione_figure", args=[convenzione.pk]),
        {"ruolo": "referente_inps", "nome": "X", "cognome": "Y", "email": "x@inps.example.it", "telefono": "1"},
    )
    assert risposta.status_code == 404
    assert not MessaggioPEC.objects.filter(modello="convenzione_figura").exists()


# --- Closing --------------------------------------------------------------------------------------------------------


def test_a_draft_is_annulled_after_the_confirmation_with_its_reason(client: Client, scena: Scena) -> None:
    convenzione = bozza(scena)
    client.force_login(scena.personale_dr)
    url = reverse("convenzione_annulla", args=[convenzione.pk])
    assert client.get(url).status_code == 405
    conferma = client.post(url)
    assert conferma.status_code == 200
    assert 'name="conferma"' in conferma.content.decode()
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.BOZZA  # the first POST only asks to confirm
    senza_motivo = client.post(url, {"conferma": "1", "motivo": "  "})
    assert senza_motivo.status_code == 400
    assert "Indichi il motivo" in senza_motivo.content.decode()
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.BOZZA
    risposta = client.post(url, {"conferma": "1", "motivo": "dati del Comune da rifare"})
    assert risposta.status_code == 302
    convenzione.refresh_from_db()
    assert (convenzione.stato, convenzione.motivo_chiusura) == (Stato.ANNULLATA, "dati del Comune da rifare")
    assert eventi(convenzione)[-1] == (Stato.ANNULLATA, "dati del Comune da rifare", scena.personale_dr.pk)


def test_the_comune_withdraws_from_an_active_convention_and_both_parties_get_a_pec(
    client: Client, scena: Scena
) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.referente)
    pagina = client.get(reverse("convenzione", args=[convenzione.pk])).content.decode()
    assert reverse("convenzione_cessa", args=[convenzione.pk]) in pagina
    assert reverse("convenzione_revoca", args=[convenzione.pk]) not in pagina  # only the Director revokes
    risposta = client.post(
        reverse("convenzione_cessa", args=[convenzione.pk]), {"conferma": "1", "motivo": "chiusura dell'ufficio"}
    )
    assert risposta.status_code == 302
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.CESSATA
    assert eventi(convenzione)[-1] == (Stato.CESSATA, "chiusura dell'ufficio", scena.referente.pk)
    pec = MessaggioPEC.objects.get(modello="convenzione_chiusa")
    assert set(pec.destinatari.values_list("indirizzo", flat=True)) == {convenzione.comune_pec, convenzione.pec_inps}


def test_only_the_competent_director_revokes(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    url = reverse("convenzione_revoca", args=[convenzione.pk])
    for persona in (scena.referente, scena.personale_dr, scena.sede):
        client.force_login(persona)
        assert client.post(url, {"conferma": "1", "motivo": "uso improprio"}).status_code == 404
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.ATTIVA
    client.force_login(scena.direttore)
    assert url in client.get(reverse("convenzione", args=[convenzione.pk])).content.decode()
    assert client.post(url, {"conferma": "1", "motivo": "uso improprio dei servizi"}).status_code == 302
    convenzione.refresh_from_db()
    assert (convenzione.stato, convenzione.motivo_chiusura) == (Stato.REVOCATA, "uso improprio dei servizi")
    assert eventi(convenzione)[-1] == (Stato.REVOCATA, "uso improprio dei servizi", scena.direttore.pk)


def test_an_active_convention_cannot_be_annulled(client: Client, scena: Scena) -> None:
    convenzione = attiva(scena)
    client.force_login(scena.direttore)
    risposta = client.post(
        reverse("convenzione_annulla", args=[convenzione.pk]), {"conferma": "1", "motivo": "ripensamento"}
    )
    assert risposta.status_code == 400
    assert "si annulla solo prima della firma INPS" in risposta.content.decode()
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.ATTIVA


# --- Another territory ----------------------------------------------------------------------------------------------


def test_another_territory_gets_a_404_everywhere_and_nothing_changes(client: Client, scena: Scena) -> None:
    convenzione = bozza(scena)
    prima = (convenzione.postazione_locale, convenzione.documento_generato_id, len(eventi(convenzione)))
    client.force_login(scena.altro_direttore)
    for nome in ("convenzione_modifica", "convenzione_figure"):
        assert client.get(reverse(nome, args=[convenzione.pk])).status_code == 404
    assert client.get(reverse("convenzione_nuova"), {"comune": RENDE}).status_code == 404
    tentativi = [
        (reverse("convenzione_modifica", args=[convenzione.pk]), modulo(dati(scena), postazione_locale="Altro")),
        (
            reverse("convenzione_figure", args=[convenzione.pk]),
            {"ruolo": "referente_inps", "nome": "X", "cognome": "Y", "email": "x@inps.example.it", "telefono": "1"},
        ),
        (reverse("convenzione_annulla", args=[convenzione.pk]), {"conferma": "1", "motivo": "non mia"}),
        (reverse("convenzione_annulla", args=[convenzione.pk]), {}),
        (reverse("convenzione_cessa", args=[convenzione.pk]), {"conferma": "1", "motivo": "non mia"}),
        (reverse("convenzione_revoca", args=[convenzione.pk]), {"conferma": "1", "motivo": "non mia"}),
        (reverse("convenzione_nuova"), modulo(dati(scena), comune=RENDE)),
    ]
    for url, campi in tentativi:
        assert client.post(url, campi).status_code == 404, url
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.BOZZA
    assert (convenzione.postazione_locale, convenzione.documento_generato_id, len(eventi(convenzione))) == prima
    assert FiguraConvenzione.objects.filter(convenzione=convenzione).count() == 3
    assert Convenzione.objects.count() == 1
