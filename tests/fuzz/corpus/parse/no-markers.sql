-- No markers: the whole file is the up section.
CREATE TABLE t (a int);
INSERT INTO t VALUES (1);
