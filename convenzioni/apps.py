from django.apps import AppConfig

# The registry of conventions with what makes each one (documents, signatures, figures, history, criticità): read by
# the INPS staff of the territory; the rows each person sees are narrowed by convenzioni.selectors.
_LETTURA = tuple(
    f"convenzioni.view_{modello}"
    for modello in (
        "versionequadro",
        "convenzione",
        "eventoconvenzione",
        "documentoconvenzione",
        "firmaconvenzione",
        "figuraconvenzione",
        "criticita",
        "eventocriticita",
        "promemoriaconvenzione",
    )
)


class ConvenzioniConfig(AppConfig):
    name = "convenzioni"
    verbose_name = "Convenzioni con i Comuni (Messaggio 4461/2023)"
    # The groups' model permissions on this app, by role (see accounts.roles.PERMESSI_DEI_RUOLI).
    permessi_dei_ruoli = {
        "personale_sede": _LETTURA,
        "personale_direzione_regionale": _LETTURA,
        "referente_inps": _LETTURA,
        # The competent Direttore signs for INPS (only for the Comuni of the Direzione: convenzioni.selectors).
        "direttore": (*_LETTURA, "convenzioni.firmare_convenzione"),
        # Central staff keep the versions of the Convenzione quadro.
        "personale_direzione_centrale": (
            *_LETTURA,
            "convenzioni.add_versionequadro",
            "convenzioni.change_versionequadro",
            "convenzioni.gestire_versioni_quadro",
        ),
    }
