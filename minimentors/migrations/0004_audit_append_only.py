"""The audit log is append-only in the database: triggers on SQLite and PostgreSQL refuse
UPDATE and DELETE of audit rows except the retention job's deletes (see
``minimentors.audit_guard``) and the SET NULL of ``actor_id`` when an account is deleted."""

from django.db import migrations

TABLE = "minimentors_auditentry"
SAME_EXCEPT_ACTOR = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "detail",
        "created_at",
    )
)

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN NOT (NEW.actor_id IS NULL AND {SAME_EXCEPT_ACTOR})
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW WHEN NOT minimentors_retention_deleting()
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: only the retention job deletes them'); END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]

POSTGRESQL_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            IF current_setting('minimentors.retention_purge', true) = 'on' THEN
                IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'audit entries are append-only: only the retention job deletes them';
        END IF;
        IF NEW.actor_id IS NULL AND
           (NEW.id, NEW.actor_username, NEW.action, NEW.target_type, NEW.target_id,
            NEW.detail, NEW.created_at) IS NOT DISTINCT FROM
           (OLD.id, OLD.actor_username, OLD.action, OLD.target_type, OLD.target_id,
            OLD.detail, OLD.created_at) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only';
    END $$""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_guard()""",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_guard()""",
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_guard()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No audit log triggers for {schema_editor.connection.vendor}; "
                "MiniMentors runs on SQLite or PostgreSQL."
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("minimentors", "0003_outbox_open_sockets_deletion_records"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
