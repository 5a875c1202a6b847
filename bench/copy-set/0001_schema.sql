-- The tables bench/copy.sh moves from SQLite to PostgreSQL. Written once
-- for both engines: every type name here means the same thing to each, or
-- (bytea, boolean, timestamp) is a name SQLite accepts and files under
-- NUMERIC affinity, which leaves blobs, 0/1 and 'YYYY-MM-DD HH:MM:SS'
-- text as they are. numeric(12,2) turns text like '12.50' into the REAL
-- 12.5 on SQLite, so the generator only stores cents / 100, which a
-- double holds to two decimals exactly. Floats are dyadic (n / 64), so
-- every engine and every text form reads them back the same. `integer
-- PRIMARY KEY` is SQLite's rowid, and 32 bits on PostgreSQL: enough for
-- the 10 million rows of the default size.
-- ferry:up
CREATE TABLE customers (
    id         integer PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    phone      bigint,
    score      double precision NOT NULL,
    active     boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE products (
    id     integer PRIMARY KEY,
    sku    text NOT NULL UNIQUE,
    title  text NOT NULL,
    price  numeric(12,2) NOT NULL,
    weight real,
    image  bytea
);

CREATE TABLE orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    placed_at   timestamp NOT NULL,
    status      text NOT NULL,
    total       numeric(12,2) NOT NULL,
    paid        boolean NOT NULL,
    ship_to     text NOT NULL,
    note        text
);

CREATE TABLE order_items (
    id         integer PRIMARY KEY,
    order_id   integer NOT NULL REFERENCES orders (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL,
    unit_price numeric(12,2) NOT NULL,
    discount   double precision NOT NULL,
    label      text NOT NULL
);

-- ferry:down
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE products;
DROP TABLE customers;
