"""One held abilitazione per credential, Ente and key of the catalogue (no longer per name), and never without key."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_codice_delle_abilitazioni_detenute"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="abilitazionedetenuta",
            name="abilitazione_unica_per_pin",
        ),
        migrations.RemoveConstraint(
            model_name="abilitazionedetenuta",
            name="abilitazione_unica_per_credenziale",
        ),
        migrations.AddConstraint(
            model_name="abilitazionedetenuta",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pin__isnull", False)),
                fields=("pin", "ente", "codice"),
                name="abilitazione_unica_per_pin",
            ),
        ),
        migrations.AddConstraint(
            model_name="abilitazionedetenuta",
            constraint=models.UniqueConstraint(
                condition=models.Q(("credenziale_ex_inpdap__isnull", False)),
                fields=("credenziale_ex_inpdap", "ente", "codice"),
                name="abilitazione_unica_per_credenziale",
            ),
        ),
        migrations.AddConstraint(
            model_name="abilitazionedetenuta",
            constraint=models.CheckConstraint(
                condition=models.Q(("codice", ""), _negated=True), name="abilitazione_detenuta_con_codice"
            ),
        ),
    ]
