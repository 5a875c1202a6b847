SELECT 1; -- ferry:up is only a marker at the start of a line
-- ferry up (no colon) is a comment
--ferry:
