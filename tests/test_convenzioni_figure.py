"""Referenti, Amministratore utenze and criticità (Messaggio 4461/2023): a change of name or contacts goes by PEC to
the other party and stays in a dated history with the PEC and its receipts; a Referente reports a problem, the other
party takes it in charge and resolves it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import selectors, services
from convenzioni.dati import DatiFigura
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import Convenzione, Criticita, FiguraConvenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Ruolo_figura = FiguraConvenzione.Ruolo


@pytest.fixture
def rende(registro: None) -> Comune:
    return Comune.objects.select_related("provincia").get(codice_istat="078102")


def persona_del_comune(comune: Comune, ruolo: Ruolo) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=comune)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def referente_comune(rende: Comune) -> User:
    return persona_del_comune(rende, Ruolo.REFERENTE_COMUNE)


@pytest.fixture
def referente_inps(registro: None) -> User:
    return personale_inps(Ruolo.REFERENTE_INPS, "DR-18")


@pytest.fixture
def attiva(rende: Comune, referente_comune: User) -> Convenzione:
    """A convention of Rende, active (its signatures are the subject of tests/test_convenzioni_ciclo.py)."""
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=codice_fiscale_valido(931),
        amministratore_codice_fiscale=codice_fiscale_valido(932),
        referente_comune_codice_fiscale=codice_fiscale_valido(933),
        data_inizio=clock.today(),
    )
    convenzione = services.convenzione_crea(chi=referente_comune, comune=rende, dati=dati)
    Convenzione.objects.filter(pk=convenzione.pk).update(
        stato=Convenzione.Stato.ATTIVA, protocollo="INPS.DR-18.2026.0000001", attivata_il=clock.now()
    )
    convenzione.refresh_from_db()
    return convenzione


NUOVO_REFERENTE = DatiFigura(
    nome="Chiara",
    cognome="Longo",
    qualifica="Responsabile URP",
    codice_fiscale=codice_fiscale_valido(934),
    email="chiara.longo@comune-rende.example.it",
    telefono="0984 000009",
    pec="urp@pec.comune-rende.example.it",
)


def test_a_contact_change_goes_by_pec_to_the_other_party_and_stays_in_the_history(
    attiva: Convenzione,
    referente_comune: User,
    pec_locale: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    precedente = selectors.figure_attuali(attiva)[Ruolo_figura.REFERENTE_COMUNE]
    with django_capture_on_commit_callbacks(execute=True):
        figura = services.figura_cambia(
            chi=referente_comune,
            convenzione_id=attiva.pk,
            ruolo=Ruolo_figura.REFERENTE_COMUNE,
            dati=NUOVO_REFERENTE,
            motivo="Trasferimento ad altro ufficio",
        )
    # the PEC, in the same transaction, to INPS (the other party), delivered with its receipts
    messaggio = MessaggioPEC.objects.get(pk=figura.messaggio_pec_id or 0)
    assert list(messaggio.destinatari.values_list("indirizzo", flat=True)) == [attiva.pec_inps]
    assert "Chiara Longo" in messaggio.corpo_testo
    assert "Sara Bruno" in messaggio.corpo_testo
    assert "Trasferimento ad altro ufficio" in messaggio.corpo_testo
    assert messaggio.status == MessaggioPEC.Status.CONSEGNATO
    assert sorted(messaggio.ricevute.values_list("tipo", flat=True)) == ["accettazione", "avvenuta-consegna"]
    # the history: the old row closed, never overwritten; the new one current, with the PEC and its receipts
    storico = list(selectors.storico_figure(attiva).filter(ruolo=Ruolo_figura.REFERENTE_COMUNE))
    assert [f.nome_completo for f in storico] == ["Chiara Longo", "Sara Bruno"]
    assert storico[1].pk == precedente.pk
    assert storico[1].sostituita_il is not None
    assert storico[1].email == precedente.email
    assert storico[0].sostituita_il is None
    assert storico[0].messaggio_pec is not None
    assert len(storico[0].messaggio_pec.ricevute.all()) == 2
    # the signed text is untouched: a change by PEC does not amend the convention
    attiva.refresh_from_db()
    assert "Sara Bruno" in attiva.testo


def test_inps_changes_its_referente_and_the_comune_is_told(
    attiva: Convenzione, referente_inps: User, referente_comune: User
) -> None:
    nuovo = DatiFigura(nome="Luca", cognome="Greco", email="luca.greco@inps.example.it", telefono="06 0000 0009")
    figura = services.figura_cambia(
        chi=referente_inps, convenzione_id=attiva.pk, ruolo=Ruolo_figura.REFERENTE_INPS, dati=nuovo
    )
    assert list(figura.messaggio_pec.destinatari.values_list("indirizzo", flat=True)) == [attiva.comune_pec]
    # each party names its own figures only
    with pytest.raises(NonAutorizzato):
        services.figura_cambia(
            chi=referente_comune, convenzione_id=attiva.pk, ruolo=Ruolo_figura.REFERENTE_INPS, dati=nuovo
        )
    with pytest.raises(NonAutorizzato):
        services.figura_cambia(
            chi=referente_inps, convenzione_id=attiva.pk, ruolo=Ruolo_figura.AMMINISTRATORE_UTENZE, dati=NUOVO_REFERENTE
        )
    with pytest.raises(ConvenzioneNonAmmessa, match="già quelli attuali"):
        services.figura_cambia(
            chi=referente_inps, convenzione_id=attiva.pk, ruolo=Ruolo_figura.REFERENTE_INPS, dati=nuovo
        )


def test_a_person_of_the_comune_needs_a_valid_codice_fiscale(attiva: Convenzione, referente_comune: User) -> None:
    from dataclasses import replace

    with pytest.raises(ConvenzioneNonAmmessa, match="codice fiscale"):
        services.figura_cambia(
            chi=referente_comune,
            convenzione_id=attiva.pk,
            ruolo=Ruolo_figura.AMMINISTRATORE_UTENZE,
            dati=replace(NUOVO_REFERENTE, codice_fiscale=""),
        )
    with pytest.raises(ConvenzioneNonAmmessa, match="carattere di controllo"):
        services.figura_cambia(
            chi=referente_comune,
            convenzione_id=attiva.pk,
            ruolo=Ruolo_figura.AMMINISTRATORE_UTENZE,
            dati=replace(NUOVO_REFERENTE, codice_fiscale=codice_fiscale_valido(934)[:15] + "Z"),
        )
    assert not MessaggioPEC.objects.filter(modello="convenzione_figura").exists()


def test_on_a_draft_a_change_regenerates_the_document_without_pec(
    attiva: Convenzione, rende: Comune, referente_comune: User
) -> None:
    Convenzione.objects.filter(pk=attiva.pk).update(stato=Convenzione.Stato.BOZZA, protocollo=None, attivata_il=None)
    prima = attiva.documento_generato_id
    services.figura_cambia(
        chi=referente_comune, convenzione_id=attiva.pk, ruolo=Ruolo_figura.REFERENTE_COMUNE, dati=NUOVO_REFERENTE
    )
    attiva.refresh_from_db()
    assert attiva.documento_generato_id != prima
    assert "Chiara Longo" in attiva.testo
    assert not MessaggioPEC.objects.filter(modello="convenzione_figura").exists()


def test_a_criticita_is_reported_taken_in_charge_and_resolved_by_the_other_party(
    attiva: Convenzione, referente_comune: User, referente_inps: User
) -> None:
    criticita = services.criticita_segnala(
        chi=referente_comune,
        convenzione_id=attiva.pk,
        oggetto="Web meeting interrotti",
        descrizione="Da lunedì i collegamenti cadono dopo pochi minuti.",
    )
    assert criticita.parte == "comune"
    assert criticita.parte_che_gestisce == "inps"
    # the reporting party does not handle its own report
    with pytest.raises(NonAutorizzato, match="gestita dall'altra Parte"):
        services.criticita_prendi_in_carico(chi=referente_comune, criticita_id=criticita.pk)
    services.criticita_prendi_in_carico(chi=referente_inps, criticita_id=criticita.pk, nota="Verifica con la Sede")
    with pytest.raises(ConvenzioneNonAmmessa, match="Indichi come è stata risolta"):
        services.criticita_risolvi(chi=referente_inps, criticita_id=criticita.pk, risoluzione="")
    services.criticita_risolvi(
        chi=referente_inps, criticita_id=criticita.pk, risoluzione="Aggiornata la piattaforma di web meeting."
    )
    criticita.refresh_from_db()
    assert criticita.stato == Criticita.Stato.RISOLTA
    assert list(criticita.eventi.values_list("da", "a", "chi")) == [
        ("", "aperta", referente_comune.pk),
        ("aperta", "in_carico", referente_inps.pk),
        ("in_carico", "risolta", referente_inps.pk),
    ]
    destinatari = [
        list(m.destinatari.values_list("indirizzo", flat=True))
        for m in MessaggioPEC.objects.filter(modello="convenzione_criticita").order_by("pk")
    ]
    assert destinatari == [[attiva.pec_inps], [attiva.comune_pec], [attiva.comune_pec]]


def test_only_referenti_report_and_only_on_active_conventions(attiva: Convenzione, rende: Comune) -> None:
    amministratore = persona_del_comune(rende, Ruolo.AMMINISTRATORE_UTENZE)
    with pytest.raises(NonAutorizzato, match="Referenti"):
        services.criticita_segnala(chi=amministratore, convenzione_id=attiva.pk, oggetto="x", descrizione="y")
    estraneo = personale_inps(Ruolo.REFERENTE_INPS, "DR-08")
    with pytest.raises(NonAutorizzato):
        services.criticita_segnala(chi=estraneo, convenzione_id=attiva.pk, oggetto="x", descrizione="y")
    referente = persona_del_comune(rende, Ruolo.REFERENTE_COMUNE)
    Convenzione.objects.filter(pk=attiva.pk).update(
        stato=Convenzione.Stato.CESSATA, chiusa_il=clock.now(), motivo_chiusura="recesso"
    )
    with pytest.raises(ConvenzioneNonAmmessa, match="convenzioni attive"):
        services.criticita_segnala(chi=referente, convenzione_id=attiva.pk, oggetto="x", descrizione="y")
