-- ferry:up
SELECT 1;
-- ferry：finish
SELECT 2;
