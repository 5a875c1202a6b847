-- Ferry migrations for the billing service
-- ferry:up
SELECT 1;
