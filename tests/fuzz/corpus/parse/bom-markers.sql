-- ferry:up
CREATE TABLE t (a int);
-- ferry:down
DROP TABLE t;
