-- ferry:up
CREATE TABLE [odd
-- ferry:down
] (a int);
CREATE TABLE `b
-- ferry:finish
` (a int);
