P
DO $fn$
BEGIN
    EXECUTE $$CREATE TABLE t (a int); INSERT INTO t VALUES (1);$$;
    EXECUTE $q$ $$ ; $q$;
    PERFORM $_x1$;'$_x1$;
END
$fn$;
SELECT $a$ $b$ ; $b$ $a$, a$b$c, $1, $$$$;
PREPARE p(int) AS SELECT $1 + $2;
EXECUTE p(1, 2);
CREATE FUNCTION add(a integer, b integer) RETURNS integer
    AS 'select $1 + $2;'
    LANGUAGE SQL IMMUTABLE RETURNS NULL ON NULL INPUT;
