-- "My orders" lists a customer's orders newest first.
-- ferry:up
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at);

-- ferry:down
DROP INDEX orders_customer_idx;
