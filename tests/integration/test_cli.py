"""Command line: bad input gives one line and exit 2; command not found 127; not
executable 126; --help and --version."""

from harness import *


class TestCli(AWTestCase):

    def usage_error(self, args, word=None):
        rc, out, err = self.run_aw(args)
        self.assertEqual(rc, 2, "autowrap %s: rc %s, stderr %r" % (args, rc, err))
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "expected one line on stderr, got %r" % err)
        if word:
            self.assertIn(word, lines[0])
        self.assertEqual(self.starts(), 0, "the command ran")
        return lines[0]

    def test_unknown_option(self):
        self.usage_error(["--bogus", "--", PY, "-c", "pass"], "--bogus")

    def test_missing_command(self):
        self.usage_error([])
        self.usage_error(["--"])
        self.usage_error(["-v"])

    def test_bad_signal_names(self):
        self.usage_error(["--signal", "SIGFOO", "--", PY, "-c", "pass"], "SIGFOO")
        self.usage_error(["--stop-signal", "NOPE", "--", PY, "-c", "pass"], "NOPE")

    def test_bad_numbers(self):
        self.usage_error(["--debounce", "abc", "--", PY, "-c", "pass"], "abc")
        self.usage_error(["--stop-timeout", "x", "--", PY, "-c", "pass"])
        self.usage_error(["--restart-code", "zz", "--", PY, "-c", "pass"])

    def test_bad_format(self):
        self.usage_error(["--list", "--format", "xml", "--", PY, "-c", "pass"], "xml")

    def test_option_missing_argument(self):
        self.usage_error(["--debounce"])

    def test_command_not_found(self):
        for cmd in ("no-such-command-aw-xyz", str(self.tmp / "nope")):
            rc, out, err = self.run_aw(["--", cmd])
            self.assertEqual(rc, 127, err)
            self.assertIn("%s: command not found" % cmd, err)
        rc, out, err = self.run_aw(["--list", "--", "no-such-command-aw-xyz"])
        self.assertEqual(rc, 127, err)

    def test_not_executable(self):
        p = self.write("app/script.sh", "#!/bin/sh\necho hi\n", mode=0o644)
        rc, out, err = self.run_aw(["--", str(p)])
        self.assertEqual(rc, 126, err)
        self.assertIn("%s: permission denied" % p, err)

    def test_help_and_version(self):
        rc, out, err = self.run_aw(["--help"])
        self.assertEqual(rc, 0, err)
        self.assertIn("autowrap", out)
        self.assertIn("--list", out)
        rc, out, err = self.run_aw(["-h"])
        self.assertEqual(rc, 0, err)
        rc, out, err = self.run_aw(["--version"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"\d+\.\d+\.\d+")
        rc, out, err = self.run_aw(["-V"])
        self.assertEqual(rc, 0, err)

    def test_status_lines_plain_with_no_color(self):
        self.write_app({"main.py": "print('hi', flush=True)\n"})
        aw = self.start(["--restart-code", "99"])
        aw.generation(1)
        aw.expect_err(EXIT_RX)
        for line in aw.err.snapshot():
            self.assertNotIn("\x1b[", line, "colour with NO_COLOR set")

    def test_quiet_hides_start_line(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        aw = self.start(["-q"])
        aw.ready()
        self.edit_py("app/mod.py")
        aw.ready()
        self.assertFalse(any("starting generation" in l for l in aw.err.snapshot()),
                         aw.context())
        self.assertEqual(self.starts(), 2)

    def test_verbose_names_tracked_files(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        aw = self.start(["-v"])
        aw.expect_err(r"\[autowrap\] tracking (.*/)?mod\.py \((read|stat)\)")
        aw.ready()

    def test_extra_watch_path(self):
        self.write("state/extra.txt", "1")
        self.write_app({"main.py": APP_READY})
        aw = self.start(["-w", str(self.state / "extra.txt")])
        aw.started(1)
        self.write("state/extra.txt", "22")
        aw.expect_change("extra.txt")
        aw.started(2)


if __name__ == "__main__":
    main()
