-- ferry:upp
SELECT 1;
