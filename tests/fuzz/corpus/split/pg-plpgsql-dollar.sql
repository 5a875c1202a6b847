P
-- A PL/pgSQL function whose body holds semicolons in every quoting style.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    msg text := 'it''s; fine';
    q   text := $q$SELECT 1; SELECT 'x'$q$;
BEGIN
    /* a ; in a comment /* nested ; */ still a comment */
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit (tbl, op, row) VALUES (TG_TABLE_NAME, 'D', to_jsonb(OLD));
        RETURN OLD;
    END IF;
    EXECUTE format('INSERT INTO %I VALUES ($1);', 'log') USING E'tab\there;';
    RAISE NOTICE 'done: %', "weird;col";
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row();
