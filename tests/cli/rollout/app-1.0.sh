#!/bin/sh
# SPDX-License-Identifier: MIT
#
# app-1.0.sh WORK MIGRATIONS - release 1.0 of the application: it knows
# customers.email only. Each iteration signs up a customer with an order,
# reads the customer back, and checks that no customer lacks an email
# (which rows written by release 2.0 would, without the dual-write).
# See app-lib.sh.

APP_RELEASE=1.0

app_iteration() {
	app_sql <<-SQL
	INSERT INTO customers (name, email) VALUES ('$1', '$1@example.com');
	INSERT INTO orders (customer_id, amount)
	  SELECT id, 100 FROM customers WHERE name = '$1';
	SELECT c.email, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id
	 WHERE c.name = '$1';
	SELECT count(*) FROM customers WHERE email IS NULL;
	SQL
}

app_expect() {
	printf '%s\n%s' "$1@example.com|100" 0
}

. "$(dirname "$0")/app-lib.sh"
app_main "$@"
