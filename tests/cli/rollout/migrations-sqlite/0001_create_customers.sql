-- Release 1.0: customers, reached by email.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name text NOT NULL UNIQUE,
  email text
);
