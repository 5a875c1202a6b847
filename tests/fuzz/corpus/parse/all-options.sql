/* A block comment
   before the first marker is fine. */
-- and a line comment

--   ferry:UP   no-transaction
CREATE INDEX CONCURRENTLY t_a ON t (a);
	--	FERRY:finish	no-transaction
DROP INDEX CONCURRENTLY old_t_a;
-- ferry:down
DROP INDEX t_a;
