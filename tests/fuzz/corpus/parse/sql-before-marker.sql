CREATE TABLE lost (a int);
-- ferry:up
SELECT 1;
