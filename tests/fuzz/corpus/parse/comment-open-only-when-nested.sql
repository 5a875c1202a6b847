-- ferry:up
SELECT 1; /* a /* b */
