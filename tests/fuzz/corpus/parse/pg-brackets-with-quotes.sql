-- ferry:up
INSERT INTO t VALUES (ARRAY['a]b', 'c'], ARRAY[$$]$$]);
UPDATE t SET doc['k]'] = '1';
-- ferry:down
DELETE FROM t;
