-- ferry:down
DROP TABLE t;
