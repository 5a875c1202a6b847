-- Release 2.0 renames customers.email to customers.contact_email.
-- up (expand): add the new column, copy the old one into it, and keep the
-- two equal while release 1.0 (email) and 2.0 (contact_email) both write.
-- finish (contract), once no 1.0 is left: the trigger and email go.
-- down: reverts up, for a rollback while 1.0 still runs.
-- ferry:up
ALTER TABLE customers ADD COLUMN contact_email text;
UPDATE customers SET contact_email = email;
CREATE FUNCTION customers_email_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.email := coalesce(NEW.email, NEW.contact_email);
    NEW.contact_email := coalesce(NEW.contact_email, NEW.email);
  ELSIF NEW.email IS DISTINCT FROM OLD.email THEN
    NEW.contact_email := NEW.email;
  ELSIF NEW.contact_email IS DISTINCT FROM OLD.contact_email THEN
    NEW.email := NEW.contact_email;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER customers_email_sync BEFORE INSERT OR UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION customers_email_sync();
-- ferry:finish
DROP TRIGGER customers_email_sync ON customers;
DROP FUNCTION customers_email_sync();
ALTER TABLE customers DROP COLUMN email;
-- ferry:down
DROP TRIGGER customers_email_sync ON customers;
DROP FUNCTION customers_email_sync();
ALTER TABLE customers DROP COLUMN contact_email;
