-- A few rows to try the shop with; later data migrations work on them.
-- ferry:up
INSERT INTO customers (id, email, name) VALUES
    (1, 'ada@example.com', 'Ada Lovelace'),
    (2, 'alan@example.com', 'Alan Turing'),
    (3, 'grace@example.com', 'Grace Hopper');

INSERT INTO products (id, sku, name, price_cents) VALUES
    (1, 'MUG-01', 'Enamel mug', 1200),
    (2, 'TEE-01', 'Shirt, navy', 2500),
    (3, 'CAP-01', 'Cap, grey', 1800),
    (4, 'BAG-01', 'Canvas bag', 3000);

INSERT INTO orders (id, customer_id, status) VALUES
    (1, 1, 'paid'),
    (2, 2, 'shipped'),
    (3, 1, 'open');

INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES
    (1, 1, 2, 1200),
    (1, 4, 1, 3000),
    (2, 2, 1, 2500),
    (3, 3, 3, 1800);

-- ferry:down
DELETE FROM order_items;
DELETE FROM orders;
DELETE FROM products;
DELETE FROM customers;
