-- The notes of the application, as release 1.0 has them.
-- ferry:up
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO notes (id, body) VALUES (1, 'first note');

-- ferry:down
DROP TABLE notes;
