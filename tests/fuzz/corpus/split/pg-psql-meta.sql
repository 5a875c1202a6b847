P
\set ON_ERROR_STOP on
\connect app
\i other.sql
SELECT 1;
