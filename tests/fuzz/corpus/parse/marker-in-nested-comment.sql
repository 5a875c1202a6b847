-- ferry:up
SELECT 1; /* a /* b
*/
-- ferry:down
DROP TABLE t;
*/
