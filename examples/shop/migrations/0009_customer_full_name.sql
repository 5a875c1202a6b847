-- customers.name becomes full_name, done as expand and contract so that
-- releases 1.1 and 2.0 can share the database during the rollout:
--   up:     add full_name and copy name into it (1.1 keeps using name;
--           2.0 writes both);
--   finish: drop name, once no 1.1 server is left.
-- ferry:up
ALTER TABLE customers ADD COLUMN full_name TEXT;

UPDATE customers SET full_name = name WHERE full_name IS NULL;

-- ferry:finish
ALTER TABLE customers DROP COLUMN name;

-- ferry:down
ALTER TABLE customers DROP COLUMN full_name;
