-- Customers, with the name in one field, as release 1.0 kept it.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT
);
INSERT INTO customers (id, full_name) VALUES
    (1, 'Ada Lovelace'), (2, 'Alan Mathison Turing'), (3, 'Grace Hopper');
