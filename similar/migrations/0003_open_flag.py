"""The open flag, and on PostgreSQL a GIN index over open cases only (duplicate candidates)."""

from django.db import migrations, models


SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS similar_caseterms_ai",
    "DROP TRIGGER IF EXISTS similar_caseterms_ad",
    "DROP TRIGGER IF EXISTS similar_caseterms_au",
    """CREATE TRIGGER similar_caseterms_ai AFTER INSERT ON similar_caseterms BEGIN
           INSERT INTO similar_fts(rowid, tokens) VALUES (new.case_id, new.tokens);
       END""",
    """CREATE TRIGGER similar_caseterms_ad AFTER DELETE ON similar_caseterms BEGIN
           INSERT INTO similar_fts(similar_fts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens);
       END""",
    # only when the terms change: the open flag alone leaves the full-text index alone
    """CREATE TRIGGER similar_caseterms_au AFTER UPDATE OF tokens ON similar_caseterms BEGIN
           INSERT INTO similar_fts(similar_fts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens);
           INSERT INTO similar_fts(rowid, tokens) VALUES (new.case_id, new.tokens);
       END""",
    "INSERT INTO similar_fts(similar_fts) VALUES ('rebuild')",
]


def _open_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # adding the column rebuilt the table on SQLite, which drops its triggers: put them back
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX similar_caseterms_open_tsv ON similar_caseterms USING gin (tsv) WHERE is_open")


def _drop_open_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS similar_caseterms_open_tsv")


class Migration(migrations.Migration):
    dependencies = [("similar", "0002_search_index")]

    operations = [
        migrations.AddField(
            model_name="caseterms",
            name="is_open",
            field=models.BooleanField(db_default=True, default=True, verbose_name="在办"),
        ),
        migrations.RunPython(_open_index, _drop_open_index),
    ]
