-- Release 1.1 records who wrote a note; the old release ignores it.
-- ferry:up
ALTER TABLE notes ADD COLUMN author TEXT;
UPDATE notes SET author = 'embed' WHERE author IS NULL;

-- ferry:down
ALTER TABLE notes DROP COLUMN author;
