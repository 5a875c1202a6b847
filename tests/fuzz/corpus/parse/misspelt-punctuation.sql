-- ferry:up
SELECT 1;
-- ferry :down
SELECT 2;
-- ferry-finish
-- ferry.finish
-- ferry;finish
