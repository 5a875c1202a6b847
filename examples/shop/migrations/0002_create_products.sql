-- The catalogue. Prices are integer cents: no rounding surprises.
-- ferry:up
CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    active      INTEGER NOT NULL DEFAULT 1
);

-- ferry:down
DROP TABLE products;
