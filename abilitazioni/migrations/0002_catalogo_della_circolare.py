"""The abilitazioni of the Circolare INPS 71/2016, section 4, with their allegato, channel and prerequisite."""

from django.db import migrations

SEDE, DR, PEC_ENTE, PEC_DC = "sede_territoriale", "direzione_regionale", "pec_dall_ente", "pec_direzione_centrale"
CATALOGO = [
    # allegato 2: to the Sede territoriale, with a PIN
    *[(nome, 2, SEDE, "", "pin") for nome in (
        "Denunce contributive - Compilazione manuale DMA",
        "Denunce contributive - Visualizzazione DMA",
        "Gestione riscatti ai fini TFS/TFR Stato",
        "Domande di piccolo prestito e prestito pluriennale",
        "Riscossione crediti - profilo Amministratore",
        "Riscossione crediti - profilo Operatore",
        "Visualizzazione note di debito Ente",
        "Visualizzazione piani di ammortamento Ente",
        "Visualizzazione versamenti Ente",
    )],
    # allegato 3: Benefici sociali, to the Direzione regionale, with a PIN
    *[(nome, 3, DR, "", "pin") for nome in (
        "Assistenza domiciliare - profilo Assegnatore",
        "Assistenza domiciliare - profilo Operatore",
        "Domanda assistenza domiciliare",
        "Domanda Valore PA",
    )],
    # allegato 4: PassWeb, by PEC from the Ente, PIN dispositivo
    ("PassWeb", 4, PEC_ENTE, "AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it", "pin_dispositivo"),
    # allegato 5: Soggiorni, by PEC to the Direzione centrale Credito e Welfare, PIN dispositivo
    *[(nome, 5, PEC_DC, "dc.creditowelfare@postacert.inps.gov.it", "pin_dispositivo") for nome in (
        "Soggiorni climatici ENAM",
        "Soggiorni senior",
    )],
]


def crea(apps, schema_editor):
    Abilitazione = apps.get_model("abilitazioni", "Abilitazione")
    for nome, allegato, canale, pec, prerequisito in CATALOGO:
        Abilitazione.objects.get_or_create(
            nome=nome,
            defaults={"allegato": allegato, "canale": canale, "indirizzo_pec": pec, "prerequisito": prerequisito},
        )


class Migration(migrations.Migration):
    dependencies = [("abilitazioni", "0001_initial")]
    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]
