-- written by an editor that adds a BOM
CREATE TABLE t (a int);
