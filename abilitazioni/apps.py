from django.apps import AppConfig


class AbilitazioniConfig(AppConfig):
    name = "abilitazioni"
    verbose_name = "Abilitazioni (Circolare 71/2016)"

    def ready(self) -> None:
        from abilitazioni import smistamento  # noqa: F401 - files the Ente's PEC to its request as it arrives
        from inps_portal.pec.arrivo import AZIONI_DI_SMISTAMENTO

        azione = ("Associa a una richiesta di abilitazioni", "admin:abilitazioni_richiestainstradata_smista")
        if azione not in AZIONI_DI_SMISTAMENTO:
            AZIONI_DI_SMISTAMENTO.append(azione)
