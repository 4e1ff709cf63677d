from django.apps import AppConfig

# The queue of routed requests, with what each request asks and its history; the catalogue, to read (it is public).
_CODA = (
    "abilitazioni.view_abilitazione",
    "abilitazioni.view_richiestainstradata",
    "abilitazioni.view_vocerichiesta",
    "abilitazioni.view_eventorichiesta",
)


class AbilitazioniConfig(AppConfig):
    name = "abilitazioni"
    verbose_name = "Abilitazioni (Circolare 71/2016)"
    # The back-office groups' model permissions on this app, by role (see accounts.roles.PERMESSI_DEI_RUOLI).
    permessi_dei_ruoli = {
        "personale_sede": _CODA,
        "personale_direzione_regionale": _CODA,
        # The Direzioni centrali named by the catalogue review the requests sent by PEC (allegati 4 and 5), and
        # keep the catalogue.
        "personale_direzione_centrale": (*_CODA, "abilitazioni.add_abilitazione", "abilitazioni.change_abilitazione"),
    }

    def ready(self) -> None:
        from abilitazioni import smistamento  # noqa: F401 - files the Ente's PEC to its request as it arrives
        from inps_portal.pec.arrivo import AZIONI_DI_SMISTAMENTO

        azione = ("Associa a una richiesta di abilitazioni", "admin:abilitazioni_richiestainstradata_smista")
        if azione not in AZIONI_DI_SMISTAMENTO:
            AZIONI_DI_SMISTAMENTO.append(azione)
