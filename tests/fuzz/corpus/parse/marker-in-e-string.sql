-- ferry:up
SELECT E'it\'s
-- ferry:down
';
