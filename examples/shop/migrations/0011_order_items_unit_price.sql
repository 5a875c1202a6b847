-- order_items.price_cents becomes unit_price_cents (it is the price of one
-- unit, not of the line), as expand and contract so that releases 2.0 and
-- 2.1 can share the database during the rollout:
--   up:     add unit_price_cents and copy price_cents into it. 2.0 keeps
--           writing price_cents only; 2.1 writes both columns (price_cents
--           is NOT NULL) and reads COALESCE(unit_price_cents, price_cents).
--   finish: copy the lines that 2.0 wrote during the rollout, then drop
--           price_cents, once no 2.0 server is left.
--   down:   drop unit_price_cents. After finish that loses the prices:
--           'ferry down' then needs --force, and a backup.
--
-- The dual write is the application's, not a trigger's: a trigger is
-- written differently in SQLite (CREATE TRIGGER ... BEGIN ... END) and in
-- PostgreSQL (a plpgsql function, then CREATE TRIGGER ... EXECUTE
-- FUNCTION), and these files run unchanged on both. It is enough here
-- because an order line is written once, when the order is placed, and
-- never updated: the only rows 2.1 could miss are the lines that 2.0
-- inserts, and finish copies them.
-- ferry:up
ALTER TABLE order_items ADD COLUMN unit_price_cents INTEGER;

UPDATE order_items SET unit_price_cents = price_cents
WHERE unit_price_cents IS NULL;

-- ferry:finish
UPDATE order_items SET unit_price_cents = price_cents
WHERE unit_price_cents IS NULL;

ALTER TABLE order_items DROP COLUMN price_cents;

-- ferry:down
ALTER TABLE order_items DROP COLUMN unit_price_cents;
