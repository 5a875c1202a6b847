S
INSERT INTO t VALUES ('it''s; fine', "a;b""c", [odd;name], `back;tick``s`);
SELECT 'a\'; SELECT 2;
SELECT '-- ;', '/* ; */', X'DEADBEEF', x'00';
SELECT ?1, :name, @name, $name, $a::b, ?;
SELECT $$ ; $$;
SELECT (1; SELECT 2);
SELECT 1 /* a /* b */; SELECT 2;
