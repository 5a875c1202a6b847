-- Release 2.0 lists a customer's orders by amount: a wider index replaces
-- orders_customer, which goes once 1.0 no longer runs.
-- ferry:up
CREATE INDEX orders_customer_amount ON orders (customer_id, amount);
-- ferry:finish
DROP INDEX orders_customer;
-- ferry:down
DROP INDEX orders_customer_amount;
