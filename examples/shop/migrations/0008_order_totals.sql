-- Orders keep their total, so listing orders needs no join. Release 2.0
-- writes it; this backfills the orders placed before it.
-- ferry:up
ALTER TABLE orders ADD COLUMN total_cents INTEGER;

UPDATE orders SET total_cents = (
    SELECT COALESCE(SUM(quantity * price_cents), 0)
    FROM order_items
    WHERE order_items.order_id = orders.id
);

-- ferry:down
ALTER TABLE orders DROP COLUMN total_cents;
