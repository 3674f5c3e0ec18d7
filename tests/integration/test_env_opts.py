"""AUTOWRAP_OPTS: options from the environment, applied before the command line's
(which win; repeatable options add up); bad content is one line naming
AUTOWRAP_OPTS, exit 2, and the command never runs."""

from harness import *


class TestEnvOpts(AWTestCase):

    def setUp(self):
        super().setUp()
        self.write_app({"main.py": (
            "import mod\n"
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "open(os.path.join(d, 'config.json')).read()\n"
            "open(os.path.join(d, 'notes.txt')).read()\n" + APP_READY),
            "mod.py": "", "config.json": "{}", "notes.txt": "hello\n"})
        self.mod = str(self.app / "mod.py")
        self.config = str(self.app / "config.json")

    def list(self, opts_env, *opts):
        extra = {} if opts_env is None else {"AUTOWRAP_OPTS": opts_env}
        cmd = [PY, "-c", "import sys; sys.path.insert(0, 'app'); import mod;"
               " open('app/config.json').read()"]
        return self.run_aw(["--list"] + list(opts) + ["--"] + cmd, env=self.env(extra))

    def test_applied_and_command_line_wins(self):
        rc, out, err = self.list("--format json")
        self.assertEqual(rc, 0, err)
        recs = [json.loads(l) for l in out.splitlines()]
        self.assertIn(self.mod, [r["path"] for r in recs])
        rc, out, err = self.list("--format json", "--format", "text")
        self.assertEqual(rc, 0, err)
        self.assertIn(self.mod, out.splitlines(), "--format text on the command line lost")
        self.assertFalse(any(l.startswith("{") for l in out.splitlines()), out)

    def test_repeatable_options_add_up(self):
        rc, out, err = self.list("-i mod.py")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertNotIn(self.mod, lines)
        self.assertIn(self.config, lines)
        rc, out, err = self.list("-i mod.py", "-i", "config.json")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertNotIn(self.mod, lines)
        self.assertNotIn(self.config, lines)

    def test_quoted_watch_in_run_mode(self):
        # notes.txt is not a tracked extension: only the --watch from the environment
        # (a quoted path with a space) makes its edit restart the app.
        self.write("extra dir/notes.txt", "x\n")
        aw = self.start(env=self.env({"AUTOWRAP_OPTS": "-d 20 --watch 'extra dir/notes.txt'"}))
        aw.started(1)
        with open(self.tmp / "extra dir" / "notes.txt", "a") as f:
            f.write("edit\n")
        aw.expect_change("notes.txt")
        aw.started(2)
        self.sentinel(aw, "app/mod.py", 3)

    def bad(self, value, word):
        marker = self.state / "ran"
        rc, out, err = self.run_aw(["--", PY, "-c", "open(%r, 'w')" % str(marker)],
                                   env=self.env({"AUTOWRAP_OPTS": value}))
        self.assertEqual(rc, 2, "AUTOWRAP_OPTS=%r: rc %s, stderr %r" % (value, rc, err))
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "expected one line on stderr, got %r" % err)
        self.assertIn("AUTOWRAP_OPTS: ", lines[0])
        self.assertIn(word, lines[0])
        self.assertFalse(marker.exists(), "the command ran")

    def test_bad_content(self):
        self.bad("--bogus", "--bogus")
        self.bad("-q -d", "'-d' needs an argument")
        self.bad("-d soon", "soon")
        self.bad("-i 'unterminated", "unterminated")
        self.bad("-q python3", "'python3' is not an option")
        self.bad("-- python3", "'--'")

    def test_bad_command_line_not_blamed_on_environment(self):
        rc, out, err = self.run_aw(["--nope", "--", PY, "-c", "pass"],
                                   env=self.env({"AUTOWRAP_OPTS": "-q"}))
        self.assertEqual(rc, 2, err)
        self.assertIn("--nope", err)
        self.assertNotIn("AUTOWRAP_OPTS", err)


if __name__ == "__main__":
    main()
