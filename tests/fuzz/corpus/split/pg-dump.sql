P
--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the app''s schema; keep';

CREATE TYPE app.mood AS ENUM (
    'sad',
    'ok',
    'happy'
);

CREATE TABLE app.users (
    id bigint NOT NULL,
    email text COLLATE pg_catalog."default",
    tags text[] DEFAULT '{}'::text[],
    CONSTRAINT users_email_check CHECK ((email ~~ '%@%'::text))
);

CREATE SEQUENCE app.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE app.users_id_seq OWNED BY app.users.id;
ALTER TABLE ONLY app.users ALTER COLUMN id SET DEFAULT nextval('app.users_id_seq'::regclass);
SELECT pg_catalog.setval('app.users_id_seq', 42, true);
ALTER TABLE ONLY app.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE RULE r AS ON INSERT TO app.users DO ALSO (NOTIFY users; SELECT 1);
GRANT SELECT ON TABLE app.users TO reader;
