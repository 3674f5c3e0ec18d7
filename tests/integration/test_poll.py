"""--poll[=MS]: the polling backend restarts on a change, sees new files in a
listed directory, and rejects bad intervals."""

from unittest import mock

import harness
from harness import *


def can_limit_inotify():
    """A user namespace has its own inotify limits (/proc/sys/user/): lowering
    them there exhausts inotify for real without touching the machine's."""
    try:
        r = subprocess.run(["unshare", "-U", "-r", "sh", "-c",
                            "echo 1 > /proc/sys/user/max_inotify_watches"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


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
        # existing files under -w are a baseline, not changes: the next change
        # line names the edited main.py
        self.sentinel(aw, "app/main.py", 2)
        self.write("conf/a/x.txt", "22\n")
        aw.expect_change("x.txt")
        aw.started(3)
        (self.tmp / "conf/b/c").mkdir(parents=True)
        self.write("conf/b/c/new.txt", "3\n")
        aw.expect_change("new.txt")
        aw.started(4)
        self.assertEqual(self.starts(), 4)

    def start_limited(self, knob, value, opts=()):
        """autowrap in a user namespace whose inotify knob is lowered to value."""
        script = 'echo %d > /proc/sys/user/%s && exec "$@"' % (value, knob)
        with mock.patch.object(harness, "BIN", shutil.which("unshare")):
            return self.start(["-U", "-r", "sh", "-c", script, "sh", BIN] + list(opts))

    @unittest.skipUnless(can_limit_inotify(), "no user namespaces")
    def test_enospc_falls_back_to_polling(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        # a handful of watches: python's own directories take them, app/ is polled
        aw = self.start_limited("max_inotify_watches", 2)
        aw.expect_err(r"polling .* every 500 ms: inotify watch limit "
                      r"\(raise sysctl fs\.inotify\.max_user_watches\)$")
        aw.ready()
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)
        self.assertEqual(sum("polling" in l for l in aw.err.snapshot()), 1, "one notice")

    @unittest.skipUnless(can_limit_inotify(), "no user namespaces")
    def test_emfile_polls_everything(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start_limited("max_inotify_instances", 0)
        aw.expect_err(r"polling every 500 ms instead \(raise sysctl "
                      r"fs\.inotify\.max_user_instances\)$")
        aw.started(1)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

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
