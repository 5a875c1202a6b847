P
SELECT E'it\'s; fine', e'a\\', 'a\', 'doubled '';'' quote';
SELECT U&'d\0061t\+000061;'' ', u&"a;b" FROM t;
SELECT U&'\0441\043B\043E\043D' UESCAPE '\';
SELECT "a;""b" AS "select", 1 AS fee, 'x\';
SELECT B'1010', X'1F', N'national', 1.5e-3, .5, 0x1F, 1_000;
SELECT '{"a": [1, 2]}'::jsonb -> 'a' ->> 0, ARRAY[1,2] @> ARRAY[1], 'a' || 'b';
SELECT 2 - -1, 3 */*c*/2, 4/-- c
2;
