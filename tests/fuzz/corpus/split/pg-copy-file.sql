P
COPY t FROM '/var/lib/data/t.csv' WITH (FORMAT csv, HEADER true);
COPY (SELECT * FROM t WHERE b <> ';') TO STDOUT;
COPY t TO stdout;
\copy t from 'local.csv' csv
