-- ferry:up no-transaction
-- ferry:require stop the workers first
SELECT count(*) = 0 FROM workers;
-- ferry:repeat pause=10ms max=5
UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a = 0 LIMIT 10);
-- ferry:down
-- FERRY:Require	the table must be empty
SELECT count(*) = 0 FROM t;
DROP TABLE t;
