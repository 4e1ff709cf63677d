"""On PostgreSQL, beside the unique index of the live bookings (same sportello, start and seat), an exclusion
constraint: two live bookings of one seat of one sportello never overlap in time, even with different starts (a
timetable changed under existing bookings). It needs ``btree_gist`` (a trusted extension since PostgreSQL 13, which
the database's owner may create; otherwise a superuser creates it once before ``migrate``).

SQLite (``make run``) has no exclusion constraints: nothing is done there, and the unique index still holds. The
constraint is not in the model's state, so ``makemigrations`` does not see it and the schema stays the same on both.
"""

from django.db import migrations

VINCOLO = "prenotazione_posto_senza_sovrapposizioni"


def crea(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE pue_prenotazione ADD CONSTRAINT {VINCOLO} EXCLUDE USING gist "
        "(sportello_id WITH =, posto WITH =, tstzrange(inizio, fine, '[)') WITH &&) "
        "WHERE (stato IN ('trattenuta', 'confermata', 'svolta', 'non_presentato'))"
    )


def togli(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE pue_prenotazione DROP CONSTRAINT IF EXISTS {VINCOLO}")


class Migration(migrations.Migration):
    dependencies = [("pue", "0003_prenotazioni")]

    operations = [migrations.RunPython(crea, togli, elidable=False)]
