-- ferry:up
CREATE TABLE t (a int);
/* TODO: backfill
INSERT INTO t VALUES (1);
