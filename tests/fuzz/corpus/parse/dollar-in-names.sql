-- ferry:up
CREATE TABLE cost$$ (v$1 int);
PREPARE p(int) AS SELECT $1;
-- ferry:down
DROP TABLE cost$$;
