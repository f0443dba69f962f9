"""Indexes for the client search and the duplicate check on PostgreSQL: `name_search`, `phone`
and `name_comparable` LIKE '%…%' and `email` LIKE '%@domain' are served by trigram indexes
(GIN, gin_trgm_ops), and the e-mail compared in any case (`UPPER(email) = UPPER(…)`) by an
index on that expression, instead of a scan of every client.

SQLite has no trigram index; its search uses instr(), a range on the ИНН and the phone's index
(crm.clients.selectors), so there the migration does nothing."""

from django.db import migrations

INDEXES = (
    ("clients_client_name_search_trgm", "USING gin (name_search gin_trgm_ops)"),
    ("clients_client_phone_trgm", "USING gin (phone gin_trgm_ops)"),
    ("clients_client_name_comparable_trgm", "USING gin (name_comparable gin_trgm_ops)"),
    ("clients_client_email_trgm", "USING gin (email gin_trgm_ops)"),
    ("clients_client_email_upper", "(UPPER(email))"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_list_sort_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
