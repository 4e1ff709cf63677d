"""The deadline of the circolare as the first row of the history: online PINs until 1 July 2016."""

import datetime

from django.db import migrations


def crea(apps, schema_editor):
    ScadenzaPinOnline = apps.get_model("accounts", "ScadenzaPinOnline")
    if not ScadenzaPinOnline.objects.exists():
        ScadenzaPinOnline.objects.create(
            data=datetime.date(2016, 7, 1), motivo="Circolare INPS n. 71 del 29 aprile 2016, paragrafo 2"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_scadenza_pin_online")]
    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]
