/* /* */ */
-- ferry:up
SELECT 1;
