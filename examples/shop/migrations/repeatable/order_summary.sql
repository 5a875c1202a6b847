-- A report view, replaced whole: a repeatable migration runs again after
-- any upgrade that changes this file, once every versioned one is applied.
DROP VIEW IF EXISTS order_summary;
CREATE VIEW order_summary AS
SELECT c.id AS customer_id, c.full_name AS customer,
       count(o.id) AS orders, COALESCE(SUM(o.total_cents), 0) AS total_cents
  FROM customers c
  LEFT JOIN orders o ON o.customer_id = c.id
 GROUP BY c.id, c.full_name;
