-- ferry:up
INSERT INTO t VALUES ('it''s
-- ferry:down
');
