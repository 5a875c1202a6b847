# SPDX-License-Identifier: MIT
"""
The Python binding against a real database: FERRY_TEST_DB_URL (a SQLite
URL or a PostgreSQL server's), FERRY_TEST_ENGINE ("sqlite" or "pg") and
FERRY_LIBRARY (the libferry.so.0 under test). tests/cli/t0021-python.sh
runs it on both engines. Every test works in tables of its own (a prefix
and its own ledger), so that they share the one database.
"""

import hashlib
import os
import re
import shutil
import tempfile
import unittest

import ferry

URL = os.environ["FERRY_TEST_DB_URL"]
ENGINE = os.environ.get("FERRY_TEST_ENGINE", "sqlite")

SET = {
    "0001_create_users.sql":
        "CREATE TABLE {p}_users (id integer PRIMARY KEY, name text,\n"
        "  legacy text);\n"
        "INSERT INTO {p}_users (id, name, legacy) VALUES (1, 'ada', 'x');\n",
    "0002_add_email.sql":
        "-- ferry:up\n"
        "ALTER TABLE {p}_users ADD COLUMN email text;\n"
        "-- ferry:finish\n"
        "ALTER TABLE {p}_users DROP COLUMN legacy;\n",
    "0003_create_orders.sql":
        "CREATE TABLE {p}_orders (id integer PRIMARY KEY);\n",
    "releases": "1.0 1\n2.0 2\n",
}


class Case(unittest.TestCase):
    def setUp(self):
        # Tables of its own: a short, distinct name for each test.
        self.prefix = "py_" + hashlib.sha256(
            self._testMethodName.encode()).hexdigest()[:12]
        self.dir = tempfile.mkdtemp(prefix="ferry-py-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.write(SET)
        self.events = []

    def write(self, files):
        for name, text in files.items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text.format(p=self.prefix))

    def open(self, **kw):
        kw.setdefault("table", self.prefix + "_migrations")
        kw.setdefault("progress", self.events.append)
        db = ferry.open(URL, self.dir, **kw)
        self.addCleanup(db.close)
        return db


class TestRuns(Case):
    def test_version_is_the_library_s(self):
        self.assertEqual(ferry.version(), os.environ["FERRY_TEST_VERSION"])

    def test_up_applies_all_then_has_nothing_to_do(self):
        db = self.open()
        self.assertEqual(db.engine, "sqlite" if ENGINE == "sqlite"
                         else "postgres")
        r = db.up()
        self.assertEqual([(s.action, s.migration.version) for s in r.steps],
                         [("up", 1), ("up", 2), ("up", 3)])
        self.assertEqual(r.version, "3")
        st = db.status()
        self.assertEqual((st.complete, st.up, st.pending), (2, 1, 0))
        self.assertEqual([e.state for e in st.entries],
                         ["complete", "up", "complete"])
        self.assertEqual(db.up().steps, [])

    def test_progress_events_name_each_section(self):
        self.open().up(to="1")
        kinds = [(e.type, e.migration.version if e.migration else None)
                 for e in self.events if e.type.startswith("section")]
        self.assertEqual(kinds, [("section_start", 1), ("section_done", 1)])
        done = [e for e in self.events if e.type == "section_done"][0]
        self.assertEqual(done.section, "up")
        self.assertGreaterEqual(done.elapsed_ms, 0)

    def test_finish_and_check_release_for_blue_green(self):
        db = self.open()
        db.up(to="2.0")
        self.assertTrue(db.check_release("1.0"))
        self.assertTrue(db.check_release("2.0"))
        r = db.finish()
        self.assertEqual([(s.action, s.migration.version) for s in r.steps],
                         [("finish", 2)])
        self.assertFalse(db.can_run("1.0"))
        with self.assertRaises(ferry.NotReadyError) as cm:
            db.check_release("1.0")
        self.assertEqual(cm.exception.code, "notready")
        self.assertIn("1.0", str(cm.exception))

    def test_migrate_goes_all_the_way(self):
        db = self.open()
        r = db.migrate()
        self.assertEqual(r.release, None)
        st = db.status()
        self.assertEqual((st.complete, st.up, st.pending), (3, 0, 0))
        self.assertEqual(st.release_finished, "2.0")

    def test_the_actor_is_recorded(self):
        db = self.open(actor="deploy-bot")
        db.up(to="1")
        self.assertEqual(db.status().entries[0].applied_by, "deploy-bot")

    def test_a_bad_actor_is_invalid(self):
        with self.assertRaises(ferry.InvalidError):
            self.open(actor="a\nb")

    def test_dry_run_changes_nothing(self):
        db = self.open()
        r = db.up(dry_run=True)
        self.assertEqual(len(r.steps), 3)
        self.assertEqual(db.status().pending, 3)


class TestErrors(Case):
    def test_a_bad_url_is_an_invalid_error_and_a_value_error(self):
        with self.assertRaises(ferry.InvalidError) as cm:
            ferry.open("nosuch://x", self.dir)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertEqual(cm.exception.code, "invalid")

    def test_a_missing_directory_is_invalid(self):
        db = ferry.open(URL, os.path.join(self.dir, "nope"),
                        table=self.prefix + "_migrations")
        self.addCleanup(db.close)
        with self.assertRaises(ferry.InvalidError):
            db.up()

    def test_a_failing_migration_names_its_file_and_applies_nothing(self):
        self.write({"0004_bad.sql":
                    "INSERT INTO {p}_orders (id) VALUES (1);\n"
                    "INSERT INTO {p}_nosuch (id) VALUES (1);\n"})
        db = self.open()
        with self.assertRaises(ferry.DatabaseError) as cm:
            db.up()
        e = cm.exception
        self.assertTrue(e.file.endswith("0004_bad.sql"), e.file)
        self.assertEqual(e.line, 2)
        self.assertIn("0004_bad.sql:2", str(e))
        st = db.status()
        self.assertEqual((st.complete + st.up, st.pending), (3, 1))

    def test_an_edited_applied_file_is_refused(self):
        db = self.open()
        db.up(to="1")
        with open(os.path.join(self.dir, "0001_create_users.sql"), "a") as f:
            f.write("-- edited\n")
        with self.assertRaises(ferry.RefusedError) as cm:
            db.up()
        self.assertEqual(cm.exception.code, "refused")
        self.assertEqual(db.status().drift, ["1"])

    def test_an_unknown_release_is_invalid(self):
        with self.assertRaises(ferry.InvalidError):
            self.open().check_release("9.9")

    def test_a_callback_that_raises_stops_the_run_and_is_raised(self):
        class Stop(Exception):
            pass

        armed = [True]

        def progress(e):
            if armed and e.type == "section_start" and \
                    e.migration.version == 2:
                armed.clear()
                raise Stop("enough")

        db = self.open(progress=progress)
        with self.assertRaises(Stop):
            db.up()
        st = db.status()
        self.assertEqual([e.state for e in st.entries],
                         ["complete", "pending", "pending"])
        self.assertEqual(len(db.up().steps), 2)

    def test_a_callback_that_raises_is_raised_once(self):
        db = self.open(progress=lambda e: 1 / 0)
        # status() reads only and sends no event: nothing to raise.
        self.assertEqual(db.status().pending, 3)
        with self.assertRaises(ZeroDivisionError):
            db.up()
        # the failure is not kept: the next call sees its own events
        db._progress = self.events.append
        self.assertEqual(len(db.up().steps), 3)

    def test_a_closed_database_is_refused(self):
        db = self.open()
        db.close()
        with self.assertRaises(ferry.InvalidError):
            db.status()

    @unittest.skipUnless(ENGINE == "pg", "PostgreSQL only")
    def test_a_wrong_password_fails_and_is_not_shown(self):
        url = re.sub(r"//[^@/]*@", "//ferry_pw:not-the-pw@", URL)
        with self.assertRaises(ferry.DatabaseError) as cm:
            ferry.open(url, self.dir)
        self.assertNotIn("not-the-pw", str(cm.exception))
        self.assertIn("password", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
