"""--poll[=MS]: the polling backend restarts on a change, sees new files in a
listed directory, and rejects bad intervals."""

from harness import *


class TestPoll(AWTestCase):

    def test_poll_restarts_once_per_change(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start(["--poll=20"])
        aw.started(1)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py", verb="changed")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_poll_default_interval_sees_deletion_and_atomic_save(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start(["--poll"])
        aw.started(1)
        self.atomic_save("app/mod.py", "V = 22\n")
        aw.expect_change("mod.py")
        aw.started(2)
        self.assertEqual(self.starts(), 2)

    def test_poll_recursive_user_watch_sees_new_subdirectory(self):
        self.write_app({"main.py": APP_READY})
        self.write("conf/a/x.txt", "1\n")
        aw = self.start(["--poll=20", "-w", "conf"])
        aw.started(1)
        self.write("conf/a/x.txt", "22\n")
        aw.expect_change("x.txt")
        aw.started(2)
        (self.tmp / "conf/b/c").mkdir(parents=True)
        self.write("conf/b/c/new.txt", "3\n")
        aw.expect_change("new.txt")
        aw.started(3)
        self.assertEqual(self.starts(), 3)

    def test_bad_poll_values_exit_2(self):
        for bad in ("--poll=", "--poll=0", "--poll=abc", "--poll=-1", "--poll=10x",
                    "--poll=99999999"):
            rc, out, err = self.run_aw([bad, "true"])
            self.assertEqual(rc, 2, bad)
            lines = err.strip().splitlines()
            self.assertEqual(len(lines), 1, (bad, err))
            self.assertIn("--poll", lines[0])
            self.assertTrue(lines[0].startswith("[autowrap] "), lines[0])


if __name__ == "__main__":
    main()
