-- The secondary indexes, apart from the tables so that a bulk load can
-- fill the tables first and build these once (bench/copy.sh's generator
-- and its CSV floor do; a tool that copies into a database at head pays
-- for them row by row).
-- ferry:up
CREATE INDEX orders_customer_id ON orders (customer_id);
CREATE INDEX orders_placed_at ON orders (placed_at);
CREATE INDEX order_items_order_id ON order_items (order_id);
CREATE INDEX order_items_product_id ON order_items (product_id);

-- ferry:down
DROP INDEX order_items_product_id;
DROP INDEX order_items_order_id;
DROP INDEX orders_placed_at;
DROP INDEX orders_customer_id;
