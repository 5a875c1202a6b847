-- ferry:up no-transactions
SELECT 1;
