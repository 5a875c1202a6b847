-- Run again whenever this text changes.
DROP VIEW IF EXISTS note_list;
CREATE VIEW note_list AS SELECT id, body, author FROM notes;
