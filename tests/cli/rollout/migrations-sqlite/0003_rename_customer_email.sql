-- Release 2.0 renames customers.email to customers.contact_email.
-- up (expand): add the new column, copy the old one into it, and keep the
-- two equal while release 1.0 (email) and 2.0 (contact_email) both write.
-- finish (contract), once no 1.0 is left: the triggers and email go.
-- down: reverts up, for a rollback while 1.0 still runs.
-- ferry:up
ALTER TABLE customers ADD COLUMN contact_email text;
UPDATE customers SET contact_email = email;
CREATE TRIGGER customers_email_ins AFTER INSERT ON customers
WHEN NEW.email IS NULL OR NEW.contact_email IS NULL
BEGIN
  UPDATE customers
     SET email = coalesce(NEW.email, NEW.contact_email),
         contact_email = coalesce(NEW.contact_email, NEW.email)
   WHERE id = NEW.id;
END;
CREATE TRIGGER customers_email_upd AFTER UPDATE OF email ON customers
WHEN NEW.email IS NOT OLD.email
BEGIN
  UPDATE customers SET contact_email = NEW.email WHERE id = NEW.id;
END;
CREATE TRIGGER customers_contact_email_upd AFTER UPDATE OF contact_email ON customers
WHEN NEW.contact_email IS NOT OLD.contact_email
BEGIN
  UPDATE customers SET email = NEW.contact_email WHERE id = NEW.id;
END;
-- ferry:finish
DROP TRIGGER customers_email_ins;
DROP TRIGGER customers_email_upd;
DROP TRIGGER customers_contact_email_upd;
ALTER TABLE customers DROP COLUMN email;
-- ferry:down
DROP TRIGGER customers_email_ins;
DROP TRIGGER customers_email_upd;
DROP TRIGGER customers_contact_email_upd;
ALTER TABLE customers DROP COLUMN contact_email;
