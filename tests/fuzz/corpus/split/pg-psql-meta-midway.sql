P
SELECT 1;
SELECT 'a\b' \gset
