-- Version 2 is not a file: the program registers it, written in C.
CREATE INDEX customers_by_last_name ON customers (last_name);
