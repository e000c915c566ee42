from django.db import migrations

# The audit trail stays append-only (migration 0002) except for two ways out, each a function owned by the
# owner role (who owns the table) and run with its rights (SECURITY DEFINER): the application role has no
# UPDATE or DELETE on the table (tenants/services/database_roles.py), so these functions are the only way it
# can remove or redact a row, and they do only what they say (docs/adr/0016-retention-and-erasure.md):
#
# - audit_events_expire(cutoff, only_actions, except_actions, keep_client_ids): deletes the rows older than
#   ``cutoff`` (of those actions only, or all but those: the sign-in records have their own period), but never
#   those about a client on legal hold; refuses a cutoff later than a year ago, whatever the council's rules say.
# - audit_events_redact(client_ids): sets ``changes`` to NULL on the rows about those clients (a correction's
#   old and new values are personal data; the row itself stays as the non-identifying stub).
#
# Each sets the transaction-local flag ``patchwork.audit_erasure`` that the trigger reads, and turns it off
# again before it returns; if its statement fails, the flag's change is undone with the (sub)transaction: nothing
# after the call, in the same transaction, finds it on. (The flag cannot be named in the function's SET clause:
# PostgreSQL refuses a custom setting there to a role that is not superuser, and the owner role is not.) The trigger still refuses TRUNCATE always, and an UPDATE that
# changes anything but setting ``changes`` to NULL.
#
# search_path safety. A SECURITY DEFINER function must not resolve names through its caller's search_path
# (a caller's temporary table, or a table with a trigger of the caller's, would run with the owner's rights),
# so each function runs with ``search_path = pg_catalog, pg_temp`` and names its table with an explicit schema.
# That schema is the function's own: the function reads its own qualified name from PL/pgSQL's call stack
# (its search_path does not include its schema, so PostgreSQL always writes the name qualified there). The
# definitions name no schema, so tenants/services/schema_definition.py replays them into every new council
# unchanged, and a copy in one council's schema acts on that council's table only, however it is called.

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_catalog.current_setting('patchwork.audit_erasure', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND pg_catalog.current_setting('patchwork.audit_erasure', true) = 'on'
       AND NEW.changes IS NULL
       AND (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) 'changes'::text)
           OPERATOR(pg_catalog.=) (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) 'changes'::text) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_events_expire(
    cutoff timestamp with time zone,
    only_actions text[] DEFAULT NULL,
    except_actions text[] DEFAULT NULL,
    keep_client_ids text[] DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stack text;
    own text;
    removed bigint;
BEGIN
    IF cutoff IS NULL OR cutoff > now() - interval '1 year' THEN
        RAISE EXCEPTION 'audit events are kept at least a year: a cutoff of % is refused', cutoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    GET DIAGNOSTICS stack = PG_CONTEXT;
    -- This function's own schema: the first frame of the stack is "PL/pgSQL function <schema>.audit_events_expire(…) line …".
    own := (parse_ident(substring(split_part(stack, E'\n', 1) FROM '^PL/pgSQL function (.+)\.audit_events_expire\(')))[1];
    IF own IS NULL OR to_regclass(format('%I.audit_auditevent', own)) IS NULL THEN
        RAISE EXCEPTION 'cannot tell which council''s audit trail this is' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('patchwork.audit_erasure', 'on', true);
    EXECUTE format(
        'DELETE FROM %I.audit_auditevent WHERE occurred_at < $1 '
        'AND ($2 IS NULL OR action = ANY($2)) AND ($3 IS NULL OR action <> ALL($3)) '
        'AND ($4 IS NULL OR NOT ((object_type = ''client'' AND object_id = ANY($4)) '
        'OR related_ids && $4::varchar(64)[]))', own
    ) USING cutoff, only_actions, except_actions, keep_client_ids;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('patchwork.audit_erasure', 'off', true);
    RETURN removed;
END;
$$;

CREATE OR REPLACE FUNCTION audit_events_redact(client_ids text[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stack text;
    own text;
    redacted bigint;
BEGIN
    IF client_ids IS NULL OR cardinality(client_ids) = 0 THEN
        RETURN 0;
    END IF;
    GET DIAGNOSTICS stack = PG_CONTEXT;
    -- This function's own schema: the first frame of the stack is "PL/pgSQL function <schema>.audit_events_redact(…) line …".
    own := (parse_ident(substring(split_part(stack, E'\n', 1) FROM '^PL/pgSQL function (.+)\.audit_events_redact\(')))[1];
    IF own IS NULL OR to_regclass(format('%I.audit_auditevent', own)) IS NULL THEN
        RAISE EXCEPTION 'cannot tell which council''s audit trail this is' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('patchwork.audit_erasure', 'on', true);
    EXECUTE format(
        'UPDATE %I.audit_auditevent SET changes = NULL WHERE changes IS NOT NULL '
        'AND ((object_type = ''client'' AND object_id = ANY($1)) OR related_ids && $1::varchar(64)[])', own
    ) USING client_ids;
    GET DIAGNOSTICS redacted = ROW_COUNT;
    PERFORM set_config('patchwork.audit_erasure', 'off', true);
    RETURN redacted;
END;
$$;
"""

REMOVE = """
DROP FUNCTION IF EXISTS audit_events_redact(text[]);
DROP FUNCTION IF EXISTS audit_events_expire(timestamp with time zone, text[], text[], text[]);
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    """Expiry and redaction of audit events, only through two functions the append-only trigger lets through."""

    dependencies = [("audit", "0012_subject_access_retention_offboarding_actions")]

    operations = [migrations.RunSQL(FUNCTIONS, REMOVE)]
