S
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS "users" (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name  TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
    data  BLOB DEFAULT (x'00'),
    CHECK (email LIKE '%@%')
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email) WHERE email <> '';
CREATE VIEW v AS SELECT id, email FROM users WHERE email NOT GLOB '*;*';
CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter');
WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 10)
INSERT INTO n SELECT x FROM cnt;
INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = excluded.v;
SELECT id, row_number() OVER (PARTITION BY email ORDER BY id) FROM users;
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE users ADD COLUMN phone TEXT;
DROP VIEW IF EXISTS v;
