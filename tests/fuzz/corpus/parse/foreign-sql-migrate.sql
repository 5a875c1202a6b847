-- +migrate Up notransaction
CREATE TABLE t (a int);
-- +migrate Down
DROP TABLE t;
