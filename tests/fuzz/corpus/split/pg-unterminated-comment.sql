P
SELECT 1;
/* open /* nested */ still open
