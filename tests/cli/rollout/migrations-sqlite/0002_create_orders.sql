-- Release 1.0: orders, looked up by customer.
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  amount integer NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id);
