"""The signers of INPS's signature: the demo PKI of ``manage.py convenzioni_pki_demo`` (development), and a remote
qualified signature service through the Cloud Signature Consortium API (production), here a small CSC service on
this machine that signs with a test key, so the whole path (list, info, authorize, signHash) is exercised without
any network."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.core.management import CommandError, call_command

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import firma, pki_demo, selectors, services
from convenzioni.errori import FirmaNonRiuscita
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from inps_portal import clock, firme
from tests import pki
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
SINDACO = (codice_fiscale_valido(961), "Giovanni", "Ferraro")


@pytest.fixture
def firmata_dal_comune(registro: None) -> Any:
    """A convention of Rende signed by its Sindaco: ``fai(firma_del_comune)`` with the function that signs."""

    def fai(firma_del_comune: Any) -> Convenzione:
        VersioneQuadro.objects.get_or_create(
            numero=1,
            defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)},
        )
        rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
        referente = UserFactory.create()
        ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
        referente = User.objects.get(pk=referente.pk)
        dati = dati_di_esempio(
            rende,
            legale_rappresentante_codice_fiscale=SINDACO[0],
            amministratore_codice_fiscale=codice_fiscale_valido(962),
            referente_comune_codice_fiscale=codice_fiscale_valido(963),
            data_inizio=clock.today(),
        )
        convenzione = services.convenzione_crea(chi=referente, comune=rende, dati=dati)
        firmato = firma_del_comune(bytes(selectors.documento_generato(convenzione).contenuto))
        return services.convenzione_firma_comune_carica(chi=referente, convenzione_id=convenzione.pk, contenuto=firmato)

    return fai


# --- Development: the demo PKI ------------------------------------------------------------------------------------


def test_the_demo_pki_signs_both_sides_and_its_ca_is_trusted_as_soon_as_it_exists(
    firmata_dal_comune: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DEBUG = True
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "firme-demo")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "firme-demo" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    assert firma.radici_attendibili() == []  # not yet created: nothing trusted, no error
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    call_command("convenzioni_pki_demo", "--persona", ":".join(SINDACO))
    assert (tmp_path / "firme-demo" / f"{direttore.codice_fiscale}.p12").is_file()
    assert len(firma.radici_attendibili()) == 1

    convenzione = firmata_dal_comune(lambda pdf: pki_demo.firma_come(pdf, SINDACO[0], campo=CAMPO_FIRMA_COMUNE))
    convenzione = services.convenzione_firma_inps(
        chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now()
    )
    assert convenzione.stato == Convenzione.Stato.ATTIVA
    esiti = firme.firme_pdf(
        bytes(selectors.documento_corrente(convenzione).contenuto), radici=firma.radici_attendibili()
    )
    assert [(e.codice_fiscale, e.valida) for e in esiti] == [(SINDACO[0], True), (direttore.codice_fiscale, True)]
    assert "CA dimostrativa" in (esiti[1].emittente or "")


def test_the_demo_pki_is_refused_outside_development(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="solo in sviluppo"):
        call_command("convenzioni_pki_demo")


# --- Production: a remote signature service (Cloud Signature Consortium API v1) ------------------------------------


@dataclass
class ServizioCSC:
    """A CSC service on 127.0.0.1 holding one credential (a test key and certificate)."""

    identita: pki.Identita
    token: str = "token-di-prova"
    richieste: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        for percorso, gestore in (
            ("credentials/list", self.lista),
            ("credentials/info", self.info),
            ("credentials/authorize", self.autorizza),
            ("signatures/signHash", self.firma),
        ):
            app.router.add_post(f"/csc/v1/{percorso}", self._registra(percorso, gestore))
        return app

    def _registra(self, percorso: str, gestore: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            corpo = await request.json()
            self.richieste.append((percorso, corpo))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return web.json_response({"error": "invalid_token"}, status=401)
            return web.json_response(gestore(corpo))

        return handler

    def lista(self, corpo: dict[str, Any]) -> dict[str, Any]:
        return {"credentialIDs": ["firma-qualificata-1"]}

    def info(self, corpo: dict[str, Any]) -> dict[str, Any]:
        catena = [self.identita.certificato, *(self.identita.emittente.catena if self.identita.emittente else [])]
        return {
            "cert": {
                "certificates": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in catena]
            },
            "key": {"algo": ["1.2.840.10045.4.3.2"]},  # ecdsa-with-SHA256
            "multisign": 1,
            "SCAL": "2",
        }

    def autorizza(self, corpo: dict[str, Any]) -> dict[str, Any]:
        return {"SAD": "attivazione-di-prova", "expiresIn": 300}

    def firma(self, corpo: dict[str, Any]) -> dict[str, Any]:
        firme_raw = [
            self.identita.chiave.sign(base64.b64decode(h), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
            for h in corpo["hash"]
        ]
        return {"signatures": [base64.b64encode(f).decode() for f in firme_raw]}


@pytest.fixture
def servizio_csc(settings: Any) -> Iterator[ServizioCSC]:
    ca = pki.crea_ca("CA Qualificata Remota di Prova")
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    servizio = ServizioCSC(
        pki.emetti_firmatario(
            ca, nome=direttore.nome, cognome=direttore.cognome, serial_number=f"TINIT-{direttore.codice_fiscale}"
        )
    )
    servizio.direttore = direttore  # type: ignore[attr-defined]
    servizio.ca = ca  # type: ignore[attr-defined]
    ciclo = asyncio.new_event_loop()
    pronto = threading.Event()
    runner = web.AppRunner(servizio.app())

    async def avvia() -> None:
        await runner.setup()
        sito = web.TCPSite(runner, "127.0.0.1", 0)
        await sito.start()
        porta = sito._server.sockets[0].getsockname()[1]
        servizio.url = f"http://127.0.0.1:{porta}"
        pronto.set()

    thread = threading.Thread(target=lambda: (ciclo.run_until_complete(avvia()), ciclo.run_forever()), daemon=True)
    thread.start()
    assert pronto.wait(10)
    settings.CONVENZIONI_FIRMA_INPS = "csc"
    settings.CONVENZIONI_CSC_URL = servizio.url
    yield servizio
    asyncio.run_coroutine_threadsafe(runner.cleanup(), ciclo).result(10)
    ciclo.call_soon_threadsafe(ciclo.stop)
    thread.join(10)


def test_the_remote_signer_signs_through_the_csc_api(
    firmata_dal_comune: Any, servizio_csc: ServizioCSC, tmp_path: Path, settings: Any
) -> None:
    ca_comune = pki.crea_ca()
    sindaco = pki.emetti_firmatario(ca_comune, nome=SINDACO[1], cognome=SINDACO[2], serial_number=f"TINIT-{SINDACO[0]}")
    radici = tmp_path / "radici.pem"
    radici.write_bytes(pki.pem(ca_comune.certificato) + pki.pem(servizio_csc.ca.certificato))  # type: ignore[attr-defined]
    settings.FIRME_RADICI_ATTENDIBILI = [str(radici)]
    convenzione = firmata_dal_comune(lambda pdf: pki.firma_pdf(pdf, sindaco, campo=CAMPO_FIRMA_COMUNE))
    direttore: User = servizio_csc.direttore  # type: ignore[attr-defined]

    convenzione = services.convenzione_firma_inps(
        chi=direttore,
        convenzione_id=convenzione.pk,
        autenticato_il=clock.now(),
        autorizzazione={"token": servizio_csc.token, "otp": "123456", "pin": "1234"},
    )
    assert convenzione.stato == Convenzione.Stato.ATTIVA
    assert [percorso for percorso, _ in servizio_csc.richieste] == [
        "credentials/list",
        "credentials/info",
        "credentials/authorize",
        "signatures/signHash",
    ]
    autorizzazione = servizio_csc.richieste[2][1]
    assert (autorizzazione["OTP"], autorizzazione["PIN"], autorizzazione["numSignatures"]) == ("123456", "1234", 1)
    assert autorizzazione["hash"] == servizio_csc.richieste[3][1]["hash"]  # the activation bound to that hash
    esiti = firme.firme_pdf(
        bytes(selectors.documento_corrente(convenzione).contenuto), radici=firma.radici_attendibili()
    )
    assert [(e.codice_fiscale, e.valida) for e in esiti] == [(SINDACO[0], True), (direttore.codice_fiscale, True)]


def test_a_refusal_of_the_remote_service_reaches_the_director_in_italian(
    firmata_dal_comune: Any, servizio_csc: ServizioCSC, tmp_path: Path, settings: Any
) -> None:
    ca_comune = pki.crea_ca()
    sindaco = pki.emetti_firmatario(ca_comune, nome=SINDACO[1], cognome=SINDACO[2], serial_number=f"TINIT-{SINDACO[0]}")
    (tmp_path / "ca.pem").write_bytes(pki.pem(ca_comune.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(tmp_path / "ca.pem")]
    convenzione = firmata_dal_comune(lambda pdf: pki.firma_pdf(pdf, sindaco, campo=CAMPO_FIRMA_COMUNE))
    direttore: User = servizio_csc.direttore  # type: ignore[attr-defined]
    with pytest.raises(FirmaNonRiuscita, match="serve prima l'accesso al servizio di firma"):
        services.convenzione_firma_inps(chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now())
    with pytest.raises(FirmaNonRiuscita, match="non ha accettato l'autorizzazione"):
        services.convenzione_firma_inps(
            chi=direttore,
            convenzione_id=convenzione.pk,
            autenticato_il=clock.now(),
            autorizzazione={"token": "scaduto"},
        )
    convenzione.refresh_from_db()
    assert convenzione.stato == Convenzione.Stato.FIRMATA_COMUNE


def test_a_remote_service_that_does_not_answer_gives_a_clear_message(
    firmata_dal_comune: Any, tmp_path: Path, settings: Any
) -> None:
    ca_comune = pki.crea_ca()
    sindaco = pki.emetti_firmatario(ca_comune, nome=SINDACO[1], cognome=SINDACO[2], serial_number=f"TINIT-{SINDACO[0]}")
    (tmp_path / "ca.pem").write_bytes(pki.pem(ca_comune.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(tmp_path / "ca.pem")]
    settings.CONVENZIONI_FIRMA_INPS = "csc"
    settings.CONVENZIONI_CSC_URL = "http://127.0.0.1:9"  # discard: nothing answers there
    convenzione = firmata_dal_comune(lambda pdf: pki.firma_pdf(pdf, sindaco, campo=CAMPO_FIRMA_COMUNE))
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    with pytest.raises(FirmaNonRiuscita, match="errore del servizio di firma"):
        services.convenzione_firma_inps(
            chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now(), autorizzazione={"token": "t"}
        )
