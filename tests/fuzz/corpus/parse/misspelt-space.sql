-- ferry:up
ALTER TABLE t ADD COLUMN b int;
-- ferry finish
ALTER TABLE t DROP COLUMN a;
