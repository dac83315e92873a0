"""The duplicate look-up's filters on the index row (docs/search.md "The index"): the case's town
(乡镇街道), matter branch (事项大类) and registration time, filled set-based in one statement; on
PostgreSQL the open-only GIN index now holds each open case's terms scoped by its town and branch
(``拖欠|12|3``), so a look-up reads only the town's open cases of the branch that share a term.

The SQL is a frozen copy of ``similar.index`` / ``similar.retrieval`` (``scope_repair``,
``SCOPED_TSV``) as of this migration; the retrieval test checks the planner uses the index."""

import django.db.models.deletion
from django.db import migrations, models

TOWN_OF = {
    "postgresql": "(SELECT a.id FROM routing_region r JOIN routing_region a "
    "ON a.code = ANY(string_to_array(btrim(r.path, '/'), '/')) "
    "WHERE r.id = r0.id AND a.level = 'town' ORDER BY a.depth LIMIT 1)",
    "sqlite": "(SELECT a.id FROM routing_region r JOIN routing_region a "
    "ON a.level = 'town' AND substr(r.path, 1, length(a.path)) = a.path "
    "WHERE r.id = r0.id ORDER BY a.depth LIMIT 1)",
}
BRANCH_OF = {
    "postgresql": "(SELECT a.id FROM routing_mattertype m JOIN routing_mattertype a "
    "ON a.code = split_part(m.path, '/', 2) AND a.parent_id IS NULL WHERE m.id = m0.id)",
    "sqlite": "(SELECT a.id FROM routing_mattertype m JOIN routing_mattertype a "
    "ON a.parent_id IS NULL AND substr(m.path, 1, length(a.path)) = a.path WHERE m.id = m0.id LIMIT 1)",
}
SCOPED_TSV = (
    r"array_to_tsvector(string_to_array(regexp_replace(tokens, '(\S+)', "
    r"'\1|' || coalesce(town_id, 0)::text || '|' || coalesce(branch_id, 0)::text, 'g'), ' '))"
)


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in TOWN_OF:
        return
    schema_editor.execute(
        "UPDATE similar_caseterms AS t SET town_id = town.town_id, branch_id = branch.branch_id, "
        "created_at = c.created_at FROM cases_case c "
        f"JOIN (SELECT r0.id AS region_id, {TOWN_OF[vendor]} AS town_id FROM routing_region r0) town "
        "ON town.region_id = c.region_id "
        f"JOIN (SELECT m0.id AS matter_id, {BRANCH_OF[vendor]} AS branch_id FROM routing_mattertype m0) branch "
        "ON branch.matter_id = c.matter_id "
        "WHERE t.case_id = c.id"
    )
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS similar_caseterms_open_tsv")
        schema_editor.execute(
            f"CREATE INDEX similar_caseterms_open_scoped ON similar_caseterms USING gin (({SCOPED_TSV})) WHERE is_open"
        )


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS similar_caseterms_open_scoped")
        schema_editor.execute("CREATE INDEX similar_caseterms_open_tsv ON similar_caseterms USING gin (tsv) WHERE is_open")


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0003_severity'),
        ('similar', '0003_open_flag'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseterms',
            name='branch',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='routing.mattertype', verbose_name='事项大类'),
        ),
        migrations.AddField(
            model_name='caseterms',
            name='created_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='登记时间'),
        ),
        migrations.AddField(
            model_name='caseterms',
            name='town',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='routing.region', verbose_name='乡镇街道'),
        ),
        migrations.RunPython(fill, unfill),
    ]
