-- Add users.email; the old release ignores it and keeps legacy_mail,
-- which goes once every node runs the new release.
-- ferry:up
ALTER TABLE users ADD COLUMN email text;
UPDATE users SET email = legacy_mail;
-- ferry:finish
ALTER TABLE users DROP COLUMN legacy_mail;
-- ferry:down
ALTER TABLE users DROP COLUMN email;
