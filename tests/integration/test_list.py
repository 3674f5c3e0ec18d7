"""--list: text, JSON Lines and make output, -o, -i, and the exit status."""

from harness import *

KINDS = {"read", "stat", "missing", "exec", "lib", "write", "listed"}


class TestList(AWTestCase):

    def setUp(self):
        super().setUp()
        self.write_app({"main.py": (
            "import json, mod\n"
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "json.load(open(os.path.join(d, 'config.json')))\n"
            "with open(os.path.join(d, 'out.json'), 'w') as f:\n"
            "    f.write('{}')\n"
            "try:\n    open(os.path.join(d, 'not_there_at_all.json'))\n"
            "except FileNotFoundError:\n    pass\n"
            "code = int(os.environ.get('APP_EXIT', '0'))\n"
            "sig = int(os.environ.get('APP_SIGNAL', '0'))\n"
            "if sig:\n    import signal\n    os.kill(os.getpid(), sig)\n"
            "sys.exit(code)\n"),
            "mod.py": "", "config.json": "{}"})
        self.main = str(self.app / "main.py")
        self.mod = str(self.app / "mod.py")
        self.config = str(self.app / "config.json")
        self.out_json = str(self.app / "out.json")

    def list(self, *opts, extra_env=None):
        return self.run_aw(["--list"] + list(opts) + ["--", PY, "app/main.py"],
                           env=self.env(extra_env))

    def test_text(self):
        rc, out, err = self.list()
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), len(set(lines)), "duplicates in --list text:\n" + out)
        for p in (self.main, self.mod, self.config):
            self.assertIn(p, lines, "missing %s in:\n%s\n%s" % (p, out, err))
        # The interpreter: as named on the command line or as /proc/self/exe resolves it.
        self.assertTrue({PY, os.path.realpath(PY)} & set(lines), out)
        for line in lines:
            self.assertTrue(line.startswith("/"), "not absolute: %r" % line)
            self.assertFalse(line.startswith(("/proc/", "/sys/", "/dev/")), line)
        # Written-only files are not dependencies in text output.
        self.assertNotIn(self.out_json, lines)
        self.assertFalse(any("not_there_at_all" in line for line in lines), out)

    def test_text_escaping(self):
        self.write("app/we\nird\tname.json", "{}")
        self.write_app({"main.py": (
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "open(os.path.join(d, 'we\\nird\\tname.json')).read()\n")})
        rc, out, err = self.list()
        self.assertEqual(rc, 0, err)
        self.assertIn(str(self.app) + "/we\\nird\\tname.json", out.splitlines(), out)

    def test_json(self):
        rc, out, err = self.list("--format", "json")
        self.assertEqual(rc, 0, err)
        recs = []
        for line in out.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            self.assertEqual(set(rec), {"path", "kind", "pid"}, line)
            self.assertIn(rec["kind"], KINDS, line)
            self.assertIsInstance(rec["pid"], int)
            recs.append(rec)
        pairs = [(r["path"], r["kind"]) for r in recs]
        self.assertEqual(len(pairs), len(set(pairs)), "duplicate (path, kind):\n" + out)
        kinds = {}
        for r in recs:
            kinds.setdefault(r["path"], set()).add(r["kind"])
        self.assertIn("write", kinds.get(self.out_json, set()), out)
        self.assertIn("read", kinds.get(self.config, set()), out)
        self.assertTrue(kinds.get(self.mod, set()) & {"read", "stat"}, out)
        self.assertTrue("exec" in kinds.get(PY, set()) | kinds.get(os.path.realpath(PY), set()),
                        "no exec record for the interpreter:\n" + out)
        self.assertTrue(any(k == {"lib"} or "lib" in k for p, k in kinds.items()
                            if "/libc.so" in p), "no libc lib record:\n" + out)
        self.assertIn("missing", kinds.get(str(self.app / "not_there_at_all.json"), set()), out)
        self.assertIn("listed", kinds.get(str(self.app), set()), "import dir not listed:\n" + out)

    def test_make(self):
        rc, out, err = self.list("--format", "make", "--target", "app.stamp")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        for p in (self.main, self.mod, self.config):
            self.assertIn("app.stamp: " + p, lines, out)
            self.assertIn(p + ":", lines, out)
        self.assertNotIn("app.stamp: " + self.out_json, lines)
        rc, out, err = self.list("--format", "make")
        self.assertEqual(rc, 0, err)
        self.assertIn(PY + ": " + self.main, out.splitlines(), "default target: first word")

    def test_make_escaping(self):
        self.write("app/a b#$.json", "{}")
        self.write_app({"main.py": (
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "open(os.path.join(d, 'a b#$.json')).read()\n")})
        rc, out, err = self.list("--format", "make", "--target", "t")
        self.assertEqual(rc, 0, err)
        esc = str(self.app).replace(" ", "\\ ") + "/a\\ b\\#$$.json"
        self.assertIn("t: " + esc, out.splitlines(), out)

    def test_output_file(self):
        dest = self.state / "deps.txt"
        rc, out, err = self.list("-o", str(dest))
        self.assertEqual(rc, 0, err)
        self.assertIn(self.mod, dest.read_text().splitlines())
        self.assertNotIn(self.mod, out.splitlines())

    def test_ignore(self):
        rc, out, err = self.list("-i", "mod.py", "--ignore", str(self.app) + "/*.json")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertNotIn(self.mod, lines)
        self.assertNotIn(self.config, lines)
        self.assertIn(self.main, lines)

    def test_ext_replaces_rc_rule(self):
        # the default set tracks a probed run-control dot-file; --ext py does not
        rc_file = self.write("app/.apprc", "x=1\n")
        prog = "open(%r).read()\nimport mod\n" % str(rc_file)
        self.write("app/rc.py", "import sys; sys.path.insert(0, %r)\n" % str(self.app) + prog)
        run = lambda *o: self.run_aw(["--list"] + list(o) + ["--", PY, "app/rc.py"],
                                     env=self.env())
        rc, out, err = run()
        self.assertEqual(rc, 0, err)
        self.assertIn(str(rc_file), out.splitlines())
        rc, out, err = run("--ext", "py")
        self.assertEqual(rc, 0, err)
        self.assertNotIn(str(rc_file), out.splitlines())
        self.assertIn(self.mod, out.splitlines())
        rc, out, err = run("--ext", "py,apprc")
        self.assertEqual(rc, 0, err)
        self.assertIn(str(rc_file), out.splitlines())

    def test_exit_status(self):
        rc, out, err = self.list(extra_env={"APP_EXIT": "3"})
        self.assertEqual(rc, 3, err)
        self.assertIn(self.mod, out.splitlines())
        rc, out, err = self.list(extra_env={"APP_SIGNAL": str(int(signal.SIGKILL))})
        self.assertEqual(rc, 128 + signal.SIGKILL, err)
        rc, out, err = self.list(extra_env={"APP_SIGNAL": str(int(signal.SIGTERM))})
        self.assertEqual(rc, 128 + signal.SIGTERM, err)

    def test_lines_appear_while_the_program_runs(self):
        """--list output to a pipe is buffered, but flushed before autowrap
        waits again: a program that keeps running has its lines out now."""
        go = self.app / "go"
        self.write_app({"main.py": (
            "import mod, time\n"
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "for _ in range(400):\n"
            "    if os.path.exists(os.path.join(d, 'go')):\n"
            "        break\n"
            "    time.sleep(0.05)\n")})
        aw = self.start(["--list"])
        aw.expect_out(re.escape(self.mod))
        go.write_text("")
        self.assertEqual(aw.wait(), 0, aw.context())

    def test_list_does_not_restart(self):
        # --list runs once: the app writes its pid, exits, autowrap exits.
        rc, out, err = self.list()
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.starts(), 1)
        self.assertNotIn("starting generation 2", err)


if __name__ == "__main__":
    main()
