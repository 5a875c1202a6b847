-- The people who buy. Email is how they log in, so it is unique.
-- ferry:up
CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- ferry:down
DROP TABLE customers;
