S
SELECT 1; /* open to the end ; SELECT 2;
