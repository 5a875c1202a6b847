-- Outside a transaction: each statement commits on its own, so a
-- failure leaves the ones before it applied.
-- ferry:up no-transaction
CREATE TABLE user_emails (user_id integer PRIMARY KEY, email text);
INSERT INTO user_emails (user_id, email) VALUES (1, 'ada@example.com');
INSERT INTO user_emails (user_id, email) VALUES (2, 'bob@example.com');
CREATE INDEX user_emails_email ON user_emails (email);
-- ferry:down
DROP TABLE user_emails;
