-- Products get a category. A data migration: the categories are created
-- and every existing product is put in one, from its SKU prefix.
-- ferry:up
CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

INSERT INTO categories (id, name) VALUES
    (1, 'Kitchen'),
    (2, 'Clothing'),
    (3, 'Accessories');

ALTER TABLE products ADD COLUMN category_id INTEGER REFERENCES categories (id);

UPDATE products SET category_id = CASE
    WHEN sku LIKE 'MUG-%' THEN 1
    WHEN sku LIKE 'TEE-%' OR sku LIKE 'CAP-%' THEN 2
    ELSE 3
END;

-- ferry:down
ALTER TABLE products DROP COLUMN category_id;
DROP TABLE categories;
