"""Version 1 of the Convenzione quadro: the schema adopted by determinazione commissariale n. 83 of 23 November 2023,
for the conventions from January 2024 (Messaggio 4461/2023). Its text is ``convenzioni.testo.TESTO_QUADRO_2023``, a
reconstruction (the schema itself is an intranet annex of the messaggio); that constant is version 1 and is never
edited: a change of the schema is a new version, added by central staff."""

import datetime as dt

from django.db import migrations


def crea(apps, schema_editor):
    from convenzioni.testo import TESTO_QUADRO_2023, TITOLO_QUADRO_2023

    VersioneQuadro = apps.get_model("convenzioni", "VersioneQuadro")
    VersioneQuadro.objects.get_or_create(
        numero=1,
        defaults={
            "titolo": TITOLO_QUADRO_2023,
            "testo": TESTO_QUADRO_2023,
            "determinazione": "determinazione del Commissario straordinario n. 83 del 23 novembre 2023",
            "determinazione_numero": "83",
            "determinazione_data": dt.date(2023, 11, 23),
            "valida_dal": dt.date(2024, 1, 1),
            "note": "Schema adottato con la determinazione commissariale n. 83/2023 (messaggio n. 4461/2023).",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("convenzioni", "0002_protezioni")]
    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]
