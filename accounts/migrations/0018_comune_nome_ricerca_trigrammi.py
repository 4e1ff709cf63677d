"""The search of "Trova la sede" reads the Comuni whose ``nome_ricerca`` *contains* what was typed (``LIKE '%x%'``):
the btree index of the field serves only the names that begin with it, so every search read all the Comuni (about
7,900). A trigram index (GIN, ``gin_trgm_ops``) serves ``LIKE '%x%'`` from three letters on.

PostgreSQL only: on SQLite (``make run``) nothing is done and the search reads the table as before, with the same
results. The index needs the ``pg_trgm`` extension: ``CREATE EXTENSION`` is run here, and since PostgreSQL 13
``pg_trgm`` is a trusted extension, which the owner of the database (or a role with ``CREATE`` on it) may create;
where the portal's role may not, a superuser runs ``CREATE EXTENSION IF NOT EXISTS pg_trgm;`` in the portal's
database once, before ``migrate``. The index is not in the model's state (it is not a Django index of the model):
``makemigrations`` does not see it, and the schema stays the same on both databases.

``fastupdate = off``: the Comuni are written once (``load_registry``), right after this migration on a new database;
with GIN's pending list those rows would wait there, scanned in full by every search, until a VACUUM moved them, and
the planner, which counts them, would keep reading the table instead of the index until then.
"""

from django.db import migrations

INDICE = "accounts_comune_nome_ricerca_trgm"


def crea_indice(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDICE} ON accounts_comune USING gin (nome_ricerca gin_trgm_ops)"
        " WITH (fastupdate = off)"
    )


def togli_indice(apps, schema_editor):
    # The extension stays: other databases' objects, or a later migration, may use it.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDICE}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0017_attivita_e_sessioni"),
    ]

    operations = [
        migrations.RunPython(crea_indice, togli_indice, elidable=False),
    ]
