P
CREATE TABLE t (a int, b text);
COPY public.t (a, b) FROM stdin;
1	one
2	two; three
\.
SELECT 1;
