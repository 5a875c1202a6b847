-- Release 2.1 shows each product's sales; its query reads order_items by
-- product. Only an index: 2.0 does not notice it, so there is no finish.
-- ferry:up
CREATE INDEX order_items_product_idx ON order_items (product_id);

-- ferry:down
DROP INDEX order_items_product_idx;
