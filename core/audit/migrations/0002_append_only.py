from django.db import migrations

# Created in whichever schema is being migrated (first on the search_path): each council's audit
# table is guarded by its own copy of the function.
REFUSE_CHANGES = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
"""

ALLOW_CHANGES = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


class Migration(migrations.Migration):
    """The database refuses UPDATE, DELETE and TRUNCATE on the audit trail (SECURITY.md AUD-2)."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(REFUSE_CHANGES, ALLOW_CHANGES)]
