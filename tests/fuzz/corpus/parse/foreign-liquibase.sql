--liquibase formatted sql

--changeset alice:1
CREATE TABLE t (a int);
--rollback DROP TABLE t;
