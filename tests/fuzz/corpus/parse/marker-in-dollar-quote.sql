-- ferry:up
CREATE FUNCTION f() RETURNS int AS $$
-- ferry:down
SELECT 1
$$ LANGUAGE sql;
