--- ferry:up
SELECT 1;
-- -- ferry:down
