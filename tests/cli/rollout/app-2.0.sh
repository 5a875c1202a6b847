#!/bin/sh
# SPDX-License-Identifier: MIT
#
# app-2.0.sh WORK MIGRATIONS - release 2.0 of the application: it knows
# customers.contact_email only (while 1.0 still runs, the schema's trigger
# fills email for it). Each iteration signs up a customer with an order,
# reads the customer back, and checks that no customer lacks a
# contact_email (rows of release 1.0 included). See app-lib.sh.

APP_RELEASE=2.0

app_iteration() {
	app_sql <<-SQL
	INSERT INTO customers (name, contact_email) VALUES ('$1', '$1@example.com');
	INSERT INTO orders (customer_id, amount)
	  SELECT id, 200 FROM customers WHERE name = '$1';
	SELECT c.contact_email, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id
	 WHERE c.name = '$1';
	SELECT count(*) FROM customers WHERE contact_email IS NULL;
	SQL
}

app_expect() {
	printf '%s\n%s' "$1@example.com|200" 0
}

. "$(dirname "$0")/app-lib.sh"
app_main "$@"
