"""Python beyond plain imports: a custom importlib finder reading source from a
non-.py file (tracked with --ext or --all, the documented answer), runpy,
a module importable only from a .whl-style zip, importlib.reload."""

import zipfile

from harness import *

FINDER = '''\
import importlib.abc, importlib.util
D = os.path.dirname(os.path.abspath(__file__))
class SrcFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        p = os.path.join(D, name + ".src")
        if os.path.exists(p):
            return importlib.util.spec_from_loader(name, self, origin=p)
        return None
    def exec_module(self, module):
        with open(module.__spec__.origin) as f:
            exec(f.read(), module.__dict__)
sys.meta_path.insert(0, SrcFinder())
import srcmod
print("srcmod", srcmod.V, flush=True)
'''


class TestPythonExtras(AWTestCase):

    def listed(self, opts=()):
        # -o: the program's unbuffered prints share stdout with the list and
        # may land inside one of its lines
        lst = self.tmp / "list.txt"
        rc, out, err = self.run_aw(["--list", "-o", str(lst)] + list(opts) + ["--", PY, "app/main.py"],
                                   env=self.env({"AW_ONCE": "1"}))
        self.assertEqual(rc, 0, err)
        # The --list run has exited; its "main" line must not count as a start.
        self.pidlog.unlink(missing_ok=True)
        return set(lst.read_text().splitlines())

    def once(self):
        return "if os.environ.get('AW_ONCE'):\n    sys.exit(0)\n" + APP_READY

    def test_custom_finder_non_py_source(self):
        self.write_app({"main.py": FINDER + self.once(), "srcmod.src": "V = 1\n"})
        src = str(self.app / "srcmod.src")
        # Not a tracked extension by default: the limit --ext/--all exist for.
        self.assertNotIn(src, self.listed())
        self.assertIn(src, self.listed(["--ext", "py,src"]))
        self.assertIn(src, self.listed(["--all"]))
        aw = self.start(["--ext", "py,src"])
        aw.expect_out("^srcmod 1$")
        aw.started(1)
        self.write("app/srcmod.src", "V = 2\n")
        aw.expect_change("srcmod.src")
        aw.expect_out("^srcmod 2$")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_runpy(self):
        self.write_app({"main.py": (
            "import runpy\nd = os.path.dirname(os.path.abspath(__file__))\n"
            "sys.path.insert(0, d)\n"
            "runpy.run_path(os.path.join(d, 'script.py'))\n"
            "runpy.run_module('rmod', run_name='__main__')\n" + self.once()),
            "script.py": "print('script ran', flush=True)\n",
            "rmod.py": "print('rmod ran', flush=True)\n"})
        lines = self.listed()
        for f in ("script.py", "rmod.py"):
            self.assertIn(str(self.app / f), lines)
        aw = self.start()
        aw.started(1)
        self.sentinel(aw, "app/script.py", 2)
        self.sentinel(aw, "app/rmod.py", 3)

    def make_whl(self, value):
        tmp = self.app / "wpkg-1.0-py3-none-any.whl.new"
        with zipfile.ZipFile(tmp, "w") as z:
            z.writestr("wpkg/__init__.py", "V = %d\n" % value)
            z.writestr("wpkg-1.0.dist-info/METADATA", "Name: wpkg\nVersion: 1.0\n")
        os.replace(tmp, self.app / "wpkg-1.0-py3-none-any.whl")

    def test_wheel_zip_import(self):
        self.make_whl(1)
        self.write_app({"main.py": (
            "sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),"
            " 'wpkg-1.0-py3-none-any.whl'))\n"
            "import wpkg\nprint('wpkg', wpkg.V, flush=True)\n" + self.once())})
        self.assertIn(str(self.app / "wpkg-1.0-py3-none-any.whl"), self.listed())
        aw = self.start()
        aw.expect_out("^wpkg 1$")
        aw.started(1)
        self.make_whl(2)
        aw.expect_change("wpkg-1.0-py3-none-any.whl")
        aw.expect_out("^wpkg 2$")
        aw.started(2)
        self.assertEqual(self.starts(), 2)

    def test_importlib_reload(self):
        self.write_app({"main.py": (
            "import importlib\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
            "import relmod\nrelmod = importlib.reload(relmod)\n"
            "print('reloaded', relmod.V, flush=True)\n" + self.once()),
            "relmod.py": "V = 1\n"})
        self.assertIn(str(self.app / "relmod.py"), self.listed())
        aw = self.start()
        aw.expect_out("^reloaded 1$")
        aw.started(1)
        self.sentinel(aw, "app/relmod.py", 2)
        self.sentinel(aw, "app/main.py", 3)


if __name__ == "__main__":
    main()
