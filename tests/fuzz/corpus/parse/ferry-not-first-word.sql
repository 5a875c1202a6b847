-- ferry:up
-- the ferry rollout
SELECT 1; -- ferry rocks
-- ferrying, ferry_boat, ferryman
/* ferrying */
SELECT '-- ferry finish';
