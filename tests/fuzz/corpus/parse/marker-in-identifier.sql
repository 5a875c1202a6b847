-- ferry:up
CREATE TABLE "odd
-- ferry:down
" (a int);
