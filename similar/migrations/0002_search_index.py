"""The full-text side of the index, per database (docs/search.md); the ORM never sees it."""

from django.db import migrations

SQLITE = [
    # external content: the text is stored once, in similar_caseterms; rowid = case id
    """CREATE VIRTUAL TABLE similar_fts USING fts5(
           tokens, content='similar_caseterms', content_rowid='case_id', tokenize='unicode61 remove_diacritics 0')""",
    "CREATE VIRTUAL TABLE similar_fts_vocab USING fts5vocab(similar_fts, 'row')",
    """CREATE TRIGGER similar_caseterms_ai AFTER INSERT ON similar_caseterms BEGIN
           INSERT INTO similar_fts(rowid, tokens) VALUES (new.case_id, new.tokens);
       END""",
    """CREATE TRIGGER similar_caseterms_ad AFTER DELETE ON similar_caseterms BEGIN
           INSERT INTO similar_fts(similar_fts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens);
       END""",
    """CREATE TRIGGER similar_caseterms_au AFTER UPDATE ON similar_caseterms BEGIN
           INSERT INTO similar_fts(similar_fts, rowid, tokens) VALUES ('delete', old.case_id, old.tokens);
           INSERT INTO similar_fts(rowid, tokens) VALUES (new.case_id, new.tokens);
       END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS similar_caseterms_au",
    "DROP TRIGGER IF EXISTS similar_caseterms_ad",
    "DROP TRIGGER IF EXISTS similar_caseterms_ai",
    "DROP TABLE IF EXISTS similar_fts_vocab",
    "DROP TABLE IF EXISTS similar_fts",
]

POSTGRESQL = [
    # the terms are already segmented: array_to_tsvector takes them as they are (no parser, no
    # stemming, no dependence on the database's locale)
    """ALTER TABLE similar_caseterms ADD COLUMN tsv tsvector
           GENERATED ALWAYS AS (array_to_tsvector(string_to_array(tokens, ' '))) STORED""",
    "CREATE INDEX similar_caseterms_tsv ON similar_caseterms USING gin (tsv)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS similar_caseterms_tsv",
    "ALTER TABLE similar_caseterms DROP COLUMN IF EXISTS tsv",
]


def forwards(apps, schema_editor):
    _run(schema_editor, SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL)


def backwards(apps, schema_editor):
    _run(schema_editor, SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_REVERSE)


def _run(schema_editor, statements):
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("similar", "0001_index")]

    operations = [migrations.RunPython(forwards, backwards)]
