-- Customers may leave a phone number for delivery. Nullable, so release
-- 1.0, which does not know the column, keeps inserting customers.
-- ferry:up
ALTER TABLE customers ADD COLUMN phone TEXT;

-- ferry:down
ALTER TABLE customers DROP COLUMN phone;
