"""docs/list-format.md's examples, run as they are written there: the tarball of
exactly what an app loads (jq, and Python alone, exact for names that are not
UTF-8), and the Makefile that re-runs a target when a file it loaded changes
(with a data file whose name needs make's escapes)."""

import tarfile

from harness import *

DOC = REPO / "docs" / "list-format.md"
EXAMPLE_RX = re.compile(r"<!-- example: (\S+) -->\n```(\w+)\n(.*?)```\n", re.S)

APP = '''\
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper
json.load(open("config.json"))
with open("out.log", "w") as f:
    f.write("written, not loaded")
try:
    open("absent.json")
except FileNotFoundError:
    pass
if os.environ.get("AW_ODD"):
    open(b"caf\\xe9.json").read()
'''

REPORT = '''\
import json, sys
sys.path.insert(0, "lib")
import fmt
sales = json.load(open("data/sales.json"))
odd = json.load(open("data/odd name:$#1.json"))
print(fmt.render(sales, odd))
'''


def examples():
    found = {m.group(1): (m.group(2), m.group(3)) for m in EXAMPLE_RX.finditer(DOC.read_text())}
    assert {"tarball-jq", "tarball-python", "make"} <= set(found), found.keys()
    return found


class TestListFormatDoc(AWTestCase):

    def setUp(self):
        super().setUp()
        self.ex = examples()
        bindir = self.tmp / "bin"
        bindir.mkdir()
        os.symlink(os.path.abspath(BIN), bindir / "autowrap")
        self.work = self.tmp / "work"
        self.work.mkdir()
        self.runenv = self.env(path="%s:/usr/bin:/bin" % bindir)
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
            self.runenv.pop(k, None)

    def sh(self, script, extra=None, check=True):
        env = dict(self.runenv)
        env.update(extra or {})
        p = subprocess.run(["sh", "-e", "-c", script], cwd=str(self.work), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=T * 2)
        if check:
            self.assertEqual(p.returncode, 0, "script failed:\n%s\nstderr:\n%s"
                             % (script, p.stderr.decode(errors="replace")))
        return p

    # -- tarball ---------------------------------------------------------
    def tar_app(self):
        (self.work / "app.py").write_text(APP)
        (self.work / "helper.py").write_text("X = 1\n")
        (self.work / "config.json").write_text("{}")
        (self.work / os.fsdecode(b"caf\xe9.json")).write_text("{}")

    def members(self):
        with tarfile.open(str(self.work / "app-files.tar")) as tar:
            names = {os.fsencode(m.name) for m in tar.getmembers()}
        (self.work / "app-files.tar").unlink()
        return names

    def check_members(self, names):
        w = os.fsencode(str(self.work)).lstrip(b"/")
        for f in (b"app.py", b"helper.py", b"config.json"):
            self.assertIn(w + b"/" + f, names)
        for f in (b"out.log", b"absent.json"):
            self.assertNotIn(w + b"/" + f, names)
        self.assertIn(b"usr/lib/python3.11/json/__init__.py"
                      if os.path.exists("/usr/lib/python3.11/json/__init__.py")
                      else next(n for n in names if n.endswith(b"/json/__init__.py")), names)
        py = {os.fsencode(p).lstrip(b"/") for p in (PY, os.path.realpath(PY))}
        self.assertTrue(py & names, "no interpreter in the tarball")
        self.assertTrue(any(re.search(rb"/libc\.so\.6$", n) for n in names), "no libc")
        self.assertFalse(any(n.startswith((b"proc/", b"sys/", b"dev/")) for n in names))

    def test_tarball_jq(self):
        if not shutil.which("jq"):
            self.skipTest("jq is not installed (tests/setup.sh installs it)")
        self.tar_app()
        lang, script = self.ex["tarball-jq"]
        self.assertEqual(lang, "sh")
        self.sh(script)
        names = self.members()
        self.check_members(names)
        # the same set as the Python form gives
        self.sh(self.ex["tarball-python"][1])
        self.assertEqual(self.members(), names)

    def test_tarball_python_exact_names(self):
        self.tar_app()
        lang, script = self.ex["tarball-python"]
        self.assertEqual(lang, "sh")
        self.sh(script, {"AW_ODD": "1"})
        names = self.members()
        self.check_members(names)
        w = os.fsencode(str(self.work)).lstrip(b"/")
        self.assertIn(w + b"/caf\xe9.json", names)

    # -- make ------------------------------------------------------------
    # Time stamps: a virtual clock in the past (no reliance on clock ticks, no
    # file in the future): the fixtures are stamped at base, each build of
    # report.txt at base + 2 k steps, and each edit one step after the last
    # build. The clock starts after the newest file the program loads from
    # outside the work directory (a .pth or .pyc written when the machine was
    # set up minutes ago would otherwise be newer than every build); the step
    # shrinks when that file is recent (make compares nanosecond stamps).
    def stamp(self, path, t):
        os.utime(path, (t, t))

    def built(self):
        self.builds += 1
        self.stamp(self.work / "report.txt", self.base + 2 * self.step * self.builds)

    def later(self, path, text):
        path.write_text(text)
        self.stamp(path, self.base + 2 * self.step * self.builds + self.step)

    def newest_outside(self, depfile):
        newest, work = 0.0, str(self.work) + "/"
        for line in depfile.read_text().splitlines():
            if not line.startswith("report.txt: "):
                continue
            path = line[len("report.txt: "):]
            path = re.sub(r"\\(.)", r"\1", path).replace("$$", "$")
            if not path.startswith(work) and os.path.exists(path):
                newest = max(newest, os.stat(path).st_mtime)
        return newest

    def start_clock(self):
        """Learn what the program loads with one run, then set the clock."""
        rc, out = self.make()
        self.assertEqual(rc, 0, out)
        depfile = self.work / "report.txt.d"
        newest = self.newest_outside(depfile)
        (self.work / "report.txt").unlink()
        depfile.unlink()
        now = time.time()
        if newest > now - 0.2:
            self.skipTest("a file python3 loads was modified %.1f s from now" % (newest - now))
        self.step = 10.0 if now - newest > 200 else (now - newest) / 20
        self.base, self.builds = max(now - 1000, newest + self.step), 0
        for d, _, files in os.walk(str(self.work)):
            for f in files:
                self.stamp(os.path.join(d, f), self.base)

    def make(self, *args):
        p = subprocess.run(["make"] + list(args), cwd=str(self.work), env=self.runenv,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=T * 2)
        return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")

    def test_make_reruns_on_any_loaded_file(self):
        if not shutil.which("make"):
            self.skipTest("make is not installed")
        lang, makefile = self.ex["make"]
        self.assertEqual(lang, "make")
        self.assertIn("\n\tautowrap ", makefile, "the recipe line must start with a tab")
        (self.work / "Makefile").write_text(makefile)
        (self.work / "report.py").write_text(REPORT)
        (self.work / "lib").mkdir()
        (self.work / "lib" / "fmt.py").write_text(
            "def render(s, o):\n    return 'total %d %s' % (sum(s), o['tag'])\n")
        (self.work / "data").mkdir()
        (self.work / "data" / "sales.json").write_text("[1, 2]")
        odd = self.work / "data" / "odd name:$#1.json"
        odd.write_text('{"tag": "a"}')
        report = self.work / "report.txt"
        self.start_clock()

        rc, out = self.make()
        self.assertEqual(rc, 0, out)
        self.built()
        self.assertEqual(report.read_text(), "total 3 a\n")
        dep = (self.work / "report.txt.d").read_text()
        self.assertIn("report.txt: %s/lib/fmt.py\n" % self.work, dep)
        self.assertIn("data/odd\\ name\\:$$\\#1.json", dep)
        rc, out = self.make("-q")
        self.assertEqual(rc, 0, "make -q: not up to date after a run\n" + out)
        rc, out = self.make()
        self.assertEqual(rc, 0, out)
        self.assertIn("'report.txt' is up to date", out)

        # a module it imported
        self.later(self.work / "lib" / "fmt.py",
                   "def render(s, o):\n    return 'sum %d %s' % (sum(s), o['tag'])\n")
        self.assertEqual(self.make("-q")[0], 1, "make -q: a module's change not seen")
        rc, out = self.make()
        self.assertEqual(rc, 0, out)
        self.built()
        self.assertEqual(report.read_text(), "sum 3 a\n")
        # a data file it read, whose name needs every escape
        self.later(odd, '{"tag": "b"}')
        self.assertEqual(self.make("-q")[0], 1, "make -q: the odd data file's change not seen")
        rc, out = self.make()
        self.assertEqual(rc, 0, out)
        self.built()
        self.assertEqual(report.read_text(), "sum 3 b\n")
        self.assertEqual(self.make("-q")[0], 0)
        # a file in the directory that it did not load changes nothing
        self.later(self.work / "data" / "unused.json", "{}")
        self.assertEqual(self.make("-q")[0], 0)


if __name__ == "__main__":
    main()
