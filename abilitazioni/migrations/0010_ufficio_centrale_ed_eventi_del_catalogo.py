import django.db.models.deletion
import inps_portal.clock
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("abilitazioni", "0009_ufficio_centrale_come_struttura"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name="abilitazione",
            name="ufficio_centrale",
        ),
        migrations.RenameField(
            model_name="abilitazione",
            old_name="ufficio_centrale_dc",
            new_name="ufficio_centrale",
        ),
        migrations.AlterField(
            model_name="abilitazione",
            name="ufficio_centrale",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Solo per i canali via PEC: la Direzione centrale che legge la casella e decide. Le richieste le "
                    "compaiono in coda nel back office."
                ),
                limit_choices_to={"tipo": "direzione_centrale"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="abilitazioni_esaminate",
                to="accounts.struttura",
                verbose_name="Direzione centrale che esamina",
            ),
        ),
        migrations.CreateModel(
            name="EventoCatalogo",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "azione",
                    models.CharField(
                        choices=[("creata", "Voce creata"), ("modificata", "Voce modificata")], max_length=20
                    ),
                ),
                (
                    "da",
                    models.JSONField(
                        blank=True, default=dict, help_text="I campi cambiati, com'erano.", verbose_name="prima"
                    ),
                ),
                (
                    "a",
                    models.JSONField(default=dict, help_text="I campi cambiati, come sono diventati.", verbose_name="dopo"),
                ),
                ("motivo", models.TextField(blank=True)),
                ("quando", models.DateTimeField(default=inps_portal.clock.now)),
                (
                    "abilitazione",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="eventi",
                        to="abilitazioni.abilitazione",
                    ),
                ),
                (
                    "chi",
                    models.ForeignKey(
                        help_text="Vuoto: dal sistema.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "modifica del catalogo",
                "verbose_name_plural": "modifiche del catalogo",
                "ordering": ["-quando", "-pk"],
            },
        ),
    ]
